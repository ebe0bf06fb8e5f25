/**
 * Host-side arithmetic on records of tensors, the measuring instruments of the laws: reading
 * leaves as float64 arrays, building tensors like a given leaf (same shape, dtype and backend),
 * x + a*t, inner products with the magnitude of their terms, the allclose comparison that names
 * the worst element, seeded random directions, casting a record to one dtype, flattening a record
 * into one vector (for Hessians) and printing a record as a counterexample. Nothing here is
 * differentiated except `ravel`, which is built from puregrad ops on purpose.
 */

import {
  Tensor, tensor, cast, concat, flatten, reshape, slice, getBackend, withBackend,
  treeFlatten, treeLeavesWithPath, treeMap, treeUnflatten, type DType,
} from '../src/index.js'
import type { FloatDType, Tolerance } from './config.js'

export const isFloatDType = (d: DType): d is FloatDType => d === 'float32' || d === 'float64'

/** One leaf of a record, with its path and its values read to the host as float64. */
export interface FlatLeaf {
  readonly path: string
  readonly tensor: Tensor
  readonly values: Float64Array
}

export const flat = (tree: unknown, root = 'args'): FlatLeaf[] =>
  treeLeavesWithPath<unknown>(tree, root).map(([path, leaf]) => {
    if (!(leaf instanceof Tensor)) throw new TypeError(`${path}: expected a tensor`)
    return { path, tensor: leaf, values: Float64Array.from(leaf.dataSync()) }
  })

const onBackendOf = <T>(like: Tensor, f: () => T): T => {
  const b = like.concrete().backend as { readonly name: string } | null
  return b === null || b.name === getBackend().name ? f() : withBackend(b.name, f)
}

/** A constant tensor holding `values` with `like`'s shape and dtype, on `like`'s backend. */
export const fromValues = (values: ArrayLike<number>, like: Tensor): Tensor =>
  onBackendOf(like, () => tensor(Float64Array.from(values), { shape: [...like.shape], dtype: like.dtype }))

/** The record with each leaf's values replaced by `f(values, leaf)` (same structure and dtypes). */
export const mapValues = <T>(tree: T, f: (values: Float64Array, leaf: Tensor) => ArrayLike<number>): T =>
  treeMap(tree, (leaf: Tensor) => fromValues(f(Float64Array.from(leaf.dataSync()), leaf), leaf))

/** x + a * t leaf by leaf (rounded to each leaf's dtype); only float leaves move. */
export const axpy = <T>(x: T, a: number, t: T): T => {
  const ts = flat(t)
  let k = 0
  return treeMap(x, (leaf: Tensor) => {
    const d = ts[k++].values
    if (!isFloatDType(leaf.dtype)) return leaf
    const v = Float64Array.from(leaf.dataSync())
    for (let i = 0; i < v.length; i++) v[i] += a * d[i]
    return fromValues(v, leaf)
  })
}

/** a * t leaf by leaf (float leaves only). */
export const scaleTree = <T>(t: T, a: number): T =>
  mapValues(t, (v, leaf) => (isFloatDType(leaf.dtype) ? v.map((x) => a * x) : v))

/** An inner product and the sum of the absolute values of its terms (the scale of its rounding). */
export interface Inner {
  readonly value: number
  readonly magnitude: number
}

/** Sum over float leaves of <a_leaf, b_leaf>; the records must have leaves of equal sizes. */
export const inner = (a: unknown, b: unknown): Inner => {
  const la = flat(a), lb = flat(b)
  if (la.length !== lb.length) throw new RangeError(`inner product of records with ${la.length} and ${lb.length} leaves`)
  let value = 0, magnitude = 0
  la.forEach((x, k) => {
    if (!isFloatDType(x.tensor.dtype)) return
    const y = lb[k].values
    if (y.length !== x.values.length) throw new RangeError(`${x.path}: inner product of ${x.values.length} and ${y.length} values`)
    for (let i = 0; i < y.length; i++) {
      const p = x.values[i] * y[i]
      value += p
      magnitude += Math.abs(p)
    }
  })
  return { value, magnitude }
}

/** Where two sets of values disagree most, relative to what was allowed there. */
export interface Mismatch {
  readonly where: string
  readonly measured: number
  readonly expected: number
  readonly allowed: number
}

