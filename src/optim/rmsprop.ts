/**
 * RMSprop (Tieleman & Hinton 2012, lecture 6.5) and its centered form (Graves 2013, eq. 38-40),
 * without momentum, eps outside the square root as in PyTorch:
 *
 *   nu = decay nu + (1 - decay) g^2                       (nu_0 = initialScale)
 *   update = -lr g / (sqrt(nu) + eps)                     (plain)
 *   mu = decay mu + (1 - decay) g                         (mu_0 = 0, centered only)
 *   update = -lr g / (sqrt(nu - mu^2) + eps)              (centered: by the variance estimate)
 *
 * nu - mu^2 >= 0 in exact arithmetic; it is clamped at 0 so rounding cannot make a NaN.
 *
 * Defaults: decay 0.9 (Hinton's lecture, Optax), eps 1e-8. Chain with `trace` for momentum.
 */

import { add, div, maximum, mul, sqrt, sub } from '../ops/elementwise.js'
import { full } from '../core/constructors.js'
import type { Tensor } from '../core/tensor.js'
import { treeMap } from '../diff/tree.js'
import { check, checkHyper, hyperAt, type Hyper } from './schedules.js'
import { withLearningRate, type GradientTransformation } from './transformation.js'
import { leafwise, zerosTree } from './tree-math.js'

/** Options of `rmsprop` and `scaleByRms`. */
export interface RmspropOptions {
  /** Decay of the moving averages. Default 0.9. */
  readonly decay?: Hyper
  /** Added to the root. Default 1e-8. */
  readonly eps?: Hyper
  /** Divide by the root of the variance estimate nu - mu^2 instead of nu. Default false. */
  readonly centered?: boolean
  /** nu_0 for every coordinate. Default 0. */
  readonly initialScale?: number
}

/** RMSprop's state: the update count, the mean square nu, and the mean gradient mu (null unless centered). */
export interface RmspropState<P> {
  readonly count: number
  readonly nu: P
  readonly mu: P | null
}

/**
 * g / (sqrt(nu) + eps), or by the centered root sqrt(nu - mu²) + eps, without the learning rate
 * (Optax scale_by_rms / scale_by_stddev).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant decay outside [0, 1) or an eps or
 * initialScale that is negative or not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { scaleByRms } from 'puregrad/optim'
 *
 * const g = { w: tensor([2]) }
 * const opt = scaleByRms<typeof g>({ decay: 0.75, eps: 0 })
 * const [u, state] = opt.update(g, opt.init(g), g)    // nu = 0.25 * 4 = 1, so u = 2 / 1
 * if (u.w.item() !== 2 || state.nu.w.item() !== 1 || state.mu !== null) throw new Error(`got ${u.w}`)
 * ```
 */
export const scaleByRms = <P>(opts: RmspropOptions = {}): GradientTransformation<P, RmspropState<P>> => {
  const op = 'scaleByRms'
  const centered = opts.centered ?? false
  const nu0 = opts.initialScale ?? 0
  checkHyper(op, 'decay', opts.decay ?? 0.9, (v) => v >= 0 && v < 1, 'in [0, 1)')
  checkHyper(op, 'eps', opts.eps ?? 1e-8, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')
  check(op, Number.isFinite(nu0) && nu0 >= 0, 'initialScale must be a finite number >= 0', nu0)
  return {
    init: (params) => ({
      count: 0,
      nu: treeMap(params, (x: Tensor) => full(x.shape, nu0, { dtype: x.dtype })),
      mu: centered ? zerosTree(params) : null,
    }),
    update: (grads, state) => {
      const d = hyperAt(opts.decay ?? 0.9, state.count), eps = hyperAt(opts.eps ?? 1e-8, state.count)
      const nu = leafwise([state.nu, grads], ([v, g]) => add(mul(v, d), mul(mul(g, g), 1 - d)))
      const mu = state.mu === null ? null : leafwise([state.mu, grads], ([m, g]) => add(mul(m, d), mul(g, 1 - d)))
      const u = mu === null
        ? leafwise([grads, nu], ([g, v]) => div(g, add(sqrt(v), eps)))
        : leafwise([grads, nu, mu], ([g, v, m]) => div(g, add(sqrt(maximum(sub(v, mul(m, m)), 0)), eps)))
      return [u, { count: state.count + 1, nu, mu }]
    },
  }
}

/**
 * RMSprop, plain or centered (`{ centered: true }`): update = -lr g / (sqrt(nu) + eps), nu the
 * moving mean of g²; state `{ count, nu, mu }` (mu null unless centered).
 *
 * @throws PuregradError as `scaleByRms`, `INVALID_ARGUMENT` for a learning rate that is negative
 * or not finite, and `DTYPE_MISMATCH` from init for an integer or bool leaf.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { rmsprop } from 'puregrad/optim'
 *
 * const params = { w: tensor([1, 1]) }
 * const opt = rmsprop<typeof params>(0.01, { centered: true })
 * const [u, state] = opt.update({ w: tensor([5, -5]) }, opt.init(params), params)
 * if (!(u.w.dataSync()[0] < 0 && u.w.dataSync()[1] > 0) || state.mu === null) throw new Error('rmsprop')
 * ```
 */
export const rmsprop = <P>(learningRate: Hyper, opts: RmspropOptions = {}): GradientTransformation<P, RmspropState<P>> =>
  withLearningRate('rmsprop', scaleByRms<P>(opts), learningRate)
