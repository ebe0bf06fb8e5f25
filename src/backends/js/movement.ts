/**
 * Movement kernels of the JS backend: reshape, transpose, broadcastTo, slice, concat and pad.
 * They only copy values, so each is a strided walk (RowCursor) or a run of block copies.
 */

import { allocTyped, type TypedArray } from '../../core/dtype.js'
import type { Kernel } from '../backend.js'
import { broadcastStrides, RowCursor, sizeOf, spanSize, stridesOf } from './strides.js'

/** Copies the strided view (shape, strides, start) of x into y row-major. */
const gatherStrided = (
  x: TypedArray,
  y: TypedArray,
  shape: readonly number[],
  strides: readonly number[],
  start: number,
): void => {
  const c = new RowCursor(shape, [strides], [start])
  const { len, off } = c
  const d = c.inner[0]
  let o = 0
  for (let r = 0; r < c.rows; r++) {
    const i0 = off[0]
    if (d === 1) {
      y.set(x.subarray(i0, i0 + len), o)
      o += len
    } else {
      for (let j = 0, i = i0; j < len; j++, i += d) y[o++] = x[i]
    }
    c.next()
  }
}

/** Buffers are immutable and row-major, so a reshape is the same buffer. */
export const reshape: Kernel<'reshape', TypedArray> = (inputs) => inputs[0].data

export const transpose: Kernel<'transpose', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const xs = stridesOf(X.shape)
  const y = allocTyped(out.dtype, X.data.length)
  gatherStrided(X.data, y, out.shape, params.perm.map((p) => xs[p]), 0)
  return y
}

export const broadcastTo: Kernel<'broadcastTo', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const y = allocTyped(out.dtype, sizeOf(params.shape))
  gatherStrided(X.data, y, params.shape, broadcastStrides(X.shape, params.shape), 0)
  return y
}

export const slice: Kernel<'slice', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const xs = stridesOf(X.shape)
  let start = 0
  for (let d = 0; d < xs.length; d++) start += params.begin[d] * xs[d]
  const y = allocTyped(out.dtype, sizeOf(params.size))
  if (y.length > 0) gatherStrided(X.data, y, params.size, xs, start)
  return y
}

/** Every input contributes one contiguous block per index of the leading axes. */
export const concat: Kernel<'concat', TypedArray> = (inputs, params, out) => {
  const axis = params.axis
  const y = allocTyped(out.dtype, sizeOf(out.shape))
  const outer = spanSize(out.shape, 0, axis)
  const inner = spanSize(out.shape, axis + 1, out.shape.length)
  const blocks = inputs.map((X) => X.shape[axis] * inner)
  let o = 0
  for (let i = 0; i < outer; i++) {
    for (let k = 0; k < inputs.length; k++) {
      const len = blocks[k]
      y.set(inputs[k].data.subarray(i * len, (i + 1) * len), o)
      o += len
    }
  }
  return y
}

/** Fills with the pad value, then writes x into the interior as a strided view of the output. */
export const pad: Kernel<'pad', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const x = X.data
  const y = allocTyped(out.dtype, sizeOf(out.shape))
  if (params.value !== 0) y.fill(params.value)
  if (x.length === 0) return y
  const ys = stridesOf(out.shape)
  let start = 0
  for (let d = 0; d < ys.length; d++) start += params.widths[d][0] * ys[d]
  const c = new RowCursor(X.shape, [ys], [start])
  const { len, off } = c
  const dy = c.inner[0]
  let ix = 0
  for (let r = 0; r < c.rows; r++) {
    if (dy === 1) {
      y.set(x.subarray(ix, ix + len), off[0])
      ix += len
    } else {
      for (let j = 0, o = off[0]; j < len; j++, o += dy) y[o] = x[ix++]
    }
    c.next()
  }
  return y
}
