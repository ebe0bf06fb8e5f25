/**
 * The wasm scratch ring and read cache (src/backends/wasm/arena.ts): chained ops find their
 * operands resident instead of copying them in again; a resident copy is never used after the
 * ring overwrote it (random op sequences under a tiny ring, GEMM calls interleaved, agree with the
 * reference bit for bit); and the memory stays under cacheBytes plus the largest single call.
 */

import { describe, expect, it } from 'vitest'
import { jsKernels } from '../../../src/backends/js/index.js'
import { BASE } from '../../../src/backends/wasm/arena.js'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import type { TypedArray } from '../../../src/core/dtype.js'
import { add, matmul, mean, mul, registerBackend, relu, square, sub, tensor, treeZipWith, valueAndGrad, withBackend, type Tensor } from '../../../src/index.js'
import { expectError } from '../../helpers/allclose.js'
import { expectUlps, f32, out, type In } from './support.js'

const f = (data: TypedArray, shape: readonly number[]): In => ({ data, shape: [...shape], dtype: 'float32' })

describe('wasm read cache', () => {
  it('a chain of ops reads its intermediates where the previous call left them', () => {
    const wasm = createWasmBackend({ minWork: 0, threads: 1 })
    const x = f32([1000], 1)
    const s0 = wasm.cacheStats()
    const y = f(wasm.kernels.add([x, x], {}, out([1000])), [1000])
    const s1 = wasm.cacheStats()
    expect([s1.misses - s0.misses, s1.hits - s0.hits]).toEqual([1, 1]) // x copied once, then found
    const z = wasm.kernels.mul([y, x], {}, out([1000]))
    wasm.kernels.sqrt([f(z, [1000])], {}, out([1000]))
    const s2 = wasm.cacheStats()
    expect([s2.misses - s1.misses, s2.hits - s1.hits]).toEqual([0, 3])
  })

  it('with cacheBytes 0 every operand is copied in', () => {
    const wasm = createWasmBackend({ minWork: 0, threads: 1, cacheBytes: 0 })
    const x = f32([100], 1)
    const y = f(wasm.kernels.add([x, x], {}, out([100])), [100])
    wasm.kernels.mul([y, x], {}, out([100]))
    expect(wasm.cacheStats()).toEqual({ hits: 0, misses: 4, copiedBytes: 4 * 400 })
  })

  it('never reads a resident copy the ring has overwritten: random chains under a tiny ring match the reference', () => {
    const cacheBytes = 16 * 1024
    const wasm = createWasmBackend({ minWork: 0, threads: 1, cacheBytes })
    const sizes = [4, 300, 1000, 6000] // the last is bigger than the ring
    const pool = new Map<number, TypedArray[]>(sizes.map((n, i) => [n, [f32([n], i + 1, { every: 0 }).data, f32([n], i + 7, { every: 0 }).data]]))
    let s = 12345
    const pick = (k: number): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s % k }
    const ops = ['add', 'sub', 'mul', 'maximum'] as const
    let largest = 0
    for (let step = 0; step < 600; step++) {
      const n = sizes[pick(sizes.length)], arrays = pool.get(n) as TypedArray[]
      const a = arrays[pick(arrays.length)], b = arrays[pick(arrays.length)]
      let got: TypedArray, want: TypedArray
      if (pick(5) === 0 && n >= 300) {
        // A GEMM call (the arena's other, unsized way in) on a view of the same arrays.
        const m = n === 300 ? 10 : 20, k = n / m
        const p = { transposeA: false, transposeB: true }
        got = wasm.kernels.matmul([f(a, [m, k]), f(b, [m, k])], p, out([m, m]))
        want = jsKernels.matmul([f(a, [m, k]), f(b, [m, k])], p, out([m, m]))
        expect(got.length).toBe(want.length)
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i])))
        continue
      }
      const op = ops[pick(ops.length)]
      got = wasm.kernels[op]([f(a, [n]), f(b, [n])], {}, out([n]))
      want = jsKernels[op]([f(a, [n]), f(b, [n])], {}, out([n]))
      expectUlps(got, want, 0, `step ${step} ${op} [${n}]`)
      // Results go back into the pool (resident in the ring); values are kept bounded, so that
      // the GEMM's comparison stays finite.
      arrays[pick(arrays.length)] = got.every((v) => Math.abs(v) < 64) ? got : got.map((v) => Math.sign(v))
      largest = Math.max(largest, 3 * n * 4 + 1024)
    }
    const { hits, misses } = wasm.cacheStats()
    expect(hits).toBeGreaterThan(100)
    expect(misses).toBeGreaterThan(100)
    expect(wasm.scratchBytes()).toBeLessThanOrEqual(BASE + cacheBytes + 512 * 1024)
  })

  it('a synchronous training loop keeps the wasm memory flat once the ring has filled', () => {
    const wasm = createWasmBackend({ name: 'wasm-ring-loop', minWork: 0, threads: 1, cacheBytes: 256 * 1024 })
    registerBackend(wasm)
    type P = { w: Tensor; b: Tensor }
    withBackend('wasm-ring-loop', () => {
      let p: P = { w: tensor(f32([32, 16], 1, { lo: -0.5, hi: 0.5, every: 0 }).data, { shape: [32, 16] }), b: tensor(new Float32Array(16)) }
      const x = tensor(f32([64, 32], 2, { every: 0 }).data, { shape: [64, 32] })
      const loss = (q: P): Tensor => mean(square(relu(add(matmul(x, q.w), q.b))))
      const step = (): number => {
        const [l, g] = valueAndGrad(loss)(p)
        p = treeZipWith(p, g, (a: Tensor, d: Tensor) => sub(a, mul(d, 0.01)))
        return l.item()
      }
      const first = step()
      for (let i = 0; i < 200; i++) step()
      const size = wasm.scratchBytes()
      let last = first
      for (let i = 0; i < 400; i++) last = step()
      expect(wasm.scratchBytes()).toBe(size)
      expect(last).toBeLessThan(first)
    })
    expect(wasm.stats.wasmCalls.matmul ?? 0).toBeGreaterThan(600)
    expect(wasm.cacheStats().hits).toBeGreaterThan(1000)
  })

  it('rejects a cacheBytes that is not a non-negative integer', () => {
    expectError(() => createWasmBackend({ cacheBytes: -1 }), 'INVALID_ARGUMENT', 'cacheBytes must be a non-negative integer')
  })
})
