/**
 * Batched float32 matmul on the wasm GEMM: operands are copied into the arena once, then each
 * batch item (numpy batch broadcasting) runs the packed GEMM. Transposes only change the strides
 * the packing reads with, so all four combinations run at the same speed.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { Kernel } from '../backend.js'
import { gemm, gemmScratch, type GemmContext } from './gemm.js'

/** Flat element offsets of each output batch item in A and B under numpy batch broadcasting. */
const batchOffsets = (aBatch: readonly number[], bBatch: readonly number[], outBatch: readonly number[], aMat: number, bMat: number): [number[], number[]] => {
  const total = outBatch.reduce((p, d) => p * d, 1)
  const r = outBatch.length
  const strides = (shape: readonly number[], mat: number): number[] => {
    const s = new Array<number>(r).fill(0)
    let acc = mat
    for (let i = shape.length - 1; i >= 0; i--) {
      s[r - shape.length + i] = shape[i] === 1 ? 0 : acc
      acc *= shape[i]
    }
    return s
  }
  const sa = strides(aBatch, aMat), sb = strides(bBatch, bMat)
  const offA: number[] = new Array(total), offB: number[] = new Array(total)
  const idx = new Array<number>(r).fill(0)
  for (let t = 0; t < total; t++) {
    let oa = 0, ob = 0
    for (let d = 0; d < r; d++) { oa += idx[d] * sa[d]; ob += idx[d] * sb[d] }
    offA[t] = oa; offB[t] = ob
    for (let d = r - 1; d >= 0; d--) { if (++idx[d] < outBatch[d]) break; idx[d] = 0 }
  }
  return [offA, offB]
}

export const wasmMatmul = (ctx: GemmContext): Kernel<'matmul', TypedArray> => ([a, b], { transposeA, transposeB }, out) => {
  const arena = ctx.arena
  const ra = a.shape.length, ro = out.shape.length
  const m = out.shape[ro - 2], n = out.shape[ro - 1]
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  const [offA, offB] = batchOffsets(a.shape.slice(0, -2), b.shape.slice(0, -2), out.shape.slice(0, -2), m * k, k * n)
  arena.reset('matmul')
  const pA = arena.copyIn(a.data), pB = arena.copyIn(b.data)
  const pC = arena.alloc(offA.length * m * n * 4)
  const scratch = gemmScratch(ctx, n, k)
  for (let t = 0; t < offA.length; t++) {
    gemm(
      ctx,
      { ptr: pA + offA[t] * 4, rs: transposeA ? 1 : k, cs: transposeA ? m : 1 },
      { ptr: pB + offB[t] * 4, rs: transposeB ? 1 : n, cs: transposeB ? k : 1 },
      pC + t * m * n * 4, m, n, k, scratch,
    )
  }
  return arena.copyOut(pC, offA.length * m * n, 'float32')
}
