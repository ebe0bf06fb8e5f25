/**
 * The digits data set that puregrad ships for its demo and tests (data/digits/digits.csv.gz: UCI
 * Optical Recognition of Handwritten Digits, 1,797 8x8 images, CC BY 4.0, see its LICENSE.md),
 * a loader that checks every row, and a seeded train/test split. Node only (node:fs, node:zlib);
 * it is not part of the browser-safe main entry.
 */

import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { PuregradError } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { tensor } from '../core/constructors.js'
import { gather } from '../ops/indexing.js'

/** The digits data set as tensors. */
export interface Digits {
  /** [n, 64] float32, the 8x8 images row-major, scaled from 0..16 to [0, 1]. */
  readonly images: Tensor
  /** [n] int32 class labels 0..9. */
  readonly labels: Tensor
}

/** Pixels per digits image (8 x 8). */
export const DIGITS_PIXELS = 64
/** Classes of the digits data set (0 to 9). */
export const DIGITS_CLASSES = 10
const MAX_VALUE = 16
const OP = 'loadDigits'

const bad = (message: string): never => {
  throw new PuregradError('INVALID_ARGUMENT', message, OP)
}

/**
 * The shipped file: data/digits/digits.csv.gz in the package root, found from this module upwards
 * (relative to the working directory when not found).
 *
 * @example
 * ```ts
 * import { existsSync } from 'node:fs'
 * import { defaultDigitsPath } from 'puregrad/datasets/node'
 *
 * if (!defaultDigitsPath().endsWith('digits.csv.gz') || !existsSync(defaultDigitsPath())) throw new Error(defaultDigitsPath())
 * ```
 */
export const defaultDigitsPath = (): string => {
  const rel = join('data', 'digits', 'digits.csv.gz')
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    const p = join(dir, rel)
    if (existsSync(p)) return p
    dir = dirname(dir)
  }
  return resolve(rel)
}

const INT = /^-?\d+$/

/**
 * Reads a gzipped digits CSV (default: the shipped one): images [n, 64] float32 in [0, 1] and
 * labels [n] int32. Every row must hold 65 integer fields, 64 pixels in 0..16 then a label in
 * 0..9.
 *
 * @throws PuregradError `INVALID_ARGUMENT` naming the file and the line (1-based) for a bad row, a
 * file that cannot be read or is not valid gzip.
 * @example
 * ```ts
 * import { loadDigits, DIGITS_PIXELS } from 'puregrad/datasets/node'
 *
 * const { images, labels } = loadDigits()
 * if (images.shape.join() !== `1797,${DIGITS_PIXELS}` || labels.dtype !== 'int32') throw new Error(`got ${images.shape}`)
 * ```
 */
export const loadDigits = (path: string = defaultDigitsPath()): Digits => {
  let raw: Buffer
  try {
    raw = readFileSync(path)
  } catch (e) {
    return bad(`cannot read ${path}: ${(e as Error).message}`)
  }
  let text: string
  try {
    text = gunzipSync(raw).toString('utf8')
  } catch (e) {
    return bad(`${path} is not a valid gzip file (corrupted or truncated?): ${(e as Error).message}`)
  }
  const lines = text.split('\n')
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) bad(`${path} holds no rows`)
  const n = lines.length
  const pixels = new Float32Array(n * DIGITS_PIXELS)
  const labels = new Int32Array(n)
  for (let r = 0; r < n; r++) {
    const where = `${path} line ${r + 1}`
    const line = lines[r].endsWith('\r') ? lines[r].slice(0, -1) : lines[r]
    const fields = line.split(',')
    if (fields.length !== DIGITS_PIXELS + 1) {
      bad(`${where}: expected ${DIGITS_PIXELS + 1} comma-separated fields (64 pixels and a label), got ${fields.length}`)
    }
    for (let c = 0; c <= DIGITS_PIXELS; c++) {
      const f = fields[c]
      if (!INT.test(f)) bad(`${where}, field ${c + 1}: expected an integer, got '${f}'`)
      const v = Number(f)
      if (c < DIGITS_PIXELS) {
        if (v > MAX_VALUE || v < 0) bad(`${where}, field ${c + 1}: pixel value ${v} is outside 0..${MAX_VALUE}`)
        pixels[r * DIGITS_PIXELS + c] = v / MAX_VALUE
      } else {
        if (v < 0 || v >= DIGITS_CLASSES) bad(`${where}, field ${c + 1}: label ${v} is outside 0..${DIGITS_CLASSES - 1}`)
        labels[r] = v
      }
    }
  }
  return {
    images: tensor(pixels, { shape: [n, DIGITS_PIXELS] }),
    labels: tensor(labels, { shape: [n] }),
  }
}

