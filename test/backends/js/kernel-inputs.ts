/**
 * Kernel inputs for the JS backend's kernel tests: typed operands by dtype, output descriptors,
 * and the backend whose kernels they call directly (below the ops layer, so no shape checks or
 * broadcasting happen before the kernel).
 */

import { createJsBackend } from '../../../src/backends/js/index.js'
import type { KernelInput } from '../../../src/backends/backend.js'
import type { DType, TypedArray } from '../../../src/core/dtype.js'
import { expectClose, seededValues } from '../../helpers/allclose.js'

export const K = createJsBackend().kernels

export type In = KernelInput<TypedArray>
export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)
export const f64 = (shape: number[], values: ArrayLike<number>): In => ({ data: Float64Array.from(values), shape, dtype: 'float64' })
export const f32 = (shape: number[], values: ArrayLike<number>): In => ({ data: Float32Array.from(values), shape, dtype: 'float32' })
export const i32 = (shape: number[], values: ArrayLike<number>): In => ({ data: Int32Array.from(values), shape, dtype: 'int32' })
export const bool = (shape: number[], values: ArrayLike<number>): In => ({ data: Uint8Array.from(values), shape, dtype: 'bool' })
export const out = (shape: readonly number[], dtype: DType = 'float64') => ({ shape, dtype })
export const arr = (t: TypedArray): number[] => Array.from(t)
/** Deterministic values in [-1, 1). */
export const rand = (n: number, seed: number): Float64Array => Float64Array.from(seededValues(n, seed))
export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}
/** allclose with atol = rtol = `tol`: float64 kernels are held to 1e-12 unless a test says otherwise. */
export const expectNear = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void =>
  expectClose(actual, expected, { atol: tol, rtol: tol })
