/**
 * Schedules: hyperparameters as pure functions of the step count, `(step) => value`, with Optax's
 * semantics. `step` is the number of updates a transformation has made before the current one
 * (0 at the first update), a plain host number; every hyperparameter of puregrad/optim accepts a
 * number or a Schedule (`Hyper`). Schedules are evaluated on the host: they are plain JS, they
 * never touch a tensor, and the transformation passes the value to its ops as a weak scalar.
 *
 * Constant arguments are checked when the schedule is made (INVALID_ARGUMENT); steps before the
 * start of a schedule read its initial value, steps after its end its final value.
 */

import { PuregradError } from '../core/errors.js'

/** A hyperparameter as a function of the step count (0 at the first update). */
export type Schedule = (step: number) => number

/** A hyperparameter: a constant or a schedule of the step count. */
export type Hyper = number | Schedule

/**
 * The value of a hyperparameter at `step`: the constant itself, or the schedule called at step.
 *
 * @example
 * ```ts
 * import { hyperAt, linearSchedule } from 'puregrad/optim'
 *
 * if (hyperAt(0.1, 7) !== 0.1 || hyperAt(linearSchedule(1, 0, 10), 5) !== 0.5) throw new Error('hyperAt')
 * ```
 */
export const hyperAt = (h: Hyper, step: number): number => (typeof h === 'number' ? h : h(step))

/** Throws INVALID_ARGUMENT unless `ok`; `what` names the argument and the expectation. */
export const check = (op: string, ok: boolean, what: string, got: unknown): void => {
  if (!ok) throw new PuregradError('INVALID_ARGUMENT', `${what}, got ${String(got)}`, op)
}

/** Checks a hyperparameter that is a constant (schedules are not checked: they are code). */
export const checkHyper = (op: string, name: string, h: Hyper, ok: (v: number) => boolean, expectation: string): void => {
  if (typeof h === 'function') return
  check(op, typeof h === 'number' && ok(h), `${name} must be ${expectation} or a schedule`, h)
}

const finite = (x: number): boolean => Number.isFinite(x)
const checkFinite = (op: string, name: string, x: number): void => check(op, finite(x), `${name} must be a finite number`, x)
const checkSteps = (op: string, name: string, x: number, min: number): void =>
  check(op, Number.isInteger(x) && x >= min, `${name} must be an integer >= ${min}`, x)

/**
 * The same value at every step.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a value that is not finite.
 * @example
 * ```ts
 * import { constantSchedule } from 'puregrad/optim'
 *
 * const s = constantSchedule(0.01)
 * if (s(0) !== 0.01 || s(1e6) !== 0.01) throw new Error('constantSchedule')
 * ```
 */
export const constantSchedule = (value: number): Schedule => {
  checkFinite('constantSchedule', 'value', value)
  return () => value
}

/** Options of `exponentialDecay`. */
export interface ExponentialDecayOptions {
  /** The value at step 0 (and until transitionBegin). */
  readonly init: number
  /** Steps per decay by `decayRate` (the exponent is (step - transitionBegin) / transitionSteps). */
  readonly transitionSteps: number
  /** The factor per transitionSteps steps: below 1 decays, above 1 grows. */
  readonly decayRate: number
  /** Steps to hold `init` before decaying. Default 0. */
  readonly transitionBegin?: number
  /** Decay in whole periods (floor of the exponent), as a step function. Default false. */
  readonly staircase?: boolean
  /** A bound the value never passes: a floor when decaying, a ceiling when growing. */
  readonly endValue?: number
}

/**
 * init * decayRate^((step - transitionBegin) / transitionSteps), held at init before
 * transitionBegin (Optax exponential_decay).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a non-finite init or endValue, a decayRate that is
 * not positive, transitionSteps not an integer >= 1 or transitionBegin not an integer >= 0.
 * @example
 * ```ts
 * import { exponentialDecay } from 'puregrad/optim'
 *
 * const lr = exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 0.5, staircase: true })
 * if (lr(0) !== 1 || lr(9) !== 1 || lr(10) !== 0.5 || lr(25) !== 0.25) throw new Error('exponentialDecay')
 * ```
 */
