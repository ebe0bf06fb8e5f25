// gather and scatterAdd (AssemblyScript), x viewed as [outer, n, inner] around the indexed axis.
// Indices were range-checked on the JS side. gather copies 4-byte elements (float32 or int32);
// scatterAdd accumulates in float64 in the reference's order, so repeated indices give the
// reference's float32 result bit for bit.

/** y[o, j, i] = x[o, idx[j], i]. */
export function gather(x: usize, idx: usize, y: usize, outer: i32, n: i32, m: i32, inner: i32): void {
  const rowBytes = <usize>inner << 2
  let py = y
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * <usize>n * rowBytes
    if (inner == 1) {
      for (let j = 0; j < m; j++) {
        store<u32>(py, load<u32>(base + (<usize>load<i32>(idx + (<usize>j << 2)) << 2)))
        py += 4
      }
    } else {
      for (let j = 0; j < m; j++) {
        memory.copy(py, base + <usize>load<i32>(idx + (<usize>j << 2)) * rowBytes, rowBytes)
        py += rowBytes
      }
    }
  }
}

/** acc[o, idx[j], i] += u[o, j, i] over a zeroed float64 accumulator of outer * size * inner. */
export function scatterAdd(u: usize, idx: usize, acc: usize, outer: i32, size: i32, m: i32, inner: i32): void {
  memory.fill(acc, 0, <usize>outer * <usize>size * <usize>inner << 3)
  let pu = u
  for (let o = 0; o < outer; o++) {
    const base = acc + (<usize>o * <usize>size * <usize>inner << 3)
    for (let j = 0; j < m; j++) {
      const dst = base + (<usize>load<i32>(idx + (<usize>j << 2)) * <usize>inner << 3)
      let i = 0
      for (; i + 2 <= inner; i += 2) {
        const d = dst + (<usize>i << 3)
        v128.store(d, f64x2.add(v128.load(d), f64x2.promote_low_f32x4(v128.load64_zero(pu + (<usize>i << 2)))))
      }
      if (i < inner) store<f64>(dst + (<usize>i << 3), load<f64>(dst + (<usize>i << 3)) + <f64>load<f32>(pu + (<usize>i << 2)))
      pu += <usize>inner << 2
    }
  }
}