/**
 * numpy's allclose leaf by leaf, except that NaN never equals anything and an infinity equals only
 * itself. `allowed(leaf, i, expected)` is the tolerance at one element. Returns the element with
 * the largest |measured - expected| / allowed above 1, or undefined when all are close.
 */
export const worstMismatch = (
  paths: readonly string[],
  measured: readonly ArrayLike<number>[],
  expected: readonly ArrayLike<number>[],
  allowed: (leaf: number, i: number, expected: number) => number,
): Mismatch | undefined => {
  let worst: Mismatch | undefined
  let worstRatio = 1
  for (let k = 0; k < expected.length; k++) {
    const m = measured[k], e = expected[k]
    for (let i = 0; i < e.length; i++) {
      const a = m[i], b = e[i]
      const tol = allowed(k, i, b)
      let ratio: number
      if (Number.isNaN(a) || Number.isNaN(b)) ratio = Infinity
      else if (!Number.isFinite(a) || !Number.isFinite(b)) ratio = a === b ? 0 : Infinity
      else ratio = Math.abs(a - b) / tol
      if (ratio > worstRatio || (worst === undefined && ratio > 1)) {
        worstRatio = ratio
        worst = { where: e.length === 1 ? paths[k] : `${paths[k]} (flat index ${i})`, measured: a, expected: b, allowed: tol }
        if (ratio === Infinity) return worst
      }
    }
  }
  return worst
}

/** JAX's comparison: atol and rtol multiplied by the element count of the leaf. */
export const sizeScaled = (tol: Tolerance, sizes: readonly number[]) => (leaf: number, _i: number, expected: number): number =>
  tol.atol * Math.max(1, sizes[leaf]) + tol.rtol * Math.max(1, sizes[leaf]) * Math.abs(expected)

// ---------------------------------------------------------------------------------------------
// Random directions

/** A small seeded generator (mulberry32) with standard normal draws (Box-Muller). */
export interface Rng {
  /** The next uniform number in [0, 1). */
  uniform(): number
  /** The next standard normal number. */
  normal(): number
}

/**
 * A seeded generator for random directions (tangents, cotangents, projections): the same seed
 * gives the same sequence. Host numbers only; no tensors.
 *
 * @example
 * ```ts
 * import { makeRng } from 'puregrad/laws'
 *
 * const a = makeRng(1), b = makeRng(1)
 * const u = a.uniform()
 * if (u < 0 || u >= 1 || u !== b.uniform() || a.normal() !== b.normal()) throw new Error('makeRng')
 * ```
 */
export const makeRng = (seed: number): Rng => {
  let s = seed >>> 0
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
  let spare: number | undefined
  const normal = (): number => {
    if (spare !== undefined) { const v = spare; spare = undefined; return v }
    let u = 0
    while (u === 0) u = uniform()
    const r = Math.sqrt(-2 * Math.log(u)), th = 2 * Math.PI * uniform()
    spare = r * Math.sin(th)
    return r * Math.cos(th)
  }
  return { uniform, normal }
}

/**
 * A record like `tree` holding standard normal values in each float leaf (zeros in the others),
 * with the leaves' shapes and dtypes.
 *
 * @example
 * ```ts
 * import { zeros } from 'puregrad'
 * import { randomLike, makeRng } from 'puregrad/laws'
 *
 * const d = randomLike({ w: zeros([2, 2]) }, makeRng(0))
 * if (d.w.shape.join() !== '2,2' || d.w.dataSync().every((v) => v === 0)) throw new Error('randomLike')
 * ```
 */
export const randomLike = <T>(tree: T, rng: Rng): T =>
  mapValues(tree, (v, leaf) => (isFloatDType(leaf.dtype) ? v.map(() => rng.normal()) : v.map(() => 0)))

// ---------------------------------------------------------------------------------------------
// Dtypes, structure, printing

/** How a check treats float leaves: cast all to float64 (the default), to float32, or keep them. */
export type CheckDType = FloatDType | 'keep'

