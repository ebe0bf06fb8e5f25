/**
 * The laws of differentiation as pure predicates: each takes a function, a point (the argument
 * list, as for `jvp`/`vjp`), the directions to probe along and a tolerance, and returns a
 * `Verdict` (fp-ts Either) naming the law and the measured and expected numbers when it breaks.
 * They draw nothing at random and throw nothing (exceptions become violations), so properties
 * (properties.ts) and runners (runners.ts) are thin layers over them, as in fp-ts-laws.
 *
 * Functions take tensors or records of tensors and return a tensor or a record of tensors.
 */

import * as E from 'fp-ts/lib/Either.js'
import { Tensor, grad, hessian, jvp, vjp, stopGradient, treeMap, treeStructureEquals, treeLeavesWithPath } from '../src/index.js'
import type { Tolerance } from './config.js'
import { attempt, holds, violated, type LawName, type Verdict } from './failure.js'
import { axpy, flat, inner, isFloatDType, ravel, scaleTree, sizeScaled, worstMismatch, type FlatLeaf } from './tree-math.js'

/**
 * A function of any number of records of tensors, returning a tensor or a record of tensors.
 * Its parameters are `never[]` so that a function of any argument types is one.
 */
export type Differentiable = (...args: never[]) => unknown

/** Calls `f` on arguments the laws built (records shaped like the caller's). */
export const callOn = (f: Differentiable, args: readonly unknown[]): unknown => (f as (...a: readonly unknown[]) => unknown)(...args)

/** A tolerance against finite differences, with the central-difference step. */
export interface FdTolerance extends Tolerance {
  /** The central-difference step. */
  readonly eps: number
}

/** An argument list, as `jvp` and `vjp` take it: one entry per argument of the function. */
export type Args = readonly unknown[]

const callJvp = (f: Differentiable, args: Args, t: Args) => jvp(f as (...a: unknown[]) => unknown, [...args], [...t])
const callVjp = (f: Differentiable, args: Args) => vjp(f as (...a: unknown[]) => unknown, ...args)

/**
 * (f(x + e t) - f(x - e t)) / 2e per output leaf, on the host in float64 (equal values give 0, as
 * JAX's safe_sub): one Float64Array per leaf of f's output, in treeFlatten order.
 *
 * @example
 * ```ts
 * import { tensor, square, type Tensor } from 'puregrad'
 * import { numericalJvp } from 'puregrad/laws'
 *
 * const x = tensor([3], { dtype: 'float64' }), t = tensor([1], { dtype: 'float64' })
 * const [d] = numericalJvp((v: Tensor) => square(v), [x], [t], 1e-5)   // d/dx x² = 6
 * if (Math.abs(d[0] - 6) > 1e-6) throw new Error(`got ${d[0]}`)
 * ```
 */
export const numericalJvp = (f: Differentiable, args: Args, t: Args, eps: number): Float64Array[] => {
  const plus = flat(callOn(f, axpy(args, eps, t)), 'out'), minus = flat(callOn(f, axpy(args, -eps, t)), 'out')
  return plus.map((p, k) => p.values.map((v, i) => (v === minus[k].values[i] ? 0 : (v - minus[k].values[i]) * (0.5 / eps))))
}

const floats = (leaves: readonly FlatLeaf[]): FlatLeaf[] => leaves.filter((l) => isFloatDType(l.tensor.dtype))

/** Output records must agree leaf by leaf in shape; the first difference, or undefined. */
const outputsDiffer = (a: readonly FlatLeaf[], b: readonly FlatLeaf[]): string | undefined => {
  if (a.length !== b.length) return `${a.length} output leaves against ${b.length}`
  const k = a.findIndex((x, i) => x.values.length !== b[i].values.length)
  return k < 0 ? undefined : `${a[k].path} has ${a[k].values.length} values against ${b[k].values.length}`
}

