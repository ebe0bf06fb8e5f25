/**
 * Gradient accumulation over k micro-batches (Optax MultiSteps): `multiSteps(inner, k)` sums the
 * gradients of k consecutive calls and, on the k-th, runs `inner` once on their mean. The other
 * calls return zero updates (the parameters stay put) and leave the inner state untouched, so the
 * inner count (and its schedules) advance once per k micro-batches. With equal micro-batches,
 * k steps of multiSteps(inner, k) equal one step of inner on the whole batch.
 */

import { add, div } from '../ops/elementwise.js'
import { check } from './schedules.js'
import type { GradientTransformation } from './transformation.js'
import { leafwise, zerosTree } from './tree-math.js'

/** The state of `multiSteps(inner, k)`: the accumulation progress and the inner state. */
export interface MultiStepsState<P, S> {
  /** Micro-batches accumulated since the last inner step, in [0, k). */
  readonly miniStep: number
  /** Inner steps made. */
  readonly gradientStep: number
  /** The sum of the gradients since the last inner step. */
  readonly accGrads: P
  /** The inner transformation's state (advanced once per k calls). */
  readonly inner: S
}

/**
 * Runs `inner` on the mean gradient of every `everyK` consecutive calls; the calls in between
 * return zero updates (Optax MultiSteps).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an everyK that is not an integer >= 1.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { multiSteps, sgd } from 'puregrad/optim'
 *
 * const params = { w: tensor([0]) }
 * const opt = multiSteps(sgd<typeof params>(1), 2)
 * const [u1, s1] = opt.update({ w: tensor([1]) }, opt.init(params), params)
 * const [u2, s2] = opt.update({ w: tensor([3]) }, s1, params)
 * if (u1.w.item() !== 0 || u2.w.item() !== -2 || s2.gradientStep !== 1) throw new Error('mean of 1 and 3')
 * ```
 */
export const multiSteps = <P, S>(inner: GradientTransformation<P, S>, everyK: number): GradientTransformation<P, MultiStepsState<P, S>> => {
  check('multiSteps', Number.isInteger(everyK) && everyK >= 1, 'everyK must be an integer >= 1', everyK)
  return {
    init: (params) => ({ miniStep: 0, gradientStep: 0, accGrads: zerosTree(params), inner: inner.init(params) }),
    update: (grads, state, params) => {
      if (everyK === 1) {
        const [u, s] = inner.update(grads, state.inner, params)
        return [u, { ...state, gradientStep: state.gradientStep + 1, inner: s }]
      }
      const acc = leafwise([state.accGrads, grads], ([a, g]) => add(a, g))
      if (state.miniStep + 1 < everyK) {
        return [zerosTree(grads), { ...state, miniStep: state.miniStep + 1, accGrads: acc }]
      }
      const [u, s] = inner.update(leafwise([acc], ([a]) => div(a, everyK)), state.inner, params)
      return [u, { miniStep: 0, gradientStep: state.gradientStep + 1, accGrads: zerosTree(grads), inner: s }]
    },
  }
}