export const exponentialDecay = (o: ExponentialDecayOptions): Schedule => {
  const op = 'exponentialDecay'
  checkFinite(op, 'init', o.init)
  checkSteps(op, 'transitionSteps', o.transitionSteps, 1)
  check(op, finite(o.decayRate) && o.decayRate > 0, 'decayRate must be a finite number > 0', o.decayRate)
  const begin = o.transitionBegin ?? 0
  checkSteps(op, 'transitionBegin', begin, 0)
  if (o.endValue !== undefined) checkFinite(op, 'endValue', o.endValue)
  return (step) => {
    const t = Math.max(step - begin, 0) / o.transitionSteps
    const v = o.init * o.decayRate ** (o.staircase === true ? Math.floor(t) : t)
    if (o.endValue === undefined) return v
    return o.decayRate < 1 ? Math.max(v, o.endValue) : Math.min(v, o.endValue)
  }
}

/**
 * PyTorch's StepLR: init * gamma^floor(step / stepSize).
 *
 * @throws PuregradError as `exponentialDecay`.
 * @example
 * ```ts
 * import { stepDecay } from 'puregrad/optim'
 *
 * const lr = stepDecay(0.8, 100, 0.5)
 * if (lr(99) !== 0.8 || lr(100) !== 0.4 || lr(250) !== 0.2) throw new Error('stepDecay')
 * ```
 */
export const stepDecay = (init: number, stepSize: number, gamma: number): Schedule =>
  exponentialDecay({ init, transitionSteps: stepSize, decayRate: gamma, staircase: true })

/**
 * Optax's piecewise_constant_schedule: `init`, multiplied by `scales[b]` from step b on, for each
 * boundary b, e.g. `piecewiseConstantSchedule(0.1, { 100: 0.1, 200: 0.1 })` is 0.1, then 0.01 from
 * step 100, then 0.001 from step 200.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a non-finite init or scale or a boundary that is
 * not an integer >= 0.
 * @example
 * ```ts
 * import { piecewiseConstantSchedule } from 'puregrad/optim'
 *
 * const lr = piecewiseConstantSchedule(1, { 100: 0.5, 200: 0.5 })
 * if (lr(99) !== 1 || lr(100) !== 0.5 || lr(200) !== 0.25) throw new Error('piecewiseConstantSchedule')
 * ```
 */
export const piecewiseConstantSchedule = (init: number, scales: Readonly<Record<number, number>> = {}): Schedule => {
  const op = 'piecewiseConstantSchedule'
  checkFinite(op, 'init', init)
  const bounds = Object.entries(scales).map(([b, s]) => {
    const n = Number(b)
    checkSteps(op, 'a boundary', n, 0)
    checkFinite(op, `the scale at step ${b}`, s)
    return [n, s] as const
  }).sort((a, b) => a[0] - b[0])
  return (step) => {
    let v = init
    for (const [b, s] of bounds) if (step >= b) v *= s
    return v
  }
}

/**
 * Optax's piecewise_interpolate_schedule with linear interpolation: linear ramps through the
 * points (0, init) and (b, init * the product of the scales up to b) for each boundary b, then
 * the last value, e.g. `piecewiseLinearSchedule(1, { 10: 0.5, 20: 0 })` is 1, 0.75 at 5, 0.5 at 10, 0 from 20.
 *
 * @throws PuregradError as `piecewiseConstantSchedule`.
 * @example
 * ```ts
 * import { piecewiseLinearSchedule } from 'puregrad/optim'
 *
 * const lr = piecewiseLinearSchedule(1, { 10: 0.5, 20: 0 })
 * if ([0, 5, 10, 15, 20, 30].map(lr).join() !== '1,0.75,0.5,0.25,0,0') throw new Error('piecewiseLinearSchedule')
 * ```
 */
export const piecewiseLinearSchedule = (init: number, scales: Readonly<Record<number, number>>): Schedule => {
  const op = 'piecewiseLinearSchedule'
  checkFinite(op, 'init', init)
  const entries = Object.entries(scales).map(([b, s]) => [Number(b), s] as const).sort((a, b) => a[0] - b[0])
  const xs: number[] = [], ys: number[] = []
  let v = init
  for (const [b, s] of entries) {
    checkSteps(op, 'a boundary', b, 0)
    checkFinite(op, `the scale at step ${b}`, s)
    v *= s
    xs.push(b)
    ys.push(v)
  }
  return (step) => {
    let prevX = 0, prevY = init
    for (let i = 0; i < xs.length; i++) {
      if (step < xs[i]) return xs[i] === prevX ? prevY : prevY + ((ys[i] - prevY) * (step - prevX)) / (xs[i] - prevX)
      prevX = xs[i]
      prevY = ys[i]
    }
    return prevY
  }
}

