/**
 * Runners: the laws as calls that throw a `LawFailure` (check*, for use inside any test runner)
 * or return an fp-ts `Either<LawFailure, void>` (verify*), with the failing law named, the
 * counterexample (shrunk, for property runs), the seed and the measured and expected numbers.
 *
 * - checkGrads / verifyGrads: one point, jax.test_util.check_grads semantics (check-grads.ts).
 * - checkGradsProperty / verifyGradsProperty: every point drawn by fast-check, bounded runs.
 * - checkLayer / verifyLayer: a layer `{ apply(params, state, x, ctx?) -> [y, state] }`, through
 *   the scalar projection <y, w> with a fixed random w, with respect to params and the input
 *   (params only when the input is not a float record); params and input may be arbitraries.
 * - checkProperty / verifyProperty: any property of properties.ts.
 *
 * Seeds default to PUREGRAD_LAW_SEED (else a fixed seed) and run counts to PUREGRAD_LAW_RUNS.
 */

import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { PuregradError, mul, sum, treeLeaves, type Tensor } from '../src/index.js'
import { DEFAULT_MAX_SHRINKS, lawRuns, lawSeed } from './config.js'
import { assertDifferentiableArgs, gradLawsAt, prepareArgs, type GradCheckOptions } from './check-grads.js'
import { LawFailure, attempt, type Verdict } from './failure.js'
import { gradsProperty, orThrow, type Unary } from './properties.js'
import type { Differentiable } from './predicates.js'
import { allFloat, castTree, describeTree, isFloatDType, makeRng, randomLike } from './tree-math.js'

export type Result = E.Either<LawFailure, void>

export interface PropertyRunOptions {
  /** Points to draw: default PUREGRAD_LAW_RUNS, else 25. */
  readonly numRuns?: number
  /** fast-check's seed (and the seed of random directions): default PUREGRAD_LAW_SEED, else fixed. */
  readonly seed?: number
  /** fast-check's replay path, from a previous failure's `run.path`. */
  readonly path?: string
  /** Bound on shrinking steps after a failure (checkGradsProperty, checkLayer). Default 200. */
  readonly maxShrinks?: number
}

export type PropertyCheckOptions = GradCheckOptions & PropertyRunOptions

const orThrowResult = (r: Result): void => {
  if (E.isLeft(r)) throw r.left
}

/** Runs a property of properties.ts (or any fast-check property that throws LawFailures). */
export const verifyProperty = <Ts>(property: fc.IRawProperty<Ts, false>, opts: PropertyRunOptions = {}): Result => {
  const seed = opts.seed ?? lawSeed()
  const details = fc.check(property, { seed, numRuns: opts.numRuns ?? lawRuns(), ...(opts.path === undefined ? {} : { path: opts.path }) })
  if (!details.failed) return E.right(undefined)
  const run = { numRuns: details.numRuns, numShrinks: details.numShrinks, path: details.counterexamplePath }
  const err = details.errorInstance
  if (err instanceof LawFailure) return E.left(err.with({ seed: details.seed, run }))
  // Misuse (integer arguments, a bad option) throws from verify* as from check*: it is no law's failure.
  if (err instanceof PuregradError && (err.op === 'checkGrads' || err.op === 'checkLayer')) throw err
  const counterexample = details.counterexample === null ? '(none)' : describeTree(details.counterexample, 'counterexample')
  const detail = err instanceof Error ? `threw ${err.name}: ${err.message}` : `failed${err === null || err === undefined ? '' : `: ${String(err)}`}`
  return E.left(new LawFailure({ law: 'property-threw', measured: NaN, expected: NaN, allowed: NaN, where: 'property', detail, cause: err },
    { seed: details.seed, counterexample, run }))
}

export const checkProperty = <Ts>(property: fc.IRawProperty<Ts, false>, opts: PropertyRunOptions = {}): void =>
  orThrowResult(verifyProperty(property, opts))

/**
 * jax.test_util.check_grads at one point: `f(...args)` returns a tensor or a record of tensors;
 * every leaf of `args` must be a float tensor. Forward mode against central differences, reverse
 * mode by the dot-product identity, reverse against forward exactly, and order 2 by recursion.
 */
export const verifyGrads = (f: Differentiable, args: readonly unknown[], opts: GradCheckOptions = {}): Result => {
  assertDifferentiableArgs('checkGrads', args)
  const seed = opts.seed ?? lawSeed()
  const x = prepareArgs(args, opts.dtype)
  const v = gradLawsAt(f, x, { ...opts, seed })
  return E.isLeft(v) ? E.left(new LawFailure(v.left, { seed, counterexample: describeTree(x, 'args'), args: x })) : E.right(undefined)
}

export const checkGrads = (f: Differentiable, args: readonly unknown[], opts: GradCheckOptions = {}): void =>
  orThrowResult(verifyGrads(f, args, opts))

