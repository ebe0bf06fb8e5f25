/**
 * Image layers over NHWC batches (inputShape [H, W, C]): conv2d with HWIO kernels, max and
 * average pooling, global average pooling and flatten. Output shapes follow the core ops'
 * padding rules ('same' is TensorFlow's: ceil(n / stride)).
 */

import type { Tensor } from '../core/tensor.js'
import { fmtShape } from '../core/errors.js'
import { sizeOf } from '../core/shape.js'
import { add } from '../ops/elementwise.js'
import { mean } from '../ops/reduce.js'
import { reshape } from '../ops/movement.js'
import { avgPool2d as avgPoolOp, conv2d as convOp, maxPool2d as maxPoolOp, type Padding } from '../ops/conv.js'
import { split } from '../random/key.js'
import { glorotUniform, zeros, type Initializer } from './initializers.js'
import {
  EMPTY, argError, checkInitKey, checkInputShape, checkPositiveInt, dtypeOf, expectFloat, expectLeaves, shapeError, stateless,
  type Empty, type Layer,
} from './layer.js'

/** A per-axis pair of sizes [height, width]; one number means the same for both axes. */
export type Pair = number | readonly [number, number]

const pair = (layer: string, what: string, v: Pair): [number, number] => {
  if (typeof v !== 'number' && !(Array.isArray(v) && v.length === 2)) argError(layer, `${what} must be a number or a pair [height, width], got ${String(v)}`)
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]]
  p.forEach((d) => checkPositiveInt(layer, what, d))
  return p
}

/** Output length of one spatial axis, as the core ops resolve padding. */
const outLength = (layer: string, n: number, span: number, stride: number, padding: Padding, axis: 0 | 1): number => {
  if (padding === 'same') return Math.ceil(n / stride)
  const [lo, hi] = padding === 'valid' ? [0, 0] : Array.isArray(padding) && padding.length === 4
    ? [padding[axis * 2], padding[axis * 2 + 1]]
    : argError(layer, `padding must be 'same', 'valid' or [top, bottom, left, right], got ${String(padding)}`)
  const padded = n + lo + hi
  if (padded < span) shapeError(layer, `a window spanning ${span} does not fit an axis of length ${n} with padding [${lo}, ${hi}]`)
  return Math.floor((padded - span) / stride) + 1
}

const checkImage = (layer: string, x: Tensor, channels?: number): void => {
  expectFloat(layer, x)
  if (x.rank !== 4 || (channels !== undefined && x.shape[3] !== channels)) {
    shapeError(layer, `expected an NHWC batch [N, H, W, ${channels ?? 'C'}], got ${fmtShape(x.shape)}`)
  }
}

/** Options of the `conv2d` layer. */
export interface Conv2dLayerOptions {
  /** The window [kh, kw] (or one size for both). */
  readonly kernelSize: Pair
  /** Default 1. */
  readonly strides?: Pair
  /** Spacing between kernel taps (atrous convolution): default 1. */
  readonly dilations?: Pair
  /** Default 'same'. */
  readonly padding?: Padding
  /** Default true; with false the params hold no `b`. */
  readonly useBias?: boolean
  /** Default glorotUniform. */
  readonly kernelInit?: Initializer
  /** Default zeros. */
  readonly biasInit?: Initializer
}

/** A conv2d layer's parameters: kernel w [kh, kw, C, filters] (HWIO) and bias b [filters]. */
export interface Conv2dParams { readonly w: Tensor; readonly b: Tensor }
/** A conv2d layer's parameters with `useBias: false`: the kernel w only. */
export interface Conv2dParamsNoBias { readonly w: Tensor }
/** The params type a conv2d layer built with options O has: `{ w, b }`, or `{ w }` with useBias: false. */
export type Conv2dParamsFor<O> = O extends { readonly useBias: false } ? Conv2dParamsNoBias : Conv2dParams

