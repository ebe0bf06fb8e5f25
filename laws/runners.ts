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

/** What verify* return: Right when every law held, Left with the first LawFailure. */
export type Result = E.Either<LawFailure, void>

/** Options of property runs: how many points, which seed, replay and shrinking. */
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

/** Options of the property runners: the gradient-check options and the run options together. */
export type PropertyCheckOptions = GradCheckOptions & PropertyRunOptions

const orThrowResult = (r: Result): void => {
  if (E.isLeft(r)) throw r.left
}

/**
 * Runs a property of properties.ts (or any fast-check property that throws LawFailures) and
 * returns the first failure, shrunk, with the seed and replay path; a property that throws
 * anything else fails as 'property-threw'.
 *
 * @throws PuregradError for misuse found while running (integer arguments to a gradient check).
 * @example
 * ```ts
 * import { abs, sum, type Tensor } from 'puregrad'
 * import { verifyProperty, gradsProperty, arbTensor } from 'puregrad/laws'
 *
 * // abs has a kink at 0: drawn points near it make finite differences disagree.
 * const near0 = arbTensor({ shape: [1], min: -1e-6, max: 1e-6 })
 * const r = verifyProperty(gradsProperty((x: Tensor) => sum(abs(x)), near0), { numRuns: 20, seed: 1 })
 * if (r._tag !== 'Left' || r.left.run === undefined) throw new Error('expected a failure with a replay path')
 * ```
 */
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

/**
 * `verifyProperty` that throws the LawFailure instead of returning it.
 *
 * @throws LawFailure when the property fails; PuregradError as `verifyProperty`.
 * @example
 * ```ts
 * import { sin } from 'puregrad'
 * import { checkProperty, adjointProperty, arbTensor } from 'puregrad/laws'
 *
 * checkProperty(adjointProperty(sin, arbTensor({ shape: [3] })), { numRuns: 5, seed: 42 })
 * ```
 */
export const checkProperty = <Ts>(property: fc.IRawProperty<Ts, false>, opts: PropertyRunOptions = {}): void =>
  orThrowResult(verifyProperty(property, opts))

/**
 * jax.test_util.check_grads at one point: `f(...args)` returns a tensor or a record of tensors;
 * every leaf of `args` must be a float tensor. Forward mode against central differences, reverse
 * mode by the dot-product identity, reverse against forward exactly, and order 2 by recursion.
 * Returns Left with the LawFailure of the first broken law.
 *
 * @throws PuregradError `NON_DIFFERENTIABLE` for an integer or bool argument leaf,
 * `INVALID_ARGUMENT` for args that are not an array or a bad order or modes (misuse, not a law).
 * @example
 * ```ts
 * import { tensor, floor, type Tensor } from 'puregrad'
 * import { verifyGrads } from 'puregrad/laws'
 *
 * // floor's derivative is 0 almost everywhere, but it jumps at integers: at 1 the check fails.
 * const r = verifyGrads((x: Tensor) => floor(x), [tensor([1])])
 * if (r._tag !== 'Left' || r.left.law !== 'jvp-finite-difference') throw new Error('expected a failure')
 * ```
 */
export const verifyGrads = (f: Differentiable, args: readonly unknown[], opts: GradCheckOptions = {}): Result => {
  assertDifferentiableArgs('checkGrads', args)
  const seed = opts.seed ?? lawSeed()
  const x = prepareArgs(args, opts.dtype)
  const v = gradLawsAt(f, x, { ...opts, seed })
  return E.isLeft(v) ? E.left(new LawFailure(v.left, { seed, counterexample: describeTree(x, 'args'), args: x })) : E.right(undefined)
}

/**
 * `verifyGrads` that throws the LawFailure instead of returning it.
 *
 * @throws LawFailure when a law breaks; PuregradError as `verifyGrads`.
 * @example
 * ```ts
 * import { tensor, matmul, tanh, sum, type Tensor } from 'puregrad'
 * import { checkGrads } from 'puregrad/laws'
 *
 * const f = (w: Tensor, x: Tensor): Tensor => sum(tanh(matmul(x, w)))
 * checkGrads(f, [tensor([[0.5], [-1]]), tensor([[1, 2], [3, 4]])], { order: 2 })
 * ```
 */
export const checkGrads = (f: Differentiable, args: readonly unknown[], opts: GradCheckOptions = {}): void =>
  orThrowResult(verifyGrads(f, args, opts))