/** Options of `polynomialSchedule`. */
export interface PolynomialScheduleOptions {
  /** The value until transitionBegin. */
  readonly init: number
  /** The value from transitionBegin + transitionSteps on. */
  readonly end: number
  /** The exponent of the ramp: 1 is linear. */
  readonly power: number
  /** Steps from init to end (after transitionBegin). */
  readonly transitionSteps: number
  /** Steps to hold `init` first. Default 0. */
  readonly transitionBegin?: number
}

/**
 * (init - end) * (1 - t / transitionSteps)^power + end, t = clamp(step - transitionBegin, 0,
 * transitionSteps) (Optax polynomial_schedule).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a non-finite init or end, a power that is not
 * positive, transitionSteps not an integer >= 1 or transitionBegin not an integer >= 0.
 * @example
 * ```ts
 * import { polynomialSchedule } from 'puregrad/optim'
 *
 * const s = polynomialSchedule({ init: 1, end: 0, power: 2, transitionSteps: 10 })
 * if (s(0) !== 1 || s(5) !== 0.25 || s(10) !== 0 || s(20) !== 0) throw new Error('polynomialSchedule')
 * ```
 */
export const polynomialSchedule = (o: PolynomialScheduleOptions): Schedule => {
  const op = 'polynomialSchedule'
  checkFinite(op, 'init', o.init)
  checkFinite(op, 'end', o.end)
  check(op, finite(o.power) && o.power > 0, 'power must be a finite number > 0', o.power)
  checkSteps(op, 'transitionSteps', o.transitionSteps, 1)
  const begin = o.transitionBegin ?? 0
  checkSteps(op, 'transitionBegin', begin, 0)
  return (step) => {
    const t = Math.min(Math.max(step - begin, 0), o.transitionSteps)
    return (o.init - o.end) * (1 - t / o.transitionSteps) ** o.power + o.end
  }
}

/**
 * A linear ramp from init to end over transitionSteps, after holding init for transitionBegin
 * steps (polynomialSchedule with power 1).
 *
 * @throws PuregradError as `polynomialSchedule`.
 * @example
 * ```ts
 * import { linearSchedule } from 'puregrad/optim'
 *
 * const warmup = linearSchedule(0, 1, 4)
 * if ([0, 1, 2, 4, 8].map(warmup).join() !== '0,0.25,0.5,1,1') throw new Error('linearSchedule')
 * ```
 */
export const linearSchedule = (init: number, end: number, transitionSteps: number, transitionBegin = 0): Schedule =>
  polynomialSchedule({ init, end, power: 1, transitionSteps, transitionBegin })

/** Options of `cosineDecaySchedule`. */
export interface CosineDecayOptions {
  /** The value at step 0. */
  readonly init: number
  /** Steps of the decay; the value stays at init * alpha afterwards. */
  readonly decaySteps: number
  /** The final value as a fraction of init. Default 0. */
  readonly alpha?: number
  /** The cosine factor is raised to this power. Default 1. */
  readonly exponent?: number
}

/**
 * Loshchilov & Hutter's cosine annealing without restarts (Optax cosine_decay_schedule):
 * init * ((1 - alpha) * (0.5 (1 + cos(pi t / decaySteps)))^exponent + alpha), t = min(step, decaySteps).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a non-finite init or alpha, decaySteps not an
 * integer >= 1 or an exponent that is not positive.
 * @example
 * ```ts
 * import { cosineDecaySchedule } from 'puregrad/optim'
 *
 * const lr = cosineDecaySchedule({ init: 1, decaySteps: 100, alpha: 0.1 })
 * if (lr(0) !== 1 || Math.abs(lr(50) - 0.55) > 1e-12 || Math.abs(lr(200) - 0.1) > 1e-12) throw new Error('cosineDecaySchedule')
 * ```
 */