/** checkGrads at every point `arbParams` draws (f takes the drawn record), shrinking a failure. */
export const verifyGradsProperty = <P>(f: Unary<P>, arbParams: fc.Arbitrary<P>, opts: PropertyCheckOptions = {}): Result => {
  const seed = opts.seed ?? lawSeed()
  const arb = fc.limitShrink(arbParams, opts.maxShrinks ?? DEFAULT_MAX_SHRINKS)
  return verifyProperty(gradsProperty(f, arb, { ...opts, seed }), { ...opts, seed })
}

export const checkGradsProperty = <P>(f: Unary<P>, arbParams: fc.Arbitrary<P>, opts: PropertyCheckOptions = {}): void =>
  orThrowResult(verifyGradsProperty(f, arbParams, opts))

// ---------------------------------------------------------------------------------------------
// Layers

export interface LayerContext {
  readonly key?: unknown
  readonly training?: boolean
}

/** What checkLayer needs of a layer: a pure apply returning the output and the new state. */
export interface LayerLike<P, S, X> {
  apply(params: P, state: S, x: X, ctx?: LayerContext): readonly [unknown, S]
}

export interface LayerSpec<P, S, X> {
  /** Parameters, or an arbitrary of them (then the check is a property over them). */
  readonly params: P | fc.Arbitrary<P>
  readonly state?: S
  /** The input, or an arbitrary of inputs. */
  readonly input: X | fc.Arbitrary<X>
  readonly key?: unknown
  readonly training?: boolean
}

const castSoft = <T>(tree: T, dtype: GradCheckOptions['dtype']): T => {
  try {
    return castTree(tree, dtype ?? 'float64')
  } catch {
    return tree
  }
}

/** <y, w> summed over the float leaves of y. */
const project = (y: unknown, w: unknown): Tensor => {
  const ys = treeLeaves<Tensor>(y), ws = treeLeaves<Tensor>(w)
  const terms = ys.flatMap((l, i) => (isFloatDType(l.dtype) ? [sum(mul(l, ws[i]))] : []))
  if (terms.length === 0) throw new TypeError('checkLayer: the layer output has no float tensors')
  return terms.reduce((a, b) => a.add(b))
}

const layerLawsAt = <P, S, X>(layer: LayerLike<P, S, X>, p: P, s: S, x: X, ctx: LayerContext, opts: GradCheckOptions, seed: number): Verdict =>
  attempt('finite-output', () => {
    const pc = castTree(p, opts.dtype ?? 'float64'), sc = castSoft(s, opts.dtype), xc = castSoft(x, opts.dtype)
    const w = randomLike(layer.apply(pc, sc, xc, ctx)[0], makeRng(seed ^ 0x2545f491))
    const withInput = treeLeaves<Tensor>(xc).length > 0 && allFloat(xc)
    const f: Differentiable = withInput
      ? (pp: P, xx: X) => project(layer.apply(pp, sc, xx, ctx)[0], w)
      : (pp: P) => project(layer.apply(pp, sc, xc, ctx)[0], w)
    return gradLawsAt(f, withInput ? [pc, xc] : [pc], { ...opts, seed })
  })

/**
 * The gradients of a layer, with respect to its params and its input, through <y, w> for a
 * fixed random w shaped like y. `ctx` ({ key, training }) is passed to apply unchanged. When
 * params or input is an fc.Arbitrary, the check runs for every drawn pair (with shrinking).
 */
export const verifyLayer = <P, S, X>(layer: LayerLike<P, S, X>, spec: LayerSpec<P, S, X>, opts: PropertyCheckOptions = {}): Result => {
  const seed = opts.seed ?? lawSeed()
  const ctx: LayerContext = { key: spec.key, training: spec.training }
  const s = spec.state as S
  const isArb = (v: unknown): v is fc.Arbitrary<unknown> => v instanceof fc.Arbitrary
  if (!isArb(spec.params) && !isArb(spec.input)) {
    assertDifferentiableArgs('checkLayer', [spec.params])
    const v = layerLawsAt(layer, spec.params, s, spec.input, ctx, opts, seed)
    const point = { params: castSoft(spec.params, opts.dtype), input: castSoft(spec.input, opts.dtype) }
    return E.isLeft(v) ? E.left(new LawFailure(v.left, { seed, counterexample: describeTree(point, 'layer'), args: [point] })) : E.right(undefined)
  }
  const arbP = (isArb(spec.params) ? spec.params : fc.constant(spec.params)) as fc.Arbitrary<P>
  const arbX = (isArb(spec.input) ? spec.input : fc.constant(spec.input)) as fc.Arbitrary<X>
  const arb = fc.limitShrink(fc.record({ params: arbP, input: arbX }), opts.maxShrinks ?? DEFAULT_MAX_SHRINKS)
  const prop = fc.property(arb, (pt) => {
    assertDifferentiableArgs('checkLayer', [pt.params])
    orThrow(layerLawsAt(layer, pt.params, s, pt.input, ctx, opts, seed), pt, seed, 'layer')
  })
  return verifyProperty(prop, { ...opts, seed })
}

export const checkLayer = <P, S, X>(layer: LayerLike<P, S, X>, spec: LayerSpec<P, S, X>, opts: PropertyCheckOptions = {}): void =>
  orThrowResult(verifyLayer(layer, spec, opts))
