/**
 * Convolution and pooling over NHWC images with HWIO filters. 'same' and 'valid' padding are
 * resolved here, TensorFlow's way, into explicit pads, so the primitives below see only numbers.
 */

import { bind } from '../diff/bind.js'
import type { Tensor } from '../core/tensor.js'
import { fail } from '../core/errors.js'
import { checkInt } from '../core/shape.js'
import { asTensor, optionsOf } from './convert.js'
import type { Conv2dParams, Pool2dParams } from '../diff/primitives.js'

/**
 * How a 2-D window is padded: `'valid'` (no padding: the window stays inside the image), `'same'`
 * (TensorFlow's: the output has ceil(size / stride) positions per axis, the odd pad going after), or
 * explicit `[top, bottom, left, right]` counts.
 */
export type Padding = 'same' | 'valid' | readonly [number, number, number, number]
/** A per-axis (height, width) amount: one positive integer for both axes, or a `[height, width]` pair. */
export type Pair = number | readonly [number, number]

/** Options of {@link conv2d}. Every field has a default. */
export interface Conv2dOptions {
  /** How far the filter moves between output positions. Default 1. */
  readonly strides?: Pair
  /** The spacing between filter taps (atrous convolution). Default 1. */
  readonly dilations?: Pair
  /** Default 'valid'. */
  readonly padding?: Padding
}

/** Options of {@link maxPool2d} and {@link avgPool2d}: the `window` size is required. */
export interface Pool2dOptions {
  /** The window's height and width. */
  readonly window: Pair
  /** How far the window moves between output positions. Default: the window (no overlap). */
  readonly strides?: Pair
  /** Default 'valid'. */
  readonly padding?: Padding
}

const pair = (op: string, what: string, v: Pair): [number, number] => {
  if (typeof v !== 'number' && !(Array.isArray(v) && v.length === 2)) {
    fail('INVALID_ARGUMENT', op, `${what} must be a positive integer or a pair of them, got ${Array.isArray(v) ? `an array of length ${v.length}` : String(v)}`)
  }
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]]
  for (const x of p) {
    checkInt(op, what, x)
    if (x < 1) fail('INVALID_ARGUMENT', op, `${what} must be positive, got ${x}`)
  }
  return p
}

/** TensorFlow's 'same': output ceil(n / stride), the odd pad going after. */
const samePads = (n: number, span: number, stride: number): [number, number] => {
  const out = Math.ceil(n / stride)
  const total = Math.max((out - 1) * stride + span - n, 0)
  const lo = Math.floor(total / 2)
  return [lo, total - lo]
}

const resolvePads = (
  op: string, padding: Padding, h: number, w: number, spans: [number, number], strides: [number, number],
): [number, number, number, number] => {
  if (padding === 'valid') return [0, 0, 0, 0]
  if (padding === 'same') return [...samePads(h, spans[0], strides[0]), ...samePads(w, spans[1], strides[1])]
  if (Array.isArray(padding) && padding.length === 4) {
    padding.forEach((p, i) => {
      checkInt(op, `padding[${i}]`, p)
      if (p < 0) fail('INVALID_ARGUMENT', op, `padding must be non-negative, got ${p}`)
    })
    return [padding[0], padding[1], padding[2], padding[3]]
  }
  return fail('INVALID_ARGUMENT', op, `padding must be 'same', 'valid' or [top, bottom, left, right], got ${String(padding)}`)
}

const needRank4 = (op: string, x: Tensor, what: string): void => {
  if (x.rank !== 4) fail('SHAPE_MISMATCH', op, `${what} must have rank 4, got [${x.shape.join(',')}]`)
}

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library) of NHWC images `x`
 * [N, H, W, Ci] with HWIO filters `w` [KH, KW, Ci, Co], giving [N, H', W', Co], where H' and W'
 * follow from `opts.strides` (default 1), `opts.dilations` (default 1) and `opts.padding` (default
 * 'valid'). Both operands float32 or float64, one dtype.
 * @throws PuregradError `SHAPE_MISMATCH` when an operand is not rank 4, the channel counts differ or
 * the window does not fit; `DTYPE_MISMATCH` for int32 or bool or differing dtypes;
 * `INVALID_ARGUMENT` for a stride, dilation or padding that is not a positive (padding:
 * non-negative) integer, or an unknown padding name.
 * @example
 * ```ts
 * import { arange, conv2d, ones, reshape } from 'puregrad'
 * const img = reshape(arange(16), [1, 4, 4, 1]) // one 4x4 image, one channel
 * conv2d(img, ones([2, 2, 1, 1]), { strides: 2 }).arraySync() // => [[[[10], [18]], [[42], [50]]]]
 * conv2d(img, ones([3, 3, 1, 8]), { padding: 'same' }).shape // => [1, 4, 4, 8]
 * conv2d(img, ones([2, 2, 3, 1])) // throws SHAPE_MISMATCH
 * ```
 */
