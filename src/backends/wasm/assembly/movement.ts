// Strided copies of 4-byte elements (AssemblyScript): transpose, broadcastTo and slice are all
// "read a strided view of x into y row-major". `g` is a one-operand walk (walk.ts) over the
// output shape with x's element strides; a row is one block copy (inner stride 1), one value
// repeated (stride 0, a broadcast) or a strided gather.

import { W_LEN, wget, winner, wnext, woff, wseek } from './walk'

export function copyRows(x: usize, y: usize, g: usize, r0: i32, r1: i32): void {
  const len = wget(g, W_LEN), s = winner(g, 0)
  const rowBytes = <usize>len << 2
  let py = y + <usize>r0 * rowBytes
  wseek(g, r0)
  for (let r = r0; r < r1; r++) {
    const px = x + (<usize>woff(g, 0) << 2)
    if (s == 1) {
      memory.copy(py, px, rowBytes)
    } else if (s == 0) {
      const v = v128.load32_splat(px)
      let j = 0
      for (; j + 4 <= len; j += 4) v128.store(py + (<usize>j << 2), v)
      for (; j < len; j++) store<u32>(py + (<usize>j << 2), load<u32>(px))
    } else {
      const step = <usize>s << 2
      let q = px
      for (let j = 0; j < len; j++) {
        store<u32>(py + (<usize>j << 2), load<u32>(q))
        q += step
      }
    }
    py += rowBytes
    wnext(g)
  }
}
