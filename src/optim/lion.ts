/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2): the
 * update is the sign of an interpolation between the momentum and the gradient, with decoupled
 * weight decay, and the momentum is updated with a second rate afterwards:
 *
 *   c = b1 m + (1 - b1) g
 *   update = -lr (sign(c) + wd params)
 *   m = b2 m + (1 - b2) g
 *
 * Defaults as Optax: b1 0.9, b2 0.99, weight decay 1e-3. Lion's steps have size lr in every
 * coordinate, so it wants a learning rate 3-10x smaller than AdamW's.
 */

import { add, mul, sign } from '../ops/elementwise.js'
import { checkHyper, hyperAt, type Hyper } from './schedules.js'
import { withLearningRate, type GradientTransformation } from './transformation.js'
import { withDecayedWeights } from './decay.js'
import type { Mask } from './mask.js'
import { leafwise, zerosTree } from './tree-math.js'

/** Options of `lion`. */
export interface LionOptions<P> {
  /** Interpolation rate for the update direction. Default 0.9. */
  readonly b1?: Hyper
  /** Decay of the momentum. Default 0.99. */
  readonly b2?: Hyper
  /** Decoupled weight decay. Default 1e-3. */
  readonly weightDecay?: Hyper
  /** Which leaves decay (default all). */
  readonly mask?: Mask<P>
}

/** Lion's state: the update count and the momentum m, shaped like P. */
export interface LionState<P> {
  readonly count: number
  readonly mu: P
}

/**
 * Lion's direction sign(b1 m + (1 - b1) g), then m = b2 m + (1 - b2) g, without the learning rate
 * (Optax scale_by_lion).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant b1 or b2 outside [0, 1].
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { scaleByLion } from 'puregrad/optim'
 *
 * const g = { w: tensor([0.001, -30]) }
 * const opt = scaleByLion<typeof g>()
 * const [u] = opt.update(g, opt.init(g), g)
 * if (u.w.dataSync().join() !== '1,-1') throw new Error(`got ${u.w}`)
 * ```
 */
export const scaleByLion = <P>(opts: { readonly b1?: Hyper; readonly b2?: Hyper } = {}): GradientTransformation<P, LionState<P>> => {
  const beta = (v: number): boolean => v >= 0 && v <= 1
  checkHyper('scaleByLion', 'b1', opts.b1 ?? 0.9, beta, 'in [0, 1]')
  checkHyper('scaleByLion', 'b2', opts.b2 ?? 0.99, beta, 'in [0, 1]')
  return {
    init: (params) => ({ count: 0, mu: zerosTree(params) }),
    update: (grads, state) => {
      const b1 = hyperAt(opts.b1 ?? 0.9, state.count), b2 = hyperAt(opts.b2 ?? 0.99, state.count)
      const u = leafwise([state.mu, grads], ([m, g]) => sign(add(mul(m, b1), mul(g, 1 - b1))))
      const mu = leafwise([state.mu, grads], ([m, g]) => add(mul(m, b2), mul(g, 1 - b2)))
      return [u, { count: state.count + 1, mu }]
    },
  }
}

/**
 * Lion (Chen et al. 2023): update = -lr (sign(b1 m + (1 - b1) g) + weightDecay params), every
 * coordinate moving by lr; state `{ count, mu }`.
 *
 * @throws PuregradError as `scaleByLion`, `INVALID_ARGUMENT` for a learning rate or weight decay
 * that is negative or not finite or a malformed mask, and `DTYPE_MISMATCH` from init for an
 * integer or bool leaf.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { lion, applyUpdates } from 'puregrad/optim'
 *
 * const params = { w: tensor([1, 1]) }
 * const opt = lion<typeof params>(0.125, { weightDecay: 0 })
 * const [u] = opt.update({ w: tensor([0.01, -7]) }, opt.init(params), params)
 * if (applyUpdates(params, u).w.dataSync().join() !== '0.875,1.125') throw new Error('lion')
 * ```
 */
export const lion = <P>(learningRate: Hyper, opts: LionOptions<P> = {}): GradientTransformation<P, LionState<P>> =>
  withLearningRate('lion', withDecayedWeights('lion', scaleByLion<P>(opts), opts.weightDecay ?? 1e-3, opts.mask), learningRate)
