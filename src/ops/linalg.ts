/**
 * Matrix products. `matmul` follows numpy: rank >= 2 operands multiply their last two axes and
 * broadcast the rest; a 1-D operand is treated as a row (left) or column (right) vector and its
 * unit axis dropped from the result. Transposes are flags, so gradients never copy a transpose.
 */

import { bind } from '../diff/bind.js'
import type { Tensor } from '../core/tensor.js'
import { fail, fmtShape } from '../core/errors.js'
import { asPair, asTensor, optionsOf } from './convert.js'
import { reshape } from './movement.js'
import { mul } from './elementwise.js'
import { sum } from './reduce.js'

/**
 * Options of {@link matmul}: `transposeA` / `transposeB` multiply by the transpose of the last two
 * axes of an operand of rank 2 or more, without copying it (ignored for a 1-D operand).
 */
export interface MatmulOptions { readonly transposeA?: boolean; readonly transposeB?: boolean }

/**
 * The matrix product, with numpy's rules: operands of rank 2 or more multiply their last two axes,
 * [..., m, k] x [..., k, n] -> [..., m, n], and broadcast the leading (batch) axes; a 1-D left
 * operand is a row vector and a 1-D right operand a column vector, whose unit axis is dropped from
 * the result.
 *
 * Both operands share a dtype: int32, float32 or float64.
 * @throws PuregradError `SHAPE_MISMATCH` for a scalar operand or inner dimensions that differ;
 * `BROADCAST` when the batch axes do not broadcast; `DTYPE_MISMATCH` when the dtypes differ or are bool.
 * @example
 * ```ts
 * import { matmul, ones, tensor } from 'puregrad'
 * const a = tensor([[1, 2], [3, 4]])
 * matmul(a, tensor([[5], [6]])).arraySync() // => [[17], [39]]
 * matmul(a, tensor([5, 6])).arraySync() // => [17, 39]
 * matmul(a, a, { transposeB: true }).arraySync() // => [[5, 11], [11, 25]]
 * matmul(ones([5, 2, 3]), ones([3, 4])).shape // => [5, 2, 4]
 * matmul(a, tensor([[1, 2, 3]])) // throws SHAPE_MISMATCH
 * ```
 */
export const matmul = (a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor => {
  const x = asTensor('matmul', a), y = asTensor('matmul', b)
  opts = optionsOf('matmul', opts)
  if (x.rank === 0 || y.rank === 0) fail('SHAPE_MISMATCH', 'matmul', `operands must have rank >= 1, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`)
  const xa = x.rank === 1 ? reshape(x, [1, x.shape[0]]) : x
  const yb = y.rank === 1 ? reshape(y, [y.shape[0], 1]) : y
  const params = { transposeA: x.rank > 1 && (opts.transposeA ?? false), transposeB: y.rank > 1 && (opts.transposeB ?? false) }
  const out = bind('matmul', [xa, yb], params)
  if (x.rank > 1 && y.rank > 1) return out
  const s = out.shape
  const keep = s.slice(0, -2)
  if (x.rank > 1) keep.push(s[s.length - 2])
  if (y.rank > 1) keep.push(s[s.length - 1])
  return reshape(out, keep)
}

/**
 * The inner product of two vectors of one length, as a scalar.
 *
 * Both operands share a dtype: int32, float32 or float64 (a JS number is not a vector).
 * @throws PuregradError `SHAPE_MISMATCH` unless both are 1-D of the same length; `DTYPE_MISMATCH`
 * when the dtypes differ or are bool.
 * @example
 * ```ts
 * import { dot, tensor } from 'puregrad'
 * dot(tensor([1, 2, 3]), tensor([4, 5, 6])).item() // => 32
 * ```
 */
export const dot = (a: Tensor, b: Tensor): Tensor => {
  ;[a, b] = asPair('dot', a, b)
  if (a.rank !== 1 || b.rank !== 1 || a.shape[0] !== b.shape[0]) {
    fail('SHAPE_MISMATCH', 'dot', `needs two vectors of one length, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`)
  }
  return sum(mul(a, b))
}

/**
 * The outer product: out[i][j] = a[i] * b[j], shape [a.size, b.size]. Operands of higher rank are
 * flattened first.
 *
 * Both operands share a dtype: int32, float32 or float64.
 * @throws PuregradError `DTYPE_MISMATCH` when the dtypes differ or are bool.
 * @example
 * ```ts
 * import { outer, tensor } from 'puregrad'
 * outer(tensor([1, 2]), tensor([3, 4, 5])).arraySync() // => [[3, 4, 5], [6, 8, 10]]
 * ```
 */
export const outer = (a: Tensor, b: Tensor): Tensor => {
  ;[a, b] = asPair('outer', a, b)
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]))
}
