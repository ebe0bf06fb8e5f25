/**
 * Movement ops: reshape, transpose, broadcastTo, slice, concat, pad (primitives) and what is
 * built from them: expandDims, squeeze, flatten, stack, split.
 */

import { bind } from '../diff/bind.js'
import { Tensor } from '../core/tensor.js'
import { fail, fmtShape } from '../core/errors.js'
import { checkInt, checkShape, normalizeAxis, shapesEqual, sizeOf } from '../core/shape.js'
import { asTensor } from './convert.js'

/** Reshape; one dimension may be -1 and is inferred. */
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

/** Permutes axes; the default reverses them. */
export const transpose = (x: Tensor, perm?: readonly number[]): Tensor => {
  const t = asTensor('transpose', x)
  if (perm !== undefined && !Array.isArray(perm)) fail('INVALID_AXIS', 'transpose', `perm must be an array of axes, got ${String(perm)}`)
  const p = perm === undefined ? t.shape.map((_, i) => t.rank - 1 - i) : perm.map((a) => normalizeAxis('transpose', a, t.rank))
  if (p.every((a, i) => a === i) && p.length === t.rank) return t
  return bind('transpose', [t], { perm: p })
}

export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => {
  const t = asTensor('broadcastTo', x)
  checkShape('broadcastTo', shape)
  if (shapesEqual(shape, t.shape)) return t
  return bind('broadcastTo', [t], { shape: [...shape] })
}

export const expandDims = (x: Tensor, axis: number): Tensor => {
  const t = asTensor('expandDims', x)
  const a = normalizeAxis('expandDims', axis, t.rank + 1)
  return reshape(t, [...t.shape.slice(0, a), 1, ...t.shape.slice(a)])
}

/** Removes the given unit axes, or all of them. */
export const squeeze = (x: Tensor, axis?: number | readonly number[]): Tensor => {
  const t = asTensor('squeeze', x)
  const axes = axis === undefined
    ? t.shape.flatMap((d, i) => (d === 1 ? [i] : []))
    : (typeof axis === 'number' ? [axis] : Array.isArray(axis) ? axis : fail('INVALID_AXIS', 'squeeze', `axis must be an integer or an array of integers, got ${String(axis)}`))
      .map((a) => normalizeAxis('squeeze', a, t.rank))
  for (const a of axes) if (t.shape[a] !== 1) fail('SHAPE_MISMATCH', 'squeeze', `axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1`)
  return reshape(t, t.shape.filter((_, i) => !axes.includes(i)))
}

export const flatten = (x: Tensor): Tensor => reshape(x, [asTensor('flatten', x).size])

/** A block of `x` starting at `begin`; a size of -1 runs to the end of its axis. */
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

export const concat = (xs: readonly Tensor[], axis = 0): Tensor => {
  if (!Array.isArray(xs)) fail('INVALID_ARGUMENT', 'concat', `expected an array of tensors, got ${String(xs)}`)
  if (xs.length === 0) fail('INVALID_ARGUMENT', 'concat', 'needs at least one tensor')
  const like = xs.find((x) => x instanceof Tensor)
  const ts = xs.map((x) => asTensor('concat', x, like))
  const a = normalizeAxis('concat', axis, ts[0].rank)
  if (ts.length === 1) return ts[0]
  return bind('concat', ts, { axis: a })
}

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

/** Splits along `axis` into `n` equal parts, or into parts of the given sizes. */
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

/** Pads with a constant; `widths` holds [before, after] per axis. */
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
