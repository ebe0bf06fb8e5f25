/**
 * What a broken law looks like. Predicates return `Verdict`s (fp-ts Either: a `Violation` with the
 * law's name and the measured and expected numbers, or nothing); runners turn a violation into a
 * `LawFailure`, the Error thrown by `check*` and returned in the Left of `verify*`, which adds the
 * seed, the counterexample and, for property runs, the shrinking statistics and replay path.
 */

import * as E from 'fp-ts/lib/Either.js'
import { PuregradError } from '../src/index.js'

/** Every law the kit checks, by the name failures carry. */
export const LAW_NAMES = {
  'finite-output': 'f evaluates to finite values at the point (no law can be checked where it does not)',
  'jvp-primal': "jvp's primal output equals f(x)",
  'jvp-finite-difference': 'forward mode matches central finite differences along a random direction',
  'vjp-primal': "vjp's primal output equals f(x)",
  'vjp-finite-difference': '<t, J^T c> equals <(f(x + e t) - f(x - e t)) / 2e, c> (JAX check_vjp)',
  'vjp-jvp-adjoint': 'reverse matches forward exactly: <t, J^T c> = <J t, c> with J t from jvp',
  'grad-matches-jvp': 'for scalar f, <grad f(x), t> = jvp(f)(x, t)',
  'jvp-linear': 'jvp is linear in the tangent: J(a t1 + b t2) = a J t1 + b J t2',
  'grad-structure': 'gradients have the structure, shapes and dtypes of the arguments',
  'hvp-finite-difference': 'Hessian-vector products by jvp-of-grad match finite differences of grad',
  'hessian-symmetric': '`hessian` returns a symmetric matrix',
  'stop-gradient-zero': 'stopGradient is the identity with zero derivative in both modes',
  'custom-rule-matches-reference': 'a customVjp / customJvp rule matches autodiff of a reference implementation',
  'property-threw': 'a property outside the kit threw',
} as const

/** The name of a law, as failures carry it: a key of `LAW_NAMES`. */
export type LawName = keyof typeof LAW_NAMES

/** A law broken at one point: plain data, no seed or counterexample yet. */
export interface Violation {
  readonly law: LawName
  /** The measured quantity (NaN when the law broke by throwing). */
  readonly measured: number
  /** What the law says it should be. */
  readonly expected: number
  /** The largest |measured - expected| the tolerance allowed there. */
  readonly allowed: number
  /** Which element or quantity: an output path and flat index, 'inner product', 'H[i,j]'. */
  readonly where: string
  /** One sentence on what was compared or what went wrong. */
  readonly detail: string
  /** In recursive checks (order 2), which derivative: 'JVP', 'VJP', 'JVP of VJP', ... */
  readonly stage?: string
  /** The exception, when the law broke by throwing. */
  readonly cause?: unknown
}

/** What a predicate returns: Right when the law holds at the point, Left with the violation. */
export type Verdict = E.Either<Violation, void>

/** The verdict of a law that holds. */
export const holds: Verdict = E.right(undefined)

export const violated = (v: Violation): Verdict => E.left(v)

/** Runs `law`, turning an exception into a violation of `law` (or of `structural` for shape errors). */
export const attempt = (law: LawName, run: () => Verdict, structural?: LawName): Verdict => {
  try {
    return run()
  } catch (e) {
    const shape = e instanceof PuregradError && (e.code === 'SHAPE_MISMATCH' || e.code === 'TREE_MISMATCH')
    const name = shape && structural !== undefined ? structural : law
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    return violated({ law: name, measured: NaN, expected: NaN, allowed: NaN, where: 'exception', detail: `threw ${msg}`, cause: e })
  }
}

/** Labels a violation with the derivative stage it came from. */
export const inStage = (stage: string, v: Verdict): Verdict =>
  E.isLeft(v) && v.left.stage === undefined ? E.left({ ...v.left, stage }) : v

