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

export interface MultiStepsState<P, S> {
  /** Micro-batches accumulated since the last inner step, in [0, k). */
  readonly miniStep: number
  /** Inner steps made. */
  readonly gradientStep: number
  /** The sum of the gradients since the last inner step. */
  readonly accGrads: P
  readonly inner: S
}

/** Runs `inner` on the mean gradient of every `everyK` consecutive calls. */
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