/** Compares records of values leaf by leaf and reports the worst element as a violation of `law`. */
const compare = (law: LawName, detail: string, measured: readonly FlatLeaf[], expected: readonly (FlatLeaf | Float64Array)[],
  allowed: (leaf: number, i: number, e: number) => number): Verdict => {
  const diff = outputsDiffer(measured, expected.map((e, k) => (e instanceof Float64Array ? { ...measured[k], values: e } : e)))
  if (diff !== undefined) return violated({ law, measured: NaN, expected: NaN, allowed: NaN, where: 'structure', detail: `${detail}: ${diff}` })
  const m = worstMismatch(measured.map((l) => l.path), measured.map((l) => l.values),
    expected.map((e) => (e instanceof Float64Array ? e : e.values)), allowed)
  return m === undefined ? holds : violated({ law, ...m, detail })
}

const compareScalar = (law: LawName, detail: string, where: string, measured: number, expected: number, allowed: number): Verdict => {
  const m = worstMismatch([where], [[measured]], [[expected]], () => allowed)
  return m === undefined ? holds : violated({ law, ...m, detail })
}

/** Exact comparison of scalars: atol + rtol * (the magnitude of the terms behind either side). */
const exactAllowed = (tol: Tolerance, ...magnitudes: number[]): number => tol.atol + tol.rtol * Math.max(...magnitudes.map(Math.abs))

/**
 * The law 'finite-output': f's value at the point is finite (and f runs there); every other law
 * presupposes it. Like every predicate, returns a Verdict (Right when the law holds, Left with the
 * violation) and never throws.
 *
 * @example
 * ```ts
 * import { tensor, log } from 'puregrad'
 * import { finiteOutput } from 'puregrad/laws'
 *
 * if (finiteOutput(log, [tensor([1, 2])])._tag !== 'Right') throw new Error('finite')
 * const v = finiteOutput(log, [tensor([-1])])
 * if (v._tag !== 'Left' || v.left.law !== 'finite-output') throw new Error('log(-1) is NaN')
 * ```
 */
export const finiteOutput = (f: Differentiable, args: Args): Verdict => attempt('finite-output', () => {
  for (const l of floats(flat(callOn(f, args), 'out'))) {
    const i = l.values.findIndex((v) => !Number.isFinite(v))
    if (i >= 0) return violated({ law: 'finite-output', measured: l.values[i], expected: 0, allowed: Infinity, where: `${l.path} (flat index ${i})`, detail: `f(x) is ${l.values[i]}: finite differences and tolerances mean nothing there; draw points inside f's domain` })
  }
  return holds
})

/**
 * JAX check_jvp: jvp's primal equals f(x) ('jvp-primal'), and its tangent matches central
 * differences along `t` ('jvp-finite-difference'). `t` is an argument list shaped like `args`.
 *
 * @example
 * ```ts
 * import { tensor, sin } from 'puregrad'
 * import { jvpMatchesFiniteDifferences, FD_TOLERANCE, FD_EPS } from 'puregrad/laws'
 *
 * const x = tensor([0.5, 1], { dtype: 'float64' }), t = tensor([1, -1], { dtype: 'float64' })
 * const v = jvpMatchesFiniteDifferences(sin, [x], [t], { ...FD_TOLERANCE.float64, eps: FD_EPS.float64 })
 * if (v._tag !== 'Right') throw new Error(v.left.detail)
 * ```
 */
export const jvpMatchesFiniteDifferences = (f: Differentiable, args: Args, t: Args, tol: FdTolerance): Verdict =>
  attempt('jvp-finite-difference', () => {
    const [out, tout] = callJvp(f, args, t)
    const po = flat(out, 'out'), base = flat(callOn(f, args), 'out')
    const sizes = po.map((l) => l.values.length)
    const p = compare('jvp-primal', "jvp's primal output against f(x)", po, base, sizeScaled(tol, sizes))
    if (E.isLeft(p)) return p
    const fd = numericalJvp(f, args, t, tol.eps)
    const to = flat(tout, 'tangent_out')
    const keep = to.map((l) => isFloatDType(l.tensor.dtype))
    return compare('jvp-finite-difference', `jvp tangent against central differences (eps ${tol.eps})`,
      to.filter((_, k) => keep[k]), fd.filter((_, k) => keep[k]), sizeScaled(tol, sizes.filter((_, k) => keep[k])))
  })

