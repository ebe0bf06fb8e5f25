/**
 * fast-check arbitraries for differentiable programs: shapes, tensors with bounded finite values
 * kept a margin away from kinks (0 for abs and relu, the integers for floor, ...), parameter records
 * shaped like a template, and tangents and cotangents matching a record. Values are uniform over
 * their range and shrink toward 0 (or the nearest allowed value), element by element, so failing
 * laws report small points.
 */

import fc from 'fast-check'
import { Tensor, tensor, zerosLike, treeFlatten, treeLeavesWithPath, treeUnflatten } from '../src/index.js'
import type { FloatDType } from './config.js'
import { describeTree, isFloatDType } from './tree-math.js'

export interface ShapeArbOptions {
  /** Default 0 (scalars included). */
  readonly minRank?: number
  /** Default 3. */
  readonly maxRank?: number
  /** Default 1. */
  readonly minDim?: number
  /** Default 4. */
  readonly maxDim?: number
}

export interface TensorArbOptions extends ShapeArbOptions {
  /** A fixed shape; when omitted the shape is drawn too (see ShapeArbOptions). */
  readonly shape?: readonly number[]
  /** Default 'float64'. */
  readonly dtype?: FloatDType
  /** Bounds of every element, inclusive. Default [-2, 2]. */
  readonly min?: number
  readonly max?: number
  /** Kinks to stay away from: every element keeps |x - k| > margin for each k. */
  readonly avoid?: readonly number[]
  /** Distance kept from the `avoid` points. Default 0.05 (finite-difference steps move x by ~1e-5 to 1e-3). */
  readonly margin?: number
}

/** Shapes as arrays of dims; shrink toward fewer and smaller dims. */
export const arbShape = (opts: ShapeArbOptions = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: opts.minDim ?? 1, max: opts.maxDim ?? 4 }), { minLength: opts.minRank ?? 0, maxLength: opts.maxRank ?? 3 })

type Interval = readonly [number, number]

/** [min, max] minus the open-ish neighbourhoods |x - k| <= margin, nudged inward so float32 rounding stays out. */
export const allowedIntervals = (min: number, max: number, avoid: readonly number[], margin: number): Interval[] => {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`arbTensor: need finite min <= max, got [${min}, ${max}]`)
  if (!(margin >= 0)) throw new RangeError(`arbTensor: margin must be >= 0, got ${margin}`)
  let out: Interval[] = [[min, max]]
  for (const k of [...avoid].sort((a, b) => a - b)) {
    const pad = 1e-6 * (Math.abs(k) + margin) + 1e-12
    const lo = k - margin - pad, hi = k + margin + pad
    out = out.flatMap(([a, b]): Interval[] => {
      if (hi < a || lo > b) return [[a, b]]
      return [...(a <= lo ? [[a, lo] as const] : []), ...(hi <= b ? [[hi, b] as const] : [])]
    })
  }
  if (out.length === 0) throw new RangeError(`arbTensor: no value in [${min}, ${max}] keeps a margin of ${margin} from ${avoid.join(', ')}`)
  return out
}

const keepsAway = (x: number, avoid: readonly number[], margin: number): boolean => avoid.every((k) => Math.abs(x - k) > margin)

/** Grid points per unit length of an interval: values are uniform on a 2^-24-fine grid, not on bit patterns. */
const GRID = 2 ** 24

/**
 * Uniform values in [a, b] on a fine grid, shrinking toward the point of [a, b] closest to 0.
 * (fc.double draws uniformly over bit patterns, so most of its values are tiny: a gradient law
 * checked at 1e-200 checks nothing.)
 */
const uniformIn = ([a, b]: Interval): fc.Arbitrary<number> => {
  const anchor = Math.min(Math.max(0, a), b)
  const scale = GRID / Math.max(b - a, 1e-300)
  return fc.integer({ min: -Math.floor((anchor - a) * scale), max: Math.floor((b - anchor) * scale) })
    .map((i) => Math.min(b, Math.max(a, anchor + i / scale)))
}

