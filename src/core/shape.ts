/**
 * Shape arithmetic shared by the op layer and the shape rules: sizes, numpy broadcasting and axis
 * normalisation. Every check throws a PuregradError naming the op, before any kernel runs.
 */

import { fail, fmtShape } from './errors.js'

/** The size of each axis of a tensor, outermost first: non-negative integers, `[]` for a scalar. */
export type Shape = readonly number[]

export const sizeOf = (shape: Shape): number => {
  let n = 1
  for (let i = 0; i < shape.length; i++) n *= shape[i]
  return n
}

export const shapesEqual = (a: Shape, b: Shape): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** numpy broadcasting: align right, a dim of 1 stretches, anything else must match. */
export const broadcastShapes = (op: string, a: Shape, b: Shape): Shape => {
  if (shapesEqual(a, b)) return a
  const n = Math.max(a.length, b.length)
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]
    if (da === db || db === 1) out[i] = da
    else if (da === 1) out[i] = db
    else fail('BROADCAST', op, `shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (axis ${i - n} has ${da} vs ${db})`)
  }
  return out
}

export const isBroadcastableTo = (from: Shape, to: Shape): boolean => {
  if (from.length > to.length) return false
  const off = to.length - from.length
  for (let i = 0; i < from.length; i++) if (from[i] !== 1 && from[i] !== to[i + off]) return false
  return true
}

export const checkInt = (op: string, what: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail('INVALID_ARGUMENT', op, `${what} must be an integer, got ${String(v)}`)
  return v as number
}

/** One axis in [-rank, rank), returned non-negative. */
export const normalizeAxis = (op: string, axis: number, rank: number): number => {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail('INVALID_AXIS', op, `axis ${String(axis)} is out of range for rank ${rank} (expected an integer in [${-rank}, ${rank}))`)
  }
  return axis < 0 ? axis + rank : axis
}

/** Axes as given by a user (one, several or all), normalised, sorted and checked for repeats. */
export const normalizeAxes = (op: string, axis: number | readonly number[] | undefined, rank: number): number[] => {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i)
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    fail('INVALID_AXIS', op, `axis must be an integer or an array of integers, got ${axis === null ? 'null' : typeof axis}`)
  }
  const list = typeof axis === 'number' ? [axis] : [...axis]
  const out = list.map((a) => normalizeAxis(op, a, rank)).sort((x, y) => x - y)
  for (let i = 1; i < out.length; i++) if (out[i] === out[i - 1]) fail('INVALID_AXIS', op, `axis ${out[i]} is repeated`)
  return out
}

/** The shape after reducing `axes` (sorted), with or without kept unit dims. */
export const reducedShape = (shape: Shape, axes: readonly number[], keepDims: boolean): number[] => {
  const out: number[] = []
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) { if (keepDims) out.push(1) } else out.push(shape[i])
  }
  return out
}

export const checkShape = (op: string, shape: unknown): number[] => {
  if (!Array.isArray(shape)) fail('INVALID_ARGUMENT', op, `shape must be an array of non-negative integers, got ${String(shape)}`)
  const s = shape as unknown[]
  for (const d of s) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      fail('INVALID_ARGUMENT', op, `shape must hold non-negative integers, got [${s.map(String).join(',')}]`)
    }
  }
  checkSize(op, s as number[])
  return s as number[]
}

/**
 * The most elements one tensor may hold. Kernels address flat buffers with int32 offsets (argmax
 * results, gather indices, pooling winners), so a larger tensor could not be indexed anyway.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1

/** OUT_OF_MEMORY, before anything is allocated, for a shape of more than MAX_ELEMENTS elements. */
export const checkSize = (op: string, shape: Shape): void => {
  const n = sizeOf(shape)
  if (n > MAX_ELEMENTS) {
    fail('OUT_OF_MEMORY', op, `shape ${fmtShape(shape)} has ${n} elements, more than the ${MAX_ELEMENTS} one tensor can hold`)
  }
}
