// Packed, register-blocked float32 matrix multiply with 128-bit SIMD (AssemblyScript).
//
// C[m,n] = A[m,k] B[k,n], where A and B are read through arbitrary element strides, so every
// transpose combination a backward pass produces runs the same inner kernel: packing (pack.ts)
// absorbs the layout. A is packed into panels of MR = 4 rows and B into panels of NR = 8 columns, per
// k-block; the 4x8 micro-kernel keeps its 8 accumulators in registers (larger tiles spill in V8).
// All pointers are byte offsets into this module's memory, given by the JS side's scratch arena.

import { MR, NR, packA, packB } from './pack'

// c + a * b. The relaxed-SIMD build (scripts/build-wasm.mjs) uses relaxed_madd, which the engine
// may fuse (one rounding) or not, depending on the hardware: the relaxed and the baseline modules
// can differ in the last bits, while every call within one module computes exactly alike.
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c)
  return f32x4.add(c, f32x4.mul(a, b))
}

// C tile (rows i0.., cols j0..) = (or, with `acc`, +=) packed A panel x packed B panel, clipped
// to rows x cols. The first k-block stores, so C needs no zeroing beforehand: the accumulators
// start at +0 and are never -0, so storing them gives the bits that adding them to zeros gave.
// `tile` is 128 bytes of per-thread scratch for edge tiles (kernels use no globals, so several
// threads can run them on one shared memory).
@inline
function micro(kc: i32, pa: usize, pb: usize, c: usize, ldc: i32, rows: i32, cols: i32, tile: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0)
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0)
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0)
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0)
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb)
    const b1 = v128.load(pb, 16)
    let a = v128.load32_splat(pa)
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01)
    a = v128.load32_splat(pa, 4)
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11)
    a = v128.load32_splat(pa, 8)
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21)
    a = v128.load32_splat(pa, 12)
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31)
    pa += 16
    pb += 32
  }
  const ld = <usize>ldc * 4
  if (rows == MR && cols == NR && !acc) {
    v128.store(c, c00); v128.store(c, c01, 16)
    c += ld
    v128.store(c, c10); v128.store(c, c11, 16)
    c += ld
    v128.store(c, c20); v128.store(c, c21, 16)
    c += ld
    v128.store(c, c30); v128.store(c, c31, 16)
    return
  }
  if (rows == MR && cols == NR) {
    v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16)
    c += ld
    v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16)
    c += ld
    v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16)
    c += ld
    v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16)
    return
  }
  // Edge tile: spill the accumulators to the tile scratch and store or add what fits.
  v128.store(tile, c00); v128.store(tile, c01, 16); v128.store(tile, c10, 32); v128.store(tile, c11, 48)
  v128.store(tile, c20, 64); v128.store(tile, c21, 80); v128.store(tile, c30, 96); v128.store(tile, c31, 112)
  for (let r = 0; r < rows; r++) {
    const crow = c + <usize>r * ld
    for (let j = 0; j < cols; j++) {
      const dst = crow + <usize>j * 4
      const v = load<f32>(tile + <usize>(r * NR + j) * 4)
      store<f32>(dst, acc ? load<f32>(dst) + v : v)
    }
  }
}

// C[i0 .. i0+mc, 0 .. n] = (with `acc`, +=) packedA (mc x kc) packedB (kc x n).
function gemmBlock(pa: usize, pb: usize, c: usize, ldc: i32, i0: i32, mc: i32, n: i32, kc: i32, tile: usize, acc: bool): void {
  const ipanels = (mc + MR - 1) / MR
  const jpanels = (n + NR - 1) / NR
  for (let jp = 0; jp < jpanels; jp++) {
    const cols = min(NR, n - jp * NR)
    const pbj = pb + <usize>(jp * kc * NR) * 4
    for (let ip = 0; ip < ipanels; ip++) {
      const rows = min(MR, mc - ip * MR)
      const ctile = c + <usize>((i0 + ip * MR) * ldc + jp * NR) * 4
      micro(kc, pa + <usize>(ip * kc * MR) * 4, pbj, ctile, ldc, rows, cols, tile, acc)
    }
  }
}

const KC: i32 = 256
const MC: i32 = 64

// C[rowStart .. rowEnd, 0 .. n] = A[m, k] B[k, n], A and B read through element strides
// (rs, cs); C's old contents are overwritten, not read (with k = 0 nothing is written). Each element's sum runs over the same k-blocks in the same order whatever the row
// range, so calls over any split of the rows give results bit-identical to one call over all of
// them, which is how threads split the work. `scratch` holds this caller's packing buffers:
// MC * KC floats for A, ceil(n / NR) * NR * min(KC, k) floats for B, then 128 bytes of tile
// scratch (gemm.ts on the JS side allocates exactly this).
export function gemm(
  a: usize, ars: i32, acs: i32, b: usize, brs: i32, bcs: i32, c: usize,
  m: i32, n: i32, k: i32, rowStart: i32, rowEnd: i32, scratch: usize,
): void {
  const pa = scratch
  const pb = pa + <usize>(MC * KC) * 4
  const tile = pb + <usize>(((n + NR - 1) / NR) * NR * min(KC, k)) * 4
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = min(KC, k - k0)
    packB(b, brs, bcs, k0, kc, n, pb)
    for (let i0 = rowStart; i0 < rowEnd; i0 += MC) {
      const mc = min(MC, rowEnd - i0)
      packA(a, ars, acs, i0, mc, k0, kc, m, pa)
      gemmBlock(pa, pb, c, n, i0, mc, n, kc, tile, k0 > 0)
    }
  }
}
