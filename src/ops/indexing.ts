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
import { cast } from './elementwise.js'
import { equal } from './compare.js'
import { iotaLike } from '../core/constructors.js'
import { expandDims } from './movement.js'

/**
 * Takes the slices of `x` at `indices` along `axis` (default 0), numpy's `take`: the result's shape
 * is `x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]`. Any dtype for `x`; `indices` is int32.
 * The gradient scatters back with {@link scatterAdd} (repeated indices add up).
 * @throws PuregradError `DTYPE_MISMATCH` when `indices` is not int32; `INVALID_AXIS` for a bad axis;
 * `INDEX_OUT_OF_RANGE` for an index outside [0, x.shape[axis]) (on backends that read synchronously).
 * @example
 * ```ts
 * import { gather, tensor } from 'puregrad'
 * const x = tensor([[1, 2], [3, 4], [5, 6]])
 * gather(x, tensor([2, 0], { dtype: 'int32' })).arraySync() // => [[5, 6], [1, 2]]
 * gather(x, tensor([1, 1], { dtype: 'int32' }), 1).arraySync() // => [[2, 2], [4, 4], [6, 6]]
 * gather(x, tensor([7], { dtype: 'int32' })) // throws INDEX_OUT_OF_RANGE
 * ```
 */
export const gather = (x: Tensor, indices: Tensor, axis = 0): Tensor => {
  const t = asTensor('gather', x)
  return bind('gather', [t, asTensor('gather', indices)], { axis: normalizeAxis('gather', axis, t.rank) })
}

/**
 * Another name for {@link gather} (numpy's and TensorFlow.js's).
 * @example
 * ```ts
 * import { take, tensor } from 'puregrad'
 * take(tensor([10, 20, 30]), tensor([2, 2], { dtype: 'int32' })).arraySync() // => [30, 30]
 * ```
 */
export const take = gather

/**
 * The transpose of {@link gather}: a tensor whose `axis` has length `size`, zero except that the
 * slices of `updates` are added at `indices` (repeated indices add up). `updates` has shape
 * `out.shape[:axis] ++ indices.shape ++ out.shape[axis+1:]`; numeric dtype, kept; `indices` is int32.
 * @throws PuregradError `DTYPE_MISMATCH` when `indices` is not int32 or `updates` is bool;
 * `SHAPE_MISMATCH` when `updates` does not hold `indices` at `axis`; `INVALID_ARGUMENT` for a
 * negative size; `INDEX_OUT_OF_RANGE` for an index outside [0, size) (on backends that read synchronously).
 * @example
 * ```ts
 * import { scatterAdd, tensor } from 'puregrad'
 * const ix = tensor([0, 2, 0], { dtype: 'int32' })
 * scatterAdd(tensor([1, 2, 3]), ix, 0, 4).arraySync() // => [4, 0, 2, 0]
 * ```
 */
export const scatterAdd = (updates: Tensor, indices: Tensor, axis: number, size: number): Tensor => {
  const u = asTensor('scatterAdd', updates), ix = asTensor('scatterAdd', indices)
  checkInt('scatterAdd', 'size', size)
  if (size < 0) fail('INVALID_ARGUMENT', 'scatterAdd', `size must be non-negative, got ${size}`)
  const a = normalizeAxis('scatterAdd', axis, u.rank - ix.rank + 1)
  return bind('scatterAdd', [u, ix], { axis: a, size })
}

/**
 * One-hot encoding of int32 class indices along a new last axis of length `depth`: shape
 * `[...indices.shape, depth]`, in `dtype` (default float32; bool, int32 and float64 too). An index
 * outside [0, depth) gives a row of zeros, as in JAX.
 * @throws PuregradError `DTYPE_MISMATCH` when `indices` is not int32; `INVALID_ARGUMENT` for a
 * negative or non-integer depth.
 * @example
 * ```ts
 * import { oneHot, tensor } from 'puregrad'
 * oneHot(tensor([0, 2, 5], { dtype: 'int32' }), 3).arraySync() // => [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
 * ```
 */
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

