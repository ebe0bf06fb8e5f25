/**
 * The composite law behind `checkGrads`, with jax.test_util.check_grads semantics: at one point,
 * forward mode is checked against central differences along one random direction (JAX check_jvp),
 * reverse mode by the dot-product identity <t, J^T c> = <finite-difference J t, c> (check_vjp),
 * and, when both modes run, reverse against forward exactly (no step size). Order 2 recurses as in
 * JAX: forward re-checks the function (primals, tangents) => jvp(f, primals, tangents), reverse
 * re-checks x => vjp(f, x) pulled back at f(x). Directions come from a seeded generator, afresh
 * for each check (JAX uses RandomState(0) likewise).
 *
 * Float arguments are cast to float64 first unless `dtype` says otherwise; tolerances default by
 * the working dtype (float32 when any float argument or output is float32).
 */

import * as E from 'fp-ts/lib/Either.js'
import { jvp, vjp, PuregradError, treeLeavesWithPath, type Tensor } from '../src/index.js'
import { EXACT_TOLERANCE, FD_EPS, FD_TOLERANCE, lawSeed, type FloatDType, type Tolerance } from './config.js'
import { attempt, inStage, holds, type Verdict } from './failure.js'
import {
  callOn, finiteOutput, gradHasArgStructure, jvpMatchesFiniteDifferences, vjpAdjointsJvp, vjpMatchesFiniteDifferences,
  type Differentiable, type FdTolerance,
} from './predicates.js'
import { castTree, isFloatDType, makeRng, randomLike, workingDType, type CheckDType } from './tree-math.js'

/** A differentiation mode to check: forward ('fwd', jvp) or reverse ('rev', vjp). */
export type Mode = 'fwd' | 'rev'

/** Options of the gradient checks (checkGrads, checkLayer, the properties). */
export interface GradCheckOptions {
  /** 1 checks first derivatives; 2 also second derivatives (JAX's recursion). Default 1. */
  readonly order?: 1 | 2
  /** Which modes to check. Default both; the exact reverse-against-forward law needs both. */
  readonly modes?: readonly Mode[]
  /** Against finite differences (scaled by leaf size, as JAX): default 1e-5 (float64), 2e-3 (float32). */
  readonly atol?: number
  /** Relative tolerance against finite differences (scaled likewise); defaults as atol. */
  readonly rtol?: number
  /** Central-difference step: default 1e-5 (float64), 1e-3 (float32); JAX's EPS is 1e-4 (see config.ts). */
  readonly eps?: number
  /** Between exact derivatives: default rtol 1e-10, atol 1e-12 (float64); 1e-4, 1e-5 (float32). */
  readonly exactAtol?: number
  /** Relative tolerance between exact derivatives; see exactAtol. */
  readonly exactRtol?: number
  /** Seeds the random directions (and the property runs): default PUREGRAD_LAW_SEED, else a fixed seed. */
  readonly seed?: number
  /**
   * What float arguments are cast to before checking: 'float64' (default: float32 parameters are
   * checked in float64, where tolerances near 1e-10 are meaningful), 'float32', or 'keep'.
   * Constants the function creates itself are not cast: make them with the arguments' dtype.
   */
  readonly dtype?: CheckDType
}

/** GradCheckOptions with every default filled in for one dtype. */
export interface ResolvedCheck {
  readonly order: 1 | 2
  readonly modes: readonly Mode[]
  /** Against finite differences, with the step. */
  readonly fd: FdTolerance
  /** Between exact derivatives. */
  readonly exact: Tolerance
  readonly seed: number
}

/**
 * The options with their defaults for `dtype` filled in (tolerances from `FD_TOLERANCE`,
 * `EXACT_TOLERANCE` and `FD_EPS`, the seed from `lawSeed`).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an order that is not a positive integer or modes
 * that are not a non-empty list of 'fwd' and 'rev'.
 * @example
 * ```ts
 * import { resolveCheck, FD_TOLERANCE } from 'puregrad/laws'
 *
 * const r = resolveCheck({ order: 2, rtol: 1e-3 }, 'float32')
 * if (r.fd.rtol !== 1e-3 || r.fd.atol !== FD_TOLERANCE.float32.atol || r.modes.join() !== 'fwd,rev') throw new Error('resolveCheck')
 * ```
 */
export const resolveCheck = (opts: GradCheckOptions, dtype: FloatDType): ResolvedCheck => ({
  order: checkOrder(opts.order ?? 1),
  modes: checkModes(opts.modes ?? ['fwd', 'rev']),
  fd: {
    atol: opts.atol ?? FD_TOLERANCE[dtype].atol,
    rtol: opts.rtol ?? FD_TOLERANCE[dtype].rtol,
    eps: opts.eps ?? FD_EPS[dtype],
  },
  exact: { atol: opts.exactAtol ?? EXACT_TOLERANCE[dtype].atol, rtol: opts.exactRtol ?? EXACT_TOLERANCE[dtype].rtol },
  seed: opts.seed ?? lawSeed(),
})

