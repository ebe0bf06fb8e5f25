/**
 * Elementwise ops: the unary and binary primitives, comparisons, `where`, `cast`,
 * `stopGradient`, and the small compositions built from them (square, reciprocal, logical ops).
 * Binary ops broadcast with numpy's rules and require equal dtypes (a JS number adapts).
 */

import { bind } from '../diff/bind.js'
import { Tensor, type TensorLike } from '../core/tensor.js'
import type { DType } from '../core/dtype.js'
import { isDType } from '../core/dtype.js'
import { fail } from '../core/errors.js'
import type { BinaryPrimitive, ComparePrimitive, UnaryPrimitive } from '../diff/primitives.js'
import { asPair, asTensor, scalarLike } from './convert.js'

const NONE = {} as Record<string, never>

const unary = (prim: UnaryPrimitive) => (x: Tensor): Tensor => bind(prim, [asTensor(prim, x)], NONE)
const binary = (prim: BinaryPrimitive | ComparePrimitive) => (a: TensorLike, b: TensorLike): Tensor =>
  bind(prim, asPair(prim, a, b), NONE)

export const neg = unary('neg')
export const exp = unary('exp')
export const log = unary('log')
export const sin = unary('sin')
export const cos = unary('cos')
export const sqrt = unary('sqrt')
export const tanh = unary('tanh')
export const abs = unary('abs')
/** -1, 0 or 1 (NaN stays NaN); zero gradient. */
export const sign = unary('sign')
export const floor = unary('floor')
export const ceil = unary('ceil')
/** Rounds half to even, as numpy does; zero gradient. */
export const round = unary('round')
export const erf = unary('erf')
export const log1p = unary('log1p')
export const expm1 = unary('expm1')

export const add = binary('add')
export const sub = binary('sub')
export const mul = binary('mul')
export const div = binary('div')
export const pow = binary('pow')
/** Elementwise maximum; NaN propagates; at ties the gradient is split equally. */
export const maximum = binary('maximum')
export const minimum = binary('minimum')

export const equal = binary('equal')
export const notEqual = binary('notEqual')
export const less = binary('less')
export const lessEqual = binary('lessEqual')
export const greater = binary('greater')
export const greaterEqual = binary('greaterEqual')

/** Picks `a` where `cond` is true, else `b`; all three broadcast. No gradient leaks from the unpicked side. */
export const where = (cond: Tensor, a: TensorLike, b: TensorLike): Tensor => {
  const [ta, tb] = asPair('where', a, b)
  return bind('where', [asTensor('where', cond), ta, tb], NONE)
}

export const cast = (x: Tensor, dtype: DType): Tensor => {
  if (!isDType(dtype)) fail('INVALID_ARGUMENT', 'cast', `unknown dtype ${String(dtype)}`)
  const t = asTensor('cast', x)
  return t.dtype === dtype ? t : bind('cast', [t], { dtype })
}

/** The identity, as a constant to every enclosing differentiation. */
export const stopGradient = (x: Tensor): Tensor => bind('stopGradient', [asTensor('stopGradient', x)], NONE)

export const square = (x: Tensor): Tensor => { const t = asTensor('square', x); return mul(t, t) }
export const reciprocal = (x: Tensor): Tensor => { const t = asTensor('reciprocal', x); return div(scalarLike(1, t), t) }

/** The operand as a bool tensor (DTYPE_MISMATCH for any other dtype). */
const boolOperand = (op: string, x: Tensor): Tensor => {
  const t = asTensor(op, x)
  if (t.dtype !== 'bool') fail('DTYPE_MISMATCH', op, `needs bool operands, got ${t.dtype}`)
  return t
}
export const logicalNot = (x: Tensor): Tensor => { const t = boolOperand('logicalNot', x); return equal(t, scalarLike(false, t)) }
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => {
  const ta = boolOperand('logicalAnd', a), tb = boolOperand('logicalAnd', b)
  return where(ta, tb, scalarLike(false, tb))
}
export const logicalOr = (a: Tensor, b: Tensor): Tensor => {
  const ta = boolOperand('logicalOr', a), tb = boolOperand('logicalOr', b)
  return where(ta, scalarLike(true, tb), tb)
}
export const isFinite = (x: Tensor): Tensor => { const t = asTensor('isFinite', x); return less(abs(t), scalarLike(Infinity, t)) }
export const isNaN = (x: Tensor): Tensor => { const t = asTensor('isNaN', x); return notEqual(t, t) }
