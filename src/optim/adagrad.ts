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

/** g / (sqrt(G) + eps) with G the running sum of squares, without the learning rate (Optax scale_by_rss). */
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

/** Adagrad (Duchi et al. 2011). */
export const adagrad = <P>(learningRate: Hyper, opts: AdagradOptions = {}): GradientTransformation<P, AdagradState<P>> =>
  withLearningRate('adagrad', scaleByRss<P>(opts), learningRate)