const checkOrder = (order: number): 1 | 2 => {
  if (!Number.isInteger(order) || order < 1) throw new PuregradError('INVALID_ARGUMENT', `order must be a positive integer, got ${String(order)}`, 'checkGrads')
  return order as 1 | 2
}

const checkModes = (modes: readonly Mode[]): readonly Mode[] => {
  const bad = modes.filter((m) => m !== 'fwd' && m !== 'rev')
  if (bad.length > 0 || modes.length === 0) throw new PuregradError('INVALID_ARGUMENT', `modes must be a non-empty list of 'fwd' and 'rev', got [${modes.map(String).join(', ')}]`, 'checkGrads')
  return modes
}

/** Arguments must be records of float tensors (close over integer indices instead). */
export const assertDifferentiableArgs = (op: string, args: readonly unknown[]): void => {
  if (!Array.isArray(args)) throw new PuregradError('INVALID_ARGUMENT', `args must be an array of arguments, got ${typeof args}`, op)
  for (const [path, leaf] of treeLeavesWithPath<Tensor>(args, 'args')) {
    if (!isFloatDType(leaf.dtype)) {
      throw new PuregradError('NON_DIFFERENTIABLE', `${path} is a ${leaf.dtype} tensor: every argument leaf is differentiated, so close over integer and bool tensors instead of passing them`, op)
    }
  }
}

/**
 * The arguments with their float leaves cast as `dtype` says (float64 by default), as the
 * runners cast them before checking; pass the result to `gradLawsAt`.
 *
 * @example
 * ```ts
 * import { tensor, type Tensor } from 'puregrad'
 * import { prepareArgs } from 'puregrad/laws'
 *
 * const [x] = prepareArgs([tensor([1, 2])]) as Tensor[]
 * if (x.dtype !== 'float64') throw new Error(x.dtype)
 * ```
 */
export const prepareArgs = (args: readonly unknown[], dtype: CheckDType = 'float64'): unknown[] => castTree([...args], dtype)

const first = (...checks: (() => Verdict)[]): Verdict => {
  for (const c of checks) {
    const v = c()
    if (E.isLeft(v)) return v
  }
  return holds
}

const recurse = (f: Differentiable, args: readonly unknown[], order: number, r: ResolvedCheck, label: string): Verdict => {
  const fwd = r.modes.includes('fwd'), rev = r.modes.includes('rev')
  const fwdStage = label === '' ? 'JVP' : `JVP of ${label}`
  const revStage = label === '' ? 'VJP' : `VJP of ${label}`
  return first(
    () => (fwd ? inStage(fwdStage, jvpMatchesFiniteDifferences(f, args, randomLike(args, makeRng(r.seed)), r.fd)) : holds),
    () => (fwd && order > 1
      ? recurse((p: unknown[], t: unknown[]) => jvp(f as (...a: unknown[]) => unknown, p, t), [args, args], order - 1, r, fwdStage)
      : holds),
    () => {
      if (!rev) return holds
      return inStage(revStage, attempt('vjp-finite-difference', () => {
        const rng = makeRng(r.seed)
        const t = randomLike(args, rng)
        const c = randomLike(callOn(f, args), rng)
        return first(
          () => gradHasArgStructure(f, args, c),
          () => vjpMatchesFiniteDifferences(f, args, t, c, r.fd),
          () => (fwd ? vjpAdjointsJvp(f, args, t, c, r.exact) : holds),
        )
      }, 'grad-structure'))
    },
    () => (rev && order > 1
      ? recurse((...a: unknown[]) => {
        const [out, pullback] = vjp(f as (...x: unknown[]) => unknown, ...a)
        return pullback(out)
      }, args, order - 1, r, revStage)
      : holds),
  )
}

/**
 * All of checkGrads's laws at one point, as a Verdict (the predicate under `verifyGrads`). `args`
 * are used as given (cast them with `prepareArgs`); the tolerances default by the working dtype of
 * the arguments and of f's output.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad order or modes.
 * @example
 * ```ts
 * import { tensor, sin, mul, type Tensor } from 'puregrad'
 * import { gradLawsAt, prepareArgs } from 'puregrad/laws'
 *
 * const v = gradLawsAt((x: Tensor) => mul(x, sin(x)), prepareArgs([tensor([0.5, 2])]), { order: 2, seed: 3 })
 * if (v._tag !== 'Right') throw new Error(v.left.detail)
 * ```
 */
export const gradLawsAt = (f: Differentiable, args: readonly unknown[], opts: GradCheckOptions = {}): Verdict => {
  const ok = finiteOutput(f, args)
  if (E.isLeft(ok)) return ok
  const r = resolveCheck(opts, workingDType(args, callOn(f, args)))
  return recurse(f, args, r.order, r, '')
}