/**
 * 2-D convolution over NHWC batches with `filters` output channels: params w [kh, kw, C, filters]
 * (HWIO) and b [filters]; inputShape [H, W, C] gives outputs [H', W', filters], where 'same'
 * padding makes H' = ceil(H / stride) and 'valid' H' = floor((H - span) / stride) + 1.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for sizes that are not positive integers or a malformed
 * padding; `SHAPE_MISMATCH` for an inputShape that is not [H, W, C], a window that does not fit,
 * or (from apply) x that is not [N, H, W, C]; `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { conv2d, key } from 'puregrad/layers'
 *
 * const layer = conv2d(8, { kernelSize: 3, strides: 2 })
 * const { params, state, outputShape } = layer.init(key(0), [28, 28, 1])   // w [3,3,1,8]
 * const [y] = layer.apply(params, state, ones([2, 28, 28, 1]))
 * if (y.shape.join() !== '2,14,14,8' || outputShape.join() !== '14,14,8') throw new Error(`got ${y.shape}`)
 * ```
 */
export const conv2d = <const O extends Conv2dLayerOptions>(filters: number, opts: O): Layer<Conv2dParamsFor<O>, Empty> => {
  const name = 'conv2d'
  checkPositiveInt(name, 'filters', filters)
  const kernel = pair(name, 'kernelSize', opts.kernelSize)
  const strides = pair(name, 'strides', opts.strides ?? 1)
  const dilations = pair(name, 'dilations', opts.dilations ?? 1)
  const padding: Padding = opts.padding ?? 'same'
  const useBias = opts.useBias ?? true
  const kernelInit = opts.kernelInit ?? glorotUniform, biasInit = opts.biasInit ?? zeros
  const spans = [0, 1].map((i) => (kernel[i] - 1) * dilations[i] + 1)
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const [h, w, c] = checkInputShape(name, inputShape, 3, '[H, W, C]')
      if (inputShape.length !== 3) shapeError(name, `expected inputShape [H, W, C] (without the batch axis), got ${fmtShape(inputShape)}`)
      const dtype = dtypeOf(name, initOpts)
      const [kw, kb] = split(key, 2)
      const wt = kernelInit(kw, [kernel[0], kernel[1], c, filters], dtype)
      const params = useBias ? { w: wt, b: biasInit(kb, [filters], dtype) } : { w: wt }
      const outputShape = [outLength(name, h, spans[0], strides[0], padding, 0), outLength(name, w, spans[1], strides[1], padding, 1), filters]
      return { params: params as Conv2dParamsFor<O>, state: EMPTY, outputShape }
    },
    apply: (params, state, x) => {
      expectFloat(name, x)
      expectLeaves(name, 'params', params, { w: [kernel[0], kernel[1], null, filters], b: useBias ? [filters] : undefined }, x)
      const p = params as Partial<Conv2dParams>
      const wt = p.w as Tensor
      checkImage(name, x, wt.shape[2])
      const y = convOp(x, wt, { strides, dilations, padding })
      return [p.b === undefined ? y : add(y, p.b), state]
    },
  }
}

/** Options of the pooling layers `maxPool2d` and `avgPool2d`. */
export interface Pool2dLayerOptions {
  /** The window [h, w] (or one size for both). */
  readonly window: Pair
  /** Default the window (non-overlapping). */
  readonly strides?: Pair
  /** Default 'valid'. */
  readonly padding?: Padding
}

const pool = (name: string, op: typeof maxPoolOp, opts: Pool2dLayerOptions): Layer<Empty, Empty> => {
  const window = pair(name, 'window', opts.window)
  const strides = pair(name, 'strides', opts.strides ?? window)
  const padding: Padding = opts.padding ?? 'valid'
  return stateless(name, (s) => {
    if (s.length !== 3) shapeError(name, `expected inputShape [H, W, C] (without the batch axis), got ${fmtShape(s)}`)
    return [outLength(name, s[0], window[0], strides[0], padding, 0), outLength(name, s[1], window[1], strides[1], padding, 1), s[2]]
  }, (x) => {
    checkImage(name, x)
    return op(x, { window, strides, padding })
  })
}

