/**
 * Normalisation layers over the last (feature) axis: batchNorm (Ioffe & Szegedy, 2015), with its
 * running statistics as explicit state, layerNorm (Ba et al., 2016) and rmsNorm (Zhang & Sennrich,
 * 2019). Statistics are population statistics (divide by N), as in Flax.
 */

import { Tensor } from '../core/tensor.js'
import { fmtShape } from '../core/errors.js'
import { scalarLike } from '../ops/convert.js'
import { add, cast, div, mul, sqrt, stopGradient, sub } from '../ops/elementwise.js'
import { mean, variance } from '../ops/reduce.js'
import { ones, zeros } from './initializers.js'
import { argError, checkInitKey, checkInputShape, dtypeOf, expectFloat, expectLeaves, shapeError, EMPTY, type Empty, type Layer } from './layer.js'

/**
 * Checks x and a norm layer's parameters (`keys`, [C] each, C taken from the first) before any op
 * runs, and returns C: x must be float with C features last, with the parameters' dtype.
 */
const checkFeatures = (layer: string, x: Tensor, params: unknown, keys: readonly string[]): number => {
  expectFloat(layer, x)
  const first = (params as Record<string, unknown> | null)?.[keys[0]]
  const c = first instanceof Tensor && first.rank === 1 ? first.shape[0] : null
  expectLeaves(layer, 'params', params, Object.fromEntries(keys.map((k) => [k, [c]])), x)
  const features = c as number
  if (x.rank < 2 || x.shape[x.rank - 1] !== features) shapeError(layer, `expected input with last dim ${features}, got ${fmtShape(x.shape)}`)
  return features
}

const checkEpsilon = (layer: string, eps: number): number => {
  if (!(eps > 0)) argError(layer, `epsilon must be positive, got ${eps}`)
  return eps
}

/** Options of `batchNorm`. */
export interface BatchNormOptions {
  /**
   * Weight of the old running statistics in each update: running = momentum running +
   * (1 - momentum) batch. Default 0.99 (Flax / Keras; PyTorch's momentum is 1 - this).
   */
  readonly momentum?: number
  /** Added to the variance before the square root: default 1e-5. */
  readonly epsilon?: number
}

/** Parameters of `batchNorm` and `layerNorm`: scale gamma (ones) and shift beta (zeros), [features]. */
export interface NormParams { readonly gamma: Tensor; readonly beta: Tensor }
/** `batchNorm`'s state: the running mean (zeros) and variance (ones), [features], never differentiated. */
export interface BatchNormState { readonly mean: Tensor; readonly var: Tensor }

/**
 * Batch normalisation over every axis but the last. Training normalises with the batch's mean and
 * (population) variance and returns updated running statistics; inference uses the running
 * statistics and returns the state unchanged. The running statistics never carry gradients.
 * The output has x's shape; params and state are [features] vectors.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a momentum outside [0, 1] or an epsilon that is not
 * positive; from apply, `SHAPE_MISMATCH` when x's last axis is not the features (or x has no batch
 * axis) and `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { batchNorm, key } from 'puregrad/layers'
 *
 * const layer = batchNorm({ momentum: 0.9 })
 * const { params, state } = layer.init(key(0), [1])
 * const x = tensor([[1], [3]])
 * const [y, next] = layer.apply(params, state, x, { training: true })
 * const [a, b] = y.dataSync()
 * if (Math.abs(a + 1) > 1e-3 || Math.abs(b - 1) > 1e-3) throw new Error(`normalised to ${a}, ${b}`)
 * if (Math.abs(next.mean.item() - 0.2) > 1e-6) throw new Error('running mean 0.9 * 0 + 0.1 * 2')
 * ```
 */
