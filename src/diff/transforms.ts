/**
 * The differentiation transformations over parameter records: `vjp`, `grad`, `valueAndGrad`
 * (reverse mode) and `jvp` (forward mode). Each starts a new trace at a fresh level, wraps the
 * leaves of the differentiated arguments as tracers, runs the function, and unwraps the result.
 * Gradients always come back as real tensors with the structure and type of the arguments.
 */

import { Tensor } from '../core/tensor.js'
import { isFloat } from '../core/dtype.js'
import { fail, fmtShape } from '../core/errors.js'
import { shapesEqual } from '../core/shape.js'
import { zerosLike, onesLike } from '../core/constructors.js'
import { ReverseTrace, backward, type ReverseTracer } from './reverse.js'
import { JvpTrace } from './forward.js'
import { nextLevel, primalAt, type Trace } from './tracer.js'
import { treeLeavesWithPath, treeMap, treeZipWith } from './tree.js'
import { releaseScope, type Backend } from '../backends/backend.js'

/**
 * Which arguments {@link grad} and {@link valueAndGrad} differentiate: one index (the gradient
 * comes back alone) or a list of indices (the gradients come back as a tuple in that order).
 */
export type Argnums = number | readonly number[]

/**
 * The type of the gradients {@link grad} returns for argument types `A` and `argnums` `N`: `A[N]`
 * for one index, a tuple of the picked argument types for a list. Gradients have the structure
 * and type of the arguments they are taken for.
 */
export type GradOf<A extends readonly unknown[], N extends Argnums> =
  N extends number ? A[N] : { -readonly [K in keyof N]: A[N[K] & number] }

/** Options of {@link grad} and {@link valueAndGrad} (which also take `hasAux`). */
export interface GradOptions<N extends Argnums> {
  /** The arguments to differentiate with respect to. Default 0, the first. */
  readonly argnums?: N
}

const rootName = (i: number): string => (i === 0 ? 'params' : `args[${i}]`)

const checkDifferentiable = (op: string) => (leaf: Tensor, path: string): void => {
  if (!(leaf instanceof Tensor)) fail('INVALID_ARGUMENT', op, `${path}: expected a tensor, got ${typeof leaf}`)
  if (!isFloat(leaf.dtype)) {
    fail('NON_DIFFERENTIABLE', op, `${path}: cannot differentiate with respect to ${leaf.dtype === 'int32' ? 'an' : 'a'} ${leaf.dtype} tensor; pass it as a non-differentiated argument (argnums) or cast it to a float dtype`)
  }
}

/** Leaves of an arbitrary value (aux data may hold numbers and strings) moved one level down. */
export const stripTrace = (x: unknown, trace: Trace): unknown => {
  if (x instanceof Tensor) return primalAt(x, trace)
  if (Array.isArray(x)) return x.map((v) => stripTrace(v, trace))
  if (x !== null && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, stripTrace(v, trace)]))
  }
  return x
}

/** Adds to `keep` the buffer of every tensor (and of the primals under its tracers) reachable from `x`. */
const reachableBuffers = (x: unknown, keep: Set<unknown>, seen: Set<object>): void => {
  if (x === null || typeof x !== 'object' || seen.has(x) || ArrayBuffer.isView(x)) return
  seen.add(x)
  if (x instanceof Tensor) {
    for (let t: Tensor | null = x; t !== null; t = t.tracer === null ? null : t.tracer.primal) keep.add(t.buffer)
  } else if (x instanceof Map) {
    for (const [k, v] of x) { reachableBuffers(k, keep, seen); reachableBuffers(v, keep, seen) }
  } else if (x instanceof Set || Array.isArray(x)) {
    for (const v of x) reachableBuffers(v, keep, seen)
  } else {
    for (const v of Object.values(x)) reachableBuffers(v, keep, seen)
  }
}

/**
 * Runs a transformation. When it is the outermost one and `frees`, the buffers created during it
 * on backends with `release` (logged by bind and fromTyped) that its result does not reach are
 * released as it returns: deterministic, so loops that never yield stay flat on GPU memory.
 * vjp does not free (its pullback needs the tape later) but counts as a transformation.
 */
const scoped = <T>(frees: boolean, run: () => T): T => {
  const outer = releaseScope.depth === 0
  if (outer && frees) releaseScope.log = []
  releaseScope.depth++
  try {
    const result = run()
    const log = releaseScope.log
    if (outer && log !== null && log.length > 0) {
      const keep = new Set<unknown>()
      reachableBuffers(result, keep, new Set())
      for (let i = 0; i < log.length; i += 2) if (!keep.has(log[i + 1])) (log[i] as Backend).release?.(log[i + 1])
    }
    return result
  } finally {
    releaseScope.depth--
    if (outer) releaseScope.log = null
  }
}

