/**
 * Gradient clipping as transformations: `clipByValue` clamps every element of the updates to
 * [min, max]; `clipByGlobalNorm` rescales all the updates together so that their global L2 norm
 * (over every leaf, Optax global_norm) is at most `maxNorm`, leaving them untouched when it
 * already is. Thresholds are hyperparameters (constants or schedules of the step count), so both
 * states are a count. The global norm is computed on the device; nothing is read to the host.
 */

import type { Tensor } from '../core/tensor.js'
import { cast, div, maximum, minimum, mul, sqrt } from '../ops/elementwise.js'
import { lessEqual, where } from '../ops/compare.js'
import { treeMap } from '../diff/tree.js'
import { check, checkHyper, hyperAt, type Hyper } from './schedules.js'
import type { CountState, GradientTransformation } from './transformation.js'
import { squaredNorm } from './tree-math.js'

export { globalNorm } from './tree-math.js'

const notNaN = (v: number): boolean => !Number.isNaN(v)

/**
 * Clamps every update element to [min, max] (`clipByValue(maxDelta)` is [-maxDelta, maxDelta],
 * Optax clip). NaN stays NaN. The bounds may be schedules; the state counts the updates.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a NaN bound or constant bounds with min > max.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { clipByValue } from 'puregrad/optim'
 *
 * const g = { w: tensor([-5, 0.5, 5]) }
 * const opt = clipByValue<typeof g>(-1, 2)
 * const [u] = opt.update(g, opt.init(g), g)
 * if (u.w.dataSync().join() !== '-1,0.5,2') throw new Error(`got ${u.w}`)
 * ```
 */
export function clipByValue<P>(maxDelta: Hyper): GradientTransformation<P, CountState>
export function clipByValue<P>(min: Hyper, max: Hyper): GradientTransformation<P, CountState>
export function clipByValue<P>(a: Hyper, b?: Hyper): GradientTransformation<P, CountState> {
  const op = 'clipByValue'
  const lo: Hyper = b === undefined ? (typeof a === 'number' ? -a : (s: number) => -a(s)) : a
  const hi: Hyper = b === undefined ? a : b
  checkHyper(op, b === undefined ? 'maxDelta' : 'min', b === undefined ? a : lo, notNaN, 'a number')
  checkHyper(op, 'max', hi, notNaN, 'a number')
  if (typeof lo === 'number' && typeof hi === 'number') check(op, lo <= hi, 'needs min <= max', `[${lo}, ${hi}]`)
  return {
    init: () => ({ count: 0 }),
    update: (grads, state) => {
      const l = hyperAt(lo, state.count), h = hyperAt(hi, state.count)
      return [treeMap(grads, (g: Tensor) => minimum(maximum(g, l), h)), { count: state.count + 1 }]
    },
  }
}

/**
 * Rescales the updates by maxNorm / ||updates|| when their global norm exceeds maxNorm (Optax
 * clip_by_global_norm). In floating point the clipped norm equals maxNorm up to rounding (a few
 * ulps of the working dtype). A NaN or infinite norm makes every update NaN: pair with
 * `skipNonFinite` to drop such steps. The state counts the updates.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant maxNorm that is negative or not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { clipByGlobalNorm, globalNorm } from 'puregrad/optim'
 *
 * const g = { a: tensor([3]), b: tensor([4]) }          // global norm 5
 * const opt = clipByGlobalNorm<typeof g>(1)
 * const [u] = opt.update(g, opt.init(g), g)
 * if (Math.abs(globalNorm(u).item() - 1) > 1e-6 || Math.abs(u.a.item() - 0.6) > 1e-6) throw new Error('clipped to norm 1')
 * ```
 */
export const clipByGlobalNorm = <P>(maxNorm: Hyper): GradientTransformation<P, CountState> => {
  checkHyper('clipByGlobalNorm', 'maxNorm', maxNorm, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')
  return {
    init: () => ({ count: 0 }),
    update: (grads, state) => {
      const next = { count: state.count + 1 }
      const sq = squaredNorm(grads)
      if (sq === undefined) return [grads, next]
      const m = hyperAt(maxNorm, state.count)
      const norm = sqrt(sq)
      const factor = where(lessEqual(norm, m), 1, div(m, norm))
      return [treeMap(grads, (g: Tensor) => mul(g, cast(factor, g.dtype))), next]
    },
  }
}
