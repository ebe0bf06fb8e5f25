/**
 * The wasm GEMM's two builds: only the relaxed modules contain relaxed_madd and only the baseline
 * ones validate with relaxed SIMD switched off; the relaxed build loads by default, the baseline
 * one when the engine rejects relaxed SIMD; each is within the float32 error bound of a float64
 * product for every transpose and ragged size; 1, 2 and 3 threads give the same bits; and stale
 * arena bytes never leak into the output.
 */

import { execFileSync } from 'node:child_process'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createWasmBackend, createWasmBackendAsync, type WasmBackend } from '../../../src/backends/wasm/index.js'
import { relaxedSimdSupported } from '../../../src/backends/wasm/module.js'
import { ThreadPool } from '../../../src/backends/wasm/threads.js'
import * as generated from '../../../src/backends/wasm/kernels.generated.js'
import type { KernelInput } from '../../../src/backends/backend.js'
import type { TypedArray } from '../../../src/core/dtype.js'

type In = KernelInput<TypedArray>
const rand = (n: number, seed: number): Float32Array => {
  let s = seed >>> 0
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32 - 0.5
  })
}
const f32 = (shape: number[], seed: number): In => ({ data: rand(shape.reduce((a, d) => a * d, 1), seed), shape, dtype: 'float32' })
const bits = (a: TypedArray): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
const RELAXED_MADD = Buffer.from([0xfd, 0x85, 0x02])
const hasRelaxedMadd = (bytes: Uint8Array): boolean => Buffer.from(bytes).includes(RELAXED_MADD)

/**
 * Checks C against the float64 product within the worst-case float32 bound for a sum of k
 * products in any order, with or without fused multiply-adds: |err| <= k u sum |a||b|.
 */
const expectProduct = (got: TypedArray, a: In, b: In, m: number, n: number, k: number, tA: boolean, tB: boolean): void => {
  const at = (i: number, p: number): number => a.data[tA ? p * m + i : i * k + p]
  const bt = (p: number, j: number): number => b.data[tB ? j * k + p : p * n + j]
  const u = 2 ** -24
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0, mag = 0
      for (let p = 0; p < k; p++) { s += at(i, p) * bt(p, j); mag += Math.abs(at(i, p) * bt(p, j)) }
      const err = Math.abs(got[i * n + j] - s)
      if (!(err <= k * u * mag * 1.01 + 1e-30)) {
        expect.fail(`C[${i},${j}] of ${m}x${n}x${k} tA=${tA} tB=${tB}: ${got[i * n + j]} vs ${s} (bound ${k * u * mag})`)
      }
    }
  }
}

const matmul = (be: WasmBackend, a: In, b: In, m: number, n: number, tA: boolean, tB: boolean): TypedArray =>
  be.kernels.matmul([a, b], { transposeA: tA, transposeB: tB }, { shape: [m, n], dtype: 'float32' })

const operands = (m: number, n: number, k: number, tA: boolean, tB: boolean, seed: number): [In, In] =>
  [f32(tA ? [k, m] : [m, k], seed), f32(tB ? [n, k] : [k, n], seed + 1)]

const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const
// Ragged edges in every dimension, k across the 256 k-block and its 4-wide packing, m across the
// 64-row block and 4-row panels, n across 8-column panels, and the W2 MLP's backward shapes.
const SIZES: readonly (readonly [m: number, n: number, k: number])[] = [
  [1, 1, 1], [3, 5, 2], [4, 8, 4], [5, 9, 7], [17, 23, 259], [67, 16, 64], [130, 33, 517], [128, 10, 256], [64, 12, 128],
]

