/**
 * Movement ops: reshape, transpose, broadcastTo, slice, concat, pad (primitives) and what is
 * built from them: expandDims, squeeze, flatten, stack, split.
 */

import { bind } from '../diff/bind.js'
import { Tensor } from '../core/tensor.js'
import { fail, fmtShape } from '../core/errors.js'
import { checkInt, checkShape, normalizeAxis, shapesEqual, sizeOf } from '../core/shape.js'
import { asTensor } from './convert.js'

/**
 * The same values (row-major) in a new shape with as many elements; one dimension may be -1 and is
 * inferred. Any dtype; returns `x` itself when the shape is unchanged.
 * @throws PuregradError `SHAPE_MISMATCH` when the element counts differ (or -1 cannot be inferred);
 * `INVALID_ARGUMENT` for a shape that is not an array of non-negative integers (besides one -1).
 * @example
 * ```ts
 * import { arange, reshape } from 'puregrad'
 * reshape(arange(6), [2, -1]).arraySync() // => [[0, 1, 2], [3, 4, 5]]
 * reshape(arange(6), [4, -1]) // throws SHAPE_MISMATCH
 * ```
 */
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => {
  const t = asTensor('reshape', x)
  if (!Array.isArray(shape)) checkShape('reshape', shape)
  const infer = shape.indexOf(-1)
  let target = shape
  if (infer >= 0) {
    const rest = shape.filter((_, i) => i !== infer)
    checkShape('reshape', rest)
    const known = sizeOf(rest)
    if (known === 0 || t.size % known !== 0) {
      fail('SHAPE_MISMATCH', 'reshape', `cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(shape)}`)
    }
    target = shape.map((d, i) => (i === infer ? t.size / known : d))
  } else checkShape('reshape', shape)
  if (shapesEqual(target, t.shape)) return t
  return bind('reshape', [t], { shape: [...target] })
}

/**
 * Permutes the axes: axis i of the result is axis `perm[i]` of `x` (negative axes count from the
 * end). The default reverses the axes (the matrix transpose for rank 2). Any dtype.
 * @throws PuregradError `INVALID_AXIS` when `perm` is not a permutation of the axes.
 * @example
 * ```ts
 * import { tensor, transpose, zeros } from 'puregrad'
 * transpose(tensor([[1, 2, 3], [4, 5, 6]])).arraySync() // => [[1, 4], [2, 5], [3, 6]]
 * transpose(zeros([2, 3, 4]), [0, 2, 1]).shape // => [2, 4, 3]
 * ```
 */
export const transpose = (x: Tensor, perm?: readonly number[]): Tensor => {
  const t = asTensor('transpose', x)
  if (perm !== undefined && !Array.isArray(perm)) fail('INVALID_AXIS', 'transpose', `perm must be an array of axes, got ${String(perm)}`)
  const p = perm === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : perm.map((a) => normalizeAxis('transpose', a, t.rank))
  if (p.every((a, i) => a === i) && p.length === t.rank) return t
  return bind('transpose', [t], { perm: p })
}

/**
 * Broadcasts `x` to `shape` with numpy's rules (align on the right; a dimension of 1 stretches, new
 * leading dimensions are added). Any dtype. The gradient sums back over the stretched axes.
 * @throws PuregradError `BROADCAST` when `x` does not broadcast to `shape`; `INVALID_ARGUMENT` for a
 * malformed shape.
 * @example
 * ```ts
 * import { broadcastTo, tensor } from 'puregrad'
 * broadcastTo(tensor([1, 2]), [2, 2]).arraySync() // => [[1, 2], [1, 2]]
 * broadcastTo(tensor([1, 2]), [3]) // throws BROADCAST
 * ```
 */
export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => {
  const t = asTensor('broadcastTo', x)
  checkShape('broadcastTo', shape)
  if (shapesEqual(shape, t.shape)) return t
  return bind('broadcastTo', [t], { shape: [...shape] })
}

/**
 * Inserts an axis of size 1 at position `axis`, in [-(rank + 1), rank] (negative counts from the
 * end of the result). Any dtype.
 * @throws PuregradError `INVALID_AXIS` for an axis out of that range.
 * @example
 * ```ts
 * import { expandDims, tensor } from 'puregrad'
 * expandDims(tensor([1, 2]), 0).shape // => [1, 2]
 * expandDims(tensor([1, 2]), -1).shape // => [2, 1]
 * ```
 */
export const expandDims = (x: Tensor, axis: number): Tensor => {
  const t = asTensor('expandDims', x)
  const a = normalizeAxis('expandDims', axis, t.rank + 1)
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)])
}

/**
 * Removes the given axes of size 1, or every axis of size 1 when `axis` is omitted. Any dtype.
 * @throws PuregradError `SHAPE_MISMATCH` when a given axis is not of size 1; `INVALID_AXIS` for an
 * axis outside [-rank, rank).
 * @example
 * ```ts
 * import { squeeze, zeros } from 'puregrad'
 * squeeze(zeros([1, 3, 1])).shape // => [3]
 * squeeze(zeros([1, 3, 1]), 0).shape // => [3, 1]
 * squeeze(zeros([2, 3]), 0) // throws SHAPE_MISMATCH
 * ```
 */
