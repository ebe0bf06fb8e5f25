/**
 * Dropping bad steps: `skipNonFinite(inner)` runs `inner` only on gradients whose every element
 * is finite. A step whose gradients hold a NaN or an infinity returns zero updates (the
 * parameters stay put) and leaves the inner state untouched, and the state counts it (Optax
 * apply_if_finite). After `maxConsecutiveErrors` rejected steps in a row the next one is applied
 * anyway (default: never).
 *
 * Deciding needs one value on the host per step (the finiteness of all gradients together).
 */

import { check } from './schedules.js'
import type { GradientTransformation } from './transformation.js'
import { allFinite, zerosTree } from './tree-math.js'

/** Options of `skipNonFinite`. */
export interface SkipNonFiniteOptions {
  /** Rejected steps in a row after which a non-finite step is applied anyway. Default Infinity. */
  readonly maxConsecutiveErrors?: number
}

/** The state of `skipNonFinite(inner)`: the inner state and counts of rejected steps. */
export interface SkipNonFiniteState<S> {
  /** The inner transformation's state (unchanged by rejected steps). */
  readonly inner: S
  /** Rejected steps since the last applied one. */
  readonly notFiniteCount: number
  /** Whether the last step's gradients were all finite. */
  readonly lastFinite: boolean
  /** Rejected steps in total. */
  readonly totalNotFinite: number
}

/**
 * `inner` on finite gradients only; a step whose gradients hold a NaN or an infinity becomes zero
 * updates, leaves the inner state as it was and is counted (Optax apply_if_finite).
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a maxConsecutiveErrors that is not an integer >= 0
 * or Infinity.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { skipNonFinite, sgd } from 'puregrad/optim'
 *
 * const params = { w: tensor([1]) }
 * const opt = skipNonFinite(sgd<typeof params>(0.5))
 * const [u, state] = opt.update({ w: tensor([NaN]) }, opt.init(params), params)
 * if (u.w.item() !== 0 || state.totalNotFinite !== 1 || state.inner.count !== 0) throw new Error('skipped')
 * ```
 */
export const skipNonFinite = <P, S>(
  inner: GradientTransformation<P, S>,
  opts: SkipNonFiniteOptions = {},
): GradientTransformation<P, SkipNonFiniteState<S>> => {
  const max = opts.maxConsecutiveErrors ?? Infinity
  check('skipNonFinite', max === Infinity || (Number.isInteger(max) && max >= 0), 'maxConsecutiveErrors must be an integer >= 0 or Infinity', max)
  return {
    init: (params) => ({ inner: inner.init(params), notFiniteCount: 0, lastFinite: true, totalNotFinite: 0 }),
    update: (grads, state, params) => {
      const finite = allFinite(grads)
      const notFiniteCount = finite ? 0 : state.notFiniteCount + 1
      const totalNotFinite = state.totalNotFinite + (finite ? 0 : 1)
      if (finite || notFiniteCount > max) {
        const [u, s] = inner.update(grads, state.inner, params)
        return [u, { inner: s, notFiniteCount, lastFinite: finite, totalNotFinite }]
      }
      return [zerosTree(grads), { inner: state.inner, notFiniteCount, lastFinite: false, totalNotFinite }]
    },
  }
}
