/**
 * Parameter initializers: `(key, shape, dtype?) => Tensor`. The variance-scaling family (Glorot /
 * Xavier, He / Kaiming, LeCun) follows JAX and Keras: fans come from the last two axes, and any
 * leading axes (a convolution's receptive field, HWIO) multiply both. Random values are drawn on
 * the host by the functional PRNG, so they are identical on every backend.
 */

import { PuregradError } from '../core/errors.js'
import { checkShape, sizeOf } from '../core/shape.js'
import { full, tensor } from '../core/constructors.js'
import type { Tensor } from '../core/tensor.js'
import { checkKey, type Key } from '../random/key.js'
import { normal, truncatedNormal, uniform, type FloatDType } from '../random/distributions.js'

export type Initializer = (key: Key, shape: readonly number[], dtype?: FloatDType) => Tensor

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg'
export type Distribution = 'truncatedNormal' | 'normal' | 'uniform'

/**
 * [fanIn, fanOut] of a weight shape: [in, out] for dense kernels, [kh, kw, in, out] (HWIO) for
 * convolutions, where the receptive field kh * kw multiplies both. A vector counts as [n, n].
 */
export const computeFans = (shape: readonly number[]): [number, number] => {
  if (shape.length === 0) return [1, 1]
  if (shape.length === 1) return [shape[0], shape[0]]
  const receptive = sizeOf(shape.slice(0, -2))
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive]
}

const fanOf = (mode: FanMode, [fanIn, fanOut]: [number, number]): number =>
  mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2

const dtypeOf = (op: string, d: unknown): FloatDType => {
  if (d !== undefined && d !== 'float32' && d !== 'float64') throw new PuregradError('UNSUPPORTED_DTYPE', `initializers make float32 or float64 tensors, got ${String(d)}`, op)
  return (d ?? 'float32') as FloatDType
}

/**
 * The standard deviation of a standard normal truncated to [-2, 2]: dividing by it makes the
 * truncated draw have the requested variance (as JAX and Keras do).
 */
const TRUNCATED_STD = 0.87962566103423978

export interface VarianceScalingOptions {
  readonly scale?: number
  readonly mode?: FanMode
  readonly distribution?: Distribution
}

/**
 * Values with variance scale / fan, fan chosen by `mode`. 'uniform' draws from [-l, l] with
 * l = sqrt(3 scale / fan); 'normal' from N(0, scale / fan); 'truncatedNormal' from a normal
 * truncated at two standard deviations, rescaled so its variance is still scale / fan.
 */
export const varianceScaling = (opts: VarianceScalingOptions = {}): Initializer => {
  const scale = opts.scale ?? 1, mode = opts.mode ?? 'fanIn', dist = opts.distribution ?? 'truncatedNormal'
  if (!(scale > 0)) throw new PuregradError('INVALID_ARGUMENT', `scale must be positive, got ${scale}`, 'varianceScaling')
  if (!['fanIn', 'fanOut', 'fanAvg'].includes(mode)) throw new PuregradError('INVALID_ARGUMENT', `mode must be 'fanIn', 'fanOut' or 'fanAvg', got ${String(mode)}`, 'varianceScaling')
  if (!['truncatedNormal', 'normal', 'uniform'].includes(dist)) {
    throw new PuregradError('INVALID_ARGUMENT', `distribution must be 'truncatedNormal', 'normal' or 'uniform', got ${String(dist)}`, 'varianceScaling')
  }
  return (key, shape, dtype) => {
    const op = 'varianceScaling'
    checkKey(op, key)
    const s = checkShape(op, shape)
    const d = dtypeOf(op, dtype)
    const fan = fanOf(mode, computeFans(s))
    if (!(fan > 0)) return full(s, 0, { dtype: d })
    const variance = scale / fan
    if (dist === 'uniform') {
      const limit = Math.sqrt(3 * variance)
      return uniform(key, s, { minval: -limit, maxval: limit, dtype: d })
    }
    if (dist === 'normal') return normal(key, s, { std: Math.sqrt(variance), dtype: d })
    const z = truncatedNormal(key, s, { dtype: 'float64' }).dataSync()
    const std = Math.sqrt(variance) / TRUNCATED_STD
    const values = Float64Array.from(z, (v) => v * std)
    return tensor(d === 'float64' ? values : Float32Array.from(values), { shape: s, dtype: d })
  }
}

