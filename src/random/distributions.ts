/**
 * Sampling functions over PRNG keys: uniform, normal, truncatedNormal, bernoulli, permutation and
 * categorical. Every value is computed on the host in float64 from Threefry bits and uploaded
 * once with `tensor`, so every backend sees the same numbers for the same key (kernels never
 * generate randomness). In the elementwise samplers, element i of a draw depends only on the
 * key and i, so a draw of n numbers is a prefix of a draw of more, whatever the shape.
 */

import { PuregradError } from '../core/errors.js'
import { checkShape, normalizeAxis, sizeOf } from '../core/shape.js'
import type { Tensor } from '../core/tensor.js'
import { tensor } from '../core/constructors.js'
import { gather } from '../ops/indexing.js'
import { erf } from '../backends/js/elementwise.js'
import { bits32, bits64, checkKey, type Key } from './key.js'

export type FloatDType = 'float32' | 'float64'

const TWO_M23 = 2 ** -23
const TWO_M52 = 2 ** -52

const checkFloat = (op: string, dtype: unknown): FloatDType => {
  if (dtype !== 'float32' && dtype !== 'float64') throw new PuregradError('UNSUPPORTED_DTYPE', `samples are float32 or float64, got ${String(dtype)}`, op)
  return dtype
}

const checkFinite = (op: string, what: string, v: number): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PuregradError('INVALID_ARGUMENT', `${what} must be a finite number, got ${String(v)}`, op)
  return v
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)
const f64 = new Float64Array(1)
const u64 = new BigUint64Array(f64.buffer)

/** The largest value of `dtype` strictly below the finite number `x`. */
const nextDown = (x: number, dtype: FloatDType): number => {
  if (dtype === 'float32') {
    f32[0] = x
    if (x === 0) { u32[0] = 0x80000001; return f32[0] }
    u32[0] = x > 0 ? u32[0] - 1 : u32[0] + 1
    return f32[0]
  }
  if (x === 0) return -Number.MIN_VALUE
  f64[0] = x
  u64[0] = x > 0 ? u64[0] - 1n : u64[0] + 1n
  return f64[0]
}

/** Rounds to `dtype` (float64 is the identity). */
const round = (x: number, dtype: FloatDType): number => (dtype === 'float32' ? Math.fround(x) : x)

/** The largest value of `dtype` strictly below `x`, and the smallest at or above it. */
const below = (x: number, dtype: FloatDType): number => {
  const r = round(x, dtype)
  return r < x ? r : nextDown(r, dtype)
}
const atOrAbove = (x: number, dtype: FloatDType): number => {
  const r = round(x, dtype)
  return r >= x ? r : -nextDown(-r, dtype)
}
const atOrBelow = (x: number, dtype: FloatDType): number => {
  const r = round(x, dtype)
  return r <= x ? r : nextDown(r, dtype)
}

/**
 * Uniform numbers in [0, 1) built as JAX builds them: the top 23 bits of the 32-bit word as a
 * float32 significand (float32), or the top 52 of the 64 bits (float64). Every value is exact in
 * its dtype, so none rounds up to 1, and float32 draws equal jax.random.uniform's bit for bit.
 */
const unitUniform = (k: Key, n: number, dtype: FloatDType): Float64Array => {
  const out = new Float64Array(n)
  if (dtype === 'float32') {
    const w = bits32(k, n)
    for (let i = 0; i < n; i++) out[i] = (w[i] >>> 9) * TWO_M23
  } else {
    const [hi, lo] = bits64(k, n)
    for (let i = 0; i < n; i++) out[i] = (hi[i] * 1048576 + (lo[i] >>> 12)) * TWO_M52
  }
  return out
}

/** Uniform numbers in the open interval (0, 1): 52 random bits and half a step, all exact. */
const openUniform = (k: Key, n: number): Float64Array => {
  const [hi, lo] = bits64(k, n)
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = (hi[i] * 1048576 + (lo[i] >>> 12) + 0.5) * TWO_M52
  return out
}

const upload = (values: Float64Array, shape: readonly number[], dtype: FloatDType): Tensor =>
  tensor(dtype === 'float64' ? values : Float32Array.from(values), { shape, dtype })

export interface UniformOptions {
  readonly minval?: number
  readonly maxval?: number
  readonly dtype?: FloatDType
}

