/**
 * matmul, dot and outer (src/ops/linalg.ts): small products by hand, int32, 1-D operands, numpy
 * batch broadcasting and the transpose flags against a naive float64 batched product, and errors
 * naming the shapes. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import { dot, matmul, outer, tensor, transpose, type Tensor } from '../../src/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const f64 = (shape: number[], seed: number): Tensor =>
  tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), { shape, dtype: 'float64' })

/** Naive batched product of row-major [..., m, k] x [..., k, n] with numpy batch broadcasting. */
const naive = (a: Tensor, b: Tensor): number[] => {
  const A = a.dataSync(), B = b.dataSync()
  const [m, k] = a.shape.slice(-2), n = b.shape[b.rank - 1]
  const ba = a.shape.slice(0, -2), bb = b.shape.slice(0, -2)
  const rank = Math.max(ba.length, bb.length)
  const pa = [...new Array(rank - ba.length).fill(1), ...ba], pb = [...new Array(rank - bb.length).fill(1), ...bb]
  const batch = pa.map((d, i) => Math.max(d, pb[i]))
  const out: number[] = []
  const count = batch.reduce((p, q) => p * q, 1)
  for (let c = 0; c < count; c++) {
    let ia = 0, ib = 0, rem = c
    for (let d = rank - 1, sa = 1, sb = 1; d >= 0; d--) {
      const i = rem % batch[d]
      rem = Math.floor(rem / batch[d])
      ia += (pa[d] === 1 ? 0 : i) * sa
      ib += (pb[d] === 1 ? 0 : i) * sb
      sa *= pa[d]; sb *= pb[d]
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++) s += A[ia * m * k + i * k + p] * B[ib * k * n + p * n + j]
        out.push(s)
      }
    }
  }
  return out
}

describe('matmul', () => {
  it('2-D by hand', () => {
    const a = tensor([[1, 2], [3, 4]]), b = tensor([[5, 6], [7, 8]])
    expect(matmul(a, b).arraySync()).toEqual([[19, 22], [43, 50]])
    const c = tensor([[1, 2, 3]]), d = tensor([[1], [0], [-1]])
    expect(matmul(c, d).arraySync()).toEqual([[-2]])
    expect(matmul(d, c).arraySync()).toEqual([[1, 2, 3], [0, 0, 0], [-1, -2, -3]])
    expect(a.matmul(b).arraySync()).toEqual([[19, 22], [43, 50]])
  })

  it('int32 operands give int32', () => {
    const y = matmul(tensor([[1, 2]], { dtype: 'int32' }), tensor([[3], [4]], { dtype: 'int32' }))
    expect(y.dtype).toBe('int32')
    expect(y.arraySync()).toEqual([[11]])
  })

  it('1-D operands: vector-matrix, matrix-vector, vector-vector', () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]])
    const vm = matmul(tensor([1, -1]), m)
    expect(vm.shape).toEqual([3])
    expect(vm.arraySync()).toEqual([-3, -3, -3])
    const mv = matmul(m, tensor([1, 0, 2]))
    expect(mv.shape).toEqual([2])
    expect(mv.arraySync()).toEqual([7, 16])
    const vv = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]))
    expect(vv.shape).toEqual([])
    expect(vv.item()).toBe(32)
  })

  it('1-D operand against a batch', () => {
    const b = f64([4, 3, 2], 1), v = f64([3], 2)
    const y = matmul(v, b)
    expect(y.shape).toEqual([4, 2])
    expectClose(y.dataSync(), naive(v.reshape([1, 3]), b), { atol: 1e-14 })
    const bt = b.transpose([0, 2, 1])
    const z = matmul(bt, v)
    expect(z.shape).toEqual([4, 2])
    expectClose(z.dataSync(), naive(bt, v.reshape([3, 1])), { atol: 1e-14 })
  })

  it('batch dimensions broadcast like numpy', () => {
    const cases: [number[], number[], number[]][] = [
      [[2, 3, 4], [2, 4, 5], [2, 3, 5]],
      [[2, 3, 4], [4, 5], [2, 3, 5]],
      [[3, 4], [6, 4, 2], [6, 3, 2]],
      [[2, 1, 3, 4], [5, 4, 2], [2, 5, 3, 2]],
      [[1, 3, 4], [7, 4, 1], [7, 3, 1]],
    ]
    cases.forEach(([sa, sb, so], i) => {
      const a = f64(sa, 10 + i), b = f64(sb, 20 + i)
      const y = matmul(a, b)
      expect(y.shape).toEqual(so)
      expectClose(y.dataSync(), naive(a, b), { atol: 1e-14 })
    })
  })

  it('transpose flags equal explicit transposes', () => {
    const a = f64([2, 4, 3], 5), b = f64([2, 5, 4], 6)
    const at = transpose(a, [0, 2, 1]), bt = transpose(b, [0, 2, 1])
    const ref = naive(at, bt)
    const y = matmul(a, b, { transposeA: true, transposeB: true })
    expect(y.shape).toEqual([2, 3, 5])
    expectClose(y.dataSync(), ref, { atol: 1e-14 })
    expectClose(matmul(a, bt, { transposeA: true }).dataSync(), ref, { atol: 1e-14 })
    expectClose(matmul(at, b, { transposeB: true }).dataSync(), ref, { atol: 1e-14 })
    const p = tensor([[1, 2], [3, 4]]), q = tensor([[5, 6], [7, 8]])
    // p^T q = [[1,3],[2,4]] [[5,6],[7,8]]
    expect(matmul(p, q, { transposeA: true }).arraySync()).toEqual([[26, 30], [38, 44]])
    // p q^T = [[1,2],[3,4]] [[5,7],[6,8]]
    expect(matmul(p, q, { transposeB: true }).arraySync()).toEqual([[17, 23], [39, 53]])
  })

  it('errors name the shapes', () => {
    expectError(() => matmul(tensor([[1, 2, 3]]), tensor([[1, 2]])), 'SHAPE_MISMATCH', 'matmul', '[1,3]', '[1,2]')
    expectError(() => matmul(tensor([1, 2]), tensor([1, 2, 3])), 'SHAPE_MISMATCH', 'matmul')
    expectError(() => matmul(tensor(1), tensor([1])), 'SHAPE_MISMATCH', 'matmul', 'rank')
    expectError(() => matmul(f64([2, 2, 3], 1), f64([3, 3, 2], 2)), 'BROADCAST', 'matmul', '[2]', '[3]')
    expectError(() => matmul(tensor([[1]]), tensor([[1]], { dtype: 'float64' })), 'DTYPE_MISMATCH', 'matmul')
  })
})

describe('dot and outer', () => {
  it('dot of two vectors', () => {
    const d = dot(tensor([1, 2, 3]), tensor([4, -5, 6]))
    expect(d.shape).toEqual([])
    expect(d.item()).toBe(12)
    expectError(() => dot(tensor([1, 2]), tensor([1, 2, 3])), 'SHAPE_MISMATCH', 'dot', '[2]', '[3]')
    expectError(() => dot(tensor([[1, 2]]), tensor([1, 2])), 'SHAPE_MISMATCH', 'dot')
  })

  it('outer product', () => {
    const o = outer(tensor([1, 2]), tensor([3, 4, 5]))
    expect(o.shape).toEqual([2, 3])
    expect(o.arraySync()).toEqual([[3, 4, 5], [6, 8, 10]])
  })
})
