/**
 * Schedules against values worked out from Optax's definitions, and their argument checks.
 * Steps count updates already made (0 at the first update).
 */

import { describe, expect, it } from 'vitest'
import {
  constantSchedule, cosineDecaySchedule, exponentialDecay, joinSchedules, linearSchedule, piecewiseConstantSchedule,
  piecewiseLinearSchedule, polynomialSchedule, stepDecay, warmupCosineDecaySchedule, type Schedule,
} from '../../src/optim/index.js'
import { expectError } from '../helpers/allclose.js'

const at = (s: Schedule, steps: number[]): number[] => steps.map((t) => Number(s(t).toPrecision(14)))

describe('schedules', () => {
  it('constant', () => {
    expect(at(constantSchedule(0.3), [0, 1, 1000])).toEqual([0.3, 0.3, 0.3])
  })

  it('exponential decay: init * rate^((t - begin) / steps), staircase, begin, end value', () => {
    expect(at(exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 0.5 }), [0, 5, 10, 20])).toEqual([1, Math.SQRT1_2, 0.5, 0.25].map((v) => Number(v.toPrecision(14))))
    expect(at(exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 0.5, staircase: true }), [9, 10, 19, 20])).toEqual([1, 0.5, 0.5, 0.25])
    expect(at(exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 0.5, transitionBegin: 5 }), [0, 5, 15])).toEqual([1, 1, 0.5])
    expect(at(exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 0.5, endValue: 0.3 }), [10, 100])).toEqual([0.5, 0.3])
    expect(at(exponentialDecay({ init: 1, transitionSteps: 10, decayRate: 2, endValue: 3 }), [10, 20])).toEqual([2, 3])
  })

  it('step decay (PyTorch StepLR) and piecewise constant (Optax)', () => {
    expect(at(stepDecay(0.1, 30, 0.1), [0, 29, 30, 59, 60])).toEqual([0.1, 0.1, 0.01, 0.01, 0.001])
    expect(at(piecewiseConstantSchedule(0.1, { 200: 0.1, 100: 0.1 }), [0, 99, 100, 199, 200, 10_000])).toEqual([0.1, 0.1, 0.01, 0.01, 0.001, 0.001])
    expect(at(piecewiseConstantSchedule(2), [0, 50])).toEqual([2, 2])
  })

  it('piecewise linear (Optax piecewise_interpolate_schedule, linear)', () => {
    expect(at(piecewiseLinearSchedule(1, { 10: 0.5, 20: 0 }), [0, 5, 10, 15, 20, 30])).toEqual([1, 0.75, 0.5, 0.25, 0, 0])
  })

  it('polynomial and linear', () => {
    // (1 - 0.1) * (1 - 5/10)^2 + 0.1 = 0.325
    expect(at(polynomialSchedule({ init: 1, end: 0.1, power: 2, transitionSteps: 10 }), [0, 5, 10, 20])).toEqual([1, 0.325, 0.1, 0.1])
    expect(at(polynomialSchedule({ init: 1, end: 0, power: 1, transitionSteps: 4, transitionBegin: 2 }), [0, 2, 3, 6, 9])).toEqual([1, 1, 0.75, 0, 0])
    expect(at(linearSchedule(0, 1, 4), [0, 1, 2, 3, 4, 5])).toEqual([0, 0.25, 0.5, 0.75, 1, 1])
  })

  it('cosine decay: init ((1 - alpha) (1 + cos(pi t / T)) / 2 + alpha)', () => {
    // t = 5 of 10: 2 (0.9 * 0.5 + 0.1) = 1.1; the end: 2 * 0.1 = 0.2
    expect(at(cosineDecaySchedule({ init: 2, decaySteps: 10, alpha: 0.1 }), [0, 5, 10, 20])).toEqual([2, 1.1, 0.2, 0.2])
    // exponent 2 at t = 5: 0.5^2 = 0.25
    expect(at(cosineDecaySchedule({ init: 1, decaySteps: 10, exponent: 2 }), [5])).toEqual([0.25])
  })

  it('warmup then cosine decay (decaySteps includes the warmup, as Optax)', () => {
    // warmup 0 -> 1 over 10 steps; cosine 1 -> 0.1 over the next 100: at 60, 0.1 + 0.9 * 0.5 = 0.55
    const s = warmupCosineDecaySchedule({ init: 0, peak: 1, warmupSteps: 10, decaySteps: 110, end: 0.1 })
    expect(at(s, [0, 5, 10, 60, 110, 500])).toEqual([0, 0.5, 1, 0.55, 0.1, 0.1])
    expect(at(warmupCosineDecaySchedule({ init: 0, peak: 1, warmupSteps: 0, decaySteps: 10 }), [0, 5, 10])).toEqual([1, 0.5, 0])
  })

  it('joined schedules see the step counted from their own start', () => {
    const s = joinSchedules([constantSchedule(1), linearSchedule(1, 0, 10), constantSchedule(7)], [5, 20])
    expect(at(s, [0, 4, 5, 10, 15, 19, 20, 99])).toEqual([1, 1, 1, 0.5, 0, 0, 7, 7])
  })

  it('checks constant arguments', () => {
    expectError(() => exponentialDecay({ init: 1, transitionSteps: 0, decayRate: 0.5 }), 'INVALID_ARGUMENT', 'exponentialDecay', 'transitionSteps')
    expectError(() => joinSchedules([constantSchedule(1)], [5]), 'INVALID_ARGUMENT', 'joinSchedules', 'one more schedule')
    expectError(() => joinSchedules([constantSchedule(1), constantSchedule(2), constantSchedule(3)], [5, 2]), 'INVALID_ARGUMENT', 'non-decreasing')
    expectError(() => warmupCosineDecaySchedule({ init: 0, peak: 1, warmupSteps: 10, decaySteps: 10 }), 'INVALID_ARGUMENT', 'decaySteps')
    expectError(() => constantSchedule(NaN), 'INVALID_ARGUMENT', 'constantSchedule')
    expectError(() => cosineDecaySchedule({ init: 1, decaySteps: 1.5 }), 'INVALID_ARGUMENT', 'decaySteps')
  })
})