/** Pulls back `c` and checks the result has the structure, shapes and dtypes of `args`. */
const pullbackChecked = (f: Differentiable, args: Args, c: unknown): E.Either<Verdict, { out: unknown; g: Args }> => {
  const [out, pb] = callVjp(f, args)
  const g = pb(c as never) as Args
  const want = treeLeavesWithPath<Tensor>([...args], 'args'), got = treeLeavesWithPath<unknown>(g, 'args')
  const bad = (!treeStructureEquals([...args], g) && 'structure') || want.findIndex(([, x], i) => {
    const y = got[i]?.[1]
    return !(y instanceof Tensor) || y.dtype !== x.dtype || y.shape.length !== x.shape.length || y.shape.some((d, j) => d !== x.shape[j])
  })
  if (bad === -1) return E.right({ out, g })
  const [path, x] = want[bad === 'structure' ? 0 : bad] ?? ['args', undefined]
  const y = bad === 'structure' ? undefined : got[bad]?.[1]
  const detail = bad === 'structure'
    ? 'the gradient record does not have the structure of the arguments'
    : `${path}: gradient is ${y instanceof Tensor ? `[${y.shape.join(',')}] ${y.dtype}` : String(y)}, the argument ${x === undefined ? '?' : `[${x.shape.join(',')}] ${x.dtype}`}`
  return E.left(violated({ law: 'grad-structure', measured: y instanceof Tensor ? y.size : NaN, expected: x?.size ?? NaN, allowed: 0, where: path, detail }))
}

/**
 * The law 'grad-structure': gradients (the pullback of the cotangent `c`, shaped like f's output)
 * have the structure, shapes and dtypes of the arguments.
 *
 * @example
 * ```ts
 * import { tensor, matmul, type Tensor } from 'puregrad'
 * import { gradHasArgStructure } from 'puregrad/laws'
 *
 * const f = (p: { w: Tensor }, x: Tensor): Tensor => matmul(x, p.w)
 * const args = [{ w: tensor([[1], [2]]) }, tensor([[3, 4]])]
 * if (gradHasArgStructure(f, args, tensor([[1]]))._tag !== 'Right') throw new Error('grad-structure')
 * ```
 */
export const gradHasArgStructure = (f: Differentiable, args: Args, c: unknown): Verdict =>
  attempt('grad-structure', () => E.match((v: Verdict) => v, () => holds)(pullbackChecked(f, args, c)))

/**
 * JAX check_vjp: vjp's primal equals f(x) ('vjp-primal'), and <t, J^T c> = <central differences
 * along t, c> ('vjp-finite-difference'); a gradient of the wrong structure is 'grad-structure'.
 *
 * @example
 * ```ts
 * import { tensor, exp } from 'puregrad'
 * import { vjpMatchesFiniteDifferences, FD_TOLERANCE, FD_EPS } from 'puregrad/laws'
 *
 * const f64 = (v: number[]) => tensor(v, { dtype: 'float64' })
 * const tol = { ...FD_TOLERANCE.float64, eps: FD_EPS.float64 }
 * const v = vjpMatchesFiniteDifferences(exp, [f64([0, 1])], [f64([1, 2])], f64([0.5, -1]), tol)
 * if (v._tag !== 'Right') throw new Error(v.left.detail)
 * ```
 */
export const vjpMatchesFiniteDifferences = (f: Differentiable, args: Args, t: Args, c: unknown, tol: FdTolerance): Verdict =>
  attempt('vjp-finite-difference', () => {
    const r = pullbackChecked(f, args, c)
    if (E.isLeft(r)) return r.left
    const po = flat(r.right.out, 'out'), base = flat(callOn(f, args), 'out')
    const p = compare('vjp-primal', "vjp's primal output against f(x)", po, base, sizeScaled(tol, po.map((l) => l.values.length)))
    if (E.isLeft(p)) return p
    const ip = inner(t, r.right.g)
    const fd = numericalJvp(f, args, t, tol.eps)
    const cs = flat(c, 'c')
    let expected = 0
    cs.forEach((l, k) => { if (isFloatDType(l.tensor.dtype)) l.values.forEach((v, i) => { expected += v * fd[k][i] }) })
    return compareScalar('vjp-finite-difference', `<t, vjp(c)> against <central differences along t (eps ${tol.eps}), c>`,
      'inner product', ip.value, expected, tol.atol + tol.rtol * Math.abs(expected))
  }, 'grad-structure')

