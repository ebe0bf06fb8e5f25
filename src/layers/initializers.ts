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

/**
 * A parameter initializer: a tensor of `shape` and `dtype` (default float32) drawn from `key`.
 * The built-in ones throw PuregradError `INVALID_ARGUMENT` for a key that is not a Key or a
 * malformed shape and `UNSUPPORTED_DTYPE` for a dtype other than float32 and float64.
 */
export type Initializer = (key: Key, shape: readonly number[], dtype?: FloatDType) => Tensor

/** Which fan `varianceScaling` divides by: fan-in, fan-out or their mean. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg'
/** The distribution `varianceScaling` draws from. */
export type Distribution = 'truncatedNormal' | 'normal' | 'uniform'

/**
 * [fanIn, fanOut] of a weight shape: [in, out] for dense kernels, [kh, kw, in, out] (HWIO) for
 * convolutions, where the receptive field kh * kw multiplies both. A vector counts as [n, n], a
 * scalar as [1, 1].
 *
 * @example
 * ```ts
 * import { initializers } from 'puregrad/layers'
 *
 * const [fanIn, fanOut] = initializers.computeFans([3, 3, 16, 32])
 * if (fanIn !== 144 || fanOut !== 288) throw new Error(`got ${fanIn}, ${fanOut}`)
 * ```
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

/** Options of `varianceScaling`. */
export interface VarianceScalingOptions {
  /** The variance is scale / fan: default 1. */
  readonly scale?: number
  /** Default 'fanIn'. */
  readonly mode?: FanMode
  /** Default 'truncatedNormal'. */
  readonly distribution?: Distribution
}

/**
 * An initializer drawing values with variance scale / fan, fan chosen by `mode` (see
 * `computeFans`). 'uniform' draws from [-l, l] with l = sqrt(3 scale / fan); 'normal' from
 * N(0, scale / fan); 'truncatedNormal' from a normal truncated at two standard deviations,
 * rescaled so its variance is still scale / fan. A zero fan gives zeros.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a scale that is not positive or an unknown mode or
 * distribution; the initializer itself throws as `Initializer` says.
 * @example
 * ```ts
 * import { initializers, key } from 'puregrad/layers'
 *
 * const init = initializers.varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' })
 * const w = init(key(0), [50, 10])                // uniform on [-l, l], l = sqrt(3 * 2 / 50)
 * const l = Math.sqrt(6 / 50)
 * if (!w.dataSync().every((v) => Math.abs(v) <= l) || w.dtype !== 'float32') throw new Error('out of range')
 * ```
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

/** Glorot / Xavier uniform: variance 2 / (fanIn + fanOut). The default kernel initializer of `dense` and `conv2d`. */
export const glorotUniform: Initializer = varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' })
/** Glorot / Xavier, truncated normal: variance 2 / (fanIn + fanOut). */
export const glorotNormal: Initializer = varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' })
/** He / Kaiming uniform (for ReLU networks): variance 2 / fanIn. */
export const heUniform: Initializer = varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' })
/** He / Kaiming, truncated normal (for ReLU networks): variance 2 / fanIn. */
export const heNormal: Initializer = varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'truncatedNormal' })
/** LeCun, truncated normal (for SELU networks): variance 1 / fanIn. */
export const lecunNormal: Initializer = varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' })
/** LeCun uniform (for SELU networks): variance 1 / fanIn. */
export const lecunUniform: Initializer = varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'uniform' })

/** Another name of `glorotUniform`. */
export const xavierUniform = glorotUniform
/** Another name of `glorotNormal`. */
export const xavierNormal = glorotNormal
/** Another name of `heUniform`. */
export const kaimingUniform = heUniform
/** Another name of `heNormal`. */
export const kaimingNormal = heNormal

/**
 * An initializer filling every entry with `value`; the key is checked but not used (constant
 * initializers take one so all initializers swap freely).
 *
 * @example
 * ```ts
 * import { initializers, key } from 'puregrad/layers'
 *
 * const b = initializers.constant(0.1)(key(0), [3], 'float64')
 * if (b.dtype !== 'float64' || b.dataSync().join() !== '0.1,0.1,0.1') throw new Error(`got ${b}`)
 * ```
 */
export const constant = (value: number): Initializer => (key, shape, dtype) => {
  checkKey('constant', key)
  return full(checkShape('constant', shape), value, { dtype: dtypeOf('constant', dtype) })
}
/** All zeros: the default bias initializer. */
export const zeros: Initializer = constant(0)
/** All ones: the initial scale of the normalisation layers. */
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

/** Options of `orthogonal`. */
export interface OrthogonalOptions {
  /** A factor on the orthogonal matrix: default 1. */
  readonly gain?: number
}

/**
 * An initializer drawing a (semi-)orthogonal matrix times `gain`: the shape is read as
 * [rows = product of all but the last axis, cols = last axis]; rows are orthonormal when
 * rows <= cols, columns otherwise. The default recurrent initializer of the RNN cells.
 *
 * @throws PuregradError (from the initializer) `SHAPE_MISMATCH` for a shape of rank below 2, and
 * the errors `Initializer` lists.
 * @example
 * ```ts
 * import { matmul, transpose } from 'puregrad'
 * import { initializers, key } from 'puregrad/layers'
 *
 * const q = initializers.orthogonal()(key(0), [4, 4], 'float64')
 * const eye = matmul(transpose(q), q).dataSync()   // Qᵀ Q = I
 * eye.forEach((v, i) => { if (Math.abs(v - (i % 5 === 0 ? 1 : 0)) > 1e-12) throw new Error(`QᵀQ[${i}] = ${v}`) })
 * ```
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
