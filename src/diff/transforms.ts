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

export type Argnums = number | readonly number[]

/** The gradient type for the arguments picked by `argnums`: one record, or a tuple of them. */
export type GradOf<A extends readonly unknown[], N extends Argnums> =
  N extends number ? A[N] : { -readonly [K in keyof N]: A[N[K] & number] }

export interface GradOptions<N extends Argnums> {
  readonly argnums?: N
}

const rootName = (i: number): string => (i === 0 ? 'params' : `args[${i}]`)

const checkDifferentiable = (op: string) => (leaf: Tensor, path: string): void => {
  if (!(leaf instanceof Tensor)) fail('INVALID_ARGUMENT', op, `${path}: expected a tensor, got ${typeof leaf}`)
  if (!isFloat(leaf.dtype)) {
    fail('NON_DIFFERENTIABLE', op, `${path}: cannot differentiate with respect to a ${leaf.dtype} tensor; pass it as a non-differentiated argument (argnums) or cast it to a float dtype`)
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
 * Reverse mode with an explicit cotangent: returns f's output and a function from a cotangent
 * (shaped like the output) to the gradients of every argument, as a tuple.
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
type WithAux<X> = readonly [Tensor, X]

/** The gradient of a scalar function with respect to argument 0 (or `argnums`), shaped like it. */
export function grad<A extends unknown[]>(f: (...args: A) => Loss): (...args: A) => A[0]
export function grad<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Loss, opts?: GradOptions<N> & { readonly hasAux?: false },
): (...args: A) => GradOf<A, N>
export function grad<A extends unknown[], X, const N extends Argnums = 0>(
  f: (...args: A) => WithAux<X>, opts: GradOptions<N> & { readonly hasAux: true },
): (...args: A) => [GradOf<A, N>, X]
export function grad(f: (...args: never[]) => unknown, opts: { argnums?: Argnums; hasAux?: boolean } = {}): (...args: unknown[]) => unknown {
  return (...args) => scoped(true, () => {
    const r = gradCore('grad', f, opts.argnums, opts.hasAux ?? false, args)
    return opts.hasAux ? [r.grads, r.aux] : r.grads
  })
}

/** Like `grad`, also returning the value: `[value, grads]`, or `[[value, aux], grads]` with hasAux. */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Loss): (...args: A) => [Tensor, A[0]]
export function valueAndGrad<A extends unknown[], const N extends Argnums = 0>(
  f: (...args: A) => Loss, opts?: GradOptions<N> & { readonly hasAux?: false },
): (...args: A) => [Tensor, GradOf<A, N>]
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
 * Forward mode: f's output and its directional derivative along `tangents` (shaped like
 * `primals`, a tuple of records). Exact, no step size.
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