/** Uniform samples in [minval, maxval) (default [0, 1)), float32 unless `dtype` says otherwise. */
export const uniform = (k: Key, shape: readonly number[], opts: UniformOptions = {}): Tensor => {
  const op = 'random.uniform'
  checkKey(op, k)
  const s = checkShape(op, shape)
  const dtype = checkFloat(op, opts.dtype ?? 'float32')
  const lo = checkFinite(op, 'minval', opts.minval ?? 0), hi = checkFinite(op, 'maxval', opts.maxval ?? 1)
  if (!(lo < hi)) throw new PuregradError('INVALID_ARGUMENT', `needs minval < maxval, got [${lo}, ${hi})`, op)
  const u = unitUniform(k, sizeOf(s), dtype)
  // JAX's affine map, in the dtype's own arithmetic: u (hi - lo) + lo. Rounding can land on hi;
  // the interval is half-open, so such values step back below it (JAX leaves them at hi).
  const rl = round(lo, dtype), width = round(round(hi, dtype) - rl, dtype)
  if (!Number.isFinite(width)) throw new PuregradError('INVALID_ARGUMENT', `maxval - minval overflows ${dtype}: [${lo}, ${hi})`, op)
  const top = below(hi, dtype), bottom = atOrAbove(lo, dtype)
  for (let i = 0; i < u.length; i++) {
    const v = round(round(u[i] * width, dtype) + rl, dtype)
    u[i] = v > top ? top : v < bottom ? bottom : v
  }
  return upload(u, s, dtype)
}

// Inverse of the standard normal CDF by P. J. Acklam's rational approximation (relative error
// below 1.15e-9 over (0, 1)): plenty for sampling, and it needs only the host's log and sqrt.
const A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
const B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
const C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
const D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
const P_LOW = 0.02425

const tail = (p: number): number => {
  const q = Math.sqrt(-2 * Math.log(p))
  return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
}

/** @internal The standard normal quantile Φ⁻¹(p) for p in (0, 1). */
export const normalQuantile = (p: number): number => {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  if (p < P_LOW) return tail(p)
  if (p > 1 - P_LOW) return -tail(1 - p)
  const q = p - 0.5, r = q * q
  return ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
}

/**
 * @internal The standard normal CDF Φ(x), with relative accuracy in the lower tail: from the host
 * erf the JS backend uses (Cody's) down to x = -3, and below that from the Laplace continued
 * fraction of the Mills ratio, Φ(x) = φ(x) / (t + 1/(t + 2/(t + 3/(t + ...)))) with t = -x,
 * where 1 + erf would cancel to nothing.
 */
export const normalCdf = (x: number): number => {
  if (!(x < -3)) return 0.5 * (1 + erf(x / Math.SQRT2))
  const t = -x
  let r = t
  for (let k = 120; k >= 1; k--) r = t + k / r
  return Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI) / r
}

export interface NormalOptions {
  readonly mean?: number
  readonly std?: number
  readonly dtype?: FloatDType
}

/** Normal samples (standard unless `mean` / `std` are given), by inverse-CDF transform of open uniforms. */
export const normal = (k: Key, shape: readonly number[], opts: NormalOptions = {}): Tensor => {
  const op = 'random.normal'
  checkKey(op, k)
  const s = checkShape(op, shape)
  const dtype = checkFloat(op, opts.dtype ?? 'float32')
  const mean = checkFinite(op, 'mean', opts.mean ?? 0), std = checkFinite(op, 'std', opts.std ?? 1)
  if (std < 0) throw new PuregradError('INVALID_ARGUMENT', `std must be non-negative, got ${std}`, op)
  const u = openUniform(k, sizeOf(s))
  for (let i = 0; i < u.length; i++) u[i] = mean + std * normalQuantile(u[i])
  return upload(u, s, dtype)
}

export interface TruncatedNormalOptions {
  /** Bounds in units of the standard normal: default [-2, 2]. */
  readonly lower?: number
  readonly upper?: number
  readonly dtype?: FloatDType
}

/**
 * Standard normal samples conditioned on [lower, upper] (default [-2, 2]), by inverse CDF of a
 * uniform on [Φ(lower), Φ(upper)]; the same construction as jax.random.truncated_normal. Bounds
 * are mirrored into the lower half, where Φ keeps its relative precision, so even a far tail such
 * as [5, 6] is sampled correctly (up to about 37 standard deviations, where φ underflows).
 */
export const truncatedNormal = (k: Key, shape: readonly number[], opts: TruncatedNormalOptions = {}): Tensor => {
  const op = 'random.truncatedNormal'
  checkKey(op, k)
  const s = checkShape(op, shape)
  const dtype = checkFloat(op, opts.dtype ?? 'float32')
  const lower = opts.lower ?? -2, upper = opts.upper ?? 2
  if (Number.isNaN(lower) || Number.isNaN(upper) || !(lower < upper)) {
    throw new PuregradError('INVALID_ARGUMENT', `needs lower < upper, got [${lower}, ${upper}]`, op)
  }
  const flip = lower + upper > 0
  const a = normalCdf(flip ? -upper : lower), b = normalCdf(flip ? -lower : upper)
  const u = openUniform(k, sizeOf(s))
  const lo = atOrAbove(lower, dtype), hi = atOrBelow(upper, dtype)
  for (let i = 0; i < u.length; i++) {
    const z = normalQuantile(a + u[i] * (b - a))
    const v = round(flip ? -z : z, dtype)
    u[i] = v < lo ? lo : v > hi ? hi : v
  }
  return upload(u, s, dtype)
}

export interface BernoulliOptions {
  /** The probability of true: default 0.5. */
  readonly p?: number
}

