/**
 * transpose, broadcastTo and slice on the wasm kernels (strided copies of 4-byte data) against
 * the JS reference, bit for bit, float32 and int32: permutations that keep or move the innermost
 * axis, broadcasts of rows, columns and per-channel vectors, slices with offsets, empty shapes.
 */

import { describe, it } from 'vitest'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import { both, expectUlps, f32, fallsBack, out, type In } from './support.js'

const wasm = createWasmBackend({ minWork: 0, threads: 1 })
const asInt = (x: In): In => ({ data: Int32Array.from(x.data, (v) => (Number.isFinite(v) ? Math.round(v * 100) : -1)), shape: x.shape, dtype: 'int32' })

describe('wasm movement kernels', () => {
  it('transpose matches the reference for every permutation kind, float32 and int32', () => {
    const cases: readonly (readonly [number[], number[]])[] = [
      [[5, 7], [1, 0]], [[2, 3, 4], [0, 2, 1]], [[2, 3, 4], [2, 0, 1]], [[2, 3, 4, 5], [1, 0, 2, 3]], [[1, 6, 1], [2, 1, 0]], [[0, 3], [1, 0]],
    ]
    cases.forEach(([shape, perm], i) => {
      const x = f32(shape, 130 + i)
      for (const v of [x, asInt(x)]) {
        const [got, want] = both(wasm, 'transpose', [v], { perm }, out(perm.map((p) => shape[p]), v.dtype))
        expectUlps(got, want, 0, `transpose [${shape}] perm [${perm}] ${v.dtype}`)
      }
    })
  })

  it('broadcastTo matches the reference (rows, columns, per-channel vectors, new leading axes, empty)', () => {
    const cases: readonly (readonly [number[], number[]])[] = [
      [[7], [5, 7]], [[5, 1], [5, 7]], [[32, 1, 1, 3], [32, 4, 5, 3]], [[], [3, 2]], [[1, 3, 1], [2, 3, 4]], [[3], [0, 3]],
    ]
    cases.forEach(([from, to], i) => {
      const x = f32(from, 140 + i)
      for (const v of [x, asInt(x)]) {
        const [got, want] = both(wasm, 'broadcastTo', [v], { shape: to }, out(to, v.dtype))
        expectUlps(got, want, 0, `broadcastTo [${from}] -> [${to}] ${v.dtype}`)
      }
    })
  })

  it('slice matches the reference (offsets on every axis, whole rows, empty results)', () => {
    const cases: readonly (readonly [number[], number[], number[]])[] = [
      [[6, 7], [1, 2], [3, 4]], [[6, 7], [2, 0], [3, 7]], [[3, 4, 5], [1, 1, 1], [2, 2, 3]], [[9], [4], [5]], [[4, 4], [1, 1], [0, 2]],
    ]
    cases.forEach(([shape, begin, size], i) => {
      const x = f32(shape, 150 + i)
      for (const v of [x, asInt(x)]) {
        const [got, want] = both(wasm, 'slice', [v], { begin, size }, out(size, v.dtype))
        expectUlps(got, want, 0, `slice [${shape}] at [${begin}] size [${size}] ${v.dtype}`)
      }
    })
  })

  it('float64 and bool views run in JS (not 4-byte elements)', () => {
    const d: In = { data: Float64Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3], dtype: 'float64' }
    expectUlps(fallsBack(wasm, 'transpose', [d], { perm: [1, 0] }, out([3, 2], 'float64')), Float64Array.of(1, 4, 2, 5, 3, 6))
    const b: In = { data: Uint8Array.of(1, 0, 1), shape: [3], dtype: 'bool' }
    expectUlps(fallsBack(wasm, 'broadcastTo', [b], { shape: [2, 3] }, out([2, 3], 'bool')), Uint8Array.of(1, 0, 1, 1, 0, 1))
  })
})
