/**
 * gather (take), scatterAdd and oneHot (src/ops/indexing.ts) against values worked out by hand:
 * axes, repeated indices, index tensors of any rank and the errors; scatterAdd is gather's adjoint,
 * <gather(x, i), u> = <x, scatterAdd(u, i)> exactly. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import { arange, gather, oneHot, scatterAdd, take, tensor, type Tensor } from '../../src/index.js'
import { expectError } from '../helpers/allclose.js'

const ix = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'int32' })
const m34 = (): Tensor => arange(12).reshape([3, 4])

describe('gather / take', () => {
  it('takes rows (axis 0) with repeats and any order', () => {
    const y = gather(m34(), ix([2, 0, 2]))
    expect(y.shape).toEqual([3, 4])
    expect(y.arraySync()).toEqual([[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]])
  })

  it('takes columns (axis 1 and -1)', () => {
    expect(gather(m34(), ix([3, 1]), 1).arraySync()).toEqual([[3, 1], [7, 5], [11, 9]])
    expect(gather(m34(), ix([3, 1]), -1).arraySync()).toEqual([[3, 1], [7, 5], [11, 9]])
  })

  it('index tensors of any rank replace the gathered axis', () => {
    const y = gather(m34(), ix([[0, 1], [2, 2]]), 1)
    expect(y.shape).toEqual([3, 2, 2])
    expect((y.arraySync() as number[][][])[1]).toEqual([[4, 5], [6, 6]])
    const s = gather(tensor([10, 20, 30]), tensor(2, { dtype: 'int32' }))
    expect(s.shape).toEqual([])
    expect(s.item()).toBe(30)
  })

  it('works on a middle axis of a rank-3 tensor', () => {
    const x = arange(24).reshape([2, 3, 4])
    const y = gather(x, ix([2, 0]), 1)
    expect(y.shape).toEqual([2, 2, 4])
    expect(y.arraySync()).toEqual([[[8, 9, 10, 11], [0, 1, 2, 3]], [[20, 21, 22, 23], [12, 13, 14, 15]]])
  })

  it('take is gather', () => {
    expect(take(tensor([5, 6, 7]), ix([1])).arraySync()).toEqual([6])
  })

  it('errors: index out of range, float indices, bad axis', () => {
    expectError(() => gather(m34(), ix([3])), 'INDEX_OUT_OF_RANGE', 'gather', '3', 'length 3')
    expectError(() => gather(m34(), ix([-1])), 'INDEX_OUT_OF_RANGE', 'gather', '-1')
    expectError(() => gather(m34(), tensor([0])), 'DTYPE_MISMATCH', 'gather', 'int32')
    expectError(() => gather(m34(), ix([0]), 2), 'INVALID_AXIS', 'gather')
  })
})

describe('scatterAdd', () => {
  it('adds rows into zeros at the indices, accumulating repeats', () => {
    const u = tensor([[1, 2], [3, 4], [5, 6]])
    const y = scatterAdd(u, ix([2, 0, 2]), 0, 4)
    expect(y.shape).toEqual([4, 2])
    expect(y.arraySync()).toEqual([[3, 4], [0, 0], [6, 8], [0, 0]])
  })

  it('along the last axis, and 1-D', () => {
    const u = tensor([[1, 2], [3, 4]])
    expect(scatterAdd(u, ix([1, 1]), 1, 3).arraySync()).toEqual([[0, 3, 0], [0, 7, 0]])
    expect(scatterAdd(tensor([1, 1, 1]), ix([0, 0, 2]), 0, 3).arraySync()).toEqual([2, 0, 1])
  })

  it('is the transpose of gather: <gather(x, i), u> = <x, scatterAdd(u, i)>', () => {
    const x = arange(12, undefined, 1, { dtype: 'float64' }).reshape([3, 4])
    const i = ix([1, 1, 3])
    const u = tensor([[1, -2, 0.5], [2, 3, -1], [0, 1, 4]], { dtype: 'float64' })
    const g = gather(x, i, 1).dataSync(), s = scatterAdd(u, i, 1, 4).dataSync()
    const uv = u.dataSync(), xv = x.dataSync()
    let lhs = 0, rhs = 0
    for (let k = 0; k < g.length; k++) lhs += g[k] * uv[k]
    for (let k = 0; k < xv.length; k++) rhs += xv[k] * s[k]
    expect(lhs).toBe(rhs)
  })

  it('errors: index beyond size, shape mismatch, float indices', () => {
    expectError(() => scatterAdd(tensor([1, 2]), ix([0, 5]), 0, 3), 'INDEX_OUT_OF_RANGE', 'scatterAdd', '5')
    expectError(() => scatterAdd(tensor([1, 2]), ix([0, 1, 2]), 0, 3), 'SHAPE_MISMATCH', 'scatterAdd')
    expectError(() => scatterAdd(tensor([1]), tensor([0]), 0, 3), 'DTYPE_MISMATCH', 'scatterAdd')
    expectError(() => scatterAdd(tensor([1]), ix([0]), 0, -1), 'INVALID_ARGUMENT', 'scatterAdd')
  })
})

describe('oneHot', () => {
  it('encodes along a new last axis, float32 by default', () => {
    const y = oneHot(ix([0, 2, 1]), 3)
    expect(y.dtype).toBe('float32')
    expect(y.arraySync()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]])
  })

  it('other dtypes, rank-2 indices, out-of-range classes give zero rows', () => {
    expect(oneHot(ix([1]), 2, 'bool').arraySync()).toEqual([[false, true]])
    expect(oneHot(ix([1]), 2, 'int32').dtype).toBe('int32')
    expect(oneHot(ix([[0], [1]]), 2).shape).toEqual([2, 1, 2])
    expect(oneHot(ix([5, -1]), 3).arraySync()).toEqual([[0, 0, 0], [0, 0, 0]])
  })

  it('needs int32 indices', () => {
    expectError(() => oneHot(tensor([0]), 2), 'DTYPE_MISMATCH', 'oneHot')
  })
})