/**
 * The law 'vjp-jvp-adjoint': reverse matches forward with no step size, <t, J^T c> (vjp) =
 * <J t, c> (jvp), up to rounding (use `EXACT_TOLERANCE`).
 *
 * @example
 * ```ts
 * import { tensor, tanh } from 'puregrad'
 * import { vjpAdjointsJvp, EXACT_TOLERANCE } from 'puregrad/laws'
 *
 * const f64 = (v: number[]) => tensor(v, { dtype: 'float64' })
 * const v = vjpAdjointsJvp(tanh, [f64([0.3, -2])], [f64([1, 1])], f64([2, 0.5]), EXACT_TOLERANCE.float64)
 * if (v._tag !== 'Right') throw new Error(v.left.detail)
 * ```
 */
export const vjpAdjointsJvp = (f: Differentiable, args: Args, t: Args, c: unknown, tol: Tolerance): Verdict =>
  attempt('vjp-jvp-adjoint', () => {
    const r = pullbackChecked(f, args, c)
    if (E.isLeft(r)) return r.left
    const rev = inner(t, r.right.g)
    const fwd = inner(callJvp(f, args, t)[1], c)
    return compareScalar('vjp-jvp-adjoint', '<t, vjp(c)> (reverse) against <jvp(t), c> (forward)', 'inner product',
      rev.value, fwd.value, exactAllowed(tol, rev.magnitude, fwd.magnitude, rev.value, fwd.value))
  }, 'grad-structure')

/**
 * The law 'grad-matches-jvp', for scalar f: <grad f(x), t> = jvp(f)(x, t), gradients taken with
 * respect to every argument.
 *
 * @example
 * ```ts
 * import { tensor, sum, mul, sin, type Tensor } from 'puregrad'
 * import { gradMatchesJvp, EXACT_TOLERANCE } from 'puregrad/laws'
 *
 * const f = (a: Tensor, b: Tensor): Tensor => sum(mul(sin(a), b))
 * const x = [tensor([1, 2], { dtype: 'float64' }), tensor([3, 4], { dtype: 'float64' })]
 * const t = [tensor([1, 0], { dtype: 'float64' }), tensor([0, 1], { dtype: 'float64' })]
 * if (gradMatchesJvp(f, x, t, EXACT_TOLERANCE.float64)._tag !== 'Right') throw new Error('grad-matches-jvp')
 * ```
 */
export const gradMatchesJvp = (f: Differentiable, args: Args, t: Args, tol: Tolerance): Verdict =>
  attempt('grad-matches-jvp', () => {
    const g = grad(f as (...a: unknown[]) => Tensor, { argnums: args.map((_, i) => i) })(...args)
    const rev = inner(t, g)
    const tout = callJvp(f, args, t)[1]
    if (!(tout instanceof Tensor) || tout.size !== 1) throw new TypeError('grad-matches-jvp needs a scalar-valued function')
    const fwd = tout.item()
    return compareScalar('grad-matches-jvp', '<grad f(x), t> against jvp(f)(x, t)', 'directional derivative',
      rev.value, fwd, exactAllowed(tol, rev.magnitude, fwd))
  })

/**
 * The law 'jvp-linear': jvp is linear in the tangent, J(a t1 + b t2) = a J t1 + b J t2, element
 * by element.
 *
 * @example
 * ```ts
 * import { tensor, square } from 'puregrad'
 * import { jvpIsLinear, EXACT_TOLERANCE } from 'puregrad/laws'
 *
 * const f64 = (v: number[]) => tensor(v, { dtype: 'float64' })
 * const v = jvpIsLinear(square, [f64([1, 2])], [f64([1, 0])], [f64([0, 1])], 2, -3, EXACT_TOLERANCE.float64)
 * if (v._tag !== 'Right') throw new Error(v.left.detail)
 * ```
 */
