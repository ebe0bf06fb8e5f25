/**
 * Faults of the wasm backend (docs/reliability.md, "Backend faults"; WebGPU's device loss and
 * memory faults are in test/backends/webgpu/device-loss.test.ts and out-of-memory.test.ts):
 * - scratch it cannot have is OUT_OF_MEMORY naming the op and the bytes, with one thread or
 *   several, and the next call is right (and bit-identical across thread counts);
 * - wasm memory that refuses to grow is OUT_OF_MEMORY naming the op, and the arena serves the next
 *   call;
 * - a worker thread that ends makes the GEMM that notices fail with BACKEND_LOST instead of waiting
 *   for it forever, naming the kernel that ran the GEMM, and later GEMMs run on the calling thread
 *   with the same bits.
 */

import { describe, expect, it } from 'vitest'
import { matmul, ones, registerBackend, tensor, withBackend } from '../../src/index.js'
import { createWasmBackend } from '../../src/backends/wasm/index.js'
import { Arena } from '../../src/backends/wasm/arena.js'
import { instantiateSync } from '../../src/backends/wasm/module.js'
import { ThreadPool, type GemmArgs } from '../../src/backends/wasm/threads.js'
import { gemm, gemmScratch } from '../../src/backends/wasm/gemm.js'
import { seededValues, thrownError } from '../helpers/allclose.js'

/** A wasm module importing a function nobody provides: workers loading it end while starting. */
const brokenModule = (): WebAssembly.Module => new WebAssembly.Module(new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, // magic, version
  1, 4, 1, 96, 0, 0, // types: () -> ()
  2, 15, 1, 3, 101, 110, 118, 7, 109, 105, 115, 115, 105, 110, 103, 0, 0, // import env.missing
]))

describe('wasm backend faults', () => {
  it('scratch beyond what one call may use: OUT_OF_MEMORY naming matmul and the bytes, then right answers on 1 and 2 threads', () => {
    const names = ['wasm-t1', 'wasm-t2']
    names.forEach((name, i) => registerBackend(createWasmBackend({ name, threads: i + 1, minWork: 0 })))
    const a = Float32Array.from(seededValues(256 * 96, 1, -1, 1))
    const b = Float32Array.from(seededValues(96 * 80, 2, -1, 1))
    const results = names.map((name) => withBackend(name, () => {
      // Small operands, a 40000 x 16384 float32 product: 2.6 GB of scratch.
      const e = thrownError(() => matmul(ones([40000, 16]), ones([16, 16384])))
      expect([e.code, e.op]).toEqual(['OUT_OF_MEMORY', 'matmul'])
      expect(e.message).toMatch(/needs \d{10} bytes of wasm scratch, more than the 2147483648 one kernel call may use/)
      expect(matmul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[1], [0], [-1]])).dataSync()).toEqual(new Float32Array([-2, -2]))
      // 256 x 80 x 96: big enough to be split over the threads.
      return matmul(tensor(a, { shape: [256, 96] }), tensor(b, { shape: [96, 80] })).dataSync()
    }))
    const want = new Float32Array(256 * 80)
    for (let r = 0; r < 256; r++) for (let c = 0; c < 80; c++) {
      let s = 0
      for (let k = 0; k < 96; k++) s += a[r * 96 + k] * b[k * 80 + c]
      want[r * 80 + c] = s
    }
    for (const got of results) for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4)
    expect(results[1]).toEqual(results[0])
  })

  it('wasm memory that will not grow: OUT_OF_MEMORY naming the op and the bytes; the next call is served', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 3 })
    const arena = new Arena(memory)
    arena.reset('conv2d')
    const e = thrownError(() => arena.alloc(4 * 2 ** 20))
    expect([e.code, e.op]).toEqual(['OUT_OF_MEMORY', 'conv2d'])
    expect(e.message).toMatch(/could not grow wasm memory to \d+ bytes/)
    arena.reset('add')
    const values = Float32Array.from([1.5, -2, 3])
    const ptr = arena.copyIn(values)
    expect(arena.copyOut(ptr, 3, 'float32')).toEqual(values)
  })

  it('a worker thread that ends: BACKEND_LOST naming the op, no hang; later GEMMs on the calling thread, same bits', () => {
    const inst = instantiateSync(true)
    // Each worker ends while starting, as one that failed to start or died of an uncaught error would.
    const pool = new ThreadPool({ ...inst, module: brokenModule() }, 3)
    const [m, n, k] = [192, 40, 24]
    const A = 1 << 20, B = A + m * k * 4, C = B + k * n * 4, C1 = C + m * n * 4, S = 2 << 20, SCRATCH = 1 << 18
    inst.memory.grow(64)
    const f32 = new Float32Array(inst.memory.buffer)
    f32.set(Float32Array.from(seededValues(m * k, 3, -1, 1)), A / 4)
    f32.set(Float32Array.from(seededValues(k * n, 4, -1, 1)), B / 4)
    const scratch = [S, S + SCRATCH, S + 2 * SCRATCH]
    const args = (c: number): GemmArgs => [A, k, 1, B, n, 1, c, m, n, k, 0, m, 0]

    const e = thrownError(() => pool.gemm(args(C), scratch, 4, 'conv2d'))
    expect([e.code, e.op]).toEqual(['BACKEND_LOST', 'conv2d'])
    expect(e.message).toContain("the wasm backend's worker thread 1, 2 of 2 ended")
    expect(e.message).toContain('later calls run on the calling thread')
    expect(pool.failure).toBe('worker thread 1, 2 of 2 ended')

    // The pool serves on: the whole product on the calling thread, bit for bit a 1-thread GEMM.
    new Float32Array(inst.memory.buffer, C, m * n).fill(0)
    pool.gemm(args(C), scratch, 4, 'conv2d')
    inst.exports.gemm(A, k, 1, B, n, 1, C1, m, n, k, 0, m, scratch[0])
    const out = new Float32Array(inst.memory.buffer)
    expect(out.slice(C / 4, C / 4 + m * n)).toEqual(out.slice(C1 / 4, C1 / 4 + m * n))
    expect(out.slice(C / 4, C / 4 + m * n).some((v) => v !== 0)).toBe(true)
  }, 30_000)

  it('the BACKEND_LOST of a GEMM inside a convolution kernel names that kernel, not matmul', () => {
    const inst = instantiateSync(true)
    const arena = new Arena(inst.memory)
    const ctx = { wasm: inst.exports, arena, pool: new ThreadPool({ ...inst, module: brokenModule() }, 2) }
    const [m, n, k] = [192, 64, 24] // 294,912 multiply-adds: enough to be split over the threads
    arena.reset('conv2dBackFilter')
    const a = arena.copyIn(Float32Array.from(seededValues(m * k, 5, -1, 1)))
    const b = arena.copyIn(Float32Array.from(seededValues(k * n, 6, -1, 1)))
    const c = arena.zeros(m * n * 4)
    const e = thrownError(() => gemm(ctx, { ptr: a, rs: k, cs: 1 }, { ptr: b, rs: n, cs: 1 }, c, m, n, k, gemmScratch(ctx, n, k)))
    expect([e.code, e.op]).toEqual(['BACKEND_LOST', 'conv2dBackFilter'])
    expect(e.message.startsWith('conv2dBackFilter: ')).toBe(true)
  }, 30_000)
})