export const batchNorm = (opts: BatchNormOptions = {}): Layer<NormParams, BatchNormState> => {
  const name = 'batchNorm'
  const momentum = opts.momentum ?? 0.99
  if (!(momentum >= 0 && momentum <= 1)) argError(name, `momentum must be in [0, 1], got ${momentum}`)
  const eps = checkEpsilon(name, opts.epsilon ?? 1e-5)
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const s = checkInputShape(name, inputShape, 1, 'of rank >= 1 with features last')
      const dtype = dtypeOf(name, initOpts)
      const f = [s[s.length - 1]]
      return {
        params: { gamma: ones(key, f, dtype), beta: zeros(key, f, dtype) },
        state: { mean: zeros(key, f, dtype), var: ones(key, f, dtype) },
        outputShape: s,
      }
    },
    apply: (params, state, x, ctx = {}) => {
      const c = checkFeatures(name, x, params, ['gamma', 'beta'])
      expectLeaves(name, 'state', state, { mean: [c], var: [c] })
      const scaleShift = (m: Tensor, v: Tensor): Tensor =>
        add(mul(div(sub(x, m), sqrt(add(v, scalarLike(eps, v)))), params.gamma), params.beta)
      if (ctx.training !== true) {
        return [scaleShift(cast(state.mean, x.dtype), cast(state.var, x.dtype)), state]
      }
      const axes = x.shape.slice(0, -1).map((_, i) => i)
      const m = mean(x, { axis: axes }), v = variance(x, { axis: axes })
      const update = (old: Tensor, batch: Tensor): Tensor => {
        const b = cast(stopGradient(batch), old.dtype)
        return add(mul(scalarLike(momentum, old), old), mul(scalarLike(1 - momentum, old), b))
      }
      return [scaleShift(m, v), { mean: update(state.mean, m), var: update(state.var, v) }]
    },
  }
}

/** Options of `layerNorm` and `rmsNorm`. */
export interface LayerNormOptions {
  /** Added to the variance (mean square) before the square root: default 1e-5 (rmsNorm 1e-6). */
  readonly epsilon?: number
}

/**
 * Normalises each example over its last axis (mean 0, population variance 1), then scales by
 * gamma and shifts by beta ([features] each). The output has x's shape; no state.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an epsilon that is not positive; from apply,
 * `SHAPE_MISMATCH` when x's last axis is not the features and `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { layerNorm, key } from 'puregrad/layers'
 *
 * const layer = layerNorm()
 * const { params, state } = layer.init(key(0), [2])
 * const [y] = layer.apply(params, state, tensor([[1, 3], [10, 30]]))
 * const v = Array.from(y.dataSync(), (x) => Math.round(x * 1000) / 1000)
 * if (v.join() !== '-1,1,-1,1') throw new Error(`got ${v}`)
 * ```
 */
export const layerNorm = (opts: LayerNormOptions = {}): Layer<NormParams, Empty> => {
  const name = 'layerNorm'
  const eps = checkEpsilon(name, opts.epsilon ?? 1e-5)
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const s = checkInputShape(name, inputShape, 1, 'of rank >= 1 with features last')
      const dtype = dtypeOf(name, initOpts)
      const f = [s[s.length - 1]]
      return { params: { gamma: ones(key, f, dtype), beta: zeros(key, f, dtype) }, state: EMPTY, outputShape: s }
    },
    apply: (params, state, x) => {
      checkFeatures(name, x, params, ['gamma', 'beta'])
      const m = mean(x, { axis: -1, keepDims: true }), v = variance(x, { axis: -1, keepDims: true })
      const y = div(sub(x, m), sqrt(add(v, scalarLike(eps, v))))
      return [add(mul(y, params.gamma), params.beta), state]
    },
  }
}

/** `rmsNorm`'s parameters: the learned scale [features] (ones). */
export interface RmsNormParams { readonly scale: Tensor }

/**
 * x / sqrt(mean(x²) + eps) over the last axis, times a learned scale [features]: no centring, no
 * shift. The output has x's shape; no state.
 *
 * @throws PuregradError as `layerNorm`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { rmsNorm, key } from 'puregrad/layers'
 *
 * const layer = rmsNorm()
 * const { params, state } = layer.init(key(0), [2])
 * const [y] = layer.apply(params, state, tensor([[3, 4]]))   // rms = sqrt(12.5)
 * const [a] = y.dataSync()
 * if (Math.abs(a - 3 / Math.sqrt(12.5)) > 1e-5) throw new Error(`got ${a}`)
 * ```
 */
export const rmsNorm = (opts: LayerNormOptions = {}): Layer<RmsNormParams, Empty> => {
  const name = 'rmsNorm'
  const eps = checkEpsilon(name, opts.epsilon ?? 1e-6)
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const s = checkInputShape(name, inputShape, 1, 'of rank >= 1 with features last')
      return { params: { scale: ones(key, [s[s.length - 1]], dtypeOf(name, initOpts)) }, state: EMPTY, outputShape: s }
    },
    apply: (params, state, x) => {
      checkFeatures(name, x, params, ['scale'])
      const ms = mean(mul(x, x), { axis: -1, keepDims: true })
      return [mul(div(x, sqrt(add(ms, scalarLike(eps, ms)))), params.scale), state]
    },
  }
}