export const jvpIsLinear = (f: Differentiable, args: Args, t1: Args, t2: Args, a: number, b: number, tol: Tolerance): Verdict =>
  attempt('jvp-linear', () => {
    const j1 = flat(callJvp(f, args, t1)[1], 'tangent_out'), j2 = flat(callJvp(f, args, t2)[1], 'tangent_out')
    const j12 = flat(callJvp(f, args, axpy(scaleTree(t1, a), b, t2))[1], 'tangent_out')
    const expected = j1.map((l, k) => l.values.map((v, i) => a * v + b * j2[k].values[i]))
    return compare('jvp-linear', `jvp(${a} t1 + ${b} t2) against ${a} jvp(t1) + ${b} jvp(t2)`, j12, expected,
      (k, i, e) => exactAllowed(tol, e, Math.abs(a * j1[k].values[i]) + Math.abs(b * j2[k].values[i])))
  })

/**
 * The law 'hvp-finite-difference', for scalar f: jvp of grad (a Hessian-vector product) matches
 * central differences of grad along v.
 *
 * @example
 * ```ts
 * import { tensor, sum, sin } from 'puregrad'
 * import { hvpMatchesFiniteDifferences, FD_TOLERANCE, FD_EPS } from 'puregrad/laws'
 *
 * const x = tensor([0.5, 1], { dtype: 'float64' }), v = tensor([1, 1], { dtype: 'float64' })
 * const verdict = hvpMatchesFiniteDifferences((a: typeof x) => sum(sin(a)), [x], [v], { ...FD_TOLERANCE.float64, eps: FD_EPS.float64 })
 * if (verdict._tag !== 'Right') throw new Error(verdict.left.detail)
 * ```
 */
export const hvpMatchesFiniteDifferences = (f: Differentiable, args: Args, v: Args, tol: FdTolerance): Verdict =>
  attempt('hvp-finite-difference', () => {
    const g: Differentiable = (...a: unknown[]) => grad(f as (...x: unknown[]) => Tensor, { argnums: a.map((_, i) => i) })(...a)
    const hv = flat(callJvp(g, args, v)[1], 'hvp')
    const fd = numericalJvp(g, args, v, tol.eps)
    return compare('hvp-finite-difference', `jvp(grad f)(x, v) against central differences of grad f along v (eps ${tol.eps})`,
      hv, fd, sizeScaled(tol, hv.map((l) => l.values.length)))
  })

/**
 * The law 'hessian-symmetric', for scalar f: `hessian` of f over all arguments (flattened into one
 * vector, which needs one float dtype) is symmetric.
 *
 * @example
 * ```ts
 * import { tensor, sum, mul, exp, type Tensor } from 'puregrad'
 * import { hessianIsSymmetric, EXACT_TOLERANCE } from 'puregrad/laws'
 *
 * const f = (a: Tensor, b: Tensor): Tensor => sum(exp(mul(a, b)))
 * const x = [tensor([0.5, -1], { dtype: 'float64' }), tensor([2, 0.25], { dtype: 'float64' })]
 * if (hessianIsSymmetric(f, x, EXACT_TOLERANCE.float64)._tag !== 'Right') throw new Error('hessian-symmetric')
 * ```
 */
export const hessianIsSymmetric = (f: Differentiable, args: Args, tol: Tolerance): Verdict =>
  attempt('hessian-symmetric', () => {
    const r = ravel([...args])
    const h = hessian((x: Tensor) => callOn(f, r.unravel(x) as unknown[]) as Tensor)(r.vector)
    const n = r.vector.size
    const H = Float64Array.from(h.dataSync())
    const scale = H.reduce((m, x) => Math.max(m, Math.abs(x)), 0)
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const v = compareScalar('hessian-symmetric', 'H[i,j] against H[j,i]', `H[i,j] with i = ${r.paths[i]}, j = ${r.paths[j]}`,
          H[i * n + j], H[j * n + i], exactAllowed(tol, scale))
        if (E.isLeft(v)) return v
      }
    }
    return holds
  })

const maxAbs = (leaves: readonly FlatLeaf[]): { value: number; where: string } => {
  let value = 0, where = 'everywhere'
  for (const l of leaves) {
    for (let i = 0; i < l.values.length; i++) {
      const x = Math.abs(l.values[i])
      if (Number.isNaN(x)) return { value: NaN, where: `${l.path} (flat index ${i})` }
      if (x > value) { value = x; where = `${l.path} (flat index ${i})` }
    }
  }
  return { value, where }
}

