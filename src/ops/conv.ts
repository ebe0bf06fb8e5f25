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

export type Padding = 'same' | 'valid' | readonly [number, number, number, number]
type Pair = number | readonly [number, number]

export interface Conv2dOptions {
  readonly strides?: Pair
  readonly dilations?: Pair
  readonly padding?: Padding
}

export interface Pool2dOptions {
  readonly window: Pair
  readonly strides?: Pair
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

/** 2-D convolution (cross-correlation, as in every DL library): x [N,H,W,Ci], w [KH,KW,Ci,Co]. */
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

/** Max pooling; padded positions never win. Gradient goes to the first maximum of each window. */
export const maxPool2d = (x: Tensor, opts: Pool2dOptions): Tensor => {
  const t = asTensor('maxPool2d', x)
  return bind('maxPool', [t], poolParams('maxPool2d', t, opts))
}

/** Average pooling over the valid (unpadded) positions of each window. */
export const avgPool2d = (x: Tensor, opts: Pool2dOptions): Tensor => {
  const t = asTensor('avgPool2d', x)
  return bind('avgPool', [t], poolParams('avgPool2d', t, opts))
}