/**
 * checkGrads at every point `arbParams` draws (f takes the drawn record), shrinking a failure.
 *
 * @throws PuregradError as `verifyGrads`, for a drawn record with integer or bool leaves.
 * @example
 * ```ts
 * import { zeros, mul, sum, exp, type Tensor } from 'puregrad'
 * import { verifyGradsProperty, arbLike } from 'puregrad/laws'
 *
 * const r = verifyGradsProperty((p: { a: Tensor; b: Tensor }) => sum(exp(mul(p.a, p.b))),
 *   arbLike({ a: zeros([3]), b: zeros([3]) }), { numRuns: 5 })
 * if (r._tag !== 'Right') throw r.left
 * ```
 */
export const verifyGradsProperty = <P>(f: Unary<P>, arbParams: fc.Arbitrary<P>, opts: PropertyCheckOptions = {}): Result => {
  const seed = opts.seed ?? lawSeed()
  const arb = fc.limitShrink(arbParams, opts.maxShrinks ?? DEFAULT_MAX_SHRINKS)
  return verifyProperty(gradsProperty(f, arb, { ...opts, seed }), { ...opts, seed })
}

/**
 * `verifyGradsProperty` that throws the LawFailure instead of returning it.
 *
 * @throws LawFailure when a law breaks at a drawn point; PuregradError as `verifyGrads`.
 * @example
 * ```ts
 * import { sum, log1p, square, type Tensor } from 'puregrad'
 * import { checkGradsProperty, arbTensor } from 'puregrad/laws'
 *
 * checkGradsProperty((x: Tensor) => sum(log1p(square(x))), arbTensor({ minRank: 1 }), { order: 2, numRuns: 5 })
 * ```
 */
export const checkGradsProperty = <P>(f: Unary<P>, arbParams: fc.Arbitrary<P>, opts: PropertyCheckOptions = {}): void =>
  orThrowResult(verifyGradsProperty(f, arbParams, opts))

// ---------------------------------------------------------------------------------------------
// Layers

/** The context checkLayer passes to a layer's apply: the spec's key and training flag. */
export interface LayerContext {
  readonly key?: unknown
  readonly training?: boolean
}

/** What checkLayer needs of a layer: a pure apply returning the output and the new state. */
export interface LayerLike<P, S, X> {
  /** The output (a tensor or a record of tensors) and the next state for input x. */
  apply(params: P, state: S, x: X, ctx?: LayerContext): readonly [unknown, S]
}

/** Where checkLayer checks a layer: its params, state, input and apply context. */
export interface LayerSpec<P, S, X> {
  /** Parameters, or an arbitrary of them (then the check is a property over them). */
  readonly params: P | fc.Arbitrary<P>
  /** The state passed to apply (not differentiated). */
  readonly state?: S
  /** The input, or an arbitrary of inputs. */
  readonly input: X | fc.Arbitrary<X>
  /** Passed to apply as `ctx.key`. */
  readonly key?: unknown
  /** Passed to apply as `ctx.training`. */
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
 * Works with the layers of puregrad/layers and with any `{ apply }`.
 *
 * @throws PuregradError `NON_DIFFERENTIABLE` for params with integer or bool leaves.
 * @example
 * ```ts
 * import { dense, key } from 'puregrad/layers'
 * import { verifyLayer, arbTensor } from 'puregrad/laws'
 *
 * const layer = dense(2)
 * const { params, state } = layer.init(key(0), [3])
 * const r = verifyLayer(layer, { params, state, input: arbTensor({ shape: [4, 3] }) }, { numRuns: 5 })
 * if (r._tag !== 'Right') throw r.left
 * ```
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

/**
 * `verifyLayer` that throws the LawFailure instead of returning it: property-test a custom layer
 * in any test runner.
 *
 * @throws LawFailure when a law breaks; PuregradError as `verifyLayer`.
 * @example
 * ```ts
 * import { add, matmul, tanh, zeros, type Tensor } from 'puregrad'
 * import { arbLike, arbTensor, checkLayer } from 'puregrad/laws'
 *
 * type Dense = { w: Tensor; b: Tensor }
 * const layer = { apply: (p: Dense, s: null, x: Tensor) => [tanh(add(matmul(x, p.w), p.b)), s] as const }
 * const params = arbLike({ w: zeros([3, 2]), b: zeros([2]) })
 * checkLayer(layer, { params, state: null, input: arbTensor({ shape: [4, 3] }) }, { order: 2, numRuns: 3 })
 * ```
 */
export const checkLayer = <P, S, X>(layer: LayerLike<P, S, X>, spec: LayerSpec<P, S, X>, opts: PropertyCheckOptions = {}): void =>
  orThrowResult(verifyLayer(layer, spec, opts))