/**
 * Runs `run` as the outermost release scope when no transformation is running (as `scoped`): what
 * it creates on backends with `release` and its result does not reach is released as it returns.
 * For library code outside `grad` that makes many temporaries per training step (optimizer
 * updates), so a loop that never yields does not hold them until it does.
 */
export const releasing = <T>(run: () => T): T => scoped(true, run)

interface Traced {
  readonly trace: ReverseTrace
  readonly out: unknown
  /** Tape ids of the wrapped leaves, per differentiated argument, in flatten order. */
  readonly leafIds: readonly (readonly number[])[]
}

const traceReverse = (op: string, f: (...args: never[]) => unknown, args: readonly unknown[], argnums: readonly number[]): Traced => {
  const trace = new ReverseTrace(nextLevel())
  const leafIds: number[][] = argnums.map(() => [])
  const wrapped = args.slice()
  argnums.forEach((i, k) => {
    if (i >= args.length) fail('INVALID_ARGUMENT', op, `argnums names argument ${i} but the function got ${args.length}`)
    wrapped[i] = treeMap(args[i], (leaf: Tensor, path) => {
      checkDifferentiable(op)(leaf, path)
      const t = trace.leaf(leaf, path)
      leafIds[k].push((t.tracer as ReverseTracer).id)
      return t
    }, rootName(i))
  })
  try {
    return { trace, out: f(...(wrapped as never[])), leafIds }
  } finally {
    trace.active = false
  }
}

/** Gradient records for each differentiated argument from the cotangents the sweep left on the leaves. */
const collect = (args: readonly unknown[], argnums: readonly number[], t: Traced, cts: readonly (Tensor | undefined)[]): unknown[] =>
  argnums.map((i, k) => {
    let j = 0
    return treeMap(args[i], (leaf: Tensor) => cts[t.leafIds[k][j++]] ?? zerosLike(leaf))
  })

const idOf = (x: Tensor, trace: ReverseTrace): number =>
  x.tracer !== null && x.tracer.trace === trace ? (x.tracer as ReverseTracer).id : -1

/**
 * Reverse mode with an explicit cotangent: runs `f(...primals)` and returns its output and a
 * pullback, a function from a cotangent (a record shaped like the output, same shapes and dtypes)
 * to the gradients of every argument, as a tuple: the vector-Jacobian product. The output may be
 * any record of tensors, not only a scalar; the pullback may be called many times. Differentiated
 * leaves must be float32 or float64.
 * @throws PuregradError `NON_DIFFERENTIABLE` for an int32 or bool leaf in the arguments;
 * `INVALID_ARGUMENT` for a leaf that is not a tensor; from the pullback, `SHAPE_MISMATCH` when the
 * cotangent does not match the output's shapes and dtypes, `TREE_MISMATCH` when its structure differs.
 * @example
 * ```ts
 * import { mul, tensor, vjp, type Tensor } from 'puregrad'
 * const [out, pullback] = vjp((a: Tensor, b: Tensor) => mul(a, b), tensor([1, 2]), tensor([3, 4]))
 * out.arraySync() // => [3, 8]
 * const [ga, gb] = pullback(tensor([1, 10]))
 * ga.arraySync() // => [3, 40]
 * gb.arraySync() // => [1, 20]
 * ```
 */
export const vjp = <A extends unknown[], R>(f: (...args: A) => R, ...primals: A): [R, (ct: R) => A] =>
  scoped(false, () => vjpCore(f, primals))

const vjpCore = <A extends unknown[], R>(f: (...args: A) => R, primals: A): [R, (ct: R) => A] => {
  const argnums = primals.map((_, i) => i)
  const t = traceReverse('vjp', f as (...args: never[]) => unknown, primals, argnums)
  const outLeaves = treeLeavesWithPath<Tensor>(t.out, 'out')
  const out = treeMap(t.out, (x: Tensor) => primalAt(x, t.trace)) as R
  const pullback = (ct: R): A => {
    const seeds: [number, Tensor][] = []
    let k = 0
    treeZipWith(out, ct, (o: Tensor, c: Tensor, path) => {
      if (!(c instanceof Tensor) || !shapesEqual(o.shape, c.shape) || o.dtype !== c.dtype) {
        fail('SHAPE_MISMATCH', 'vjp', `${path}: cotangent must match the output ${fmtShape(o.shape)} ${o.dtype}, got ${c instanceof Tensor ? `${fmtShape(c.shape)} ${c.dtype}` : typeof c}`)
      }
      const id = idOf(outLeaves[k++][1], t.trace)
      if (id >= 0) seeds.push([id, c])
      return o
    }, 'out')
    return collect(primals, argnums, t, backward(t.trace, seeds)) as A
  }
  return [out, pullback]
}

