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

/** Applies dropout to one tensor: the function behind the layer, for use outside layers. */
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

/** A dropout layer dropping a fraction `rate` (in [0, 1]) of the elements in training mode. */
export const dropout = (rate: number): Layer<Empty, Empty> => {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) argError('dropout', `rate must be in [0, 1], got ${String(rate)}`)
  return stateless('dropout', (s) => [...s], (x, ctx) => dropoutFn(x, rate, ctx))
}
