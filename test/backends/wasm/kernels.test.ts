/**
 * The wasm backend's matmul, conv2d and conv2d backward kernels against the JS reference kernels,
 * within float32 tolerance, on fast-check-drawn sizes, transposes, batch broadcasts, strides,
 * dilations and pads, with wasm call counters proving they ran (float64 matmul stays in JS). Also:
 * scratch memory stops growing once the cache ring fills, and two threads match one bit for bit.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import { BASE } from '../../../src/backends/wasm/arena.js'
import { jsKernels } from '../../../src/backends/js/index.js'
import type { KernelInput } from '../../../src/backends/backend.js'
import type { TypedArray } from '../../../src/core/dtype.js'
import { firstMismatch } from '../../helpers/allclose.js'

const wasm = createWasmBackend({ minWork: 0 })
type In = KernelInput<TypedArray>

const rand = (n: number, seed: number): Float32Array => {
  let s = seed >>> 0
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32 - 0.5
  })
}
const f32 = (shape: number[], seed: number): In => ({ data: rand(shape.reduce((a, d) => a * d, 1), seed), shape, dtype: 'float32' })
const close = (a: TypedArray, b: TypedArray, tol = 1e-5): void => {
  expect(a.length).toBe(b.length)
  const i = firstMismatch(Array.from(a), Array.from(b), { atol: tol, rtol: tol })
  expect(i, i >= 0 ? `index ${i}: ${a[i]} vs ${b[i]}` : '').toBe(-1)
}
const called = (p: 'matmul' | 'conv2d' | 'conv2dBackInput' | 'conv2dBackFilter'): number => wasm.stats.wasmCalls[p] ?? 0

describe('wasm matmul', () => {
  it('matches the JS reference for every transpose combination, edge sizes and batch broadcasting', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 29 }),
      fc.boolean(), fc.boolean(), fc.constantFrom([], [3], [2, 1]), fc.constantFrom([], [1], [2, 3]), fc.integer(),
      (m, k, n, tA, tB, ba0, bb0, seed) => {
        const ba = [...ba0], bb = [...bb0]
        let batch: number[]
        try { batch = broadcast(ba, bb) } catch { return }
        const a = f32([...ba, ...(tA ? [k, m] : [m, k])], seed)
        const b = f32([...bb, ...(tB ? [n, k] : [k, n])], seed + 1)
        const out = { shape: [...batch, m, n], dtype: 'float32' as const }
        const before = called('matmul')
        const got = wasm.kernels.matmul([a, b], { transposeA: tA, transposeB: tB }, out)
        expect(called('matmul')).toBe(before + 1)
        close(got, jsKernels.matmul([a, b], { transposeA: tA, transposeB: tB }, out), 2e-5 * Math.sqrt(k))
      },
    ), { numRuns: 60, seed: 7 })
  })

  it('runs float64 in the JS kernels, exactly, and does not count it as wasm', () => {
    const a: In = { data: Float64Array.from([1, 2, 3, 4]), shape: [2, 2], dtype: 'float64' }
    const before = called('matmul')
    const got = wasm.kernels.matmul([a, a], { transposeA: false, transposeB: false }, { shape: [2, 2], dtype: 'float64' })
    expect(Array.from(got)).toEqual([7, 10, 15, 22])
    expect(called('matmul')).toBe(before)
  })
})

const broadcast = (a: number[], b: number[]): number[] => {
  const n = Math.max(a.length, b.length)
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1
    if (x !== y && x !== 1 && y !== 1) throw new Error('no broadcast')
    return Math.max(x, y)
  })
}

describe('wasm convolution', () => {
  const outSize = (n: number, k: number, s: number, d: number, lo: number, hi: number): number =>
    Math.floor((n + lo + hi - ((k - 1) * d + 1)) / s) + 1
  it('conv2d and both transposes match the JS reference (strides, dilations, asymmetric pads)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 11 }), fc.integer({ min: 3, max: 9 }),
      fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), fc.integer(),
      (nb, h, w, ci, co, kh, kw, s, d, pads, seed) => {
        const oh = outSize(h, kh, s, d, pads[0], pads[1]), ow = outSize(w, kw, s, d, pads[2], pads[3])
        if (oh < 1 || ow < 1) return
        const p = { strides: [s, s] as const, dilations: [d, d] as const, pads: pads as unknown as readonly [number, number, number, number] }
        const x = f32([nb, h, w, ci], seed), f = f32([kh, kw, ci, co], seed + 1), dy = f32([nb, oh, ow, co], seed + 2)
        const y = { shape: [nb, oh, ow, co], dtype: 'float32' as const }
        const c0 = called('conv2d'), c1 = called('conv2dBackInput'), c2 = called('conv2dBackFilter')
        close(wasm.kernels.conv2d([x, f], p, y), jsKernels.conv2d([x, f], p, y))
        const bi = { ...p, inputShape: x.shape }, bf = { ...p, filterShape: f.shape }
        close(wasm.kernels.conv2dBackInput([dy, f], bi, { shape: x.shape, dtype: 'float32' }), jsKernels.conv2dBackInput([dy, f], bi, { shape: x.shape, dtype: 'float32' }))
        close(wasm.kernels.conv2dBackFilter([x, dy], bf, { shape: f.shape, dtype: 'float32' }), jsKernels.conv2dBackFilter([x, dy], bf, { shape: f.shape, dtype: 'float32' }), 1e-4)
        expect([called('conv2d') - c0, called('conv2dBackInput') - c1, called('conv2dBackFilter') - c2]).toEqual([1, 1, 1])
      },
    ), { numRuns: 60, seed: 11 })
  })
})

describe('wasm scratch memory', () => {
  it('is reused across calls: after the cache ring fills, many calls of one size do not grow it', () => {
    const cacheBytes = 2 * 2 ** 20
    const ring = createWasmBackend({ minWork: 0, threads: 1, cacheBytes })
    const a = f32([64, 64], 1)
    const out = { shape: [64, 64], dtype: 'float32' as const }
    const run = (times: number): void => {
      for (let i = 0; i < times; i++) ring.kernels.matmul([a, a], { transposeA: false, transposeB: false }, out)
    }
    run(200)
    const size = ring.scratchBytes()
    run(200)
    expect(ring.scratchBytes()).toBe(size)
    expect(size).toBeLessThanOrEqual(BASE + cacheBytes + 2 ** 20)
  })
})

describe('wasm threads', () => {
  it('split GEMMs over output rows: results are bit-identical to one thread', () => {
    const one = createWasmBackend({ threads: 1, minWork: 0 })
    const two = createWasmBackend({ threads: 2, minWork: 0 })
    expect(two.capabilities.threads).toBe(2)
    for (const [m, k, n, tA] of [[300, 200, 150, false], [129, 513, 70, true]] as const) {
      const a = f32(tA ? [k, m] : [m, k], m), b = f32([k, n], n)
      const out = { shape: [m, n], dtype: 'float32' as const }
      const r1 = one.kernels.matmul([a, b], { transposeA: tA, transposeB: false }, out)
      const r2 = two.kernels.matmul([a, b], { transposeA: tA, transposeB: false }, out)
      expect(Buffer.from(r2.buffer).equals(Buffer.from(r1.buffer))).toBe(true)
    }
    const x = f32([8, 20, 20, 8], 3), w = f32([3, 3, 8, 16], 4)
    const p = { strides: [1, 1] as const, dilations: [1, 1] as const, pads: [1, 1, 1, 1] as const }
    const y = { shape: [8, 20, 20, 16], dtype: 'float32' as const }
    expect(Buffer.from(two.kernels.conv2d([x, w], p, y).buffer).equals(Buffer.from(one.kernels.conv2d([x, w], p, y).buffer))).toBe(true)
  })

  it('keeps every thread inside its own scratch when k is below the k-block (regression)', () => {
    const two = createWasmBackend({ threads: 2, minWork: 0 })
    const one = createWasmBackend({ threads: 1, minWork: 0 })
    const a = f32([359, 64], 5), b = f32([64, 64], 6)
    const out = { shape: [359, 64], dtype: 'float32' as const }
    const p = { transposeA: false, transposeB: false }
    expect(Buffer.from(two.kernels.matmul([a, b], p, out).buffer).equals(Buffer.from(one.kernels.matmul([a, b], p, out).buffer))).toBe(true)
  })

  it('rejects a thread count that is not a positive integer', () => {
    expect(() => createWasmBackend({ threads: 0 })).toThrow(/threads must be a positive integer/)
  })
})