export const squeeze = (x: Tensor, axis?: number | readonly number[]): Tensor => {
  const t = asTensor('squeeze', x)
  const axes = axis === undefined
    ? t.shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : (typeof axis === 'number' ? [axis] : Array.isArray(axis) ? axis : fail('INVALID_AXIS', 'squeeze', `axis must be an integer or an array of integers, got ${String(axis)}`))
      .map((a) => normalizeAxis('squeeze', a, t.rank))
  for (const a of axes) if (t.shape[a] !== 1) fail('SHAPE_MISMATCH', 'squeeze', `axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1`)
  return reshape(t, t.shape.filter((_, i) => !axes.includes(i)))
}

/**
 * The values as one axis of length `x.size` (a reshape). Any dtype.
 * @example
 * ```ts
 * import { flatten, tensor } from 'puregrad'
 * flatten(tensor([[1, 2], [3, 4]])).arraySync() // => [1, 2, 3, 4]
 * ```
 */
export const flatten = (x: Tensor): Tensor => reshape(x, [asTensor('flatten', x).size])

/**
 * The block of `x` that starts at `begin` and has shape `size`. Missing trailing entries of
 * `begin` are 0, and a missing size or a size of -1 runs to the end of its axis. Any dtype; the
 * gradient pads back with zeros.
 * @throws PuregradError `INVALID_ARGUMENT` when the block leaves `x` or an entry is not an integer.
 * @example
 * ```ts
 * import { slice, tensor } from 'puregrad'
 * const x = tensor([[1, 2, 3], [4, 5, 6]])
 * slice(x, [0, 1], [2, 2]).arraySync() // => [[2, 3], [5, 6]]
 * slice(x, [1]).arraySync() // => [[4, 5, 6]]
 * slice(x, [0, 2], [1, 5]) // throws INVALID_ARGUMENT
 * ```
 */
