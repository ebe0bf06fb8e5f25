/**
 * Adam and its relatives, each as a scaling transform (the Optax scale_by_* without the learning
 * rate) and the optimizer that multiplies it by -lr. With t the update number (1 at the first):
 *
 * - Adam (Kingma & Ba 2015, Algorithm 1): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 *   m^ = m / (1 - b1^t), v^ = v / (1 - b2^t), update = -lr m^ / (sqrt(v^) + eps).
 * - AdamW (Loshchilov & Hutter 2019): update = -lr (m^ / (sqrt(v^) + eps) + wd params), the
 *   decay decoupled from the adaptive scaling (as Optax and PyTorch: wd is multiplied by lr).
 * - Adamax (Kingma & Ba 2015, Algorithm 2): m as Adam, u = max(b2 u, |g| + eps),
 *   update = -(lr / (1 - b1^t)) m / u (eps inside the max as Optax and PyTorch, so u > 0).
 *
 * States are `{ count, mu, nu }` with `mu` and `nu` shaped like the parameters and `count` the
 * number of updates made, a plain number. Any hyperparameter may be a schedule of the count
 * before the update (0 at the first); bias corrections use the current b1 and b2.
 */

import { abs, add, div, maximum, mul, sqrt } from '../ops/elementwise.js'
import { checkHyper, hyperAt, type Hyper } from './schedules.js'
import { withLearningRate, type GradientTransformation } from './transformation.js'
import { withDecayedWeights } from './decay.js'
import type { Mask } from './mask.js'
import { leafwise, zerosTree } from './tree-math.js'

export interface AdamOptions {
  /** Decay of the first moment. Default 0.9. */
  readonly b1?: Hyper
  /** Decay of the second moment (of the infinity norm, for adamax). Default 0.999. */
  readonly b2?: Hyper
  /** Added to the denominator. Default 1e-8. */
  readonly eps?: Hyper
}

export interface AdamWOptions<P> extends AdamOptions {
  /** The decoupled weight decay. Default 1e-4 (Optax's default). */
  readonly weightDecay?: Hyper
  /** Which leaves decay (default all). */
  readonly mask?: Mask<P>
}

/** Adam's state: the update count and the first and second moment estimates, shaped like P. */
export interface AdamState<P> {
  readonly count: number
  readonly mu: P
  readonly nu: P
}

/** Adamax's state: the update count, the first moment and the infinity norm u (as `nu`). */
export type AdamaxState<P> = AdamState<P>

const checkBetas = (op: string, o: AdamOptions): void => {
  const beta = (v: number): boolean => v >= 0 && v < 1
  checkHyper(op, 'b1', o.b1 ?? 0.9, beta, 'in [0, 1)')
  checkHyper(op, 'b2', o.b2 ?? 0.999, beta, 'in [0, 1)')
  checkHyper(op, 'eps', o.eps ?? 1e-8, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')
}

const hypers = (o: AdamOptions, count: number) => ({
  b1: hyperAt(o.b1 ?? 0.9, count),
  b2: hyperAt(o.b2 ?? 0.999, count),
  eps: hyperAt(o.eps ?? 1e-8, count),
  t: count + 1,
})

const initMoments = <P>(params: P): AdamState<P> => ({ count: 0, mu: zerosTree(params), nu: zerosTree(params) })

/** m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps), without the learning rate (Optax scale_by_adam). */
export const scaleByAdam = <P>(opts: AdamOptions = {}): GradientTransformation<P, AdamState<P>> => {
  checkBetas('scaleByAdam', opts)
  return {
    init: initMoments,
    update: (grads, state) => {
      const { b1, b2, eps, t } = hypers(opts, state.count)
      const mu = leafwise([state.mu, grads], ([m, g]) => add(mul(m, b1), mul(g, 1 - b1)))
      const nu = leafwise([state.nu, grads], ([v, g]) => add(mul(v, b2), mul(mul(g, g), 1 - b2)))
      const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t
      const u = leafwise([mu, nu], ([m, v]) => div(div(m, c1), add(sqrt(div(v, c2)), eps)))
      return [u, { count: t, mu, nu }]
    },
  }
}

/** Adam (Kingma & Ba 2015). */
export const adam = <P>(learningRate: Hyper, opts: AdamOptions = {}): GradientTransformation<P, AdamState<P>> =>
  withLearningRate('adam', scaleByAdam<P>(opts), learningRate)

/** AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019). */
export const adamw = <P>(learningRate: Hyper, opts: AdamWOptions<P> = {}): GradientTransformation<P, AdamState<P>> =>
  withLearningRate('adamw', withDecayedWeights('adamw', scaleByAdam<P>(opts), opts.weightDecay ?? 1e-4, opts.mask), learningRate)

/** m / (1 - b1^t) / u with u = max(b2 u, |g| + eps), without the learning rate (Optax scale_by_adamax). */
export const scaleByAdamax = <P>(opts: AdamOptions = {}): GradientTransformation<P, AdamaxState<P>> => {
  checkBetas('scaleByAdamax', opts)
  return {
    init: initMoments,
    update: (grads, state) => {
      const { b1, b2, eps, t } = hypers(opts, state.count)
      const mu = leafwise([state.mu, grads], ([m, g]) => add(mul(m, b1), mul(g, 1 - b1)))
      const nu = leafwise([state.nu, grads], ([u, g]) => maximum(mul(u, b2), add(abs(g), eps)))
      const c1 = 1 - b1 ** t
      const u = leafwise([mu, nu], ([m, n]) => div(div(m, c1), n))
      return [u, { count: t, mu, nu }]
    },
  }
}

/** Adamax (Kingma & Ba 2015, Algorithm 2). */
export const adamax = <P>(learningRate: Hyper, opts: AdamOptions = {}): GradientTransformation<P, AdamaxState<P>> =>
  withLearningRate('adamax', scaleByAdamax<P>(opts), learningRate)