/** One element: uniform over the allowed set (intervals weighted by length), shrinking toward 0. */
export const arbElement = (opts: TensorArbOptions = {}): fc.Arbitrary<number> => {
  const avoid = opts.avoid ?? [], margin = opts.margin ?? 0.05
  const ivs = allowedIntervals(opts.min ?? -2, opts.max ?? 2, avoid, margin)
  const total = ivs.reduce((s, [a, b]) => s + (b - a), 0)
  const arb = ivs.length === 1 ? uniformIn(ivs[0])
    : fc.oneof(...ivs.map((iv) => ({ arbitrary: uniformIn(iv), weight: Math.max(1, Math.round((1000 * (iv[1] - iv[0])) / (total || 1))) })))
  const round = opts.dtype === 'float32' ? Math.fround : (x: number) => x
  return arb.map(round).filter((x) => keepsAway(x, avoid, margin))
}

const tagged = (t: Tensor): Tensor => {
  Object.defineProperty(t, fc.toStringMethod, { value: () => describeTree(t, 'tensor'), enumerable: false })
  return t
}

const ofShape = (shape: readonly number[], opts: TensorArbOptions): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((p, d) => p * d, 1)
  const dtype = opts.dtype ?? 'float64'
  return fc.array(arbElement(opts), { minLength: n, maxLength: n })
    .map((vals) => tagged(tensor(Float64Array.from(vals), { shape: [...shape], dtype })))
}

/**
 * Tensors with finite values in [min, max] (default [-2, 2]) keeping |x - k| > margin from each
 * `avoid` point, of the given shape or of a drawn one, float64 unless `dtype` says float32.
 */
export const arbTensor = (opts: TensorArbOptions = {}): fc.Arbitrary<Tensor> => {
  allowedIntervals(opts.min ?? -2, opts.max ?? 2, opts.avoid ?? [], opts.margin ?? 0.05)
  return opts.shape !== undefined ? ofShape(opts.shape, opts) : arbShape(opts).chain((s) => ofShape(s, opts))
}

/** Per-leaf options: one set for every leaf, or a function of the leaf's path and template tensor. */
export type LeafArbOptions = TensorArbOptions | ((path: string, leaf: Tensor) => TensorArbOptions)

/**
 * Records with the structure of `template` whose float leaves are drawn with the template leaf's
 * shape and dtype (options may override them per leaf); integer and bool leaves are kept as given.
 */
export const arbLike = <T>(template: T, opts: LeafArbOptions = {}): fc.Arbitrary<T> => {
  const [leaves, def] = treeFlatten<Tensor>(template)
  const paths = treeLeavesWithPath<Tensor>(template).map(([p]) => p)
  const arbs = leaves.map((leaf, i) => {
    if (!isFloatDType(leaf.dtype)) return fc.constant(leaf)
    const o = typeof opts === 'function' ? opts(paths[i], leaf) : opts
    return arbTensor({ ...o, shape: o.shape ?? leaf.shape, dtype: o.dtype ?? leaf.dtype })
  })
  return fc.tuple(...arbs).map((ls) => treeUnflatten<T>(def, ls))
}

/** Tangents for `primals` (a record or an argument list): same shapes and dtypes, values in [-1, 1] by default. */
export const arbTangent = <T>(primals: T, opts: TensorArbOptions = {}): fc.Arbitrary<T> =>
  arbLike(primals, { min: -1, max: 1, ...opts })

/** Cotangents for an output record: like `arbTangent`, with zeros for non-float outputs. */
export const arbCotangent = <T>(out: T, opts: TensorArbOptions = {}): fc.Arbitrary<T> => {
  const [leaves, def] = treeFlatten<Tensor>(out)
  const arbs = leaves.map((l) => (isFloatDType(l.dtype) ? arbTensor({ min: -1, max: 1, ...opts, shape: l.shape, dtype: l.dtype }) : fc.constant(zerosLike(l))))
  return fc.tuple(...arbs).map((ls) => treeUnflatten<T>(def, ls))
}
