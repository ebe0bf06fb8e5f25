/**
 * Elementwise ops: the unary and binary arithmetic primitives, `cast` and `stopGradient`.
 * Comparisons and `where` are in compare.ts; the small compositions built from them (square,
 * reciprocal, logical ops) in elementwise-derived.ts. Binary ops broadcast with numpy's rules and
 * require equal dtypes (a JS number adapts).
 */

import { bind } from '../diff/bind.js'
import { Tensor, type TensorLike } from '../core/tensor.js'
import type { DType } from '../core/dtype.js'
import { isDType } from '../core/dtype.js'
import { fail } from '../core/errors.js'
import { asTensor } from './convert.js'
import { binary, NONE, unary } from './op-factories.js'

/**
 * -x, elementwise.
 * Any shape; int32, float32 or float64, kept. The derivative is -1.
 * @throws PuregradError `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { neg, tensor } from 'puregrad'
 * neg(tensor([1, -2, 0])).arraySync() // => [-1, 2, -0]
 * ```
 */
export const neg = unary('neg')
/**
 * e^x, elementwise.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { exp, tensor } from 'puregrad'
 * exp(tensor([0, 1])).arraySync() // => [1, 2.71828]
 * ```
 */
export const exp = unary('exp')
/**
 * The natural logarithm, elementwise: -Infinity at 0, NaN below.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { log, tensor } from 'puregrad'
 * log(tensor([1, Math.E, 0])).arraySync() // => [0, 1, -Infinity]
 * ```
 */
export const log = unary('log')
/**
 * Sine (radians), elementwise.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { sin, tensor } from 'puregrad'
 * sin(tensor([0, Math.PI / 2])).arraySync() // => [0, 1]
 * ```
 */
export const sin = unary('sin')
/**
 * Cosine (radians), elementwise.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { cos, tensor } from 'puregrad'
 * cos(tensor([0, Math.PI])).arraySync() // => [1, -1]
 * ```
 */
export const cos = unary('cos')
/**
 * Square root, elementwise: NaN for negative values. The derivative at 0 is Infinity.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { sqrt, tensor } from 'puregrad'
 * sqrt(tensor([4, 9, 0])).arraySync() // => [2, 3, 0]
 * ```
 */
export const sqrt = unary('sqrt')
/**
 * Hyperbolic tangent, elementwise.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { tanh, tensor } from 'puregrad'
 * tanh(tensor([0, 1])).arraySync() // => [0, 0.76159]
 * ```
 */
export const tanh = unary('tanh')
/**
 * Absolute value, elementwise. The derivative is `sign(x)`, so 0 at 0.
 * Any shape; int32, float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { abs, tensor } from 'puregrad'
 * abs(tensor([-3, 0, 2])).arraySync() // => [3, 0, 2]
 * ```
 */
export const abs = unary('abs')
/**
 * -1, 0 or 1 by the sign of each value (NaN stays NaN); zero gradient.
 * Any shape; int32, float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { sign, tensor } from 'puregrad'
 * sign(tensor([-2, 0, 5])).arraySync() // => [-1, 0, 1]
 * ```
 */
export const sign = unary('sign')
/**
 * Rounds down to an integer value, elementwise; zero gradient.
 * Any shape; float32 or float64, kept (cast to int32 for integers).
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor.
 * @example
 * ```ts
 * import { floor, tensor } from 'puregrad'
 * floor(tensor([1.7, -1.2])).arraySync() // => [1, -2]
 * ```
 */
export const floor = unary('floor')
/**
 * Rounds up to an integer value, elementwise; zero gradient.
 * Any shape; float32 or float64, kept (cast to int32 for integers).
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor.
 * @example
 * ```ts
 * import { ceil, tensor } from 'puregrad'
 * ceil(tensor([1.2, -1.7])).arraySync() // => [2, -1]
 * ```
 */
export const ceil = unary('ceil')
/**
 * Rounds to the nearest integer value, halves to even as numpy does; zero gradient.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor.
 * @example
 * ```ts
 * import { round, tensor } from 'puregrad'
 * round(tensor([0.5, 1.5, 2.5, 2.7])).arraySync() // => [0, 2, 2, 3]
 * ```
 */
export const round = unary('round')
/**
 * The Gauss error function, elementwise (the GELU and normal-CDF building block).
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { erf, tensor } from 'puregrad'
 * erf(tensor([0, 1])).arraySync() // => [0, 0.84270]
 * ```
 */
export const erf = unary('erf')
/**
 * log(1 + x), elementwise, accurate for x near 0 where `log(add(x, 1))` rounds 1 + x.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { log1p, tensor } from 'puregrad'
 * log1p(tensor([1e-10])).item() * 1e10 // => 1
 * log1p(tensor([1])).arraySync() // => [0.69315]
 * ```
 */
export const log1p = unary('log1p')
/**
 * e^x - 1, elementwise, accurate for x near 0 where `sub(exp(x), 1)` cancels.
 * Any shape; float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor (cast it first).
 * @example
 * ```ts
 * import { expm1, tensor } from 'puregrad'
 * expm1(tensor([1e-10])).item() * 1e10 // => 1
 * expm1(tensor([1])).arraySync() // => [1.71828]
 * ```
 */
export const expm1 = unary('expm1')

