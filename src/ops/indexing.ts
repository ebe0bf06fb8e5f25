/**
 * Indexing: `gather` (numpy's take along an axis) and its transpose `scatterAdd`, plus `oneHot`.
 * Indices are int32 tensors; an index outside the axis is an INDEX_OUT_OF_RANGE error on
 * backends that read synchronously.
 */

import { bind } from '../diff/bind.js'
import type { Tensor } from '../core/tensor.js'
import type { DType } from '../core/dtype.js'
import { checkInt, checkSize, normalizeAxis } from '../core/shape.js'
import { fail } from '../core/errors.js'
import { asTensor, scalarLike } from './convert.js'
import { cast, equal } from './elementwise.js'
import { iotaLike } from '../core/constructors.js'
import { expandDims } from './movement.js'

/** Takes the slices of `x` at `indices` along `axis`: out = x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]. */
export const gather = (x: Tensor, indices: Tensor, axis = 0): Tensor => {
  const t = asTensor('gather', x)
  return bind('gather', [t, asTensor('gather', indices)], { axis: normalizeAxis('gather', axis, t.rank) })
}

export const take = gather

/** Adds the rows of `updates` into a zero tensor whose `axis` has length `size`, at `indices`. */
export const scatterAdd = (updates: Tensor, indices: Tensor, axis: number, size: number): Tensor => {
  const u = asTensor('scatterAdd', updates), ix = asTensor('scatterAdd', indices)
  checkInt('scatterAdd', 'size', size)
  if (size < 0) fail('INVALID_ARGUMENT', 'scatterAdd', `size must be non-negative, got ${size}`)
  const a = normalizeAxis('scatterAdd', axis, u.rank - ix.rank + 1)
  return bind('scatterAdd', [u, ix], { axis: a, size })
}

/** One-hot encoding of int32 class indices along a new last axis; an index outside [0, depth) gives a zero row, as in JAX. */
export const oneHot = (indices: Tensor, depth: number, dtype: DType = 'float32'): Tensor => {
  const ix = asTensor('oneHot', indices)
  if (ix.dtype !== 'int32') fail('DTYPE_MISMATCH', 'oneHot', `indices must be int32, got ${ix.dtype}`)
  checkInt('oneHot', 'depth', depth)
  if (depth < 0) fail('INVALID_ARGUMENT', 'oneHot', `depth must be non-negative, got ${depth}`)
  checkSize('oneHot', [depth])
  checkSize('oneHot', [...ix.shape, depth])
  const classes = iotaLike(depth, ix)
  const hit = equal(expandDims(ix, ix.rank), classes)
  return dtype === 'bool' ? hit : cast(hit, dtype)
}

