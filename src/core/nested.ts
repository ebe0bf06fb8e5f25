/**
 * Conversion between nested JS arrays and flat row-major values: parsing user input for
 * `tensor(...)` (rejecting ragged or non-numeric input, naming where) and building the nested
 * arrays that `arraySync` returns.
 */

import { allocTyped, type DType, type TypedArray } from './dtype.js'
import { fail } from './errors.js'
import type { Shape } from './shape.js'

/** Nested arrays of numbers or booleans (or one of them, for a scalar): what `arraySync()` returns. */
export type Nested = number | boolean | readonly Nested[]

/** Infers the shape of a nested array, checking every level is rectangular. */
export const inferShape = (data: unknown): number[] => {
  const shape: number[] = []
  let cur: unknown = data
  while (Array.isArray(cur)) {
    shape.push(cur.length)
    if (cur.length === 0) break
    cur = cur[0]
  }
  return shape
}

/** Flattens `data` (checked against `shape`) into a typed array of `dtype`. */
export const flattenNested = (data: unknown, shape: Shape, dtype: DType): TypedArray => {
  let n = 1
  for (const d of shape) n *= d
  const out = allocTyped(dtype, n)
  let k = 0
  const walk = (x: unknown, depth: number, where: string): void => {
    if (depth === shape.length) {
      if (typeof x === 'number') out[k++] = dtype === 'bool' ? (x !== 0 ? 1 : 0) : x
      else if (typeof x === 'boolean') out[k++] = x ? 1 : 0
      else fail('RAGGED', 'tensor', `expected a number or boolean at ${where}, got ${Array.isArray(x) ? 'an array' : typeof x}`)
      return
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      fail('RAGGED', 'tensor', `ragged input: expected an array of length ${shape[depth]} at ${where}, got ${Array.isArray(x) ? `length ${x.length}` : typeof x}`)
    }
    const arr = x as unknown[]
    for (let i = 0; i < arr.length; i++) walk(arr[i], depth + 1, `${where}[${i}]`)
  }
  walk(data, 0, 'data')
  return out
}

export const toNested = (values: TypedArray, shape: Shape, dtype: DType): Nested => {
  const conv = (v: number): number | boolean => (dtype === 'bool' ? v !== 0 : v)
  if (shape.length === 0) return conv(values[0])
  const build = (offset: number, depth: number): Nested[] => {
    const n = shape[depth]
    const out: Nested[] = new Array(n)
    if (depth === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = conv(values[offset + i])
      return out
    }
    let stride = 1
    for (let d = depth + 1; d < shape.length; d++) stride *= shape[d]
    for (let i = 0; i < n; i++) out[i] = build(offset + i * stride, depth + 1)
    return out
  }
  return build(0, 0)
}
