/**
 * gather and its transpose scatterAdd, the indexing kernels of the JS backend. Index ranges are
 * the one thing a kernel checks: shapes were validated above, but only the data reveals an index
 * outside its axis.
 */

import { allocTyped, type TypedArray } from '../../core/dtype.js'
import { PuregradError } from '../../core/errors.js'
import type { Kernel } from '../backend.js'
import { sizeOf, spanSize } from './strides.js'

const checkIndices = (idx: TypedArray, axis: number, length: number, op: string): void => {
  for (let j = 0; j < idx.length; j++) {
    const v = idx[j]
    if (!(v >= 0 && v < length)) {
      throw new PuregradError('INDEX_OUT_OF_RANGE', `index ${v} outside axis ${axis} of length ${length}`, op)
    }
  }
}

/** out[o, j, i] = x[o, indices[j], i], with j running over the flattened indices. */
export const gather: Kernel<'gather', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const x = X.data
  const idx = inputs[1].data
  const axis = params.axis
  const n = X.shape[axis]
  checkIndices(idx, axis, n, 'gather')
  const outer = spanSize(X.shape, 0, axis)
  const inner = spanSize(X.shape, axis + 1, X.shape.length)
  const y = allocTyped(out.dtype, sizeOf(out.shape))
  const m = idx.length
  let o = 0
  for (let a = 0; a < outer; a++) {
    const base = a * n * inner
    for (let j = 0; j < m; j++) {
      const src = base + idx[j] * inner
      if (inner === 1) {
        y[o++] = x[src]
      } else {
        for (let i = 0; i < inner; i++) y[o++] = x[src + i]
      }
    }
  }
  return y
}

/**
 * out[o, indices[j], i] += updates[o, j, i]: the transpose of gather. Repeated indices accumulate,
 * in float64 so the order of duplicates does not change a float32 result.
 */
export const scatterAdd: Kernel<'scatterAdd', TypedArray> = (inputs, params, out) => {
  const u = inputs[0].data
  const idx = inputs[1].data
  const axis = params.axis
  const size = params.size
  checkIndices(idx, axis, size, 'scatterAdd')
  const outer = spanSize(out.shape, 0, axis)
  const inner = spanSize(out.shape, axis + 1, out.shape.length)
  const acc = new Float64Array(sizeOf(out.shape))
  const m = idx.length
  let o = 0
  for (let a = 0; a < outer; a++) {
    const base = a * size * inner
    for (let j = 0; j < m; j++) {
      const dst = base + idx[j] * inner
      for (let i = 0; i < inner; i++) acc[dst + i] += u[o++]
    }
  }
  if (out.dtype === 'float64') return acc
  const y = allocTyped(out.dtype, acc.length)
  y.set(acc)
  return y
}
