/**
 * Deterministic host-side data for every peer: a seeded PRNG (mulberry32) and the generators of
 * inputs, labels and initial weights. Every library receives the very same Float32Arrays, so
 * differences in results come from the libraries, never from the data.
 */

export type HostTensor = { readonly data: Float32Array; readonly shape: readonly number[] }

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)

/** mulberry32: a small, fast 32-bit generator; returns floats in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const uniform = (rand: () => number, shape: readonly number[], lo = 0, hi = 1): HostTensor => {
  const data = new Float32Array(sizeOf(shape))
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rand()
  return { data, shape: [...shape] }
}

export const zerosHost = (shape: readonly number[]): HostTensor => ({ data: new Float32Array(sizeOf(shape)), shape: [...shape] })

export const labels = (rand: () => number, n: number, classes: number): Int32Array => {
  const y = new Int32Array(n)
  for (let i = 0; i < n; i++) y[i] = Math.floor(rand() * classes)
  return y
}

/** Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)). */
export const glorot = (rand: () => number, shape: readonly number[], fanIn: number, fanOut: number): HostTensor => {
  const l = Math.sqrt(6 / (fanIn + fanOut))
  return uniform(rand, shape, -l, l)
}

/** One-hot float32 rows for integer labels. */
export const oneHotHost = (y: Int32Array, classes: number): HostTensor => {
  const data = new Float32Array(y.length * classes)
  for (let i = 0; i < y.length; i++) data[i * classes + y[i]] = 1
  return { data, shape: [y.length, classes] }
}

/** NHWC -> NCHW (jax-js convolutions are channels-first). */
export const nhwcToNchw = (t: HostTensor): HostTensor => {
  const [n, h, w, c] = t.shape
  const out = new Float32Array(t.data.length)
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[((b * c + k) * h + y) * w + x] = t.data[((b * h + y) * w + x) * c + k]
  }
  return { data: out, shape: [n, c, h, w] }
}

/** HWIO -> OIHW filters. */
export const hwioToOihw = (t: HostTensor): HostTensor => {
  const [h, w, i, o] = t.shape
  const out = new Float32Array(t.data.length)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let a = 0; a < i; a++) for (let b = 0; b < o; b++) {
    out[((b * i + a) * h + y) * w + x] = t.data[((y * w + x) * i + a) * o + b]
  }
  return { data: out, shape: [o, i, h, w] }
}
