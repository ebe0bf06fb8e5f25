/**
 * Reductions and scans of the JS backend: sum and max over a set of axes, argmax and cumsum along
 * one axis. Sums accumulate in float64 whatever the dtype, so float32 reductions do not drift
 * with length.
 */

import { allocTyped, type TypedArray } from '../../core/dtype.js'
import type { Kernel, KernelInput } from '../backend.js'
import { RowCursor, sizeOf, spanSize, stridesOf } from './strides.js'

/**
 * Strides, over the input's shape, into the reduced output: reduced axes step by 0. The output's
 * own (keepDims or not) layout is the input shape without the reduced axes, row-major.
 */
const reducedStrides = (shape: readonly number[], axes: readonly number[]): number[] => {
  const kept = shape.filter((_, d) => !axes.includes(d))
  const keptStrides = stridesOf(kept)
  const s = new Array<number>(shape.length)
  let k = 0
  for (let d = 0; d < shape.length; d++) s[d] = axes.includes(d) ? 0 : keptStrides[k++]
  return s
}

/** Walks the input row-major and folds each element into its output slot. */
const foldAxes = (
  X: KernelInput<TypedArray>,
  axes: readonly number[],
  acc: Float64Array,
  combine: (acc: Float64Array, o: number, v: number) => void,
): void => {
  const x = X.data
  const c = new RowCursor(X.shape, [stridesOf(X.shape), reducedStrides(X.shape, axes)])
  const { len, inner, off } = c
  const dx = inner[0]
  const da = inner[1]
  for (let r = 0; r < c.rows; r++) {
    let ix = off[0]
    let ia = off[1]
    for (let j = 0; j < len; j++, ix += dx, ia += da) combine(acc, ia, x[ix])
    c.next()
  }
}

const store = (acc: Float64Array, dtype: KernelInput<TypedArray>['dtype']): TypedArray => {
  if (dtype === 'float64') return acc
  const y = allocTyped(dtype, acc.length)
  y.set(acc)
  return y
}

export const sum: Kernel<'sum', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const acc = new Float64Array(sizeOf(out.shape))
  if (acc.length === 1) {
    // Full reduction: the common case, and a plain loop needs no index bookkeeping.
    const x = X.data
    let s = 0
    for (let i = 0; i < x.length; i++) s += x[i]
    acc[0] = s
  } else {
    foldAxes(X, params.axes, acc, (a, o, v) => { a[o] += v })
  }
  return store(acc, out.dtype)
}

/** numpy's max: a NaN anywhere in the reduced slice makes the result NaN. Empty slices give -Infinity. */
export const max: Kernel<'max', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const acc = new Float64Array(sizeOf(out.shape)).fill(-Infinity)
  foldAxes(X, params.axes, acc, (a, o, v) => {
    const m = a[o]
    if (v > m || (v !== v && m === m)) a[o] = v
  })
  return store(acc, out.dtype)
}

/**
 * Index of the first maximum along `axis`, as numpy: a NaN counts as larger than everything and
 * the first NaN wins. An empty axis yields 0.
 */
export const argmax: Kernel<'argmax', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const x = X.data
  const axis = params.axis
  const outer = spanSize(X.shape, 0, axis)
  const n = X.shape[axis]
  const inner = spanSize(X.shape, axis + 1, X.shape.length)
  const y = allocTyped(out.dtype, outer * inner)
  if (n === 0) return y
  const best = new Float64Array(inner)
  const bestIdx = new Int32Array(inner)
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner
    for (let i = 0; i < inner; i++) best[i] = x[base + i]
    bestIdx.fill(0)
    // Walk the axis in the outer loop so the inner loop reads contiguous memory.
    for (let j = 1; j < n; j++) {
      const row = base + j * inner
      for (let i = 0; i < inner; i++) {
        const v = x[row + i]
        const b = best[i]
        if (v > b || (v !== v && b === b)) {
          best[i] = v
          bestIdx[i] = j
        }
      }
    }
    y.set(bestIdx, o * inner)
  }
  return y
}

/** Inclusive running sum along `axis`; `reverse` accumulates from the end of the axis. */
export const cumsum: Kernel<'cumsum', TypedArray> = (inputs, params, out) => {
  const X = inputs[0]
  const x = X.data
  const axis = params.axis
  const outer = spanSize(X.shape, 0, axis)
  const n = X.shape[axis]
  const inner = spanSize(X.shape, axis + 1, X.shape.length)
  const y = allocTyped(out.dtype, x.length)
  const acc = new Float64Array(inner)
  const step = params.reverse ? -1 : 1
  for (let o = 0; o < outer; o++) {
    acc.fill(0)
    const base = o * n * inner
    for (let t = 0, j = params.reverse ? n - 1 : 0; t < n; t++, j += step) {
      const row = base + j * inner
      for (let i = 0; i < inner; i++) {
        acc[i] += x[row + i]
        y[row + i] = acc[i]
      }
    }
  }
  return y
}
