/**
 * Adagrad (Duchi, Hazan & Singer 2011, diagonal form): the squared gradients are summed from an
 * initial accumulator value, and each coordinate's step is scaled by the inverse square root of
 * its sum:
 *
 *   G_t = G_{t-1} + g_t^2   (G_0 = initialAccumulatorValue)
 *   update = -lr g_t / (sqrt(G_t) + eps)
 *
 * eps sits outside the square root, as in the paper's delta and PyTorch; the default initial
 * accumulator 0.1 is Optax's. lr and eps may be schedules of the step count.
 */

import { add, div, mul, sqrt } from '../ops/elementwise.js'
import { full } from '../core/constructors.js'
import type { Tensor } from '../core/tensor.js'
import { treeMap } from '../diff/tree.js'
import { check, checkHyper, hyperAt, type Hyper } from './schedules.js'
import { withLearningRate, type GradientTransformation } from './transformation.js'
import { leafwise } from './tree-math.js'

/** Options of `adagrad` and `scaleByRss`. */
export interface AdagradOptions {
  /** G_0 for every coordinate. Default 0.1. */
  readonly initialAccumulatorValue?: number
  /** Added to sqrt(G). Default 1e-7. */
  readonly eps?: Hyper
}

/** Adagrad's state: the update count and the sums of squared gradients G, shaped like P. */
export interface AdagradState<P> {
  readonly count: number
  readonly sumOfSquares: P
}

/**
 * g / (sqrt(G) + eps) with G the running sum of squared gradients (from
 * initialAccumulatorValue), without the learning rate (Optax scale_by_rss).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an initialAccumulatorValue or constant eps that is
 * negative or not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { scaleByRss } from 'puregrad/optim'
 *
 * const g = { w: tensor([3]) }
 * const opt = scaleByRss<typeof g>({ initialAccumulatorValue: 16, eps: 0 })
 * const [u, state] = opt.update(g, opt.init(g), g)    // 3 / sqrt(16 + 9)
 * if (Math.abs(u.w.item() - 0.6) > 1e-6 || state.sumOfSquares.w.item() !== 25) throw new Error(`got ${u.w}`)
 * ```
 */
export const scaleByRss = <P>(opts: AdagradOptions = {}): GradientTransformation<P, AdagradState<P>> => {
  const op = 'scaleByRss'
  const g0 = opts.initialAccumulatorValue ?? 0.1
  check(op, Number.isFinite(g0) && g0 >= 0, 'initialAccumulatorValue must be a finite number >= 0', g0)
  checkHyper(op, 'eps', opts.eps ?? 1e-7, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')
  return {
    init: (params) => ({ count: 0, sumOfSquares: treeMap(params, (x: Tensor) => full(x.shape, g0, { dtype: x.dtype })) }),
    update: (grads, state) => {
      const eps = hyperAt(opts.eps ?? 1e-7, state.count)
      const sumOfSquares = leafwise([state.sumOfSquares, grads], ([s, g]) => add(s, mul(g, g)))
      const u = leafwise([grads, sumOfSquares], ([g, s]) => div(g, add(sqrt(s), eps)))
      return [u, { count: state.count + 1, sumOfSquares }]
    },
  }
}

/**
 * Adagrad (Duchi et al. 2011): update = -lr g / (sqrt(G) + eps), G the running sum of squared
 * gradients; state `{ count, sumOfSquares }` shaped like the parameters.
 *
 * @throws PuregradError as `scaleByRss`, `INVALID_ARGUMENT` for a learning rate that is negative
 * or not finite, and `DTYPE_MISMATCH` from init for an integer or bool leaf.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { adagrad } from 'puregrad/optim'
 *
 * const params = { w: tensor([0]) }
 * const opt = adagrad<typeof params>(1, { initialAccumulatorValue: 0, eps: 0 })
 * const [u1, s1] = opt.update({ w: tensor([3]) }, opt.init(params), params)   // -3 / 3
 * const [u2] = opt.update({ w: tensor([4]) }, s1, params)                      // -4 / 5
 * if (u1.w.item() !== -1 || Math.abs(u2.w.item() + 0.8) > 1e-6) throw new Error(`got ${u2.w}`)
 * ```
 */
export const adagrad = <P>(learningRate: Hyper, opts: AdagradOptions = {}): GradientTransformation<P, AdagradState<P>> =>
  withLearningRate('adagrad', scaleByRss<P>(opts), learningRate)
