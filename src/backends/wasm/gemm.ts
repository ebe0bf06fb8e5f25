/**
 * The GEMM driver over the wasm kernels, on operands already in the arena: C[m,n] += A[m,k] B[k,n]
 * with A and B read through element strides (so transposed operands need no copy). Per k-block
 * B is packed into 8-column panels, then A, 64 rows at a time, into 4-row panels, and the 4x8
 * SIMD micro-kernel accumulates into C. Used by matmul and by convolution (im2col).
 */

import type { Arena } from './arena.js'
import type { WasmExports } from './module.js'

const KC = 256
const MC = 64
const NR = 8

export interface Operand { readonly ptr: number; readonly rs: number; readonly cs: number }

/** Scratch for packing, sized for (m, n, k); allocate once per kernel call, reuse per batch item. */
export const packScratch = (arena: Arena, m: number, n: number, k: number): [number, number] => {
  const kc = Math.min(KC, k)
  return [arena.alloc(Math.min(MC, m + 3) * kc * 4 + 64), arena.alloc(Math.ceil(n / NR) * NR * kc * 4)]
}

export const gemm = (
  wasm: WasmExports, a: Operand, b: Operand, c: number, m: number, n: number, k: number, scratch: readonly [number, number],
): void => {
  const [packedA, packedB] = scratch
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0)
    wasm.packB(b.ptr, b.rs, b.cs, k0, kc, n, packedB)
    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = Math.min(MC, m - i0)
      wasm.packA(a.ptr, a.rs, a.cs, i0, mc, k0, kc, m, packedA)
      wasm.gemmBlock(packedA, packedB, c, n, i0, mc, n, kc)
    }
  }
}