/**
 * Max pooling over NHWC batches: [N, H, W, C] to [N, H', W', C], the window and padding as in
 * `conv2d` (default 'valid', strides the window). The gradient goes to the first maximum of
 * each window.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for sizes that are not positive integers;
 * `SHAPE_MISMATCH` for an input that is not [H, W, C] / [N, H, W, C] or too small for the window;
 * `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { maxPool2d, key } from 'puregrad/layers'
 *
 * const layer = maxPool2d({ window: 2 })
 * const { params, state } = layer.init(key(0), [2, 2, 1])
 * const [y] = layer.apply(params, state, tensor([1, 5, 3, 2], { shape: [1, 2, 2, 1] }))
 * if (y.shape.join() !== '1,1,1,1' || y.item() !== 5) throw new Error(`got ${y}`)
 * ```
 */
export const maxPool2d = (opts: Pool2dLayerOptions): Layer<Empty, Empty> => pool('maxPool2d', maxPoolOp, opts)

/**
 * Average pooling over NHWC batches: [N, H, W, C] to [N, H', W', C], each window averaged over
 * its unpadded positions; window, strides and padding as in `maxPool2d`.
 *
 * @throws PuregradError as `maxPool2d`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { avgPool2d, key } from 'puregrad/layers'
 *
 * const layer = avgPool2d({ window: 2 })
 * const { params, state } = layer.init(key(0), [2, 2, 1])
 * const [y] = layer.apply(params, state, tensor([1, 5, 3, 3], { shape: [1, 2, 2, 1] }))
 * if (y.item() !== 3) throw new Error(`got ${y}`)
 * ```
 */
export const avgPool2d = (opts: Pool2dLayerOptions): Layer<Empty, Empty> => pool('avgPool2d', avgPoolOp, opts)

/**
 * Global average pooling: the mean over H and W, [N, H, W, C] to [N, C].
 *
 * @throws PuregradError `SHAPE_MISMATCH` for an input that is not [H, W, C] / [N, H, W, C];
 * `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { globalAvgPool, key } from 'puregrad/layers'
 *
 * const layer = globalAvgPool()
 * const { params, state, outputShape } = layer.init(key(0), [7, 7, 16])
 * const [y] = layer.apply(params, state, ones([4, 7, 7, 16]))
 * if (y.shape.join() !== '4,16' || outputShape.join() !== '16') throw new Error(`got ${y.shape}`)
 * ```
 */
export const globalAvgPool = (): Layer<Empty, Empty> => stateless('globalAvgPool', (s) => {
  if (s.length !== 3) shapeError('globalAvgPool', `expected inputShape [H, W, C] (without the batch axis), got ${fmtShape(s)}`)
  return [s[2]]
}, (x) => {
  checkImage('globalAvgPool', x)
  return mean(x, { axis: [1, 2] })
})

/**
 * Everything but the batch axis into one: [N, ...] to [N, prod(...)], as between the
 * convolutional and the dense part of a network.
 *
 * @throws PuregradError `SHAPE_MISMATCH` for a scalar x (no batch axis).
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { flatten, key } from 'puregrad/layers'
 *
 * const layer = flatten()
 * const { params, state, outputShape } = layer.init(key(0), [7, 7, 16])
 * const [y] = layer.apply(params, state, ones([4, 7, 7, 16]))
 * if (y.shape.join() !== '4,784' || outputShape.join() !== '784') throw new Error(`got ${y.shape}`)
 * ```
 */
export const flatten = (): Layer<Empty, Empty> => stateless('flatten', (s) => [sizeOf(s)], (x) => {
  if (x.rank < 1) shapeError('flatten', `expected a batch with a leading batch axis, got a scalar`)
  return reshape(x, [x.shape[0], sizeOf(x.shape.slice(1))])
})
