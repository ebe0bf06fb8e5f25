/**
 * The laws as fast-check properties: each quantifies a predicate of predicates.ts over parameter
 * records drawn from an arbitrary (and over the tangents, cotangents and scalars the law needs,
 * drawn to match). A property throws a `LawFailure` at a failing point, so fast-check shrinks it
 * and reports the law; run them with `checkProperty` / `verifyProperty` (runners.ts) or with
 * fc.assert in any test runner.
 *
 * The function takes the drawn record as its single argument (draw a tuple with fc.tuple and
 * destructure it for functions of several records). Float leaves are cast as `dtype` says
 * (float64 by default) before any law runs.
 */

import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { lawSeed } from './config.js'
import { arbCotangent, arbElement, arbTangent } from './arbitraries.js'
import { assertDifferentiableArgs, gradLawsAt, prepareArgs, resolveCheck, type GradCheckOptions } from './check-grads.js'
import { LawFailure, type Verdict } from './failure.js'
import {
  customRuleMatchesReference, gradHasArgStructure, gradMatchesJvp, hessianIsSymmetric, hvpMatchesFiniteDifferences,
  jvpIsLinear, jvpMatchesFiniteDifferences, stopGradientIsZero, vjpAdjointsJvp, vjpMatchesFiniteDifferences, type Differentiable,
} from './predicates.js'
import { castTree, describeTree, workingDType } from './tree-math.js'

/** A function of one drawn record (a tensor, an object of tensors, a tuple, ...). */
export type Unary<P> = (p: P) => unknown

/**
 * Throws the violation as a LawFailure, with the point (as drawn) as its counterexample, followed
 * by the directions the law probed along (`extra`: tangents, cotangents, scalars), when drawn.
 */
export const orThrow = (v: Verdict, point: unknown, seed: number, root = 'params', extra: Record<string, unknown> = {}): void => {
  if (E.isRight(v)) return
  const lines = [describeTree(point, root), ...Object.entries(extra).map(([k, x]) => (typeof x === 'number' ? `${k} = ${x}` : describeTree(x, k)))]
  throw new LawFailure(v.left, { seed, counterexample: lines.join('\n'), args: [point] })
}

/**
 * What the single-point laws of this module are checked at: the drawn point `p`, the point cast
 * as `dtype` says (`x`), a tangent `t` and a cotangent `c` (shaped like f's output there; undefined
 * when f threw) drawn to match.
 */
export interface Probe<P> { readonly p: P; readonly x: P; readonly t: P; readonly c: unknown }

const probes = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions): fc.Arbitrary<Probe<P>> =>
  arb.chain((p) => {
    const x = castTree(p, opts.dtype ?? 'float64')
    let out: unknown
    try { out = f(x) } catch { out = undefined }
    return fc.record({
      p: fc.constant(p), x: fc.constant(x), t: arbTangent(x),
      c: out === undefined ? fc.constant(undefined) : arbCotangent(out),
    })
  })

const tolerances = (opts: GradCheckOptions, x: unknown) => resolveCheck(opts, workingDType(x))

const lawProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions,
  law: (q: Probe<P>, r: ReturnType<typeof tolerances>) => Verdict) => {
  const seed = opts.seed ?? lawSeed()
  return fc.property(probes(f, arb, opts), (q) =>
    orThrow(law(q, tolerances(opts, q.x)), q.p, seed, 'params', q.c === undefined ? { tangent: q.t } : { tangent: q.t, cotangent: q.c }))
}

const unary = <P>(f: Unary<P>): Differentiable => (x: P) => f(x)

/**
 * A property: checkGrads at every drawn point (JAX check_grads semantics plus reverse against
 * forward, check-grads.ts), throwing a LawFailure at a failing point. Run it with `checkProperty`.
 *
 * @throws PuregradError `NON_DIFFERENTIABLE` (when run) for a drawn record with integer or bool leaves.
 * @example
 * ```ts
 * import { tanh, sum, type Tensor } from 'puregrad'
 * import { gradsProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(gradsProperty((x: Tensor) => sum(tanh(x)), arbTensor({ shape: [3] }), { order: 2 }), { numRuns: 5 })
 * ```
 */
