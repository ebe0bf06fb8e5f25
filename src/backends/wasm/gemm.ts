/**
 * The GEMM entry the wasm kernels share (matmul, convolution): C[m,n] = A[m,k] B[k,n] on operands
 * already in the arena (C is written, never read, so it needs no zeroing), read through element strides (so transposed operands need no copy). The
 * packed, blocked loops live in assembly/gemm.ts; big products are split over worker threads by
 * output rows (threads.ts), small ones run on the calling thread. Shares are whole MR-row
 * panels: each element's arithmetic depends only on the k-blocking, never on which rows a thread
 * took, so any split gives the same bits, and panels keep the micro-kernel off its edge path.
 */

import type { Arena } from './arena.js'
import type { WasmExports } from './module.js'
import type { ThreadPool } from './threads.js'

const KC = 256
const MC = 64
const MR = 4
const NR = 8
/** Below this many multiply-adds a GEMM is not worth waking other threads for. */
const PARALLEL_WORK = 1 << 18

export interface Operand { readonly ptr: number; readonly rs: number; readonly cs: number }

export interface GemmContext {
  readonly wasm: WasmExports
  readonly arena: Arena
  readonly pool: ThreadPool | undefined
}

/** One thread's packing scratch for an (n, k) product: A panel block, B panels, edge tile. */
const scratchBytes = (n: number, k: number): number => {
  const kc = Math.min(KC, k)
  return MC * KC * 4 + Math.ceil(n / NR) * NR * kc * 4 + 128
}

/**
 * Allocates packing scratch for every thread that may run products of this (n, k); call once per
 * kernel, before the GEMMs, since the arena only grows forward within a call.
 */
export const gemmScratch = (ctx: GemmContext, n: number, k: number): number[] => {
  const threads = ctx.pool?.threads ?? 1
  return Array.from({ length: threads }, () => ctx.arena.alloc(scratchBytes(n, k)))
}

export const gemm = (ctx: GemmContext, a: Operand, b: Operand, c: number, m: number, n: number, k: number, scratch: readonly number[]): void => {
  if (m === 0 || n === 0) return
  if (k === 0) {
    ctx.arena.clear(c, m * n * 4)
    return
  }
  if (ctx.pool !== undefined && m > MC && m * n * k >= PARALLEL_WORK) {
    ctx.pool.gemm([a.ptr, a.rs, a.cs, b.ptr, b.rs, b.cs, c, m, n, k, 0, m, 0], scratch, MR, ctx.arena.currentOp)
  } else {
    ctx.wasm.gemm(a.ptr, a.rs, a.cs, b.ptr, b.rs, b.cs, c, m, n, k, 0, m, scratch[0])
  }
}
