/**
 * Reductions: `sum`, `max`, `argmax`, `cumsum` (primitives) and their compositions (`min`,
 * `argmin`, `mean`, `variance`, `std`, `prod` is left out on purpose: its gradient at zeros needs care).
 * `axis` may be one axis, several, or omitted for all; negative axes count from the end.
 */

import { bind } from '../diff/bind.js'
import type { Tensor, AxisOptions } from '../core/tensor.js'
import { normalizeAxes, normalizeAxis, sizeOf } from '../core/shape.js'
import { asTensor, optionsOf, scalarLike } from './convert.js'
import { div, mul, neg, sqrt, sub } from './elementwise.js'
import { reshape } from './movement.js'

export const sum = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  opts = optionsOf('sum', opts)
  const t = asTensor('sum', x)
  const axes = normalizeAxes('sum', opts.axis, t.rank)
  return bind('sum', [t], { axes, keepDims: opts.keepDims ?? false })
}

/** Maximum over axes; NaN propagates; gradient split equally among ties. */
export const max = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  opts = optionsOf('max', opts)
  const t = asTensor('max', x)
  const axes = normalizeAxes('max', opts.axis, t.rank)
  return bind('max', [t], { axes, keepDims: opts.keepDims ?? false })
}

export const min = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  opts = optionsOf('min', opts)
  const t = asTensor('min', x)
  normalizeAxes('min', opts.axis, t.rank)
  return neg(max(neg(t), opts))
}

export interface ArgOptions { readonly axis?: number; readonly keepDims?: boolean }

/** Index of the first maximum along `axis` (all elements, flattened, when omitted); int32. */
export const argmax = (x: Tensor, opts: ArgOptions = {}): Tensor => {
  opts = optionsOf('argmax', opts)
  const t = asTensor('argmax', x)
  if (opts.axis === undefined) return bind('argmax', [reshape(t, [t.size])], { axis: 0, keepDims: false })
  return bind('argmax', [t], { axis: normalizeAxis('argmax', opts.axis, t.rank), keepDims: opts.keepDims ?? false })
}

export const argmin = (x: Tensor, opts: ArgOptions = {}): Tensor => {
  opts = optionsOf('argmin', opts)
  const t = asTensor('argmin', x)
  if (opts.axis !== undefined) normalizeAxis('argmin', opts.axis, t.rank)
  return argmax(neg(t), opts)
}

export interface CumsumOptions { readonly axis?: number; readonly reverse?: boolean }

/** Inclusive running sum along `axis` (default the last); `reverse` sums from the end. */
export const cumsum = (x: Tensor, opts: CumsumOptions = {}): Tensor => {
  opts = optionsOf('cumsum', opts)
  const t = asTensor('cumsum', x)
  return bind('cumsum', [t], { axis: normalizeAxis('cumsum', opts.axis ?? -1, t.rank), reverse: opts.reverse ?? false })
}

const countOf = (x: Tensor, axis: AxisOptions['axis'], op: string): number =>
  sizeOf(normalizeAxes(op, axis, x.rank).map((a) => x.shape[a]))

/** The mean, with axes checked (and errors named) as `op`. */
const meanAs = (op: string, x: Tensor, opts: AxisOptions): Tensor => {
  const n = countOf(x, opts.axis, op)
  return div(sum(x, opts), scalarLike(n, x))
}

export const mean = (x: Tensor, opts: AxisOptions = {}): Tensor => meanAs('mean', asTensor('mean', x), optionsOf('mean', opts))

const varianceAs = (op: string, x: Tensor, opts: AxisOptions): Tensor => {
  const t = asTensor(op, x)
  const centred = sub(t, meanAs(op, t, { axis: opts.axis, keepDims: true }))
  return meanAs(op, mul(centred, centred), opts)
}

/** Population variance (divides by N), like numpy's default. */
export const variance = (x: Tensor, opts: AxisOptions = {}): Tensor => varianceAs('variance', x, optionsOf('variance', opts))

export const std = (x: Tensor, opts: AxisOptions = {}): Tensor => sqrt(varianceAs('std', x, optionsOf('std', opts)))