export const gradsProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) => {
  const seed = opts.seed ?? lawSeed()
  return fc.property(arb, (p) => {
    assertDifferentiableArgs('checkGrads', [p])
    orThrow(gradLawsAt(unary(f), prepareArgs([p], opts.dtype), { ...opts, seed }), p, seed)
  })
}

/**
 * A property: forward mode matches central finite differences along a drawn tangent
 * ('jvp-finite-difference').
 *
 * @example
 * ```ts
 * import { sin } from 'puregrad'
 * import { jvpFiniteDifferenceProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(jvpFiniteDifferenceProperty(sin, arbTensor({ shape: [4] })), { numRuns: 5 })
 * ```
 */
export const jvpFiniteDifferenceProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => jvpMatchesFiniteDifferences(unary(f), [q.x], [q.t], r.fd))

/**
 * A property: <t, J^T c> matches <central differences along t, c> for drawn t and c
 * ('vjp-finite-difference').
 *
 * @example
 * ```ts
 * import { exp } from 'puregrad'
 * import { vjpFiniteDifferenceProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(vjpFiniteDifferenceProperty(exp, arbTensor({ shape: [2, 2] })), { numRuns: 5 })
 * ```
 */
export const vjpFiniteDifferenceProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => vjpMatchesFiniteDifferences(unary(f), [q.x], [q.t], q.c, r.fd))

/**
 * A property: VJP/JVP adjointness for vector-valued f, <J t, c> = <t, J^T c> up to rounding
 * ('vjp-jvp-adjoint').
 *
 * @example
 * ```ts
 * import { tensor, matmul, tanh, type Tensor } from 'puregrad'
 * import { adjointProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * const w = tensor([[1, -2], [0.5, 3]], { dtype: 'float64' })
 * checkProperty(adjointProperty((x: Tensor) => tanh(matmul(x, w)), arbTensor({ shape: [3, 2] })), { numRuns: 5 })
 * ```
 */
export const adjointProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => vjpAdjointsJvp(unary(f), [q.x], [q.t], q.c, r.exact))

/**
 * A property: reverse matches forward for scalar f, <grad f(p), v> = jvp(f)(p, v)
 * ('grad-matches-jvp').
 *
 * @example
 * ```ts
 * import { sum, square, sin, type Tensor } from 'puregrad'
 * import { gradMatchesJvpProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(gradMatchesJvpProperty((x: Tensor) => sum(square(sin(x))), arbTensor({ shape: [5] })), { numRuns: 5 })
 * ```
 */
export const gradMatchesJvpProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => gradMatchesJvp(unary(f), [q.x], [q.t], r.exact))

/**
 * A property: the gradient has the parameters' structure, shapes and dtypes ('grad-structure').
 *
 * @example
 * ```ts
 * import { zeros, add, sum, type Tensor } from 'puregrad'
 * import { gradStructureProperty, arbLike, checkProperty } from 'puregrad/laws'
 *
 * const arb = arbLike({ a: zeros([2]), b: [zeros([1]), zeros([2])] })
 * checkProperty(gradStructureProperty((p: { a: Tensor; b: Tensor[] }) => sum(add(p.a, p.b[1])), arb), { numRuns: 5 })
 * ```
 */
export const gradStructureProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q) => gradHasArgStructure(unary(f), [q.x], q.c))

/**
 * A property: jvp is linear in the tangent, for drawn tangents t1, t2 and scalars a, b in [-2, 2]
 * ('jvp-linear').
 *
 * @example
 * ```ts
 * import { sigmoid } from 'puregrad'
 * import { jvpLinearProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(jvpLinearProperty(sigmoid, arbTensor({ shape: [3] })), { numRuns: 5 })
 * ```
 */
export const jvpLinearProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) => {
  const seed = opts.seed ?? lawSeed()
  const scalar = arbElement({ min: -2, max: 2 })
  const drawn = arb.chain((p) => {
    const x = castTree(p, opts.dtype ?? 'float64')
    return fc.tuple(fc.constant(p), fc.constant(x), arbTangent(x), arbTangent(x), scalar, scalar)
  })
  return fc.property(drawn, ([p, x, t1, t2, a, b]) =>
    orThrow(jvpIsLinear(unary(f), [x], [t1], [t2], a, b, tolerances(opts, x).exact), p, seed, 'params', { t1, t2, a, b }))
}

