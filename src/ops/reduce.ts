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

/**
 * The sum over `opts.axis` (one axis, several, or all when omitted; negative axes count from the
 * end), dropping the reduced axes unless `opts.keepDims`.
 *
 * int32, float32 or float64, kept. The sum of no elements is 0.
 * @throws PuregradError `INVALID_AXIS` for an axis outside [-rank, rank) or repeated; `DTYPE_MISMATCH`
 * for a bool tensor (cast it to count).
 * @example
 * ```ts
 * import { sum, tensor } from 'puregrad'
 * const x = tensor([[1, 5, 3], [4, 2, 6]])
 * sum(x).item() // => 21
 * sum(x, { axis: 0 }).arraySync() // => [5, 7, 9]
 * sum(x, { axis: -1, keepDims: true }).arraySync() // => [[9], [12]]
 * ```
 */
export const sum = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  opts = optionsOf('sum', opts)
  const t = asTensor('sum', x)
  const axes = normalizeAxes('sum', opts.axis, t.rank)
  return bind('sum', [t], { axes, keepDims: opts.keepDims ?? false })
}

/**
 * The maximum over `opts.axis` (one, several, or all when omitted), dropping the reduced axes unless
 * `opts.keepDims`. NaN propagates; the gradient is split equally among tied maxima.
 *
 * int32, float32 or float64, kept. The maximum of no elements is -Infinity.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { grad, max, tensor, type Tensor } from 'puregrad'
 * max(tensor([[1, 5, 3], [4, 2, 6]]), { axis: 1 }).arraySync() // => [5, 6]
 * grad((x: Tensor) => max(x))(tensor([2, 1, 2])).arraySync() // => [0.5, 0, 0.5]
 * ```
 */
export const max = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  opts = optionsOf('max', opts)
  const t = asTensor('max', x)
  const axes = normalizeAxes('max', opts.axis, t.rank)
  return bind('max', [t], { axes, keepDims: opts.keepDims ?? false })
}

/**
 * The minimum over `opts.axis` (one, several, or all when omitted), dropping the reduced axes unless
 * `opts.keepDims`: `-max(-x)`, so NaN propagates and ties split the gradient.
 *
 * int32, float32 or float64, kept.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { min, tensor } from 'puregrad'
 * min(tensor([[1, 5, 3], [4, 2, 6]]), { axis: 0 }).arraySync() // => [1, 2, 3]
 * ```
 */
export const min = (x: Tensor, opts: AxisOptions = {}): Tensor => {
  opts = optionsOf('min', opts)
  const t = asTensor('min', x)
  normalizeAxes('min', opts.axis, t.rank)
  return neg(max(neg(t), opts))
}

/**
 * Options of {@link argmax} and {@link argmin}: one `axis` (all elements, flattened, when omitted)
 * and `keepDims` to keep it as a unit axis.
 */
export interface ArgOptions { readonly axis?: number; readonly keepDims?: boolean }

/**
 * The index of the first maximum along `opts.axis`, or of the flattened tensor when `axis` is
 * omitted. The result is int32 with the axis removed (kept as 1 with `keepDims`); not differentiable.
 *
 * Input int32, float32 or float64.
 * @throws PuregradError `INVALID_AXIS` for an axis outside [-rank, rank); `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { argmax, tensor } from 'puregrad'
 * const x = tensor([[1, 5, 3], [4, 2, 6]])
 * argmax(x).item() // => 5
 * argmax(x, { axis: 1 }).arraySync() // => [1, 2]
 * argmax(x, { axis: 1 }).dtype // => 'int32'
 * ```
 */
export const argmax = (x: Tensor, opts: ArgOptions = {}): Tensor => {
  opts = optionsOf('argmax', opts)
  const t = asTensor('argmax', x)
  if (opts.axis === undefined) return bind('argmax', [reshape(t, [t.size])], { axis: 0, keepDims: false })
  return bind('argmax', [t], { axis: normalizeAxis('argmax', opts.axis, t.rank), keepDims: opts.keepDims ?? false })
}