const normArgnums = (op: string, n: Argnums | undefined): number[] => {
  const list = n === undefined ? [0] : typeof n === 'number' ? [n] : [...n]
  for (const i of list) if (!Number.isInteger(i) || i < 0) fail('INVALID_ARGUMENT', op, `argnums must be non-negative integers, got ${String(i)}`)
  return list
}

const scalarSeed = (op: string, loss: unknown, trace: ReverseTrace): [Tensor, [number, Tensor][]] => {
  if (!(loss instanceof Tensor)) return fail('NON_SCALAR_OUTPUT', op, `the function must return a scalar tensor, got ${typeof loss}`)
  if (loss.rank !== 0) {
    fail('NON_SCALAR_OUTPUT', op, `the function returned shape ${fmtShape(loss.shape)}; grad needs a scalar (rank 0) output: reduce it (sum, mean) or use vjp/jacrev`)
  }
  if (!isFloat(loss.dtype)) fail('NON_SCALAR_OUTPUT', op, `the function returned a ${loss.dtype} scalar; grad needs a float output`)
  const value = primalAt(loss, trace)
  const id = idOf(loss, trace)
  return [value, id >= 0 ? [[id, onesLike(value)]] : []]
}

const gradCore = (op: string, f: (...args: never[]) => unknown, argnums: Argnums | undefined, hasAux: boolean, args: readonly unknown[]) => {
  const nums = normArgnums(op, argnums)
  const t = traceReverse(op, f, args, nums)
  let lossOut = t.out
  let aux: unknown
  if (hasAux) {
    if (!Array.isArray(t.out) || t.out.length !== 2) fail('INVALID_ARGUMENT', op, 'with hasAux the function must return [loss, aux]')
    lossOut = (t.out as unknown[])[0]
    aux = stripTrace((t.out as unknown[])[1], t.trace)
  }
  const [value, seeds] = scalarSeed(op, lossOut, t.trace)
  const grads = collect(args, nums, t, backward(t.trace, seeds))
  return { value, grads: typeof argnums === 'object' ? grads : grads[0], aux }
}

type Loss = Tensor
/** What a function differentiated with `hasAux: true` returns: its scalar loss and auxiliary data (not differentiated). */
export type WithAux<X> = readonly [Tensor, X]

/**
 * The gradient of a scalar-valued function: `grad(f)` is a function of the same arguments that
 * returns df/d(argument 0), a record with the structure and type of that argument (any nesting of
 * objects, arrays and registered classes with tensor leaves). `opts.argnums` picks other
 * arguments (a list gives a tuple of gradients); with `opts.hasAux`, `f` returns `[loss, aux]` and
 * the result is `[grads, aux]`. Transformations nest: `grad(grad(f))` is the second derivative.
 *
 * `f` must return a float scalar (rank 0) tensor; the differentiated leaves must be float32 or
 * float64. Arguments that are not differentiated may hold anything.
 * @throws PuregradError `NON_SCALAR_OUTPUT` when `f` returns a non-scalar, non-float or non-tensor
 * value (reduce it with sum or mean, or use {@link vjp}); `NON_DIFFERENTIABLE` for an int32 or bool
 * leaf (the message names its path, e.g. `params.steps`); `INVALID_ARGUMENT` for a leaf that is not
 * a tensor, a bad `argnums`, or, with `hasAux`, a result that is not a pair; `ESCAPED_TRACER` when a
 * traced value stored during `f` is used after it returns.
 * @example
 * ```ts
 * import { add, grad, mul, square, sum, tensor, type Tensor } from 'puregrad'
 * type Params = { w: Tensor; b: Tensor }
 * const loss = (p: Params, x: Tensor): Tensor => sum(square(add(mul(p.w, x), p.b)))
 * const params = { w: tensor([1, 2]), b: tensor(0.5) }
 * const x = tensor([3, 4])
 * const g = grad(loss)(params, x) // a Params record
 * g.w.arraySync() // => [21, 68]
 * g.b.item() // => 24
 * grad(loss, { argnums: 1 })(params, x).arraySync() // => [7, 34]
 * const [gp, aux] = grad((p: Params) => [sum(p.w), 'aux data'] as const, { hasAux: true })(params)
 * gp.w.arraySync() // => [1, 1]
 * aux // => 'aux data'
 * // second derivative of x^3 at 2: 6x = 12
 * grad(grad((t: Tensor) => mul(mul(t, t), t)))(tensor(2)).item() // => 12
 * ```
 */
