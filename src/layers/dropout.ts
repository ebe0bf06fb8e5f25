/**
 * Dropout (Srivastava et al., 2014), inverted: in training each element is kept with probability
 * 1 - rate and scaled by 1 / (1 - rate), so the expected output equals the input and inference is
 * the identity. The mask comes from `ctx.key`: the same key drops the same elements.
 */

import { PuregradError } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { scalarLike } from '../ops/convert.js'
import { mul } from '../ops/elementwise.js'
import { bernoulliBits } from '../random/distributions.js'
import { checkKey } from '../random/key.js'
import { argError, expectFloat, hostLike, stateless, type Empty, type Layer } from './layer.js'

/**
 * Applies dropout to one float tensor: the function behind the `dropout` layer, for use outside
 * layers. Outside training (or with rate 0) it returns x itself; in training each element is kept
 * with probability 1 - rate and scaled by 1 / (1 - rate), the mask drawn from `ctx.key`.
 *
 * @throws PuregradError `INVALID_ARGUMENT` in training without a key (or with something else in
 * its place); `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { dropoutFn, key } from 'puregrad/layers'
 *
 * const x = ones([1000])
 * if (dropoutFn(x, 0.5, { training: false }) !== x) throw new Error('inference is the identity')
 * const y = dropoutFn(x, 0.5, { training: true, key: key(0) }).dataSync()
 * if (!y.every((v) => v === 0 || v === 2)) throw new Error('kept elements are scaled by 2')
 * const kept = y.filter((v) => v === 2).length
 * if (kept < 400 || kept > 600) throw new Error(`kept ${kept} of 1000`)
 * ```
 */
export const dropoutFn = (x: Tensor, rate: number, ctx: { readonly training?: boolean; readonly key?: unknown }): Tensor => {
  const name = 'dropout'
  expectFloat(name, x)
  if (ctx.training !== true || rate === 0) return x
  if (ctx.key === undefined) {
    throw new PuregradError('INVALID_ARGUMENT', 'training mode needs a PRNG key: apply(params, state, x, { training: true, key })', name)
  }
  const key = checkKey(name, ctx.key)
  // rate 1 drops everything; scaling by 1 / 0 would turn the dropped zeros into NaN gradients.
  if (rate === 1) return mul(x, scalarLike(0, x))
  // The scaled mask is made on the host and uploaded next to x (whatever the current backend).
  const keep = bernoulliBits(key, x.size, 1 - rate)
  const scale = 1 / (1 - rate)
  return mul(x, hostLike(Float64Array.from(keep, (k) => k * scale), x.shape, x))
}

/**
 * A dropout layer dropping a fraction `rate` (in [0, 1]) of the elements in training mode (see
 * `dropoutFn`); the identity in inference. No params, no state; apply needs `ctx.key` in training.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a rate outside [0, 1], or from apply in training
 * without a key; `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { dropout, key } from 'puregrad/layers'
 *
 * const layer = dropout(0.25)
 * const { params, state } = layer.init(key(0), [8])
 * const [train] = layer.apply(params, state, ones([4, 8]), { training: true, key: key(1) })
 * const [infer] = layer.apply(params, state, ones([4, 8]))
 * if (!train.dataSync().some((v) => v === 0) || !infer.dataSync().every((v) => v === 1)) throw new Error('dropout')
 * ```
 */
export const dropout = (rate: number): Layer<Empty, Empty> => {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) argError('dropout', `rate must be in [0, 1], got ${String(rate)}`)
  return stateless('dropout', (s) => [...s], (x, ctx) => dropoutFn(x, rate, ctx))
}