/**
 * The index of the first minimum along `opts.axis`, or of the flattened tensor when `axis` is
 * omitted; int32, as {@link argmax}.
 * @throws PuregradError `INVALID_AXIS` for an axis outside [-rank, rank); `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { argmin, tensor } from 'puregrad'
 * argmin(tensor([[1, 5, 3], [4, 2, 6]]), { axis: 0 }).arraySync() // => [0, 1, 0]
 * ```
 */
export const argmin = (x: Tensor, opts: ArgOptions = {}): Tensor => {
  opts = optionsOf('argmin', opts)
  const t = asTensor('argmin', x)
  if (opts.axis !== undefined) normalizeAxis('argmin', opts.axis, t.rank)
  return argmax(neg(t), opts)
}

/**
 * Options of {@link cumsum}: the `axis` to run along (default -1, the last) and `reverse` to sum
 * from the end.
 */
export interface CumsumOptions { readonly axis?: number; readonly reverse?: boolean }

/**
 * The inclusive running sum along `opts.axis` (default the last); with `reverse`, from the end.
 *
 * Same shape and dtype (int32, float32 or float64).
 * @throws PuregradError `INVALID_AXIS` for an axis outside [-rank, rank); `DTYPE_MISMATCH` for a bool tensor.
 * @example
 * ```ts
 * import { cumsum, tensor } from 'puregrad'
 * cumsum(tensor([1, 2, 3])).arraySync() // => [1, 3, 6]
 * cumsum(tensor([1, 2, 3]), { reverse: true }).arraySync() // => [6, 5, 3]
 * ```
 */
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

/**
 * The mean over `opts.axis` (one, several, or all when omitted), dropping the reduced axes unless
 * `opts.keepDims`. The mean of no elements is NaN.
 *
 * float32 or float64, kept.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for an int32 or
 * bool tensor (cast it first).
 * @example
 * ```ts
 * import { mean, tensor } from 'puregrad'
 * mean(tensor([[1, 5, 3], [4, 2, 6]]), { axis: 1 }).arraySync() // => [3, 4]
 * ```
 */
export const mean = (x: Tensor, opts: AxisOptions = {}): Tensor => meanAs('mean', asTensor('mean', x), optionsOf('mean', opts))

const varianceAs = (op: string, x: Tensor, opts: AxisOptions): Tensor => {
  const t = asTensor(op, x)
  const centred = sub(t, meanAs(op, t, { axis: opts.axis, keepDims: true }))
  return meanAs(op, mul(centred, centred), opts)
}

/**
 * The population variance (divides by N, like numpy's default) over `opts.axis` (one, several, or
 * all when omitted), dropping the reduced axes unless `opts.keepDims`.
 *
 * float32 or float64, kept.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for an int32 or
 * bool tensor.
 * @example
 * ```ts
 * import { tensor, variance } from 'puregrad'
 * variance(tensor([1, 2, 3, 4])).item() // => 1.25
 * ```
 */
export const variance = (x: Tensor, opts: AxisOptions = {}): Tensor => varianceAs('variance', x, optionsOf('variance', opts))

/**
 * The population standard deviation, `sqrt(variance(x, opts))`. Its gradient is NaN where the
 * variance is 0 (as sqrt's at 0).
 *
 * float32 or float64, kept.
 * @throws PuregradError `INVALID_AXIS` for a bad or repeated axis; `DTYPE_MISMATCH` for an int32 or
 * bool tensor.
 * @example
 * ```ts
 * import { std, tensor } from 'puregrad'
 * std(tensor([1, 2, 3, 4])).item() // => 1.11803
 * ```
 */
export const std = (x: Tensor, opts: AxisOptions = {}): Tensor => sqrt(varianceAs('std', x, optionsOf('std', opts)))
