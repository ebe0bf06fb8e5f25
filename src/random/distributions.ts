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
import { bits32, bits64, checkKey, type Key } from './key.js'
import { normalCdf, normalQuantile } from './normal-cdf.js'

/** The dtypes samplers, initializers and layer parameters come in. */
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

/** Options of `uniform`. */
export interface UniformOptions {
  /** Default 0. */
  readonly minval?: number
  /** Default 1 (excluded). */
  readonly maxval?: number
  /** Default float32. */
  readonly dtype?: FloatDType
}

/**
 * Uniform samples of `shape` in [minval, maxval) (default [0, 1)), float32 unless `dtype` says
 * otherwise; float32 draws equal jax.random.uniform's bit for bit.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad key or shape, non-finite bounds or
 * minval >= maxval; `UNSUPPORTED_DTYPE` for a dtype other than float32 and float64.
 * @example
 * ```ts
 * import { random } from 'puregrad/layers'
 *
 * const u = random.uniform(random.key(0), [2, 3], { minval: -1, maxval: 1 })
 * if (u.shape.join() !== '2,3' || !u.dataSync().every((v) => v >= -1 && v < 1)) throw new Error(`got ${u}`)
 * ```
 */
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

/** Options of `normal`. */
export interface NormalOptions {
  /** Default 0. */
  readonly mean?: number
  /** Default 1. */
  readonly std?: number
  /** Default float32. */
  readonly dtype?: FloatDType
}

/**
 * Normal samples of `shape` (standard unless `mean` / `std` are given), float32 unless `dtype`,
 * by inverse-CDF transform of open uniforms.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad key or shape, a non-finite mean or std or a
 * negative std; `UNSUPPORTED_DTYPE` for a dtype other than float32 and float64.
 * @example
 * ```ts
 * import { mean } from 'puregrad'
 * import { random } from 'puregrad/layers'
 *
 * const x = random.normal(random.key(0), [10000], { mean: 3, std: 2 })
 * if (Math.abs(mean(x).item() - 3) > 0.1) throw new Error(`mean ${mean(x).item()}`)
 * ```
 */
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

/** Options of `truncatedNormal`. */
export interface TruncatedNormalOptions {
  /** Bounds in units of the standard normal: default [-2, 2]. */
  readonly lower?: number
  /** Default 2. */
  readonly upper?: number
  /** Default float32. */
  readonly dtype?: FloatDType
}

/**
 * Standard normal samples conditioned on [lower, upper] (default [-2, 2]), by inverse CDF of a
 * uniform on [Φ(lower), Φ(upper)]; the same construction as jax.random.truncated_normal. Bounds
 * are mirrored into the lower half, where Φ keeps its relative precision, so even a far tail such
 * as [5, 6] is sampled correctly (up to about 37 standard deviations, where φ underflows).
 * Samples of `shape`, float32 unless `dtype`.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad key or shape or unless lower < upper;
 * `UNSUPPORTED_DTYPE` for a dtype other than float32 and float64.
 * @example
 * ```ts
 * import { random } from 'puregrad/layers'
 *
 * const x = random.truncatedNormal(random.key(0), [1000], { lower: 1, upper: 1.5 })
 * if (!x.dataSync().every((v) => v >= 1 && v <= 1.5)) throw new Error('outside the bounds')
 * ```
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

/** Options of `bernoulli`. */
export interface BernoulliOptions {
  /** The probability of true: default 0.5. */
  readonly p?: number
}

/**
 * Bool samples of `shape`, true with probability `p`: float32 uniform < p, as jax.random.bernoulli.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad key or shape or p outside [0, 1].
 * @example
 * ```ts
 * import { random } from 'puregrad/layers'
 *
 * const mask = random.bernoulli(random.key(0), [1000], { p: 0.9 })
 * const on = mask.dataSync().filter((v) => v === 1).length
 * if (mask.dtype !== 'bool' || on < 850 || on > 950) throw new Error(`${on} of 1000`)
 * ```
 */
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

/** Options of `permutation` over a tensor. */
export interface PermutationOptions {
  /** The axis whose slices are shuffled: default 0. */
  readonly axis?: number
}

/**
 * A random permutation: of 0 .. n-1 (an int32 tensor [n]) when given a number, or of the slices
 * of a tensor along `axis` (default 0; same shape and dtype). Shuffling a tensor is a gather, so
 * it is differentiable.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad key or n; `SHAPE_MISMATCH` for a scalar;
 * `INVALID_AXIS` for an axis outside [-rank, rank).
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { random } from 'puregrad/layers'
 *
 * const order = random.permutation(random.key(0), 5)
 * const rows = random.permutation(random.key(0), tensor([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]]))
 * if ([...order.dataSync()].sort().join() !== '0,1,2,3,4') throw new Error(`got ${order}`)
 * if (rows.dataSync()[0] !== order.dataSync()[0]) throw new Error('the same key shuffles the same way')
 * ```
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

/** Options of `categorical`. */
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
 * argmax(logits + g) with g = -log(-log u). Logits of -Infinity are never drawn. Not
 * differentiable. The output shape is `opts.shape`, default the logits' shape without `axis`.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a bad key; `SHAPE_MISMATCH` for scalar logits, an
 * empty class axis or a shape that does not end with the batch shape; `DTYPE_MISMATCH` for
 * non-float logits; `INVALID_AXIS` for an axis outside [-rank, rank).
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { random } from 'puregrad/layers'
 *
 * const logits = tensor([[0, -Infinity, 0], [-Infinity, 5, -Infinity]])
 * const draws = random.categorical(random.key(0), logits, { shape: [100, 2] }).dataSync()
 * for (let i = 0; i < 200; i += 2) {
 *   if (draws[i] === 1 || draws[i + 1] !== 1) throw new Error('drew a class of probability 0')
 * }
 * ```
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
