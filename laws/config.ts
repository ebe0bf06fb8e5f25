/**
 * Defaults of the law kit, in one place: the tolerance tables by dtype (against finite
 * differences, and between exact derivatives), the finite-difference step, and the seed and run
 * count of property checks, which the environment variables PUREGRAD_LAW_SEED and
 * PUREGRAD_LAW_RUNS override (so a failing CI run can be replayed, or a nightly run made longer).
 */

/** The dtypes laws are checked in. */
export type FloatDType = 'float32' | 'float64'

/** numpy's allclose parameters: |measured - expected| <= atol + rtol * |expected|. */
export interface Tolerance {
  readonly atol: number
  readonly rtol: number
}

/**
 * Against central finite differences: JAX's `default_gradient_tolerance`. As in JAX, each
 * comparison multiplies atol and rtol by the number of elements of the compared leaf.
 */
export const FD_TOLERANCE: Readonly<Record<FloatDType, Tolerance>> = {
  float64: { atol: 1e-5, rtol: 1e-5 },
  float32: { atol: 2e-3, rtol: 2e-3 },
}

/**
 * Between two exact derivatives (reverse against forward, linearity, Hessian symmetry, a custom
 * rule against autodiff): only rounding separates them, so the relative tolerance is near machine
 * precision, measured against the magnitude of the terms summed (a cancelling sum is not held to
 * the precision of its tiny result). No size scaling.
 */
export const EXACT_TOLERANCE: Readonly<Record<FloatDType, Tolerance>> = {
  float64: { atol: 1e-12, rtol: 1e-10 },
  float32: { atol: 1e-5, rtol: 1e-4 },
}

/**
 * The central-difference step. The error of (f(x + e t) - f(x - e t)) / 2e is about
 * e^2 |f'''| / 6 (truncation) plus eps_mach |f| / e (rounding), smallest near e = cbrt(eps_mach).
 * In float64 that is 1e-5: JAX's EPS of 1e-4 leaves a truncation error near the 1e-5 tolerance in
 * second-order checks of ordinary networks (weights and inputs of size 2 through tanh); 1e-5 leaves
 * a hundredfold margin. In float32 the step is 1e-3, which keeps the rounding term (about
 * 6e-8 |f| / e) well under the 2e-3 tolerance.
 */
export const FD_EPS: Readonly<Record<FloatDType, number>> = { float64: 1e-5, float32: 1e-3 }

/** The seed used when neither the options nor PUREGRAD_LAW_SEED give one. */
export const DEFAULT_SEED = 20240611
/** Property runs per check when neither the options nor PUREGRAD_LAW_RUNS give a count. */
export const DEFAULT_RUNS = 25
/** Upper bound on shrinking steps after a failure, so a failing law reports in bounded time. */
export const DEFAULT_MAX_SHRINKS = 200

const readEnv = (name: string): string | undefined => {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
  const v = p?.env?.[name]
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

const envInt = (name: string, min: number): number | undefined => {
  const raw = readEnv(name)
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got '${raw}'`)
  return n
}

/**
 * The seed of law checks: PUREGRAD_LAW_SEED when set, else `fallback` (default `DEFAULT_SEED`).
 * Read at each call.
 *
 * @throws RangeError when PUREGRAD_LAW_SEED is set to something other than an integer.
 * @example
 * ```ts
 * import { lawSeed } from 'puregrad/laws'
 *
 * const seed = lawSeed(7)        // 7 unless PUREGRAD_LAW_SEED overrides it
 * if (process.env.PUREGRAD_LAW_SEED === undefined && seed !== 7) throw new Error(`got ${seed}`)
 * ```
 */
export const lawSeed = (fallback: number = DEFAULT_SEED): number => envInt('PUREGRAD_LAW_SEED', -(2 ** 31)) ?? fallback

/**
 * Property runs per check: PUREGRAD_LAW_RUNS when set, else `fallback` (default `DEFAULT_RUNS`).
 * Read at each call.
 *
 * @throws RangeError when PUREGRAD_LAW_RUNS is set to something other than an integer >= 1.
 * @example
 * ```ts
 * import { lawRuns, DEFAULT_RUNS } from 'puregrad/laws'
 *
 * if (process.env.PUREGRAD_LAW_RUNS === undefined && lawRuns() !== DEFAULT_RUNS) throw new Error('lawRuns')
 * ```
 */
export const lawRuns = (fallback: number = DEFAULT_RUNS): number => envInt('PUREGRAD_LAW_RUNS', 1) ?? fallback