/**
 * mulberry32: a tiny deterministic 32-bit PRNG. Returns a function giving floats in [0, 1);
 * the same seed always gives the same sequence, on every platform.
 */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** 0..n-1 in an order shuffled (Fisher-Yates) by `rand`. */
export const permutation = (n: number, rand: () => number): Int32Array => {
  const p = new Int32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    const t = p[i]; p[i] = p[j]; p[j] = t
  }
  return p
}

/** Options of `trainTestSplit`. */
export interface SplitOptions {
  /** Fraction of the rows held out for testing, in (0, 1). Default 0.2. */
  readonly testFraction?: number
  /** Seed of the shuffle; the same seed gives the same split. Default 0. */
  readonly seed?: number
}

/** A training and a test part of a data set. */
export interface Split<D> { readonly train: D; readonly test: D }

/**
 * Shuffles the rows (axis 0 of both tensors) with a seeded PRNG and splits them: the first
 * round(n * testFraction) shuffled rows are the test set, the rest the training set.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a testFraction outside (0, 1) or one that leaves
 * a side empty, or a seed that is not an integer; `SHAPE_MISMATCH` when images and labels have
 * different row counts.
 * @example
 * ```ts
 * import { zeros } from 'puregrad'
 * import { trainTestSplit } from 'puregrad/datasets/node'
 *
 * const data = { images: zeros([10, 64]), labels: zeros([10], { dtype: 'int32' }) }
 * const { train, test } = trainTestSplit(data, { testFraction: 0.3, seed: 1 })
 * if (train.images.shape[0] !== 7 || test.labels.shape[0] !== 3) throw new Error('trainTestSplit')
 * ```
 */
export const trainTestSplit = (data: Digits, opts: SplitOptions = {}): Split<Digits> => {
  const op = 'trainTestSplit'
  const frac = opts.testFraction ?? 0.2
  const seed = opts.seed ?? 0
  if (!(frac > 0 && frac < 1)) throw new PuregradError('INVALID_ARGUMENT', `testFraction must lie in (0, 1), got ${frac}`, op)
  if (!Number.isInteger(seed)) throw new PuregradError('INVALID_ARGUMENT', `seed must be an integer, got ${seed}`, op)
  const n = data.images.shape[0]
  if (data.labels.shape[0] !== n) {
    throw new PuregradError('SHAPE_MISMATCH', `images have ${n} rows but labels ${data.labels.shape[0]}`, op)
  }
  const nTest = Math.round(n * frac)
  if (nTest === 0 || nTest === n) {
    throw new PuregradError('INVALID_ARGUMENT', `testFraction ${frac} of ${n} rows leaves an empty side`, op)
  }
  const perm = permutation(n, mulberry32(seed))
  const pick = (ix: Int32Array): Digits => {
    const t = tensor(ix, { shape: [ix.length] })
    return { images: gather(data.images, t, 0), labels: gather(data.labels, t, 0) }
  }
  return { test: pick(perm.subarray(0, nTest)), train: pick(perm.subarray(nTest)) }
}