/**
 * The law 'stop-gradient-zero': stopGradient(f(x)) equals f(x), and its derivative is zero in both
 * modes (for any tangent t and cotangent c).
 *
 * @example
 * ```ts
 * import { tensor, exp } from 'puregrad'
 * import { stopGradientIsZero } from 'puregrad/laws'
 *
 * const f64 = (v: number[]) => tensor(v, { dtype: 'float64' })
 * if (stopGradientIsZero(exp, [f64([1, 2])], [f64([1, 1])], f64([1, 1]))._tag !== 'Right') throw new Error('stop-gradient-zero')
 * ```
 */
export const stopGradientIsZero = (f: Differentiable, args: Args, t: Args, c: unknown): Verdict =>
  attempt('stop-gradient-zero', () => {
    const sg: Differentiable = (...a: unknown[]) => treeMap(callOn(f, a), (x: Tensor) => stopGradient(x))
    const base = flat(callOn(f, args), 'out')
    const same = compare('stop-gradient-zero', 'stopGradient(f(x)) against f(x)', flat(callOn(sg, args), 'out'), base, () => 0)
    if (E.isLeft(same)) return same
    const fwd = maxAbs(flat(callJvp(sg, args, t)[1], 'tangent_out'))
    if (fwd.value !== 0) return violated({ law: 'stop-gradient-zero', measured: fwd.value, expected: 0, allowed: 0, where: fwd.where, detail: 'jvp of stopGradient(f) is not zero' })
    const [, pb] = callVjp(sg, args)
    const rev = maxAbs(flat(pb(c as never), 'grad'))
    return rev.value === 0 ? holds
      : violated({ law: 'stop-gradient-zero', measured: rev.value, expected: 0, allowed: 0, where: rev.where, detail: 'vjp of stopGradient(f) is not zero' })
  })

/**
 * The law 'custom-rule-matches-reference': a function with a custom rule (customVjp / customJvp)
 * agrees with autodiff of a reference implementation: same value, same jvp along `t`, same vjp
 * of `c`, up to rounding.
 *
 * @example
 * ```ts
 * import { tensor, customVjp, exp, mul, type Tensor } from 'puregrad'
 * import { customRuleMatchesReference, EXACT_TOLERANCE } from 'puregrad/laws'
 *
 * // exp with a hand-written pullback, checked against autodiff of exp.
 * const myExp = customVjp(
 *   (x: Tensor) => exp(x),
 *   (x: Tensor) => { const y = exp(x); return [y, y] as const },   // forward: output and residual
 *   (y: Tensor, ct: Tensor) => [mul(ct, y)],                        // backward: d exp = exp
 * )
 * const f64 = (v: number[]) => tensor(v, { dtype: 'float64' })
 * const v = customRuleMatchesReference(myExp, exp, [f64([0.5, 1])], [f64([1, -1])], f64([2, 3]), EXACT_TOLERANCE.float64)
 * if (v._tag !== 'Right') throw new Error(v.left.detail)
 * ```
 */
export const customRuleMatchesReference = (custom: Differentiable, reference: Differentiable, args: Args, t: Args, c: unknown, tol: Tolerance): Verdict =>
  attempt('custom-rule-matches-reference', () => {
    const law = 'custom-rule-matches-reference'
    const close = (m: readonly FlatLeaf[], e: readonly FlatLeaf[]) => (k: number, i: number) =>
      exactAllowed(tol, m[k].values[i], e[k].values[i])
    const v1 = flat(callOn(custom, args), 'out'), v0 = flat(callOn(reference, args), 'out')
    const value = compare(law, 'value of the custom function against the reference', v1, v0, close(v1, v0))
    if (E.isLeft(value)) return value
    const j1 = flat(callJvp(custom, args, t)[1], 'tangent_out'), j0 = flat(callJvp(reference, args, t)[1], 'tangent_out')
    const fwd = compare(law, 'jvp of the custom function against jvp of the reference', j1, j0, close(j1, j0))
    if (E.isLeft(fwd)) return fwd
    const g1 = flat(callVjp(custom, args)[1](c as never), 'grad'), g0 = flat(callVjp(reference, args)[1](c as never), 'grad')
    return compare(law, 'vjp of the custom function against vjp of the reference', g1, g0, close(g1, g0))
  }, 'custom-rule-matches-reference')
