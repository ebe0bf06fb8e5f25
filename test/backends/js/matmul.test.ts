/**
 * The JS backend's matmul (src/backends/js/matmul.ts): every transpose combination and numpy
 * batch broadcasting, against dot products computed here.
 */

import { describe, it, expect } from 'vitest'
import { K, size, f64, f32, out, arr, rand, expectNear, type In } from './kernel-inputs.js'

describe('matmul', () => {
  /** Naive reference on logical (already transposed) operands with batch broadcasting. */
  const naive = (a: In, b: In, ta: boolean, tb: boolean, outShape: number[]): number[] => {
    const r = outShape.length
    const [m, n] = [outShape[r - 2], outShape[r - 1]]
    const k = ta ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1]
    const batch = outShape.slice(0, r - 2)
    const matIndex = (shape: readonly number[], bIdx: number[]): number => {
      const bs = shape.slice(0, shape.length - 2)
      let idx = 0
      for (let d = 0; d < bs.length; d++) idx = idx * bs[d] + (bs[d] === 1 ? 0 : bIdx[bIdx.length - bs.length + d])
      return idx
    }
    const res: number[] = []
    for (let bi = 0; bi < size(batch); bi++) {
      const bIdx: number[] = []
      let rem = bi
      for (let d = batch.length - 1; d >= 0; d--) { bIdx.unshift(rem % batch[d]); rem = Math.floor(rem / batch[d]) }
      const ao = matIndex(a.shape, bIdx) * m * k
      const bo = matIndex(b.shape, bIdx) * k * n
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++) s += a.data[ao + (ta ? p * m + i : i * k + p)] * b.data[bo + (tb ? j * k + p : p * n + j)]
        res.push(s)
      }
    }
    return res
  }

  it('computes a small product by hand', () => {
    const a = f64([2, 3], [1, 2, 3, 4, 5, 6])
    const b = f64([3, 2], [7, 8, 9, 10, 11, 12])
    expect(arr(K.matmul([a, b], { transposeA: false, transposeB: false }, out([2, 2])))).toEqual([58, 64, 139, 154])
  })

  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      it(`matches a naive loop with transposeA=${ta} transposeB=${tb} and batch broadcasting`, () => {
        const [m, k, n] = [3, 5, 4]
        const aShape = [2, 1, ...(ta ? [k, m] : [m, k])]
        const bShape = [3, ...(tb ? [n, k] : [k, n])]
        const a = f64(aShape, rand(size(aShape), 1))
        const b = f64(bShape, rand(size(bShape), 2))
        const oShape = [2, 3, m, n]
        const y = K.matmul([a, b], { transposeA: ta, transposeB: tb }, out(oShape))
        expectNear(y, naive(a, b, ta, tb, oShape))
        const a32 = f32(aShape, a.data)
        const b32 = f32(bShape, b.data)
        const y32 = K.matmul([a32, b32], { transposeA: ta, transposeB: tb }, out(oShape, 'float32'))
        expect(y32).toBeInstanceOf(Float32Array)
        expectNear(y32, naive(a32, b32, ta, tb, oShape), 1e-6)
      })
    }
  }
})
