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

/** Options of `arbShape` (and of drawn shapes in `arbTensor`). */
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

/** Options of `arbTensor`, `arbElement` and the per-leaf options of `arbLike`. */
export interface TensorArbOptions extends ShapeArbOptions {
  /** A fixed shape; when omitted the shape is drawn too (see ShapeArbOptions). */
  readonly shape?: readonly number[]
  /** Default 'float64'. */
  readonly dtype?: FloatDType
  /** Bounds of every element, inclusive. Default [-2, 2]. */
  readonly min?: number
  /** The upper bound, inclusive. Default 2. */
  readonly max?: number
  /** Kinks to stay away from: every element keeps |x - k| > margin for each k. */
  readonly avoid?: readonly number[]
  /** Distance kept from the `avoid` points. Default 0.05 (finite-difference steps move x by ~1e-5 to 1e-3). */
  readonly margin?: number
}

/**
 * Shapes as arrays of dims (rank in [minRank, maxRank], dims in [minDim, maxDim]; default rank
 * 0 to 3, dims 1 to 4); shrink toward fewer and smaller dims.
 *
 * @example
 * ```ts
 * import { sum, square, type Tensor } from 'puregrad'
 * import { arbShape, arbTensor, checkGradsProperty } from 'puregrad/laws'
 *
 * const shapes: (readonly number[])[] = []
 * const arb = arbShape({ minRank: 1, maxRank: 2, maxDim: 3 }).chain((shape) => arbTensor({ shape }))
 * checkGradsProperty((x: Tensor) => { shapes.push(x.shape); return sum(square(x)) }, arb, { numRuns: 10, seed: 1 })
 * if (shapes.some((s) => s.length < 1 || s.length > 2 || s.some((d) => d < 1 || d > 3))) throw new Error('arbShape')
 * ```
 */
export const arbShape = (opts: ShapeArbOptions = {}): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: opts.minDim ?? 1, max: opts.maxDim ?? 4 }), { minLength: opts.minRank ?? 0, maxLength: opts.maxRank ?? 3 })

/** A closed interval [lo, hi] of allowed element values. */
export type Interval = readonly [number, number]

/**
 * [min, max] minus the open-ish neighbourhoods |x - k| <= margin of each `avoid` point, nudged
 * inward so float32 rounding stays out: the set `arbElement` draws from, as sorted intervals.
 *
 * @throws RangeError for bounds that are not finite with min <= max, a negative margin, or when no
 * value is left.
 * @example
 * ```ts
 * import { allowedIntervals } from 'puregrad/laws'
 *
 * const [[a, b], [c, d]] = allowedIntervals(-1, 1, [0], 0.1)   // about [-1, -0.1] and [0.1, 1]
 * if (a !== -1 || !(b < -0.1 && b > -0.1001) || !(c > 0.1 && c < 0.1001) || d !== 1) throw new Error(`${a} ${b} ${c} ${d}`)
 * ```
 */
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

