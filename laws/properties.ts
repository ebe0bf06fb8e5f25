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

/** The drawn point, cast, with a tangent and a cotangent (from f's output there) drawn to match. */
interface Probe<P> { readonly p: P; readonly x: P; readonly t: P; readonly c: unknown }

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

/** checkGrads at every drawn point: JAX check_grads semantics plus reverse-against-forward (check-grads.ts). */
export const gradsProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) => {
  const seed = opts.seed ?? lawSeed()
  return fc.property(arb, (p) => {
    assertDifferentiableArgs('checkGrads', [p])
    orThrow(gradLawsAt(unary(f), prepareArgs([p], opts.dtype), { ...opts, seed }), p, seed)
  })
}

/** Forward mode matches central finite differences along a drawn tangent. */
export const jvpFiniteDifferenceProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => jvpMatchesFiniteDifferences(unary(f), [q.x], [q.t], r.fd))

/** <t, J^T c> matches <central differences along t, c> for drawn t and c. */
export const vjpFiniteDifferenceProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => vjpMatchesFiniteDifferences(unary(f), [q.x], [q.t], q.c, r.fd))

/** VJP/JVP adjointness for vector-valued f: <J t, c> = <t, J^T c>, exactly. */
export const adjointProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => vjpAdjointsJvp(unary(f), [q.x], [q.t], q.c, r.exact))

/** Reverse matches forward for scalar f: <grad f(p), v> = jvp(f)(p, v). */
export const gradMatchesJvpProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => gradMatchesJvp(unary(f), [q.x], [q.t], r.exact))

/** The gradient has the parameters' structure, shapes and dtypes. */
export const gradStructureProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q) => gradHasArgStructure(unary(f), [q.x], q.c))

/** jvp is linear in the tangent, for drawn tangents t1, t2 and scalars a, b in [-2, 2]. */
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

/** For scalar f: Hessian-vector products by jvp-of-grad match finite differences of grad. */
export const hvpProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q, r) => hvpMatchesFiniteDifferences(unary(f), [q.x], [q.t], r.fd))

/** For scalar f: `hessian` (over all parameters, flattened) is symmetric. */
export const hessianSymmetricProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) => {
  const seed = opts.seed ?? lawSeed()
  return fc.property(arb, (p) => {
    const x = castTree(p, opts.dtype ?? 'float64')
    orThrow(hessianIsSymmetric(unary(f), [x], tolerances(opts, x).exact), p, seed)
  })
}

/** stopGradient(f(p)) equals f(p) and has zero derivative in both modes. */
export const stopGradientProperty = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(f, arb, opts, (q) => stopGradientIsZero(unary(f), [q.x], [q.t], q.c))

/** A function with a customVjp / customJvp rule agrees with autodiff of `reference` (value, jvp and vjp). */
export const customRuleProperty = <P>(custom: Unary<P>, reference: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}) =>
  lawProperty(reference, arb, opts, (q, r) => customRuleMatchesReference(unary(custom), unary(reference), [q.x], [q.t], q.c, r.exact))

/** A property with its drawn type forgotten, so properties of different laws share one record. */
export type SomeProperty = fc.IRawProperty<[unknown], false>
const erase = <Ts>(p: fc.IRawProperty<Ts, false>): SomeProperty => p as unknown as SomeProperty

/** The laws that hold for any f (scalar or vector valued) as properties, by law name. */
export const lawProperties = <P>(f: Unary<P>, arb: fc.Arbitrary<P>, opts: GradCheckOptions = {}): Readonly<Record<string, SomeProperty>> => ({
  'jvp-finite-difference': erase(jvpFiniteDifferenceProperty(f, arb, opts)),
  'vjp-finite-difference': erase(vjpFiniteDifferenceProperty(f, arb, opts)),
  'vjp-jvp-adjoint': erase(adjointProperty(f, arb, opts)),
  'grad-structure': erase(gradStructureProperty(f, arb, opts)),
  'jvp-linear': erase(jvpLinearProperty(f, arb, opts)),
})
