// Packing for the GEMM (assembly/gemm.ts): copies one k-block of A into panels of MR rows and of
// B into panels of NR columns, so the micro-kernel reads both contiguously whatever the operands'
// strides. The two layouts backward passes produce (row-major and transposed) move four floats at
// a time, with 4x4 transposes in registers where the panel runs across memory; other strides and
// the ragged edges go element by element, zero-filled past the matrix.

export const MR: i32 = 4
export const NR: i32 = 8

// Stores the columns of the 4x4 block with rows r0..r3 at dst, dst + step, dst + 2 step, ...
@inline
function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, step: usize): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7)
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7)
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5))
  v128.store(dst + step, i32x4.shuffle(t0, t2, 2, 3, 6, 7))
  v128.store(dst + 2 * step, i32x4.shuffle(t1, t3, 0, 1, 4, 5))
  v128.store(dst + 3 * step, i32x4.shuffle(t1, t3, 2, 3, 6, 7))
}

// Four consecutive floats of each of four lines `stride` bytes apart, transposed into dst.
@inline
function gather4(src: usize, stride: usize, dst: usize, step: usize): void {
  transpose4(v128.load(src), v128.load(src + stride), v128.load(src + 2 * stride), v128.load(src + 3 * stride), dst, step)
}

// dst[(panel * kc + p) * NR + c] = B[k0 + p][panel * NR + c], zero beyond n.
export function packB(src: usize, rs: i32, cs: i32, k0: i32, kc: i32, n: i32, dst: usize): void {
  const panels = (n + NR - 1) / NR
  const colBytes = <usize>cs * 4
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * NR
    const w = min(NR, n - j0)
    const out = dst + <usize>(jp * kc * NR) * 4
    let p = 0
    if (w == NR && cs == 1) {
      for (; p < kc; p++) {
        const row = src + <usize>((k0 + p) * rs + j0) * 4
        v128.store(out + <usize>p * NR * 4, v128.load(row))
        v128.store(out + <usize>p * NR * 4, v128.load(row, 16), 16)
      }
    } else if (w == NR && rs == 1) {
      // Bᵀ stored row-major: each panel column is contiguous in p.
      for (; p + 4 <= kc; p += 4) {
        const at = src + <usize>(k0 + p + j0 * cs) * 4
        const o = out + <usize>p * NR * 4
        gather4(at, colBytes, o, NR * 4)
        gather4(at + 4 * colBytes, colBytes, o + 16, NR * 4)
      }
    }
    for (; p < kc; p++) {
      const row = src + <usize>((k0 + p) * rs) * 4
      const o = out + <usize>p * NR * 4
      for (let c = 0; c < NR; c++) {
        store<f32>(o + <usize>c * 4, c < w ? load<f32>(row + <usize>((j0 + c) * cs) * 4) : 0)
      }
    }
  }
}

// dst[(panel * kc + p) * MR + r] = A[i0 + panel * MR + r][k0 + p], zero beyond m.
export function packA(src: usize, rs: i32, cs: i32, i0: i32, mc: i32, k0: i32, kc: i32, m: i32, dst: usize): void {
  const panels = (mc + MR - 1) / MR
  const rowBytes = <usize>rs * 4
  for (let ip = 0; ip < panels; ip++) {
    const r0 = i0 + ip * MR
    const out = dst + <usize>(ip * kc * MR) * 4
    let p = 0
    if (r0 + MR <= m && rs == 1) {
      // Aᵀ stored row-major: the panel's rows are contiguous for each p.
      for (; p < kc; p++) v128.store(out + <usize>p * MR * 4, v128.load(src + <usize>((k0 + p) * cs + r0) * 4))
    } else if (r0 + MR <= m && cs == 1) {
      for (; p + 4 <= kc; p += 4) gather4(src + <usize>(r0 * rs + k0 + p) * 4, rowBytes, out + <usize>p * MR * 4, MR * 4)
    }
    for (; p < kc; p++) {
      const col = src + <usize>((k0 + p) * cs) * 4
      const o = out + <usize>p * MR * 4
      for (let r = 0; r < MR; r++) {
        const i = r0 + r
        store<f32>(o + <usize>r * 4, i < m ? load<f32>(col + <usize>(i * rs) * 4) : 0)
      }
    }
  }
}
