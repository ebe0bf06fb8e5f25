/**
 * Normalisation layers over the last (feature) axis: batchNorm (Ioffe & Szegedy, 2015), with its
 * running statistics as explicit state, layerNorm (Ba et al., 2016) and rmsNorm (Zhang & Sennrich,
 * 2019). Statistics are population statistics (divide by N), as in Flax.
 */

import type { Tensor } from '../core/tensor.js'
import { fmtShape } from '../core/errors.js'
import { scalarLike } from '../ops/convert.js'
import { add, cast, div, mul, sqrt, stopGradient, sub } from '../ops/elementwise.js'
import { mean, variance } from '../ops/reduce.js'
import { ones, zeros } from './initializers.js'
import { argError, checkInitKey, checkInputShape, dtypeOf, expectFloat, shapeError, EMPTY, type Empty, type Layer } from './layer.js'

const checkFeatures = (layer: string, x: Tensor, features: number): void => {
  expectFloat(layer, x)
  if (x.rank < 2 || x.shape[x.rank - 1] !== features) shapeError(layer, `expected input with last dim ${features}, got ${fmtShape(x.shape)}`)
}

const checkEpsilon = (layer: string, eps: number): number => {
  if (!(eps > 0)) argError(layer, `epsilon must be positive, got ${eps}`)
  return eps
}

export interface BatchNormOptions {
  /**
   * Weight of the old running statistics in each update: running = momentum running +
   * (1 - momentum) batch. Default 0.99 (Flax / Keras; PyTorch's momentum is 1 - this).
   */
  readonly momentum?: number
  readonly epsilon?: number
}

export interface NormParams { readonly gamma: Tensor; readonly beta: Tensor }
export interface BatchNormState { readonly mean: Tensor; readonly var: Tensor }

/**
 * Batch normalisation over every axis but the last. Training normalises with the batch's mean and
 * (population) variance and returns updated running statistics; inference uses the running
 * statistics and returns the state unchanged. The running statistics never carry gradients.
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
      checkFeatures(name, x, params.gamma.shape[0])
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

export interface LayerNormOptions { readonly epsilon?: number }

/** Normalises each example over its last axis, then scales by gamma and shifts by beta. */
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
      checkFeatures(name, x, params.gamma.shape[0])
      const m = mean(x, { axis: -1, keepDims: true }), v = variance(x, { axis: -1, keepDims: true })
      const y = div(sub(x, m), sqrt(add(v, scalarLike(eps, v))))
      return [add(mul(y, params.gamma), params.beta), state]
    },
  }
}

export interface RmsNormParams { readonly scale: Tensor }

/** x / sqrt(mean(x²) + eps) over the last axis, times a learned scale: no centring, no shift. */
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
      checkFeatures(name, x, params.scale.shape[0])
      const ms = mean(mul(x, x), { axis: -1, keepDims: true })
      return [mul(div(x, sqrt(add(ms, scalarLike(eps, ms)))), params.scale), state]
    },
  }
}