/** Glorot / Xavier: variance 2 / (fanIn + fanOut). */
export const glorotUniform: Initializer = varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' })
export const glorotNormal: Initializer = varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' })
/** He / Kaiming (for ReLU networks): variance 2 / fanIn. */
export const heUniform: Initializer = varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' })
export const heNormal: Initializer = varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' })
/** LeCun (for SELU networks): variance 1 / fanIn. */
export const lecunNormal: Initializer = varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' })
export const lecunUniform: Initializer = varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' })

export const xavierUniform = glorotUniform
export const xavierNormal = glorotNormal
export const kaimingUniform = heUniform
export const kaimingNormal = heNormal

/** Every entry `value`; the key is ignored (constant initializers take one so all initializers swap freely). */
export const constant = (value: number): Initializer => (key, shape, dtype) => {
  checkKey('constant', key)
  return full(checkShape('constant', shape), value, { dtype: dtypeOf('constant', dtype) })
}
export const zeros: Initializer = constant(0)
export const ones: Initializer = constant(1)

/**
 * Q from the QR decomposition of an n x m matrix (n >= m), by modified Gram-Schmidt in float64
 * with R's diagonal positive, so the result is Haar-distributed when the input
 * is Gaussian (Mezzadri 2007). Columns are written in place over `a` (row-major, n x m).
 */
const orthonormalColumns = (a: Float64Array, n: number, m: number): void => {
  for (let j = 0; j < m; j++) {
    // Two passes of projections ("twice is enough", Giraud et al. 2005) keep Q orthogonal to
    // rounding level even when the drawn columns are nearly dependent.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0
        for (let i = 0; i < n; i++) dot += a[i * m + k] * a[i * m + j]
        for (let i = 0; i < n; i++) a[i * m + j] -= dot * a[i * m + k]
      }
    }
    let norm = 0
    for (let i = 0; i < n; i++) norm += a[i * m + j] * a[i * m + j]
    norm = Math.sqrt(norm)
    // The column's R diagonal entry is its norm here (always positive), which is exactly the
    // sign convention that makes Q Haar-distributed; a zero column cannot occur with probability 1.
    if (norm === 0) throw new PuregradError('INVALID_ARGUMENT', 'drew a rank-deficient matrix; use another key', 'orthogonal')
    for (let i = 0; i < n; i++) a[i * m + j] /= norm
  }
}

export interface OrthogonalOptions { readonly gain?: number }

/**
 * A (semi-)orthogonal matrix times `gain`: the shape is read as [rows = product of all but the
 * last axis, cols = last axis]; rows are orthonormal when rows <= cols, columns otherwise.
 */
export const orthogonal = (opts: OrthogonalOptions = {}): Initializer => (key, shape, dtype) => {
  const op = 'orthogonal'
  checkKey(op, key)
  const s = checkShape(op, shape)
  const d = dtypeOf(op, dtype)
  if (s.length < 2) throw new PuregradError('SHAPE_MISMATCH', `needs a shape of rank >= 2, got [${s.join(',')}]`, op)
  const gain = opts.gain ?? 1
  const cols = s[s.length - 1], rows = sizeOf(s) / Math.max(cols, 1)
  if (rows === 0 || cols === 0) return full(s, 0, { dtype: d })
  const n = Math.max(rows, cols), m = Math.min(rows, cols)
  const a = Float64Array.from(normal(key, [n, m], { dtype: 'float64' }).dataSync())
  orthonormalColumns(a, n, m)
  const out = new Float64Array(rows * cols)
  // Tall: Q itself (rows x cols). Wide: Q transposed, so the rows are the orthonormal ones.
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[i * cols + j] = gain * (rows >= cols ? a[i * m + j] : a[j * m + i])
  }
  return tensor(d === 'float64' ? out : Float32Array.from(out), { shape: s, dtype: d })
}