export function grad<A extends unknown[]>(f: (...args: A) => Loss): (...args: A) => A[0]
/** `grad` with `argnums`: the gradients of the picked arguments (a tuple for a list). */
export function grad<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Loss, opts?: GradOptions<N> & { readonly hasAux?: false },
): (...args: A) => GradOf<A, N>
/** `grad` with `hasAux: true`: `f` returns `[loss, aux]` and the result is `[grads, aux]`. */
export function grad<A extends unknown[], X, const N extends Argnums = 0>(
  f: (...args: A) => WithAux<X>, opts: GradOptions<N> & { readonly hasAux: true },
): (...args: A) => [GradOf<A, N>, X]
export function grad(f: (...args: never[]) => unknown, opts: { argnums?: Argnums; hasAux?: boolean } = {}): (...args: unknown[]) => unknown {
  return (...args) => scoped(true, () => {
    const r = gradCore('grad', f, opts.argnums, opts.hasAux ?? false, args)
    return opts.hasAux ? [r.grads, r.aux] : r.grads
  })
}

/**
 * {@link grad} that also returns the value of `f`, from the same pass: `[value, grads]`, or
 * `[[value, aux], grads]` with `hasAux`. Options, requirements and errors are those of `grad`.
 * @throws PuregradError `NON_SCALAR_OUTPUT`, `NON_DIFFERENTIABLE`, `INVALID_ARGUMENT` as {@link grad}.
 * @example
 * ```ts
 * import { square, sum, tensor, valueAndGrad, type Tensor } from 'puregrad'
 * const [value, g] = valueAndGrad((w: Tensor) => sum(square(w)))(tensor([1, 2]))
 * value.item() // => 5
 * g.arraySync() // => [2, 4]
 * ```
 */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Loss): (...args: A) => [Tensor, A[0]]
/** `valueAndGrad` with `argnums`: `[value, gradients of the picked arguments]`. */
export function valueAndGrad<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Loss, opts?: GradOptions<N> & { readonly hasAux?: false },
): (...args: A) => [Tensor, GradOf<A, N>]
/** `valueAndGrad` with `hasAux: true`: `f` returns `[loss, aux]` and the result is `[[loss, aux], grads]`. */
export function valueAndGrad<A extends unknown[], X, const N extends Argnums = 0>(
  f: (...args: A) => WithAux<X>, opts: GradOptions<N> & { readonly hasAux: true },
): (...args: A) => [[Tensor, X], GradOf<A, N>]
export function valueAndGrad(f: (...args: never[]) => unknown, opts: { argnums?: Argnums; hasAux?: boolean } = {}): (...args: unknown[]) => unknown {
  return (...args) => scoped(true, () => {
    const r = gradCore('valueAndGrad', f, opts.argnums, opts.hasAux ?? false, args)
    return [opts.hasAux ? [r.value, r.aux] : r.value, r.grads]
  })
}

/**
 * Forward mode: `f`'s output at `primals` and its directional derivative along `tangents`, the
 * Jacobian-vector product, in one pass: `[out, tangentOut]`. `primals` and `tangents` are tuples of
 * the arguments, of the same structure, shapes and dtypes (float32 or float64 leaves). Exact, no
 * step size.
 * @throws PuregradError `SHAPE_MISMATCH` when a tangent does not match its primal's shape and
 * dtype; `TREE_MISMATCH` when the structures differ; `NON_DIFFERENTIABLE` for an int32 or bool
 * primal leaf.
 * @example
 * ```ts
 * import { jvp, mul, tensor, type Tensor } from 'puregrad'
 * // d/dt of x * x at x = 3 along the tangent 1: 2 * 3
 * const [y, dy] = jvp((x: Tensor) => mul(x, x), [tensor([3])], [tensor([1])])
 * y.arraySync() // => [9]
 * dy.arraySync() // => [6]
 * ```
 */
export const jvp = <A extends unknown[], R>(f: (...args: A) => R, primals: A, tangents: A): [R, R] =>
  scoped(true, () => jvpCore(f, primals, tangents))

const jvpCore = <A extends unknown[], R>(f: (...args: A) => R, primals: A, tangents: A): [R, R] => {
  const trace = new JvpTrace(nextLevel())
  const wrapped = primals.map((p, i) =>
    treeZipWith(p, tangents[i], (x: Tensor, t: Tensor, path) => {
      checkDifferentiable('jvp')(x, path)
      if (!(t instanceof Tensor) || !shapesEqual(x.shape, t.shape) || x.dtype !== t.dtype) {
        fail('SHAPE_MISMATCH', 'jvp', `${path}: tangent must match the primal ${fmtShape(x.shape)} ${x.dtype}, got ${t instanceof Tensor ? `${fmtShape(t.shape)} ${t.dtype}` : typeof t}`)
      }
      return trace.dual(x, t, path)
    }, rootName(i)))
  let out: R
  try {
    out = f(...(wrapped as A))
  } finally {
    trace.active = false
  }
  const primalOut = treeMap(out, (x: Tensor) => primalAt(x, trace))
  const tangentOut = treeMap(out, (x: Tensor) => trace.tangentOf(x) ?? zerosLike(primalAt(x, trace)))
  return [primalOut, tangentOut]
}
