/**
 * Elementwise compositions of the primitives in elementwise.ts: square, reciprocal, the logical
 * ops on bool tensors, isFinite and isNaN. They need no derivative rules of their own.
 */

import type { Tensor } from '../core/tensor.js'
import { fail } from '../core/errors.js'
import { abs, div, mul } from './elementwise.js'
import { equal, less, notEqual, where } from './compare.js'
import { asTensor, scalarLike } from './convert.js'

/**
 * x * x, elementwise.
 * Any shape; int32, float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { square, tensor } from 'puregrad'
 * square(tensor([-3, 2])).arraySync() // => [9, 4]
 * ```
 */
export const square = (x: Tensor): Tensor => { const t = asTensor('square', x); return mul(t, t) }
/**
 * 1 / x, elementwise (Infinity at 0).
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { reciprocal, tensor } from 'puregrad'
 * reciprocal(tensor([2, 4])).arraySync() // => [0.5, 0.25]
 * ```
 */
export const reciprocal = (x: Tensor): Tensor => { const t = asTensor('reciprocal', x); return div(scalarLike(1, t), t) }

/** The operand as a bool tensor (DTYPE_MISMATCH for any other dtype). */
const boolOperand = (op: string, x: Tensor): Tensor => {
  const t = asTensor(op, x)
  if (t.dtype !== 'bool') fail('DTYPE_MISMATCH', op, `needs bool operands, got ${t.dtype}`)
  return t
}
/**
 * Logical not of a bool tensor, elementwise. Same shape, bool.
 * @throws PuregradError `DTYPE_MISMATCH` when `x` is not bool.
 * @example
 * ```ts
 * import { logicalNot, tensor } from 'puregrad'
 * logicalNot(tensor([true, false])).arraySync() // => [false, true]
 * ```
 */
export const logicalNot = (x: Tensor): Tensor => { const t = boolOperand('logicalNot', x); return equal(t, scalarLike(false, t)) }
/**
 * Logical and of two bool tensors, elementwise with numpy broadcasting; bool result.
 * @throws PuregradError `DTYPE_MISMATCH` when an operand is not bool; `BROADCAST` when the shapes do
 * not broadcast.
 * @example
 * ```ts
 * import { logicalAnd, tensor } from 'puregrad'
 * logicalAnd(tensor([true, true, false]), tensor([true, false, false])).arraySync() // => [true, false, false]
 * ```
 */
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => {
  const ta = boolOperand('logicalAnd', a), tb = boolOperand('logicalAnd', b)
  return where(ta, tb, scalarLike(false, tb))
}
/**
 * Logical or of two bool tensors, elementwise with numpy broadcasting; bool result.
 * @throws PuregradError `DTYPE_MISMATCH` when an operand is not bool; `BROADCAST` when the shapes do
 * not broadcast.
 * @example
 * ```ts
 * import { logicalOr, tensor } from 'puregrad'
 * logicalOr(tensor([true, false, false]), tensor([true, true, false])).arraySync() // => [true, true, false]
 * ```
 */
export const logicalOr = (a: Tensor, b: Tensor): Tensor => {
  const ta = boolOperand('logicalOr', a), tb = boolOperand('logicalOr', b)
  return where(ta, scalarLike(true, tb), tb)
}
/**
 * Whether each value is finite (neither ±Infinity nor NaN), as a bool tensor of the same shape.
 *
 * Every int32 value is finite, so an int32 tensor gives true everywhere.
 * @throws PuregradError `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { isFinite, tensor } from 'puregrad'
 * isFinite(tensor([1, Infinity, NaN, -Infinity])).arraySync() // => [true, false, false, false]
 * ```
 */
export const isFinite = (x: Tensor): Tensor => {
  const t = asTensor('isFinite', x)
  // Infinity as an int32 bound would be 0: compare an int32 tensor with itself instead (always equal).
  return t.dtype === 'int32' ? equal(t, t) : less(abs(t), scalarLike(Infinity, t))
}
/**
 * Whether each value is NaN, as a bool tensor of the same shape (any dtype; only floats hold NaN).
 * @example
 * ```ts
 * import { isNaN, tensor } from 'puregrad'
 * isNaN(tensor([1, NaN, Infinity])).arraySync() // => [false, true, false]
 * ```
 */
export const isNaN = (x: Tensor): Tensor => { const t = asTensor('isNaN', x); return notEqual(t, t) }
