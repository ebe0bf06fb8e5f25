/**
 * The composed ops neural networks lean on: relu, sigmoid, softmax, logSoftmax, logSumExp
 * (numerically stable), clip and norm. All are built from primitives, so they differentiate to
 * any order with no rules of their own.
 */

import type { Tensor } from '../core/tensor.js'
import { scalarLike } from './convert.js'
import { add, div, exp, greater, isFinite, log, maximum, minimum, mul, sqrt, stopGradient, sub, tanh, where } from './elementwise.js'
import { max, sum } from './reduce.js'

/** max(x, 0), with derivative 0 at x = 0 (the usual convention). */
export const relu = (x: Tensor): Tensor => where(greater(x, scalarLike(0, x)), x, scalarLike(0, x))

/** 1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so neither it nor its derivatives overflow. */
export const sigmoid = (x: Tensor): Tensor => {
  const half = scalarLike(0.5, x)
  return mul(half, add(tanh(mul(half, x)), scalarLike(1, x)))
}

/**
 * Limits values to [lo, hi]; the gradient is 1 inside, 0 outside, and 0.5 exactly at a bound
 * (maximum/minimum split ties, as in JAX).
 */
export const clip = (x: Tensor, lo: number, hi: number): Tensor =>
  minimum(maximum(x, scalarLike(lo, x)), scalarLike(hi, x))

export interface AxisKeep { readonly axis?: number | readonly number[]; readonly keepDims?: boolean }

/** A finite shift for stable exponentials: the max, or 0 where the max is infinite. */
const shift = (x: Tensor, axis: AxisKeep['axis']): Tensor => {
  const m = stopGradient(max(x, { axis, keepDims: true }))
  return where(isFinite(m), m, scalarLike(0, m))
}

/** log(sum(exp(x))) without overflow; an all -Infinity slice gives -Infinity. */
export const logSumExp = (x: Tensor, opts: AxisKeep = {}): Tensor => {
  const m = shift(x, opts.axis)
  const s = log(sum(exp(sub(x, m)), { axis: opts.axis, keepDims: true }))
  const out = add(s, m)
  return opts.keepDims ? out : sum(out, { axis: opts.axis })
}

/** Softmax along `axis` (default the last); -Infinity logits get probability 0. */
export const softmax = (x: Tensor, axis: number = -1): Tensor => {
  const e = exp(sub(x, shift(x, axis)))
  return div(e, sum(e, { axis, keepDims: true }))
}

/**
 * log(softmax(x)) as (x - m) - log(sum(exp(x - m))) with the constant shift m: exact where
 * x - logSumExp(x) would round the large intermediate x + log(n) (float32 at 1000 loses 300 ulps).
 */
export const logSoftmax = (x: Tensor, axis: number = -1): Tensor => {
  const shifted = sub(x, shift(x, axis))
  return sub(shifted, log(sum(exp(shifted), { axis, keepDims: true })))
}

/** Euclidean norm over the given axes (all by default). Its gradient at exactly 0 is NaN, as sqrt's. */
export const norm = (x: Tensor, opts: AxisKeep = {}): Tensor => sqrt(sum(mul(x, x), opts))