export const cosineDecaySchedule = (o: CosineDecayOptions): Schedule => {
  const op = 'cosineDecaySchedule'
  checkFinite(op, 'init', o.init)
  checkSteps(op, 'decaySteps', o.decaySteps, 1)
  const alpha = o.alpha ?? 0, exponent = o.exponent ?? 1
  checkFinite(op, 'alpha', alpha)
  check(op, finite(exponent) && exponent > 0, 'exponent must be a finite number > 0', exponent)
  return (step) => {
    const t = Math.min(Math.max(step, 0), o.decaySteps)
    const cosine = 0.5 * (1 + Math.cos((Math.PI * t) / o.decaySteps))
    return o.init * ((1 - alpha) * cosine ** exponent + alpha)
  }
}

/** Options of `warmupCosineDecaySchedule`. */
export interface WarmupCosineDecayOptions {
  /** The value at step 0. */
  readonly init: number
  /** The value reached at the end of the warmup. */
  readonly peak: number
  /** Steps of the linear warmup from init to peak. */
  readonly warmupSteps: number
  /** Total steps, warmup included (as Optax); the cosine decay lasts decaySteps - warmupSteps. */
  readonly decaySteps: number
  /** The value after the decay. Default 0. */
  readonly end?: number
  /** The cosine factor is raised to this power. Default 1. */
  readonly exponent?: number
}

/**
 * A linear warmup from init to peak over warmupSteps, then a cosine decay from peak to end until
 * decaySteps (Optax warmup_cosine_decay_schedule).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a non-finite peak or end, warmupSteps not an
 * integer >= 0 or decaySteps not an integer > warmupSteps.
 * @example
 * ```ts
 * import { warmupCosineDecaySchedule } from 'puregrad/optim'
 *
 * const lr = warmupCosineDecaySchedule({ init: 0, peak: 1, warmupSteps: 10, decaySteps: 110 })
 * if (lr(5) !== 0.5 || lr(10) !== 1 || Math.abs(lr(60) - 0.5) > 1e-12 || lr(110) !== 0) throw new Error('warmupCosineDecaySchedule')
 * ```
 */
export const warmupCosineDecaySchedule = (o: WarmupCosineDecayOptions): Schedule => {
  const op = 'warmupCosineDecaySchedule'
  checkFinite(op, 'peak', o.peak)
  checkSteps(op, 'warmupSteps', o.warmupSteps, 0)
  check(op, Number.isInteger(o.decaySteps) && o.decaySteps > o.warmupSteps, 'decaySteps must be an integer > warmupSteps', o.decaySteps)
  const end = o.end ?? 0
  checkFinite(op, 'end', end)
  const decay: Schedule = (step) => {
    const t = Math.min(Math.max(step, 0), o.decaySteps - o.warmupSteps)
    const cosine = 0.5 * (1 + Math.cos((Math.PI * t) / (o.decaySteps - o.warmupSteps)))
    return (o.peak - end) * cosine ** (o.exponent ?? 1) + end
  }
  if (o.warmupSteps === 0) return decay
  return joinSchedules([linearSchedule(o.init, o.peak, o.warmupSteps), decay], [o.warmupSteps])
}

/**
 * Schedules one after another (Optax join_schedules): `schedules[i]` runs from `boundaries[i-1]`
 * on, and sees the step counted from its own start (step - boundaries[i-1]).
 *
 * @throws PuregradError `INVALID_ARGUMENT` unless there is one more schedule than boundaries and
 * the boundaries are non-decreasing integers >= 0.
 * @example
 * ```ts
 * import { joinSchedules, linearSchedule, constantSchedule } from 'puregrad/optim'
 *
 * const lr = joinSchedules([linearSchedule(0, 1, 10), constantSchedule(1)], [10])
 * if (lr(5) !== 0.5 || lr(10) !== 1 || lr(1000) !== 1) throw new Error('joinSchedules')
 * ```
 */
export const joinSchedules = (schedules: readonly Schedule[], boundaries: readonly number[]): Schedule => {
  const op = 'joinSchedules'
  check(op, schedules.length === boundaries.length + 1, `needs one more schedule than boundaries (${boundaries.length} boundaries)`, `${schedules.length} schedules`)
  boundaries.forEach((b, i) => {
    checkSteps(op, `boundaries[${i}]`, b, 0)
    if (i > 0) check(op, b >= boundaries[i - 1], 'boundaries must be non-decreasing', boundaries.join(', '))
  })
  const bs = [...boundaries]
  const fs = [...schedules]
  return (step) => {
    let i = 0
    while (i < bs.length && step >= bs[i]) i++
    return fs[i](i === 0 ? step : step - bs[i - 1])
  }
}
