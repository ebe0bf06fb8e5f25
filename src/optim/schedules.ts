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

/** The value of a hyperparameter at `step`. */
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

/** The same value at every step. */
export const constantSchedule = (value: number): Schedule => {
  checkFinite('constantSchedule', 'value', value)
  return () => value
}

export interface ExponentialDecayOptions {
  readonly init: number
  /** Steps per decay by `decayRate` (the exponent is (step - transitionBegin) / transitionSteps). */
  readonly transitionSteps: number
  readonly decayRate: number
  /** Steps to hold `init` before decaying. Default 0. */
  readonly transitionBegin?: number
  /** Decay in whole periods (floor of the exponent), as a step function. Default false. */
  readonly staircase?: boolean
  /** A bound the value never passes: a floor when decaying, a ceiling when growing. */
  readonly endValue?: number
}

/** init * decayRate^((step - transitionBegin) / transitionSteps), held at init before transitionBegin (Optax). */
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

/** PyTorch's StepLR: init * gamma^floor(step / stepSize). */
export const stepDecay = (init: number, stepSize: number, gamma: number): Schedule =>
  exponentialDecay({ init, transitionSteps: stepSize, decayRate: gamma, staircase: true })

/**
 * Optax's piecewise_constant_schedule: `init`, multiplied by `scales[b]` from step b on, for each
 * boundary b, e.g. `piecewiseConstantSchedule(0.1, { 100: 0.1, 200: 0.1 })` is 0.1, then 0.01 from
 * step 100, then 0.001 from step 200.
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

export interface PolynomialScheduleOptions {
  readonly init: number
  readonly end: number
  /** The exponent of the ramp: 1 is linear. */
  readonly power: number
  /** Steps from init to end (after transitionBegin). */
  readonly transitionSteps: number
  /** Steps to hold `init` first. Default 0. */
  readonly transitionBegin?: number
}

/** (init - end) * (1 - t / transitionSteps)^power + end, t = clamp(step - transitionBegin, 0, transitionSteps) (Optax). */
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

/** A linear ramp from init to end over transitionSteps (polynomialSchedule with power 1). */
export const linearSchedule = (init: number, end: number, transitionSteps: number, transitionBegin = 0): Schedule =>
  polynomialSchedule({ init, end, power: 1, transitionSteps, transitionBegin })

export interface CosineDecayOptions {
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
  readonly exponent?: number
}

/** A linear warmup from init to peak, then a cosine decay from peak to end (Optax warmup_cosine_decay_schedule). */
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
