/**
 * Comparisons (bool results, numpy broadcasting, no gradient) and `where`, which selects with
 * their results. Made from their primitives by op-factories.ts, like the arithmetic ops in
 * elementwise.ts.
 */

import { bind } from '../diff/bind.js'
import type { Tensor, TensorLike } from '../core/tensor.js'
import { asPair, asTensor } from './convert.js'
import { binary, NONE } from './op-factories.js'

/**
 * a == b, elementwise with numpy broadcasting, as a bool tensor (NaN equals nothing).
 *
 * Operands of one dtype, any of the four (bool included); a JS number takes the other operand's
 * dtype. No gradient flows through a comparison.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ.
 * @example
 * ```ts
 * import { equal, tensor } from 'puregrad'
 * equal(tensor([1, 2, NaN]), tensor([1, 3, NaN])).arraySync() // => [true, false, false]
 * ```
 */
export const equal = binary('equal')
/**
 * a != b, elementwise with numpy broadcasting, as a bool tensor (NaN differs from everything).
 *
 * Operands of one dtype, any of the four (bool included); a JS number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ.
 * @example
 * ```ts
 * import { notEqual, tensor } from 'puregrad'
 * notEqual(tensor([1, 2]), 2).arraySync() // => [true, false]
 * ```
 */
export const notEqual = binary('notEqual')
/**
 * a < b, elementwise with numpy broadcasting, as a bool tensor.
 *
 * Operands of one numeric dtype (int32, float32, float64); a JS number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { less, tensor } from 'puregrad'
 * less(tensor([1, 2, 3]), 2).arraySync() // => [true, false, false]
 * ```
 */
export const less = binary('less')
/**
 * a <= b, elementwise with numpy broadcasting, as a bool tensor.
 *
 * Operands of one numeric dtype (int32, float32, float64); a JS number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { lessEqual, tensor } from 'puregrad'
 * lessEqual(tensor([1, 2, 3]), 2).arraySync() // => [true, true, false]
 * ```
 */
export const lessEqual = binary('lessEqual')
/**
 * a > b, elementwise with numpy broadcasting, as a bool tensor.
 *
 * Operands of one numeric dtype (int32, float32, float64); a JS number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { greater, tensor } from 'puregrad'
 * greater(tensor([1, 2, 3]), 2).arraySync() // => [false, false, true]
 * ```
 */
export const greater = binary('greater')
/**
 * a >= b, elementwise with numpy broadcasting, as a bool tensor.
 *
 * Operands of one numeric dtype (int32, float32, float64); a JS number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { greaterEqual, tensor } from 'puregrad'
 * greaterEqual(tensor([1, 2, 3]), 2).arraySync() // => [false, true, true]
 * ```
 */
export const greaterEqual = binary('greaterEqual')

/**
 * Picks `a` where `cond` is true, else `b`, elementwise.
 *
 * `cond` is a bool tensor; `a` and `b` share a dtype (a JS number takes the other's dtype, float32
 * when both are numbers); all three broadcast to one shape, which is the result's. No gradient
 * leaks from the unpicked side, even where it is infinite or NaN.
 * @throws PuregradError `DTYPE_MISMATCH` when `cond` is not bool or `a` and `b` differ in dtype;
 * `BROADCAST` when the shapes do not broadcast.
 * @example
 * ```ts
 * import { greater, tensor, where } from 'puregrad'
 * const x = tensor([-1, 2, -3])
 * where(greater(x, 0), x, 0).arraySync() // => [0, 2, 0]
 * ```
 */
export const where = (cond: Tensor, a: TensorLike, b: TensorLike): Tensor => {
  const [ta, tb] = asPair('where', a, b)
  return bind('where', [asTensor('where', cond), ta, tb], NONE)
}
