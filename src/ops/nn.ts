/**
 * The composed ops neural networks lean on: relu, sigmoid, softmax, logSoftmax, logSumExp
 * (numerically stable), clip and norm. All are built from primitives, so they differentiate to
 * any order with no rules of their own.
 */

import type { AxisOptions, Tensor } from '../core/tensor.js'
import { asTensor, optionsOf, scalarLike } from './convert.js'
import { fail } from '../core/errors.js'
import { normalizeAxes, normalizeAxis } from '../core/shape.js'
import { add, div, exp, log, maximum, minimum, mul, sqrt, stopGradient, sub, tanh } from './elementwise.js'
import { greater, where } from './compare.js'
import { isFinite } from './elementwise-derived.js'
import { max, sum } from './reduce.js'

/**
 * max(x, 0), elementwise, with derivative 0 at x = 0 (the usual convention). int32, float32 or
 * float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { grad, relu, sum, tensor, type Tensor } from 'puregrad'
 * relu(tensor([-1, 0, 2])).arraySync() // => [0, 0, 2]
 * grad((x: Tensor) => sum(relu(x)))(tensor([-1, 0, 2])).arraySync() // => [0, 0, 1]
 * ```
 */
export const relu = (x: Tensor): Tensor => {
  x = asTensor('relu', x)
  return where(greater(x, scalarLike(0, x)), x, scalarLike(0, x))
}

/**
 * The logistic function 1 / (1 + e^-x), elementwise, computed as (1 + tanh(x/2)) / 2 so that
 * neither it nor its derivatives overflow. float32 or float64, kept.
 * @throws PuregradError `DTYPE_MISMATCH` for an int32 or bool tensor.
 * @example
 * ```ts
 * import { sigmoid, tensor } from 'puregrad'
 * sigmoid(tensor([0, 2, -1000])).arraySync() // => [0.5, 0.88080, 0]
 * ```
 */
export const sigmoid = (x: Tensor): Tensor => {
  x = asTensor('sigmoid', x)
  const half = scalarLike(0.5, x)
  return mul(half, add(tanh(mul(half, x)), scalarLike(1, x)))
}

/**
 * Limits values to [lo, hi], elementwise. The gradient is 1 inside, 0 outside, and 0.5 exactly at
 * a bound (maximum and minimum split ties, as in JAX). Numeric dtypes, kept (the bounds take `x`'s
 * dtype, truncated for int32).
 * @throws PuregradError `INVALID_ARGUMENT` when a bound is not a number; `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { clip, grad, sum, tensor, type Tensor } from 'puregrad'
 * clip(tensor([-2, 0.5, 3]), 0, 1).arraySync() // => [0, 0.5, 1]
 * grad((x: Tensor) => sum(clip(x, 0, 1)))(tensor([-1, 0, 0.5, 2])).arraySync() // => [0, 0.5, 1, 0]
 * ```
 */
export const clip = (x: Tensor, lo: number, hi: number): Tensor => {
  x = asTensor('clip', x)
  if (typeof lo !== 'number' || typeof hi !== 'number') fail('INVALID_ARGUMENT', 'clip', `bounds must be numbers, got ${typeof lo} and ${typeof hi}`)
  return minimum(maximum(x, scalarLike(lo, x)), scalarLike(hi, x))
}

/** A finite shift for stable exponentials: the max, or 0 where the max is infinite. */
const shift = (x: Tensor, axis: AxisOptions['axis']): Tensor => {
  const m = stopGradient(max(x, { axis, keepDims: true }))
  return where(isFinite(m), m, scalarLike(0, m))
}

/**
 * log(sum(exp(x))) over `opts.axis` (one, several, or all when omitted), without overflow: the
 * maximum is shifted out first. Drops the reduced axes unless `opts.keepDims`. A slice of all
 * -Infinity gives -Infinity. float32 or float64, kept.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for int32 or bool.
 * @example
 * ```ts
 * import { logSumExp, tensor } from 'puregrad'
 * logSumExp(tensor([1000, 1000])).item() // => 1000.69315
 * logSumExp(tensor([[0, 0], [1, 1]]), { axis: 1 }).arraySync() // => [0.69315, 1.69315]
 * ```
 */
export const logSumExp = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  x = asTensor('logSumExp', x)
  opts = optionsOf('logSumExp', opts)
  normalizeAxes('logSumExp', opts.axis, x.rank)
  const m = shift(x, opts.axis)
  const s = log(sum(exp(sub(x, m)), { axis: opts.axis, keepDims: true }))
  const out = add(s, m)
  return opts.keepDims ? out : sum(out, { axis: opts.axis })
}

/**
 * exp(x) / sum(exp(x)) along `axis` (default -1, the last), computed without overflow; the result
 * sums to 1 along the axis and a -Infinity logit gets probability 0. float32 or float64, same shape.
 * @throws PuregradError `INVALID_AXIS` for an axis outside [-rank, rank); `DTYPE_MISMATCH` for int32 or bool.
 * @example
 * ```ts
 * import { softmax, tensor } from 'puregrad'
 * softmax(tensor([1, 2, 3])).arraySync() // => [0.09003, 0.24473, 0.66524]
 * softmax(tensor([0, -Infinity])).arraySync() // => [1, 0]
 * ```
 */
export const softmax = (x: Tensor, axis: number = -1): Tensor => {
  x = asTensor('softmax', x)
  normalizeAxis('softmax', axis, x.rank)
  const e = exp(sub(x, shift(x, axis)))
  return div(e, sum(e, { axis, keepDims: true }))
}

/**
 * log(softmax(x)) along `axis` (default -1, the last), computed as (x - m) - log(sum(exp(x - m)))
 * with the constant shift m = max(x): exact where x - logSumExp(x) would round the large
 * intermediate x + log(n) (float32 at 1000 loses 300 ulps). float32 or float64, same shape.
 * @throws PuregradError `INVALID_AXIS` for an axis outside [-rank, rank); `DTYPE_MISMATCH` for int32 or bool.
 * @example
 * ```ts
 * import { logSoftmax, tensor } from 'puregrad'
 * logSoftmax(tensor([1, 2, 3])).arraySync() // => [-2.40761, -1.40761, -0.40761]
 * ```
 */
export const logSoftmax = (x: Tensor, axis: number = -1): Tensor => {
  x = asTensor('logSoftmax', x)
  normalizeAxis('logSoftmax', axis, x.rank)
  const shifted = sub(x, shift(x, axis))
  return sub(shifted, log(sum(exp(shifted), { axis, keepDims: true })))
}

/**
 * The Euclidean (L2) norm over `opts.axis` (one, several, or all when omitted), dropping the
 * reduced axes unless `opts.keepDims`. Its gradient at exactly 0 is NaN, as sqrt's. float32 or
 * float64, kept.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for int32 or bool.
 * @example
 * ```ts
 * import { norm, tensor } from 'puregrad'
 * norm(tensor([3, 4])).item() // => 5
 * norm(tensor([[3, 4], [6, 8]]), { axis: 1 }).arraySync() // => [5, 10]
 * ```
 */
export const norm = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  x = asTensor('norm', x)
  opts = optionsOf('norm', opts)
  normalizeAxes('norm', opts.axis, x.rank)
  return sqrt(sum(mul(x, x), opts))
}