/**
 * The record with its float leaves cast to `dtype` (no-op for 'keep'); other leaves untouched.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { castTree } from 'puregrad/laws'
 *
 * const r = castTree({ w: tensor([1.5]), ids: tensor([2], { dtype: 'int32' }) }, 'float64')
 * if (r.w.dtype !== 'float64' || r.ids.dtype !== 'int32') throw new Error('castTree')
 * ```
 */
export const castTree = <T>(tree: T, dtype: CheckDType): T =>
  dtype === 'keep' ? tree : treeMap(tree, (leaf: Tensor) => (isFloatDType(leaf.dtype) && leaf.dtype !== dtype ? cast(leaf, dtype) : leaf))

/** float32 when any float leaf of the records is float32 (its looser tolerances govern), else float64. */
export const workingDType = (...trees: unknown[]): FloatDType =>
  trees.some((t) => flatLeaves(t).some((l) => l.dtype === 'float32')) ? 'float32' : 'float64'

const flatLeaves = (t: unknown): Tensor[] => treeLeavesWithPath<Tensor>(t).map(([, l]) => l)

export const allFloat = (tree: unknown): boolean => flatLeaves(tree).every((l) => isFloatDType(l.dtype))

const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`

/**
 * A record as readable text: one line per leaf, `path [shape] dtype = values` (leaves longer than
 * `maxValues` cut), as law failures print counterexamples.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { describeTree } from 'puregrad/laws'
 *
 * const text = describeTree({ b: tensor([1, 2]) }, 'params')
 * if (text !== 'params.b [2] float32 = [1, 2]') throw new Error(text)
 * ```
 */
export const describeTree = (tree: unknown, root = 'args', maxValues = 24): string => {
  let leaves: [string, unknown][]
  try {
    leaves = treeLeavesWithPath<unknown>(tree, root)
  } catch {
    return `${root} = ${String(tree)}`
  }
  if (leaves.length === 0) return `${root} = (no tensors)`
  return leaves.map(([path, leaf]) => {
    if (!(leaf instanceof Tensor)) return `${path} = ${String(leaf)}`
    const v = Array.from(leaf.dataSync(), Number)
    const shown = v.slice(0, maxValues).map((x) => String(x)).join(', ')
    return `${path} ${fmtShape(leaf.shape)} ${leaf.dtype} = [${shown}${v.length > maxValues ? `, ... (${v.length} values)` : ''}]`
  }).join('\n')
}

/**
 * The float leaves of a record flattened into one vector, and the differentiable inverse (JAX's
 * ravel_pytree): `unravel(x)` rebuilds the record from slices of x with puregrad ops, so a function
 * of a record becomes a function of one tensor (what `hessian` needs). Leaves must share a dtype.
 * `paths` names each element of the vector.
 *
 * @throws RangeError for a record without tensors; PuregradError `DTYPE_MISMATCH` for leaves of
 * different dtypes.
 * @example
 * ```ts
 * import { tensor, type Tensor } from 'puregrad'
 * import { ravel } from 'puregrad/laws'
 *
 * const { vector, unravel, paths } = ravel({ a: tensor([1, 2]), b: tensor(3) })
 * const back = unravel(vector) as { a: Tensor; b: Tensor }
 * if (vector.dataSync().join() !== '1,2,3' || back.b.item() !== 3 || paths[2] !== 'args.b') throw new Error(paths.join())
 * ```
 */
export const ravel = (tree: unknown): {
  readonly vector: Tensor
  /** The record back from a vector like `vector` (differentiable). */
  readonly unravel: (x: Tensor) => unknown
  readonly paths: string[]
} => {
  const [leaves, def] = treeFlatten<Tensor>(tree)
  if (leaves.length === 0) throw new RangeError('ravel: the record has no tensors')
  const paths: string[] = []
  const offsets: number[] = []
  let off = 0
  for (const [path, leaf] of treeLeavesWithPath<Tensor>(tree, 'args')) {
    offsets.push(off)
    for (let i = 0; i < leaf.size; i++) paths.push(leaf.size === 1 ? path : `${path}[${i}]`)
    off += leaf.size
  }
  const vector = concat(leaves.map((l) => flatten(l)), 0)
  const unravel = (x: Tensor): unknown =>
    treeUnflatten(def, leaves.map((l, k) => reshape(slice(x, [offsets[k]], [l.size]), l.shape)))
  return { vector, unravel, paths }
}
