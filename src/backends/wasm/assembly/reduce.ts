// float32 reductions and scans (AssemblyScript): sum and max over axes, argmax and cumsum along
// one axis. They visit the input in row-major order and fold each element into its output slot
// exactly as the JS reference does, and sums accumulate in float64 as the reference does, so the
// results are the reference's bit for bit (same operations, same order), vectorised across the
// output slots when the innermost axis is kept.
//
// sum and max take a one-operand walk (walk.ts) over the input's shape whose strides step
// through the accumulator (0 along reduced axes); the input itself is contiguous, row r at r*len.

import { W_LEN, wget, winner, wnext, woff, wseek } from './walk'

/** acc[o] += x over the walk, acc in float64. */
export function sumInto(x: usize, acc: usize, g: usize, rows: i32): void {
  const len = wget(g, W_LEN), sacc = winner(g, 0)
  let px = x
  wseek(g, 0)
  for (let r = 0; r < rows; r++) {
    const pa = acc + (<usize>woff(g, 0) << 3)
    if (sacc == 0) {
      let s = load<f64>(pa)
      for (let j = 0; j < len; j++) s += <f64>load<f32>(px + (<usize>j << 2))
      store<f64>(pa, s)
    } else {
      let j = 0
      for (; j + 2 <= len; j += 2) {
        const o = <usize>j << 3
        v128.store(pa + o, f64x2.add(v128.load(pa + o), f64x2.promote_low_f32x4(v128.load64_zero(px + (<usize>j << 2)))))
      }
      if (j < len) store<f64>(pa + (<usize>j << 3), load<f64>(pa + (<usize>j << 3)) + <f64>load<f32>(px + (<usize>j << 2)))
    }
    px += <usize>len << 2
    wnext(g)
  }
}

/** y[i] = acc[i] rounded to float32. */
export function demote(acc: usize, y: usize, n: i32): void {
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const lo = f32x4.demote_f64x2_zero(v128.load(acc + (<usize>i << 3)))
    const hi = f32x4.demote_f64x2_zero(v128.load(acc + (<usize>i << 3), 16))
    v128.store(y + (<usize>i << 2), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5))
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)))
}

export function fillF32(p: usize, n: i32, v: f32): void {
  const s = f32x4.splat(v)
  let i = 0
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), s)
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), v)
}

/** numpy's max step: the new value wins if larger, or if it is NaN and the best so far is not. */
@inline
function vtakeMax(m: v128, v: v128): v128 {
  return v128.bitselect(v, m, v128.or(f32x4.gt(v, m), v128.and(f32x4.ne(v, v), f32x4.eq(m, m))))
}

@inline
function takeMax(m: f32, v: f32): bool {
  return v > m || (v != v && m == m)
}

/** acc[o] = max(acc[o], x) over the walk; acc is float32, filled with -Infinity by the caller. */
export function maxInto(x: usize, acc: usize, g: usize, rows: i32): void {
  const len = wget(g, W_LEN), sacc = winner(g, 0)
  let px = x
  wseek(g, 0)
  for (let r = 0; r < rows; r++) {
    const pa = acc + (<usize>woff(g, 0) << 2)
    if (sacc == 0) {
      let m = load<f32>(pa)
      for (let j = 0; j < len; j++) {
        const v = load<f32>(px + (<usize>j << 2))
        if (takeMax(m, v)) m = v
      }
      store<f32>(pa, m)
    } else {
      let j = 0
      for (; j + 4 <= len; j += 4) {
        const o = <usize>j << 2
        v128.store(pa + o, vtakeMax(v128.load(pa + o), v128.load(px + o)))
      }
      for (; j < len; j++) {
        const o = <usize>j << 2
        const v = load<f32>(px + o)
        if (takeMax(load<f32>(pa + o), v)) store<f32>(pa + o, v)
      }
    }
    px += <usize>len << 2
    wnext(g)
  }
}

/**
 * Index of the first maximum along an axis of length n (0 for an empty axis), x viewed as [outer, n, inner];
 * `best` is inner floats of scratch. Walks the axis in the outer loop so the inner loop is
 * contiguous, as the reference does.
 */
export function argmax(x: usize, y: usize, best: usize, outer: i32, n: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2
  if (n == 0) {
    memory.fill(y, 0, <usize>outer * rowBytes)
    return
  }
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>n * rowBytes
    const yo = y + <usize>o * rowBytes
    memory.copy(best, base, rowBytes)
    memory.fill(yo, 0, rowBytes)
    for (let j = 1; j < n; j++) {
      const row = base + <usize>j * rowBytes
      const vj = i32x4.splat(j)
      let i = 0
      for (; i + 4 <= inner; i += 4) {
        const q = <usize>i << 2
        const v = v128.load(row + q), b = v128.load(best + q)
        const take = v128.or(f32x4.gt(v, b), v128.and(f32x4.ne(v, v), f32x4.eq(b, b)))
        v128.store(best + q, v128.bitselect(v, b, take))
        v128.store(yo + q, v128.bitselect(vj, v128.load(yo + q), take))
      }
      for (; i < inner; i++) {
        const q = <usize>i << 2
        const v = load<f32>(row + q)
        if (takeMax(load<f32>(best + q), v)) {
          store<f32>(best + q, v)
          store<i32>(yo + q, j)
        }
      }
    }
  }
}

/** Inclusive running sum along an axis (x, y as [outer, n, inner]); `acc` is inner doubles of scratch. */
export function cumsum(x: usize, y: usize, acc: usize, outer: i32, n: i32, inner: i32, reverse: i32): void {
  for (let o = 0; o < outer; o++) {
    memory.fill(acc, 0, <usize>inner << 3)
    for (let t = 0; t < n; t++) {
      const j = reverse != 0 ? n - 1 - t : t
      const off = (<usize>o * <usize>n + <usize>j) * <usize>inner << 2
      const px = x + off, py = y + off
      let i = 0
      for (; i + 2 <= inner; i += 2) {
        const a = acc + (<usize>i << 3)
        const s = f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v128.load64_zero(px + (<usize>i << 2))))
        v128.store(a, s)
        v128.store64_lane(py + (<usize>i << 2), f32x4.demote_f64x2_zero(s), 0)
      }
      if (i < inner) {
        const a = acc + (<usize>i << 3)
        const s = load<f64>(a) + <f64>load<f32>(px + (<usize>i << 2))
        store<f64>(a, s)
        store<f32>(py + (<usize>i << 2), <f32>s)
      }
    }
  }
}