/** Bool samples, true with probability `p`: float32 uniform < p, as jax.random.bernoulli. */
export const bernoulli = (k: Key, shape: readonly number[], opts: BernoulliOptions = {}): Tensor => {
  const op = 'random.bernoulli'
  checkKey(op, k)
  const s = checkShape(op, shape)
  const p = opts.p ?? 0.5
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new PuregradError('INVALID_ARGUMENT', `p must be a probability in [0, 1], got ${String(p)}`, op)
  return tensor(bernoulliBits(k, sizeOf(s), p), { shape: s, dtype: 'bool' })
}

/** @internal The values `bernoulli` uploads, for callers that upload them elsewhere (dropout, to x's backend). */
export const bernoulliBits = (k: Key, n: number, p: number): Uint8Array => {
  const u = unitUniform(k, n, 'float32')
  const p32 = Math.fround(p)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = u[i] < p32 ? 1 : 0
  return out
}

/** A uniformly random ordering of 0 .. n-1 on the host (Fisher-Yates, one uniform per swap). */
const shuffledIndices = (k: Key, n: number): Int32Array => {
  const idx = new Int32Array(n)
  for (let i = 0; i < n; i++) idx[i] = i
  const u = unitUniform(k, n, 'float64')
  for (let i = n - 1; i > 0; i--) {
    // With 52-bit uniforms the bias of floor(u (i + 1)) is below n / 2^52.
    const j = Math.floor(u[i] * (i + 1))
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t
  }
  return idx
}

export interface PermutationOptions { readonly axis?: number }

/**
 * A random permutation: of 0 .. n-1 (an int32 tensor) when given a number, or of the slices of
 * a tensor along `axis` (default 0). Shuffling a tensor is a gather, so it is differentiable.
 */
export function permutation(k: Key, n: number): Tensor
export function permutation(k: Key, x: Tensor, opts?: PermutationOptions): Tensor
export function permutation(k: Key, x: number | Tensor, opts: PermutationOptions = {}): Tensor {
  const op = 'random.permutation'
  checkKey(op, k)
  if (typeof x === 'number') {
    if (!Number.isInteger(x) || x < 0) throw new PuregradError('INVALID_ARGUMENT', `n must be a non-negative integer, got ${x}`, op)
    return tensor(shuffledIndices(k, x), { shape: [x], dtype: 'int32' })
  }
  if (x.rank === 0) throw new PuregradError('SHAPE_MISMATCH', 'cannot permute a scalar', op)
  const axis = normalizeAxis(op, opts.axis ?? 0, x.rank)
  const n = x.shape[axis]
  return gather(x, tensor(shuffledIndices(k, n), { shape: [n], dtype: 'int32' }), axis)
}

export interface CategoricalOptions {
  /** The class axis of the logits: default the last. */
  readonly axis?: number
  /**
   * The output shape: it must end with the logits' batch shape (their shape without `axis`);
   * leading extra dimensions draw independent samples. Default the batch shape.
   */
  readonly shape?: readonly number[]
}

/**
 * Class indices (int32) drawn from softmax(logits) along `axis`, by the Gumbel-max trick:
 * argmax(logits + g) with g = -log(-log u). Logits of -Infinity are never drawn. Not differentiable.
 */
export const categorical = (k: Key, logits: Tensor, opts: CategoricalOptions = {}): Tensor => {
  const op = 'random.categorical'
  checkKey(op, k)
  if (logits.rank === 0) throw new PuregradError('SHAPE_MISMATCH', 'logits need a class axis, got a scalar', op)
  if (logits.dtype !== 'float32' && logits.dtype !== 'float64') throw new PuregradError('DTYPE_MISMATCH', `logits must be float, got ${logits.dtype}`, op)
  const axis = normalizeAxis(op, opts.axis ?? -1, logits.rank)
  const classes = logits.shape[axis]
  if (classes === 0) throw new PuregradError('SHAPE_MISMATCH', `the class axis ${axis} of [${logits.shape.join(',')}] is empty`, op)
  const batch = logits.shape.filter((_, i) => i !== axis)
  const out = opts.shape === undefined ? batch : checkShape(op, opts.shape)
  const extra = out.length - batch.length
  if (extra < 0 || batch.some((d, i) => out[extra + i] !== d)) {
    throw new PuregradError('SHAPE_MISMATCH', `shape [${out.join(',')}] must end with the logits' batch shape [${batch.join(',')}]`, op)
  }
  const values = logits.dataSync()
  const inner = sizeOf(logits.shape.slice(axis + 1))
  const rows = sizeOf(batch)
  const total = sizeOf(out)
  const u = openUniform(k, total * classes)
  const result = new Int32Array(total)
  for (let s = 0; s < total; s++) {
    const row = s % Math.max(rows, 1)
    const outer = Math.floor(row / inner), within = row % inner
    let best = -Infinity, arg = 0
    for (let c = 0; c < classes; c++) {
      const l = values[(outer * classes + c) * inner + within]
      const score = l - Math.log(-Math.log(u[s * classes + c]))
      if (score > best) { best = score; arg = c }
    }
    result[s] = arg
  }
  return tensor(result, { shape: out, dtype: 'int32' })
}