/** Fast-check run statistics, present when the failure came from a property run. */
export interface RunInfo {
  readonly numRuns: number
  readonly numShrinks: number
  /** fast-check's replay path: pass it back as `path` with the same seed to rerun only this case. */
  readonly path: string | null
}

/** What a runner adds to a violation to make a LawFailure: how to find and replay the point. */
export interface FailureInfo {
  /** The seed of the run (of the random directions and of fast-check). */
  readonly seed: number
  /** The failing point as text (see `describeTree`). */
  readonly counterexample: string
  /** The failing arguments themselves (after shrinking, in property runs). */
  readonly args?: readonly unknown[]
  readonly run?: RunInfo
}

const num = (x: number): string => (Number.isNaN(x) ? 'NaN' : x.toPrecision(8))

/**
 * A broken law: which one, by how much, at which point, and how to replay it. Thrown by check*,
 * returned in the Left of verify*; the message states all of it.
 *
 * @example
 * ```ts
 * import { tensor, round, type Tensor } from 'puregrad'
 * import { checkGrads, LawFailure } from 'puregrad/laws'
 *
 * try {
 *   checkGrads((x: Tensor) => round(x), [tensor([0.5])], { seed: 7 })   // round jumps at 0.5
 *   throw new Error('expected a LawFailure')
 * } catch (e) {
 *   if (!(e instanceof LawFailure) || e.seed !== 7 || !e.message.includes(e.law)) throw e
 * }
 * ```
 */
export class LawFailure extends Error {
  override readonly name = 'LawFailure'
  readonly law: LawName
  readonly measured: number
  readonly expected: number
  readonly allowed: number
  readonly where: string
  readonly detail: string
  readonly stage: string | undefined
  readonly seed: number
  /** The failing point as text: one line per leaf, `path [shape] dtype = values`. */
  readonly counterexample: string
  readonly args: readonly unknown[] | undefined
  readonly run: RunInfo | undefined
  readonly violation: Violation

  constructor(v: Violation, info: FailureInfo) {
    super(LawFailure.format(v, info), v.cause === undefined ? undefined : { cause: v.cause })
    this.violation = v
    this.law = v.law
    this.measured = v.measured
    this.expected = v.expected
    this.allowed = v.allowed
    this.where = v.where
    this.detail = v.detail
    this.stage = v.stage
    this.seed = info.seed
    this.counterexample = info.counterexample
    this.args = info.args
    this.run = info.run
    // The tensors stay reachable but out of enumeration, so test runners print the message, not buffers.
    Object.defineProperty(this, 'args', { enumerable: false })
  }

  /** The same failure with other run details (runners add fast-check's statistics). */
  with(info: Partial<FailureInfo>): LawFailure {
    return new LawFailure(this.violation, {
      seed: info.seed ?? this.seed,
      counterexample: info.counterexample ?? this.counterexample,
      args: info.args ?? this.args,
      run: info.run ?? this.run,
    })
  }

  private static format(v: Violation, info: FailureInfo): string {
    const lines = [`law '${v.law}' failed${v.stage === undefined ? '' : ` (${v.stage})`}: ${LAW_NAMES[v.law]}`, `  ${v.detail}`]
    if (!Number.isNaN(v.measured) || !Number.isNaN(v.expected)) {
      const diff = Math.abs(v.measured - v.expected)
      lines.push(`  at ${v.where}: measured ${num(v.measured)}, expected ${num(v.expected)} (|difference| ${num(diff)} > allowed ${num(v.allowed)})`)
    }
    lines.push('  counterexample:', ...info.counterexample.split('\n').map((l) => `    ${l}`))
    const replay = info.run === undefined
      ? `seed ${info.seed} (rerun with PUREGRAD_LAW_SEED=${info.seed} or { seed: ${info.seed} })`
      : `seed ${info.seed}, path '${info.run.path ?? ''}' after ${info.run.numRuns} run(s) and ${info.run.numShrinks} shrink(s) (rerun with PUREGRAD_LAW_SEED=${info.seed})`
    lines.push(`  ${replay}`)
    return lines.join('\n')
  }
}