describe('wasm GEMM builds', () => {
  afterEach(() => { vi.restoreAllMocks() })

  it('ships a relaxed-SIMD build that uses relaxed_madd and a baseline build that does not', () => {
    expect(hasRelaxedMadd(Buffer.from(generated.KERNELS_RELAXED_WASM_BASE64, 'base64'))).toBe(true)
    expect(hasRelaxedMadd(Buffer.from(generated.KERNELS_RELAXED_SHARED_WASM_BASE64, 'base64'))).toBe(true)
    expect(hasRelaxedMadd(Buffer.from(generated.KERNELS_WASM_BASE64, 'base64'))).toBe(false)
    expect(hasRelaxedMadd(Buffer.from(generated.KERNELS_SHARED_WASM_BASE64, 'base64'))).toBe(false)
  })

  it('the baseline builds validate where relaxed SIMD is switched off, the relaxed ones do not', () => {
    const modules = [generated.KERNELS_WASM_BASE64, generated.KERNELS_SHARED_WASM_BASE64, generated.KERNELS_RELAXED_WASM_BASE64, generated.KERNELS_RELAXED_SHARED_WASM_BASE64]
    const script = `let s = ''; process.stdin.on('data', (d) => { s += d }).on('end', () =>
      console.log(JSON.stringify(JSON.parse(s).map((b) => WebAssembly.validate(Buffer.from(b, 'base64'))))))`
    const out = execFileSync(process.execPath, ['--no-experimental-wasm-relaxed-simd', '-e', script], { encoding: 'utf8', input: JSON.stringify(modules) })
    expect(JSON.parse(out)).toEqual([true, true, false, false])
  })

  it('loads the relaxed build by default where the engine supports it (Node 20 after switching V8\'s flag on)', async () => {
    expect(relaxedSimdSupported()).toBe(true)
    expect(createWasmBackend({ threads: 1 }).kernelVariant).toBe('relaxed-simd')
    expect((await createWasmBackendAsync({ threads: 1 })).kernelVariant).toBe('relaxed-simd')
    expect((await createWasmBackendAsync({ threads: 1, relaxedSimd: false })).kernelVariant).toBe('simd')
  })

  it('falls back to the baseline build when the engine rejects relaxed SIMD', () => {
    const validate = WebAssembly.validate.bind(WebAssembly)
    // An engine without relaxed SIMD: every module holding a relaxed opcode fails validation.
    const spy = vi.spyOn(WebAssembly, 'validate').mockImplementation((bytes) => !hasRelaxedMadd(new Uint8Array(bytes as ArrayBuffer)) && validate(bytes))
    const be = createWasmBackend({ threads: 2, minWork: 0 })
    expect(spy).toHaveBeenCalled()
    expect(be.kernelVariant).toBe('simd')
    const [a, b] = operands(70, 9, 33, true, false, 3)
    expectProduct(matmul(be, a, b, 70, 9, true, false), a, b, 70, 9, 33, true, false)
    expect(be.stats.wasmCalls.matmul).toBe(1)
  })

  for (const relaxedSimd of [true, false]) {
    const variant = relaxedSimd ? 'relaxed-simd' : 'simd'
    it(`${variant}: every transpose combination and ragged size agrees with the float64 product`, () => {
      const be = createWasmBackend({ threads: 1, minWork: 0, relaxedSimd })
      expect(be.kernelVariant).toBe(variant)
      let calls = 0
      for (const [m, n, k] of SIZES) {
        for (const [tA, tB] of TRANSPOSES) {
          const [a, b] = operands(m, n, k, tA, tB, m * 31 + n * 7 + k)
          expectProduct(matmul(be, a, b, m, n, tA, tB), a, b, m, n, k, tA, tB)
          expect(be.stats.wasmCalls.matmul).toBe(++calls)
        }
      }
    })

    it(`${variant}: 1, 2 and 3 threads give the same bits for every transpose combination`, () => {
      const one = createWasmBackend({ threads: 1, minWork: 0, relaxedSimd })
      const many = [2, 3].map((threads) => createWasmBackend({ threads, minWork: 0, relaxedSimd }))
      for (const be of many) expect([be.kernelVariant, be.capabilities.threads > 1]).toEqual([variant, true])
      const shares = vi.spyOn(ThreadPool.prototype, 'gemm')
      const shapes = [[301, 150, 200], [131, 70, 513], [128, 512, 256]] as const
      for (const [m, n, k] of shapes) {
        for (const [tA, tB] of TRANSPOSES) {
          const [a, b] = operands(m, n, k, tA, tB, m + k)
          const want = bits(matmul(one, a, b, m, n, tA, tB))
          for (const be of many) expect(bits(matmul(be, a, b, m, n, tA, tB)).equals(want)).toBe(true)
        }
      }
      // Every product above was split over the worker threads, none ran on one thread alone.
      expect(shares).toHaveBeenCalledTimes(shapes.length * TRANSPOSES.length * many.length)
    })
  }

  it('writes the product without reading the output memory: stale arena bytes never leak in, and k = 0 gives zeros', () => {
    // No operand cache, so every call reuses the same arena bytes from the start.
    const be = createWasmBackend({ threads: 2, minWork: 0, cacheBytes: 0 })
    const [m, n, k] = [130, 40, 300]
    const [a, b] = operands(m, n, k, false, false, 5)
    const want = bits(matmul(be, a, b, m, n, false, false))
    // A product with NaN everywhere leaves NaN in the arena where the next output will be.
    const nan: In = { data: new Float32Array(m * k).fill(NaN), shape: [m, k], dtype: 'float32' }
    expect(Number.isNaN(matmul(be, nan, b, m, n, false, false)[0])).toBe(true)
    expect(bits(matmul(be, a, b, m, n, false, false)).equals(want)).toBe(true)
    expectProduct(matmul(be, a, b, m, n, false, false), a, b, m, n, k, false, false)
    matmul(be, nan, b, m, n, false, false)
    const calls = be.stats.wasmCalls.matmul ?? 0
    const empty = matmul(be, f32([m, 0], 1), f32([0, n], 2), m, n, false, false)
    expect(be.stats.wasmCalls.matmul).toBe(calls + 1)
    expect(Array.from(empty)).toEqual(new Array(m * n).fill(0))
  })
})