/**
 * a + b, elementwise with numpy broadcasting.
 *
 * `a` and `b` broadcast to a common shape (align on the right; a dimension of 1 stretches) and
 * must share a dtype: int32, float32 or float64. A JS number takes the other operand's dtype (and
 * is truncated for int32); two numbers make float32 scalars. The gradient of each operand is summed
 * back to its own shape.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { add, tensor } from 'puregrad'
 * add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).arraySync() // => [[11, 22], [13, 24]]
 * add(tensor([1, 2]), 0.5).arraySync() // => [1.5, 2.5]
 * add(tensor([1, 2]), tensor([1, 2, 3])) // throws BROADCAST
 * ```
 */
export const add = binary('add')
/**
 * a - b, elementwise with numpy broadcasting.
 *
 * Shapes broadcast and dtypes (int32, float32, float64) must match, as for {@link add}; a JS
 * number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { sub, tensor } from 'puregrad'
 * sub(tensor([5, 7]), 2).arraySync() // => [3, 5]
 * sub(1, tensor([0.25])).arraySync() // => [0.75]
 * ```
 */
export const sub = binary('sub')
/**
 * a * b, elementwise with numpy broadcasting.
 *
 * Shapes broadcast and dtypes (int32, float32, float64) must match, as for {@link add}; a JS
 * number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { mul, tensor } from 'puregrad'
 * mul(tensor([[1], [2]]), tensor([3, 4])).arraySync() // => [[3, 4], [6, 8]]
 * ```
 */
export const mul = binary('mul')
/**
 * a / b, elementwise with numpy broadcasting (x / 0 is ±Infinity, 0 / 0 NaN).
 *
 * Shapes broadcast as for {@link add}; both operands float32 or float64, one dtype (cast integers
 * first); a JS number takes the other operand's dtype.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are not float.
 * @example
 * ```ts
 * import { div, tensor } from 'puregrad'
 * div(tensor([1, 3]), 2).arraySync() // => [0.5, 1.5]
 * div(tensor([1, 0]), 0).arraySync() // => [Infinity, NaN]
 * ```
 */
export const div = binary('div')
/**
 * a raised to the power b, elementwise with numpy broadcasting.
 *
 * Shapes broadcast as for {@link add}; both operands float32 or float64, one dtype. A negative base
 * with a non-integer exponent gives NaN. The gradient with respect to `b` is `log(a) * a^b`, taken
 * as 0 where `a` is 0.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are not float.
 * @example
 * ```ts
 * import { pow, tensor } from 'puregrad'
 * pow(tensor([2, 3]), 2).arraySync() // => [4, 9]
 * pow(tensor([4]), 0.5).arraySync() // => [2]
 * ```
 */
export const pow = binary('pow')
/**
 * The larger of a and b, elementwise with numpy broadcasting; NaN propagates. At ties the gradient
 * is split equally between the operands.
 *
 * Shapes broadcast and dtypes (int32, float32, float64) must match, as for {@link add}.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { grad, maximum, sum, tensor, type Tensor } from 'puregrad'
 * maximum(tensor([1, 5, 3]), 2).arraySync() // => [2, 5, 3]
 * grad((x: Tensor) => sum(maximum(x, 1)))(tensor([0, 1, 2])).arraySync() // => [0, 0.5, 1]
 * ```
 */
export const maximum = binary('maximum')
/**
 * The smaller of a and b, elementwise with numpy broadcasting; NaN propagates. At ties the gradient
 * is split equally between the operands.
 *
 * Shapes broadcast and dtypes (int32, float32, float64) must match, as for {@link add}.
 * @throws PuregradError `BROADCAST` when the shapes do not broadcast; `DTYPE_MISMATCH` when the
 * dtypes differ or are bool.
 * @example
 * ```ts
 * import { minimum, tensor } from 'puregrad'
 * minimum(tensor([1, 5, 3]), 2).arraySync() // => [1, 2, 2]
 * ```
 */
export const minimum = binary('minimum')

/**
 * Converts to another dtype: the only dtype conversion puregrad makes (none is implicit).
 *
 * Any shape, kept. Float to int32 truncates toward zero; to bool, non-zero is true; from bool, true
 * is 1. Returns `x` itself when it already has `dtype`. Gradients flow through float-to-float casts
 * only (cast back to the input's dtype).
 * @throws PuregradError `INVALID_ARGUMENT` for an unknown dtype.
 * @example
 * ```ts
 * import { cast, tensor } from 'puregrad'
 * const y = cast(tensor([1.7, -1.7, 0]), 'int32')
 * y.dtype // => 'int32'
 * y.arraySync() // => [1, -1, 0]
 * cast(tensor([2, 0]), 'bool').arraySync() // => [true, false]
 * ```
 */
export const cast = (x: Tensor, dtype: DType): Tensor => {
  if (!isDType(dtype)) fail('INVALID_ARGUMENT', 'cast', `unknown dtype ${String(dtype)}`)
  const t = asTensor('cast', x)
  return t.dtype === dtype ? t : bind('cast', [t], { dtype })
}

/**
 * The identity, seen as a constant by every enclosing differentiation: its gradient is zero.
 * Any shape and dtype, kept.
 * @example
 * ```ts
 * import { grad, mul, stopGradient, tensor, type Tensor } from 'puregrad'
 * // d/dx of x * c, where c = x is held constant: c
 * grad((x: Tensor) => mul(x, stopGradient(x)))(tensor(3)).item() // => 3
 * ```
 */
export const stopGradient = (x: Tensor): Tensor => bind('stopGradient', [asTensor('stopGradient', x)], NONE)
