/**
 * Stochastic gradient descent, with heavy-ball or Nesterov momentum as in Optax and PyTorch:
 *
 *   v_t = g_t + mu v_{t-1}   (v_0 = 0)
 *   update = -lr v_t                  (heavy ball)
 *   update = -lr (g_t + mu v_t)       (nesterov)
 *
 * and, without momentum, update = -lr g_t. `trace` is the momentum transform on its own (Optax
 * trace), for chains. lr and mu may be schedules of the step count.
 */

import { add, mul } from '../ops/elementwise.js'
import { check, checkHyper, hyperAt, type Hyper } from './schedules.js'
import { withLearningRate, type GradientTransformation } from './transformation.js'
import { leafwise, zerosTree } from './tree-math.js'

/** Options of `sgd`. */
export interface SgdOptions {
  /** The momentum mu (a constant or a schedule). Default 0: plain SGD, no trace in the state. */
  readonly momentum?: Hyper
  /** Nesterov's look-ahead (needs a momentum). Default false. */
  readonly nesterov?: boolean
}

/** SGD's state: the update count and the momentum trace v (null without momentum). */
export interface SgdState<P> {
  readonly count: number
  readonly trace: P | null
}

/** The state of `trace`: the update count and the momentum trace v. */
export interface TraceState<P> {
  readonly count: number
  readonly trace: P
}

const checkMomentum = (op: string, mu: Hyper): void =>
  checkHyper(op, 'momentum', mu, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')

/** One momentum step: [update direction, new trace]. */
const momentumStep = <P>(grads: P, trace: P, mu: number, nesterov: boolean): [P, P] => {
  const v = leafwise([grads, trace], ([g, t]) => add(g, mul(t, mu)))
  return [nesterov ? leafwise([grads, v], ([g, vi]) => add(g, mul(vi, mu))) : v, v]
}

/**
 * The momentum transform alone (Optax trace): v = g + decay v; the updates become v (or
 * g + decay v with nesterov). Follow it with `scaleByLearningRate` for momentum SGD.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant decay that is negative or not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { trace } from 'puregrad/optim'
 *
 * const g = { w: tensor([1]) }
 * const opt = trace<typeof g>(0.5)
 * const [u1, s1] = opt.update(g, opt.init(g), g)     // v = 1
 * const [u2] = opt.update(g, s1, g)                   // v = 1 + 0.5 * 1
 * if (u1.w.item() !== 1 || u2.w.item() !== 1.5) throw new Error('trace')
 * ```
 */
export const trace = <P>(decay: Hyper, opts: { readonly nesterov?: boolean } = {}): GradientTransformation<P, TraceState<P>> => {
  checkMomentum('trace', decay)
  const nesterov = opts.nesterov ?? false
  return {
    init: (params) => ({ count: 0, trace: zerosTree(params) }),
    update: (grads, state) => {
      const [u, v] = momentumStep(grads, state.trace, hyperAt(decay, state.count), nesterov)
      return [u, { count: state.count + 1, trace: v }]
    },
  }
}

/**
 * Stochastic gradient descent: update = -lr g, or with (Nesterov) momentum mu: v = g + mu v,
 * update = -lr v (-lr (g + mu v) with nesterov). lr and mu may be schedules.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a negative or non-finite constant learning rate or
 * momentum, or nesterov without momentum; `DTYPE_MISMATCH` from init for an integer or bool leaf.
 * @example
 * ```ts
 * import { tensor, grad, sum, square, type Tensor } from 'puregrad'
 * import { sgd, applyUpdates } from 'puregrad/optim'
 *
 * type Params = { w: Tensor }
 * const loss = (p: Params): Tensor => sum(square(p.w))
 * const opt = sgd<Params>(0.25, { momentum: 0.5 })
 * let params: Params = { w: tensor([2, -4]) }
 * let state = opt.init(params)
 * for (let i = 0; i < 50; i++) {
 *   const [updates, next] = opt.update(grad(loss)(params), state, params)
 *   params = applyUpdates(params, updates)
 *   state = next
 * }
 * if (loss(params).item() > 1e-6) throw new Error(`loss ${loss(params).item()}`)
 * ```
 */
export const sgd = <P>(learningRate: Hyper, opts: SgdOptions = {}): GradientTransformation<P, SgdState<P>> => {
  const op = 'sgd'
  const momentum = opts.momentum ?? 0
  const nesterov = opts.nesterov ?? false
  checkMomentum(op, momentum)
  const useTrace = momentum !== 0
  check(op, !nesterov || useTrace, 'nesterov needs a momentum', momentum)
  const direction: GradientTransformation<P, SgdState<P>> = {
    init: (params) => ({ count: 0, trace: useTrace ? zerosTree(params) : null }),
    update: (grads, state) => {
      if (state.trace === null) return [grads, { count: state.count + 1, trace: null }]
      const [u, v] = momentumStep(grads, state.trace, hyperAt(momentum, state.count), nesterov)
      return [u, { count: state.count + 1, trace: v }]
    },
  }
  return withLearningRate(op, direction, learningRate)
}
