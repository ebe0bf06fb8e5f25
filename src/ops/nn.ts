/**
 * The composed ops neural networks lean on: relu, sigmoid, softmax, logSoftmax, logSumExp
 * (numerically stable), clip and norm. All are built from primitives, so they differentiate to
 * any order with no rules of their own.
 */

import type { Tensor } from '../core/tensor.js'
import { asTensor, optionsOf, scalarLike } from './convert.js'
import { fail } from '../core/errors.js'
import { normalizeAxes, normalizeAxis } from '../core/shape.js'
import { add, div, exp, greater, isFinite, log, maximum, minimum, mul, sqrt, stopGradient, sub, tanh, where } from './elementwise.js'
import { max, sum } from './reduce.js'

/** max(x, 0), with derivative 0 at x = 0 (the usual convention). */
export const relu = (x: Tensor): Tensor => {
  x = asTensor('relu', x)
  return where(greater(x, scalarLike(0, x)), x, scalarLike(0, x))
}

/** 1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so neither it nor its derivatives overflow. */
export const sigmoid = (x: Tensor): Tensor => {
  x = asTensor('sigmoid', x)
  const half = scalarLike(0.5, x)
  return mul(half, add(tanh(mul(half, x)), scalarLike(1, x)))
}

/**
 * Limits values to [lo, hi]; the gradient is 1 inside, 0 outside, and 0.5 exactly at a bound
 * (maximum/minimum split ties, as in JAX).
 */
export const clip = (x: Tensor, lo: number, hi: number): Tensor => {
  x = asTensor('clip', x)
  if (typeof lo !== 'number' || typeof hi !== 'number') fail('INVALID_ARGUMENT', 'clip', `bounds must be numbers, got ${typeof lo} and ${typeof hi}`)
  return minimum(maximum(x, scalarLike(lo, x)), scalarLike(hi, x))
}

export interface AxisKeep { readonly axis?: number | readonly number[]; readonly keepDims?: boolean }

/** A finite shift for stable exponentials: the max, or 0 where the max is infinite. */
const shift = (x: Tensor, axis: AxisKeep['axis']): Tensor => {
  const m = stopGradient(max(x, { axis, keepDims: true }))
  return where(isFinite(m), m, scalarLike(0, m))
}

/** log(sum(exp(x))) without overflow; an all -Infinity slice gives -Infinity. */
export const logSumExp = (x: Tensor, opts: AxisKeep = {}): Tensor => {
  x = asTensor('logSumExp', x)
  opts = optionsOf('logSumExp', opts)
  normalizeAxes('logSumExp', opts.axis, x.rank)
  const m = shift(x, opts.axis)
  const s = log(sum(exp(sub(x, m)), { axis: opts.axis, keepDims: true }))
  const out = add(s, m)
  return opts.keepDims ? out : sum(out, { axis: opts.axis })
}

/** Softmax along `axis` (default the last); -Infinity logits get probability 0. */
export const softmax = (x: Tensor, axis: number = -1): Tensor => {
  x = asTensor('softmax', x)
  normalizeAxis('softmax', axis, x.rank)
  const e = exp(sub(x, shift(x, axis)))
  return div(e, sum(e, { axis, keepDims: true }))
}

/**
 * log(softmax(x)) as (x - m) - log(sum(exp(x - m))) with the constant shift m: exact where
 * x - logSumExp(x) would round the large intermediate x + log(n) (float32 at 1000 loses 300 ulps).
 */
export const logSoftmax = (x: Tensor, axis: number = -1): Tensor => {
  x = asTensor('logSoftmax', x)
  normalizeAxis('logSoftmax', axis, x.rank)
  const shifted = sub(x, shift(x, axis))
  return sub(shifted, log(sum(exp(shifted), { axis, keepDims: true })))
}

/** Euclidean norm over the given axes (all by default). Its gradient at exactly 0 is NaN, as sqrt's. */
export const norm = (x: Tensor, opts: AxisKeep = {}): Tensor => {
  x = asTensor('norm', x)
  opts = optionsOf('norm', opts)
  normalizeAxes('norm', opts.axis, x.rank)
  return sqrt(sum(mul(x, x), opts))
}