/**
 * A property, for scalar f: Hessian-vector products by jvp-of-grad match finite differences of
 * grad ('hvp-finite-difference').
 *
 * @example
 * ```ts
 * import { sum, tanh, type Tensor } from 'puregrad'
 * import { hvpProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(hvpProperty((x: Tensor) => sum(tanh(x)), arbTensor({ shape: [3] })), { numRuns: 5 })
 * ```
 */
export const hvpProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => hvpMatchesFiniteDifferences(unary(f), [q.x], [q.t], r.fd))

/**
 * A property, for scalar f: `hessian` (over all parameters, flattened) is symmetric
 * ('hessian-symmetric').
 *
 * @example
 * ```ts
 * import { sum, mul, sin, type Tensor } from 'puregrad'
 * import { hessianSymmetricProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(hessianSymmetricProperty((x: Tensor) => sum(mul(x, sin(x))), arbTensor({ shape: [3] })), { numRuns: 5 })
 * ```
 */
export const hessianSymmetricProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) => {
  const seed = opts.seed ?? lawSeed()
  return fc.property(arb, (p) => {
    const x = castTree(p, opts.dtype ?? 'float64')
    orThrow(hessianIsSymmetric(unary(f), [x], tolerances(opts, x).exact), p, seed)
  })
}

/**
 * A property: stopGradient(f(p)) equals f(p) and has zero derivative in both modes
 * ('stop-gradient-zero').
 *
 * @example
 * ```ts
 * import { exp } from 'puregrad'
 * import { stopGradientProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * checkProperty(stopGradientProperty(exp, arbTensor({ shape: [2] })), { numRuns: 5 })
 * ```
 */
export const stopGradientProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q) => stopGradientIsZero(unary(f), [q.x], [q.t], q.c))

/**
 * A property: a function with a customVjp / customJvp rule agrees with autodiff of `reference`
 * (value, jvp and vjp; 'custom-rule-matches-reference').
 *
 * @example
 * ```ts
 * import { customVjp, sigmoid, mul, sub, type Tensor } from 'puregrad'
 * import { customRuleProperty, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * const mySigmoid = customVjp(
 *   (x: Tensor) => sigmoid(x),
 *   (x: Tensor) => { const y = sigmoid(x); return [y, y] as const },
 *   (y: Tensor, ct: Tensor) => [mul(ct, mul(y, sub(1, y)))],       // σ' = σ (1 - σ)
 * )
 * checkProperty(customRuleProperty(mySigmoid, sigmoid, arbTensor({ shape: [3] })), { numRuns: 5 })
 * ```
 */
export const customRuleProperty = <P>(custom: Unary<P>, reference: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(reference, arb, opts, (q, r) => customRuleMatchesReference(unary(custom), unary(reference), [q.x], [q.t], q.c, r.exact))

/** A property with its drawn type forgotten, so properties of different laws share one record. */
export type SomeProperty = fc.IRawProperty<[unknown], false>
const erase = <Ts>(p: fc.IRawProperty<Ts, false>): SomeProperty => p as unknown as SomeProperty

/**
 * The laws that hold for any f (scalar or vector valued) as properties, by law name:
 * 'jvp-finite-difference', 'vjp-finite-difference', 'vjp-jvp-adjoint', 'grad-structure' and
 * 'jvp-linear'.
 *
 * @example
 * ```ts
 * import { tanh } from 'puregrad'
 * import { lawProperties, arbTensor, checkProperty } from 'puregrad/laws'
 *
 * const properties = lawProperties(tanh, arbTensor({ shape: [2] }))
 * for (const property of Object.values(properties)) checkProperty(property, { numRuns: 3 })
 * if (Object.keys(properties).length !== 5) throw new Error('five laws')
 * ```
 */
export const lawProperties = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}): Readonly<Record<string, SomeProperty>> => ({
  'jvp-finite-difference': erase(jvpFiniteDifferenceProperty(f, arb, opts)),
  'vjp-finite-difference': erase(vjpFiniteDifferenceProperty(f, arb, opts)),
  'vjp-jvp-adjoint': erase(adjointProperty(f, arb, opts)),
  'grad-structure': erase(gradStructureProperty(f, arb, opts)),
  'jvp-linear': erase(jvpLinearProperty(f, arb, opts)),
})