export const conv2d = (x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor => {
  const xt = asTensor('conv2d', x), wt = asTensor('conv2d', w)
  opts = optionsOf('conv2d', opts)
  needRank4('conv2d', xt, 'input (NHWC)'); needRank4('conv2d', wt, 'filter (HWIO)')
  const strides = pair('conv2d', 'strides', opts.strides ?? 1)
  const dilations = pair('conv2d', 'dilations', opts.dilations ?? 1)
  const spans: [number, number] = [(wt.shape[0] - 1) * dilations[0] + 1, (wt.shape[1] - 1) * dilations[1] + 1]
  const pads = resolvePads('conv2d', opts.padding ?? 'valid', xt.shape[1], xt.shape[2], spans, strides)
  const params: Conv2dParams = { strides, dilations, pads }
  return bind('conv2d', [xt, wt], params)
}

const poolParams = (op: string, x: Tensor, opts: Pool2dOptions): Pool2dParams => {
  needRank4(op, x, 'input (NHWC)')
  opts = optionsOf(op, opts)
  const window = pair(op, 'window', opts.window)
  const strides = pair(op, 'strides', opts.strides ?? window)
  const pads = resolvePads(op, opts.padding ?? 'valid', x.shape[1], x.shape[2], window, strides)
  return { window, strides, pads }
}

/**
 * 2-D max pooling of NHWC images [N, H, W, C] to [N, H', W', C] over `opts.window`, moving by
 * `opts.strides` (default: the window) with `opts.padding` (default 'valid'); padded positions never
 * win. The gradient goes to the first maximum of each window. float32 or float64.
 * @throws PuregradError `SHAPE_MISMATCH` when `x` is not rank 4 or the window does not fit;
 * `DTYPE_MISMATCH` for int32 or bool; `INVALID_ARGUMENT` for a malformed window, stride or padding.
 * @example
 * ```ts
 * import { arange, maxPool2d, reshape } from 'puregrad'
 * const img = reshape(arange(16), [1, 4, 4, 1])
 * maxPool2d(img, { window: 2 }).arraySync() // => [[[[5], [7]], [[13], [15]]]]
 * ```
 */
export const maxPool2d = (x: Tensor, opts: Pool2dOptions): Tensor => {
  const t = asTensor('maxPool2d', x)
  return bind('maxPool', [t], poolParams('maxPool2d', t, opts))
}

/**
 * 2-D average pooling of NHWC images [N, H, W, C] to [N, H', W', C] over `opts.window`, moving by
 * `opts.strides` (default: the window) with `opts.padding` (default 'valid'). Each window averages
 * its unpadded positions only. float32 or float64.
 * @throws PuregradError `SHAPE_MISMATCH` when `x` is not rank 4 or the window does not fit;
 * `DTYPE_MISMATCH` for int32 or bool; `INVALID_ARGUMENT` for a malformed window, stride or padding.
 * @example
 * ```ts
 * import { arange, avgPool2d, ones, reshape } from 'puregrad'
 * avgPool2d(reshape(arange(16), [1, 4, 4, 1]), { window: 2 }).arraySync() // => [[[[2.5], [4.5]], [[10.5], [12.5]]]]
 * // 'same' padding: the edge windows average fewer values, so ones stay ones
 * avgPool2d(ones([1, 3, 3, 1]), { window: 2, strides: 1, padding: 'same' }).dataSync() // => [1, 1, 1, 1, 1, 1, 1, 1, 1]
 * ```
 */
export const avgPool2d = (x: Tensor, opts: Pool2dOptions): Tensor => {
  const t = asTensor('avgPool2d', x)
  return bind('avgPool', [t], poolParams('avgPool2d', t, opts))
}