export const slice = (x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor => {
  const t = asTensor('slice', x)
  if (!Array.isArray(begin)) fail('INVALID_ARGUMENT', 'slice', `begin must be an array of integers, got ${String(begin)}`)
  if (size !== undefined && !Array.isArray(size)) fail('INVALID_ARGUMENT', 'slice', `size must be an array of integers, got ${String(size)}`)
  const b = begin.map((v, i) => checkInt('slice', `begin[${i}]`, v))
  const s = t.shape.map((d, i) => {
    const v = size?.[i] ?? -1
    return v === -1 ? d - (b[i] ?? 0) : checkInt('slice', `size[${i}]`, v)
  })
  const full = t.shape.map((_, i) => b[i] ?? 0)
  if (full.every((v) => v === 0) && shapesEqual(s, t.shape)) return t
  return bind('slice', [t], { begin: full, size: s })
}

/**
 * Joins tensors along an existing `axis` (default 0). They must share a dtype and agree on every
 * other axis. A list of one tensor returns it as is.
 * @throws PuregradError `SHAPE_MISMATCH` when shapes differ outside `axis`; `DTYPE_MISMATCH` when
 * dtypes differ; `INVALID_AXIS` for a bad axis; `INVALID_ARGUMENT` for an empty list.
 * @example
 * ```ts
 * import { concat, tensor } from 'puregrad'
 * concat([tensor([[1, 2]]), tensor([[3, 4]])]).arraySync() // => [[1, 2], [3, 4]]
 * concat([tensor([[1, 2]]), tensor([[3]])], 1).arraySync() // => [[1, 2, 3]]
 * concat([tensor([[1, 2]]), tensor([[3]])], 0) // throws SHAPE_MISMATCH
 * ```
 */
export const concat = (xs: readonly Tensor[], axis = 0): Tensor => {
  if (!Array.isArray(xs)) fail('INVALID_ARGUMENT', 'concat', `expected an array of tensors, got ${String(xs)}`)
  if (xs.length === 0) fail('INVALID_ARGUMENT', 'concat', 'needs at least one tensor')
  const like = xs.find((x) => x instanceof Tensor)
  const ts = xs.map((x) => asTensor('concat', x, like))
  const a = normalizeAxis('concat', axis, ts[0].rank)
  if (ts.length === 1) return ts[0]
  return bind('concat', ts, { axis: a })
}

/**
 * Joins tensors of one shape and dtype along a new `axis` (default 0, in [-(rank + 1), rank]):
 * n tensors of shape s give shape s with n inserted at `axis`.
 * @throws PuregradError `SHAPE_MISMATCH` when the shapes differ; `DTYPE_MISMATCH` when dtypes differ;
 * `INVALID_AXIS` for a bad axis; `INVALID_ARGUMENT` for an empty list.
 * @example
 * ```ts
 * import { stack, tensor } from 'puregrad'
 * stack([tensor([1, 2]), tensor([3, 4])]).arraySync() // => [[1, 2], [3, 4]]
 * stack([tensor([1, 2]), tensor([3, 4])], 1).arraySync() // => [[1, 3], [2, 4]]
 * ```
 */
export const stack = (xs: readonly Tensor[], axis = 0): Tensor => {
  if (!Array.isArray(xs)) fail('INVALID_ARGUMENT', 'stack', `expected an array of tensors, got ${String(xs)}`)
  if (xs.length === 0) fail('INVALID_ARGUMENT', 'stack', 'needs at least one tensor')
  const like = xs.find((x) => x instanceof Tensor)
  xs = xs.map((x) => asTensor('stack', x, like))
  const first = xs[0]
  for (const x of xs) {
    if (!shapesEqual(x.shape, first.shape)) {
      fail('SHAPE_MISMATCH', 'stack', `all tensors must have one shape, got ${xs.map((y) => fmtShape(y.shape)).join(', ')}`)
    }
  }
  const a = normalizeAxis('stack', axis, first.rank + 1)
  return concat(xs.map((x) => expandDims(x, a)), a)
}

/**
 * Splits `x` along `axis` (default 0) into `sizes` equal parts, or into parts of the given sizes
 * (which must add up to the axis length). Any dtype; returns an array of tensors.
 * @throws PuregradError `SHAPE_MISMATCH` when the axis does not divide evenly or the sizes do not
 * add up; `INVALID_ARGUMENT` for a non-positive count or a negative size; `INVALID_AXIS` for a bad axis.
 * @example
 * ```ts
 * import { arange, split } from 'puregrad'
 * split(arange(6), 3).map((p) => p.arraySync()) // => [[0, 1], [2, 3], [4, 5]]
 * split(arange(5), [2, 3]).map((p) => p.arraySync()) // => [[0, 1], [2, 3, 4]]
 * split(arange(5), 2) // throws SHAPE_MISMATCH
 * ```
 */
export const split = (x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] => {
  const t = asTensor('split', x)
  const a = normalizeAxis('split', axis, t.rank)
  const len = t.shape[a]
  let parts: number[]
  if (typeof sizes === 'number') {
    checkInt('split', 'number of parts', sizes)
    if (sizes <= 0) fail('INVALID_ARGUMENT', 'split', `the number of parts must be positive, got ${sizes}`)
    if (len % sizes !== 0) fail('SHAPE_MISMATCH', 'split', `axis ${a} of length ${len} of ${fmtShape(t.shape)} does not split into ${sizes} equal parts`)
    parts = new Array<number>(sizes).fill(len / sizes)
  } else {
    if (!Array.isArray(sizes)) fail('INVALID_ARGUMENT', 'split', `sizes must be a number of parts or an array of sizes, got ${String(sizes)}`)
    parts = sizes.map((s, i) => checkInt('split', `sizes[${i}]`, s))
    if (parts.some((p) => p < 0)) fail('INVALID_ARGUMENT', 'split', `sizes must be non-negative, got [${parts.join(',')}]`)
    if (parts.reduce((p, q) => p + q, 0) !== len) fail('SHAPE_MISMATCH', 'split', `sizes [${parts.join(',')}] do not add up to axis ${a} of length ${len} of ${fmtShape(t.shape)}`)
  }
  let off = 0
  return parts.map((p) => {
    const begin = t.shape.map((_, i) => (i === a ? off : 0))
    const size = t.shape.map((d, i) => (i === a ? p : d))
    off += p
    return slice(t, begin, size)
  })
}

/**
 * Pads with the constant `value` (default 0): `widths[i]` is the [before, after] count for axis i,
 * one pair per axis. Any dtype (`value` is stored in it: truncated for int32).
 * @throws PuregradError `SHAPE_MISMATCH` unless there is one pair per axis; `INVALID_ARGUMENT` for
 * negative or non-integer widths or a non-number value.
 * @example
 * ```ts
 * import { pad, tensor } from 'puregrad'
 * pad(tensor([[1, 2]]), [[1, 0], [0, 2]]).arraySync() // => [[0, 0, 0, 0], [1, 2, 0, 0]]
 * pad(tensor([1]), [[1, 1]], 9).arraySync() // => [9, 1, 9]
 * ```
 */
export const pad = (x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor => {
  const t = asTensor('pad', x)
  if (!Array.isArray(widths) || widths.length !== t.rank) {
    fail('SHAPE_MISMATCH', 'pad', `needs one [before, after] pair per axis of ${fmtShape(t.shape)}`)
  }
  const w = widths.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) fail('INVALID_ARGUMENT', 'pad', `widths[${i}] must be a [before, after] pair, got ${String(pair)}`)
    const [lo, hi] = pair
    checkInt('pad', `widths[${i}][0]`, lo); checkInt('pad', `widths[${i}][1]`, hi)
    if (lo < 0 || hi < 0) fail('INVALID_ARGUMENT', 'pad', `widths must be non-negative, got [${lo}, ${hi}] on axis ${i}`)
    return [lo, hi] as const
  })
  if (typeof value !== 'number') fail('INVALID_ARGUMENT', 'pad', `the pad value must be a number, got ${typeof value}`)
  if (w.every(([lo, hi]) => lo === 0 && hi === 0)) return t
  return bind('pad', [t], { widths: w, value })
}
