/**
 * Early stopping as a pure state machine over a validation metric (the training loop stays a
 * fold): `init(params)` gives the first state, `update(state, metric, params)` the next one after
 * an evaluation. A metric improves when it beats the best so far by more than `minDelta` (below
 * it for mode 'min', above for 'max'); an improvement keeps the parameters as `bestParams` and
 * resets the wait, anything else (NaN included) adds one to it, and `shouldStop` turns true when
 * the wait reaches `patience`. A stopped state is final: updating it returns it unchanged.
 *
 *   let es = stopper.init(params)
 *   for (const epoch of epochs) { params = train(params); es = stopper.update(es, validate(params), params); if (es.shouldStop) break }
 *   const best = es.bestParams
 */

import { check } from './schedules.js'

/** Options of `earlyStopping`. */
export interface EarlyStoppingOptions {
  /** Evaluations without improvement before stopping (>= 1). */
  readonly patience: number
  /** The margin an improvement must exceed (>= 0). Default 0. */
  readonly minDelta?: number
  /** 'min' for losses (default), 'max' for accuracies. */
  readonly mode?: 'min' | 'max'
}

/** The state of an early-stopping machine after some evaluations. */
export interface EarlyStoppingState<P> {
  /** The best metric so far (Infinity for 'min', -Infinity for 'max' before any evaluation). */
  readonly best: number
  /** The parameters at the best metric (the initial parameters before any improvement). */
  readonly bestParams: P
  /** The evaluation (1-based) at which `best` was seen; 0 before any improvement. */
  readonly bestStep: number
  /** Evaluations so far. */
  readonly step: number
  /** Evaluations since the last improvement. */
  readonly wait: number
  /** True once `wait` reached `patience`; final. */
  readonly shouldStop: boolean
}

/** An early-stopping state machine over parameter records P (see `earlyStopping`). */
export interface EarlyStopping<P> {
  /** The state before any evaluation, with `params` as the best parameters so far. */
  init(params: P): EarlyStoppingState<P>
  /** The state after an evaluation that gave `metric` for `params` (a stopped state is returned as is). */
  update(state: EarlyStoppingState<P>, metric: number, params: P): EarlyStoppingState<P>
}

/**
 * An early-stopping state machine (see the top of this file): it keeps the best parameters and
 * stops after `patience` evaluations without an improvement of more than `minDelta`.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a patience that is not an integer >= 1, a minDelta
 * that is negative or not finite, or a mode other than 'min' and 'max'.
 * @example
 * ```ts
 * import { earlyStopping } from 'puregrad/optim'
 *
 * const stopper = earlyStopping<string>({ patience: 2 })
 * let es = stopper.init('epoch 0')
 * const losses = [0.9, 0.5, 0.6, 0.7, 0.4]
 * for (const [i, loss] of losses.entries()) {
 *   es = stopper.update(es, loss, `epoch ${i + 1}`)
 *   if (es.shouldStop) break
 * }
 * if (!es.shouldStop || es.bestParams !== 'epoch 2' || es.best !== 0.5 || es.step !== 4) throw new Error('earlyStopping')
 * ```
 */
export const earlyStopping = <P>(opts: EarlyStoppingOptions): EarlyStopping<P> => {
  const op = 'earlyStopping'
  const minDelta = opts.minDelta ?? 0
  const mode = opts.mode ?? 'min'
  check(op, Number.isInteger(opts.patience) && opts.patience >= 1, 'patience must be an integer >= 1', opts.patience)
  check(op, Number.isFinite(minDelta) && minDelta >= 0, 'minDelta must be a finite number >= 0', minDelta)
  check(op, mode === 'min' || mode === 'max', "mode must be 'min' or 'max'", mode)
  const improves = (metric: number, best: number): boolean =>
    mode === 'min' ? metric < best - minDelta : metric > best + minDelta
  return {
    init: (params) => ({
      best: mode === 'min' ? Infinity : -Infinity, bestParams: params, bestStep: 0, step: 0, wait: 0, shouldStop: false,
    }),
    update: (state, metric, params) => {
      if (state.shouldStop) return state
      const step = state.step + 1
      if (improves(metric, state.best)) return { best: metric, bestParams: params, bestStep: step, step, wait: 0, shouldStop: false }
      const wait = state.wait + 1
      return { ...state, step, wait, shouldStop: wait >= opts.patience }
    },
  }
}