/**
 * One element (a number): uniform over the allowed set of `allowedIntervals` (intervals weighted
 * by length), rounded to float32 when `dtype` says so, shrinking toward 0.
 *
 * @throws RangeError as `allowedIntervals`.
 * @example
 * ```ts
 * import { abs, tensor, type Tensor } from 'puregrad'
 * import { arbElement, checkGradsProperty } from 'puregrad/laws'
 *
 * // abs has a kink at 0: draw scalars a margin away from it.
 * const drawn: number[] = []
 * const arb = arbElement({ min: -1, max: 1, avoid: [0] }).map((v) => { drawn.push(v); return tensor(v, { dtype: 'float64' }) })
 * checkGradsProperty((x: Tensor) => abs(x), arb, { numRuns: 10, seed: 1 })
 * if (drawn.length === 0 || drawn.some((v) => Math.abs(v) <= 0.05 || Math.abs(v) > 1)) throw new Error('arbElement')
 * ```
 */
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
 *
 * @throws RangeError as `allowedIntervals` (when the arbitrary is made).
 * @example
 * ```ts
 * import { relu, sum, type Tensor } from 'puregrad'
 * import { arbTensor, checkGradsProperty } from 'puregrad/laws'
 *
 * const drawn: Tensor[] = []
 * const arb = arbTensor({ shape: [2, 3], avoid: [0] }).map((t) => { drawn.push(t); return t })
 * checkGradsProperty((x: Tensor) => sum(relu(x)), arb, { numRuns: 10, seed: 1 })
 * if (drawn.some((t) => t.dtype !== 'float64' || t.dataSync().some((v) => Math.abs(v) <= 0.05))) throw new Error('arbTensor')
 * ```
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
 *
 * @example
 * ```ts
 * import { zeros, ones, matmul, add, tanh, sum, type Tensor } from 'puregrad'
 * import { arbLike, checkGradsProperty } from 'puregrad/laws'
 *
 * type Params = { w: Tensor; b: Tensor }
 * const template: Params = { w: zeros([3, 2]), b: zeros([2]) }
 * const arb = arbLike(template, (path) => (path.endsWith('.b') ? { min: 0, max: 1 } : {}))
 * const loss = (p: Params): Tensor => sum(tanh(add(matmul(ones([4, 3], { dtype: 'float64' }), p.w), p.b)))
 * checkGradsProperty(loss, arb, { numRuns: 5, seed: 1 })
 * ```
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

/**
 * Tangents for `primals` (a record or an argument list): same shapes and dtypes, values in
 * [-1, 1] by default.
 *
 * @example
 * ```ts
 * import { tensor, sum, square, type Tensor } from 'puregrad'
 * import { arbTangent, checkGradsProperty } from 'puregrad/laws'
 *
 * const drawn: Tensor[] = []
 * const arb = arbTangent({ x: tensor([10, 20, 30]) }).map((t) => { drawn.push(t.x); return t })
 * checkGradsProperty((p: { x: Tensor }) => sum(square(p.x)), arb, { numRuns: 5, seed: 1 })
 * if (drawn.some((t) => t.shape.join() !== '3' || t.dataSync().some((v) => Math.abs(v) > 1))) throw new Error('arbTangent')
 * ```
 */
export const arbTangent = <T>(primals: T, opts: TensorArbOptions = {}): fc.Arbitrary<T> =>
  arbLike(primals, { min: -1, max: 1, ...opts })

/**
 * Cotangents for an output record: like `arbTangent`, with zeros for non-float outputs.
 *
 * @example
 * ```ts
 * import { tensor, sum, square, type Tensor } from 'puregrad'
 * import { arbCotangent, checkGradsProperty } from 'puregrad/laws'
 *
 * const out = { y: tensor([1.5, 2.5], { dtype: 'float64' }), idx: tensor([3], { dtype: 'int32' }) }
 * const drawn: { y: Tensor; idx: Tensor }[] = []
 * const arb = arbCotangent(out).map((c) => { drawn.push(c); return c.y })
 * checkGradsProperty((y: Tensor) => sum(square(y)), arb, { numRuns: 5, seed: 1 })
 * if (drawn.some((c) => c.idx.dataSync()[0] !== 0 || c.y.dataSync().some((v) => Math.abs(v) > 1))) throw new Error('arbCotangent')
 * ```
 */
export const arbCotangent = <T>(out: T, opts: TensorArbOptions = {}): fc.Arbitrary<T> => {
  const [leaves, def] = treeFlatten<Tensor>(out)
  const arbs = leaves.map((l) => (isFloatDType(l.dtype) ? arbTensor({ min: -1, max: 1, ...opts, shape: l.shape, dtype: l.dtype }) : fc.constant(zerosLike(l))))
  return fc.tuple(...arbs).map((ls) => treeUnflatten<T>(def, ls))
}
