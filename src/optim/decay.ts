/**
 * Weight decay and L1 regularisation as transformations.
 *
 * - `addDecayedWeights(wd)` adds wd * params to the updates. Where it sits in a chain decides
 *   what it is: before the optimizer's scaling it is L2 regularisation (the decay joins the
 *   gradient and is rescaled with it: `chain(addDecayedWeights(wd), adam(lr))`, PyTorch's
 *   Adam(weight_decay)); after the scaling and before the learning rate it is decoupled weight
 *   decay (Loshchilov & Hutter; `adamw` and `lion` are built so).
 * - `proximalL1(l1, lr)` is the proximal step of lr * l1 * ||params||_1 (soft thresholding, as
 *   ISTA): put it last in a chain whose updates are already multiplied by -lr; parameters it
 *   sets to zero are exactly zero.
 */

import type { Tensor } from '../core/tensor.js'
import { abs, add, maximum, mul, sign, sub } from '../ops/elementwise.js'
import { checkHyper, hyperAt, type Hyper } from './schedules.js'
import { checkLearningRate, type CountState, type GradientTransformation } from './transformation.js'
import { leafwiseSelected, maskFlags, type Mask } from './mask.js'
import { leafwise } from './tree-math.js'

export interface DecayOptions<P> {
  /** Which leaves decay (default all): e.g. `(path) => !path.endsWith('.b')` to spare biases. */
  readonly mask?: Mask<P>
}

const nonNegative = (v: number): boolean => Number.isFinite(v) && v >= 0

/** updates + wd * params on the leaves the mask selects. */
const decayed = <P>(op: string, updates: P, params: P, wd: number, mask: Mask<P> | undefined): P => {
  if (wd === 0) return updates
  const flags = mask === undefined ? undefined : maskFlags(op, params, mask)
  return leafwiseSelected([updates, params], flags, ([u, p]) => add(u, mul(p, wd)))
}

/** Adds weightDecay * params to the updates (a constant or a schedule of the step count). */
export const addDecayedWeights = <P>(weightDecay: Hyper, opts: DecayOptions<P> = {}): GradientTransformation<P, CountState> => {
  checkHyper('addDecayedWeights', 'weightDecay', weightDecay, nonNegative, 'a finite number >= 0')
  return {
    init: () => ({ count: 0 }),
    update: (grads, state, params) => [
      decayed('addDecayedWeights', grads, params, hyperAt(weightDecay, state.count), opts.mask),
      { count: state.count + 1 },
    ],
  }
}

/**
 * `inner` followed by adding weightDecay(step) * params, step being the inner state's count
 * before the update (so the state stays the inner state): decoupled decay inside an optimizer.
 */
export const withDecayedWeights = <P, S extends CountState>(
  op: string,
  inner: GradientTransformation<P, S>,
  weightDecay: Hyper,
  mask: Mask<P> | undefined,
): GradientTransformation<P, S> => {
  checkHyper(op, 'weightDecay', weightDecay, nonNegative, 'a finite number >= 0')
  return {
    init: (params) => inner.init(params),
    update: (grads, state, params) => {
      const [u, next] = inner.update(grads, state, params)
      return [decayed(op, u, params, hyperAt(weightDecay, state.count), mask), next]
    },
  }
}

/** sign(z) * max(|z| - t, 0): the proximal operator of t * |.|. */
export const softThreshold = (z: Tensor, t: number): Tensor => mul(sign(z), maximum(sub(abs(z), t), 0))

/**
 * The proximal step of the L1 penalty l1 * ||params||_1 after a gradient step: with z = params +
 * updates (the gradient step already taken), the new parameters are softThreshold(z, lr * l1) and
 * the returned updates are their difference from params. With `sgd(lr)` before it this is ISTA
 * (proximal gradient descent) on loss + l1 * ||params||_1. Both l1 and lr may be schedules.
 */
export const proximalL1 = <P>(l1: Hyper, learningRate: Hyper): GradientTransformation<P, CountState> => {
  checkHyper('proximalL1', 'l1', l1, nonNegative, 'a finite number >= 0')
  checkLearningRate('proximalL1', learningRate)
  return {
    init: () => ({ count: 0 }),
    update: (grads, state, params) => {
      const t = hyperAt(learningRate, state.count) * hyperAt(l1, state.count)
      const u = leafwise([grads, params], ([g, p]) => sub(softThreshold(add(p, g), t), p))
      return [u, { count: state.count + 1 }]
    },
  }
}
