/**
 * The early-stopping state machine: improvement beyond minDelta in either mode, patience,
 * best-parameter keeping, NaN metrics, the final stopped state, purity, and its use as a fold.
 */

import { describe, expect, it } from 'vitest'
import { tensor, type Tensor } from '../../src/index.js'
import { earlyStopping, type EarlyStoppingState } from '../../src/optim/index.js'
import { expectError } from '../helpers/allclose.js'
import { deepFreeze } from './helpers.js'

interface P { readonly w: Tensor }
const params = (i: number): P => ({ w: tensor([i], { dtype: 'float64' }) })

/** Folds the metrics (with params(i) at evaluation i, 1-based) and returns every state. */
const fold = (metrics: readonly number[], opts: Parameters<typeof earlyStopping>[0]): EarlyStoppingState<P>[] => {
  const es = earlyStopping<P>(opts)
  const states = [es.init(params(0))]
  metrics.forEach((m, i) => states.push(es.update(deepFreeze(states[states.length - 1]), m, params(i + 1))))
  return states
}

describe('earlyStopping', () => {
  it("mode 'min': stops after `patience` evaluations without an improvement beyond minDelta", () => {
    const s = fold([1.0, 0.8, 0.85, 0.79, 0.5], { patience: 2, minDelta: 0.02 })
    expect(s.map((x) => x.wait)).toEqual([0, 0, 0, 1, 2, 2])
    expect(s.map((x) => x.shouldStop)).toEqual([false, false, false, false, true, true])
    const last = s[5]
    // 0.79 is not below 0.8 - 0.02; once stopped, the 0.5 is ignored.
    expect([last.best, last.bestStep, last.step, last.bestParams.w.item()]).toEqual([0.8, 2, 4, 2])
    expect(last).toBe(s[4])
  })

  it("mode 'max' for accuracies; ties are not improvements", () => {
    const s = fold([0.5, 0.6, 0.6, 0.61, 0.61, 0.6], { patience: 2, mode: 'max' })
    expect(s.map((x) => x.best)).toEqual([-Infinity, 0.5, 0.6, 0.6, 0.61, 0.61, 0.61])
    expect(s.map((x) => x.shouldStop)).toEqual([false, false, false, false, false, false, true])
    expect(s[6].bestParams.w.item()).toBe(4)
  })

  it('keeps the initial parameters until a first improvement; NaN never improves', () => {
    const s = fold([NaN, NaN], { patience: 2 })
    expect([s[2].shouldStop, s[2].best, s[2].bestStep, s[2].bestParams.w.item()]).toEqual([true, Infinity, 0, 0])
  })

  it('is a pure fold: the same metrics give the same states', () => {
    const metrics = [3, 2, 2.5, 1, 1.5, 1.2, 1.1]
    const a = fold(metrics, { patience: 3 }), b = fold(metrics, { patience: 3 })
    expect(a.map((x) => [x.best, x.wait, x.step, x.shouldStop])).toEqual(b.map((x) => [x.best, x.wait, x.step, x.shouldStop]))
    expect(a[7].shouldStop).toBe(true)
    expect(a[7].bestParams.w.item()).toBe(4)
  })

  it('checks its options', () => {
    expectError(() => earlyStopping({ patience: 0 }), 'INVALID_ARGUMENT', 'earlyStopping', 'patience')
    expectError(() => earlyStopping({ patience: 1, minDelta: -1 }), 'INVALID_ARGUMENT', 'minDelta')
    expectError(() => earlyStopping({ patience: 1, mode: 'up' as 'min' }), 'INVALID_ARGUMENT', 'mode')
  })
})
