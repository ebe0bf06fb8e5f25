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

export interface MatmulOptions { readonly transposeA?: boolean; readonly transposeB?: boolean }

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

/** Inner product of two vectors of equal length. */
export const dot = (a: Tensor, b: Tensor): Tensor => {
  ;[a, b] = asPair('dot', a, b)
  if (a.rank !== 1 || b.rank !== 1 || a.shape[0] !== b.shape[0]) {
    fail('SHAPE_MISMATCH', 'dot', `needs two vectors of one length, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`)
  }
  return sum(mul(a, b))
}

export const outer = (a: Tensor, b: Tensor): Tensor => {
  ;[a, b] = asPair('outer', a, b)
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]))
}
