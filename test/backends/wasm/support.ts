/**
 * Shared helpers of the wasm kernel tests: seeded float32 data salted with the special values
 * kernels get wrong (NaN, infinities, signed zeros, ties, halves), a runner that calls one
 * primitive on the wasm backend and on the JS reference kernel and checks that it really ran in
 * WebAssembly (stats.wasmCalls), and exact or ulp-bounded comparisons.
 */

import { expect } from 'vitest'
import { jsKernels } from '../../../src/backends/js/index.js'
import type { KernelInput, KernelOutput } from '../../../src/backends/backend.js'
import type { WasmBackend } from '../../../src/backends/wasm/index.js'
import type { DType, TypedArray } from '../../../src/core/dtype.js'
import type { Primitive, PrimitiveParams } from '../../../src/diff/primitives.js'

export type In = KernelInput<TypedArray>

export const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 1e-40, 3.4e38, -3.4e38, 88.5, -90, 1e-7, 7, 7]

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1)

/** float32 values in [lo, hi) from a 32-bit LCG, every `every`-th one replaced by a special value. */
export const f32 = (shape: readonly number[], seed: number, { lo = -4, hi = 4, every = 5 } = {}): In => {
  let s = seed >>> 0
  const data = Float32Array.from({ length: sizeOf(shape) }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    if (every > 0 && i % every === every - 1) return SPECIALS[s % SPECIALS.length]
    // Rounded to quarters half the time, so that ties and equal neighbours occur.
    const v = lo + (hi - lo) * (s / 2 ** 32)
    return s % 2 === 0 ? Math.round(v * 4) / 4 : v
  })
  return { data, shape: [...shape], dtype: 'float32' }
}

export const bools = (shape: readonly number[], seed: number): In => {
  let s = seed >>> 0
  const data = Uint8Array.from({ length: sizeOf(shape) }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s >>> 31
  })
  return { data, shape: [...shape], dtype: 'bool' }
}

export const int32 = (values: readonly number[], shape: readonly number[] = [values.length]): In =>
  ({ data: Int32Array.from(values), shape: [...shape], dtype: 'int32' })

/** Runs `p` on wasm (asserting one WebAssembly execution) and on the JS reference; returns [wasm, js]. */
export const both = <P extends Primitive>(
  backend: WasmBackend, p: P, inputs: readonly In[], params: PrimitiveParams[P], out: KernelOutput,
): [TypedArray, TypedArray] => {
  const before = backend.stats.wasmCalls[p] ?? 0
  const got = (backend.kernels[p] as (i: readonly In[], q: PrimitiveParams[P], o: KernelOutput) => TypedArray)(inputs, params, out)
  expect(backend.stats.wasmCalls[p] ?? 0, `${p} ran in WebAssembly`).toBe(before + 1)
  const want = (jsKernels[p] as (i: readonly In[], q: PrimitiveParams[P], o: KernelOutput) => TypedArray)(inputs, params, out)
  return [got, want]
}

/** Runs `p` on wasm and asserts it fell back to the JS kernel (no WebAssembly execution). */
export const fallsBack = <P extends Primitive>(
  backend: WasmBackend, p: P, inputs: readonly In[], params: PrimitiveParams[P], out: KernelOutput,
): TypedArray => {
  const before = backend.stats.wasmCalls[p] ?? 0
  const got = (backend.kernels[p] as (i: readonly In[], q: PrimitiveParams[P], o: KernelOutput) => TypedArray)(inputs, params, out)
  expect(backend.stats.wasmCalls[p] ?? 0, `${p} ran in JS`).toBe(before)
  return got
}

const f32Bits = (x: number): number => new Int32Array(Float32Array.of(x).buffer)[0]

/** Distance in float32 units in the last place (0 for equal values, NaN = NaN, -0 = 0 only when `signedZero` is false). */
const ulps = (a: number, b: number): number => {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity
  if (a === b) return Object.is(a, b) ? 0 : 1
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity
  const ia = f32Bits(a), ib = f32Bits(b)
  return (ia < 0) !== (ib < 0) ? Infinity : Math.abs(ia - ib)
}

/** Same length, same dtype, and every element within `maxUlps` (0: identical, -0 told from 0, NaN equal to NaN). */
export const expectUlps = (got: TypedArray, want: TypedArray, maxUlps = 0, what = ''): void => {
  expect(got.constructor, `${what} dtype`).toBe(want.constructor)
  expect(got.length, `${what} length`).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    const d = ulps(got[i], want[i])
    if (d > maxUlps) expect.fail(`${what} index ${i}: got ${got[i]}, want ${want[i]} (${d} ulps, at most ${maxUlps})`)
  }
}

export const out = (shape: readonly number[], dtype: DType = 'float32'): KernelOutput => ({ shape: [...shape], dtype })

/** numpy broadcasting of two shapes (the tests only pass compatible ones). */
export const broadcast = (...shapes: (readonly number[])[]): number[] => {
  const r = Math.max(...shapes.map((s) => s.length))
  return Array.from({ length: r }, (_, i) => {
    let d = 1
    for (const s of shapes) {
      const v = s[s.length - r + i] ?? 1
      if (v !== 1) d = v
    }
    return d
  })
}
