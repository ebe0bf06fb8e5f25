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

/** Options of `addDecayedWeights`. */
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

/**
 * Adds weightDecay * params to the updates on the leaves `mask` selects (weightDecay a constant or
 * a schedule of the step count): L2 regularisation before an optimizer's scaling, decoupled
 * decay after it (see the top of this file).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant weight decay that is negative or not
 * finite, or from update for a malformed mask.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { addDecayedWeights } from 'puregrad/optim'
 *
 * const params = { w: tensor([2]), b: tensor([2]) }
 * const opt = addDecayedWeights<typeof params>(0.5, { mask: { w: true, b: false } })
 * const [u] = opt.update({ w: tensor([1]), b: tensor([1]) }, opt.init(params), params)
 * if (u.w.item() !== 2 || u.b.item() !== 1) throw new Error('1 + 0.5 * 2 on w only')
 * ```
 */
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

/**
 * sign(z) * max(|z| - t, 0), elementwise: the proximal operator of t * |.| (z's shape and dtype).
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { softThreshold } from 'puregrad/optim'
 *
 * const y = softThreshold(tensor([-3, -0.5, 0.25, 2]), 1)
 * if (y.dataSync().join() !== '-2,0,0,1') throw new Error(`got ${y}`)
 * ```
 */
export const softThreshold = (z: Tensor, t: number): Tensor => mul(sign(z), maximum(sub(abs(z), t), 0))

/**
 * The proximal step of the L1 penalty l1 * ||params||_1 after a gradient step: with z = params +
 * updates (the gradient step already taken), the new parameters are softThreshold(z, lr * l1) and
 * the returned updates are their difference from params. With `sgd(lr)` before it this is ISTA
 * (proximal gradient descent) on loss + l1 * ||params||_1. Both l1 and lr may be schedules.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant l1 or learning rate that is negative or
 * not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { chain, sgd, proximalL1, applyUpdates } from 'puregrad/optim'
 *
 * const params = { w: tensor([1, 0.25]) }
 * const opt = chain(sgd<typeof params>(0.5), proximalL1(1, 0.5))   // threshold lr * l1 = 0.5
 * const [u] = opt.update({ w: tensor([0, 0]) }, opt.init(params), params)
 * if (applyUpdates(params, u).w.dataSync().join() !== '0.5,0') throw new Error('small weights become exactly 0')
 * ```
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
