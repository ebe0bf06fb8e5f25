/**
 * The movement ops (src/ops/movement.ts): reshape, transpose, broadcastTo, expandDims, squeeze,
 * flatten, slice, concat, stack, split and pad against arrays written by hand, and their errors for
 * bad shapes and axes. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import {
  arange, broadcastTo, concat, expandDims, flatten, pad, reshape, slice, split, squeeze, stack, tensor, transpose,
  type Tensor,
} from '../../src/index.js'
import { expectError } from '../helpers/allclose.js'

const r6 = (): Tensor => arange(6, undefined, 1, { dtype: 'int32' })
const m23 = (): Tensor => tensor([[1, 2, 3], [4, 5, 6]])
const x234 = (): Tensor => arange(24).reshape([2, 3, 4])

describe('reshape', () => {
  it('keeps row-major order', () => {
    expect(reshape(r6(), [2, 3]).arraySync()).toEqual([[0, 1, 2], [3, 4, 5]])
    expect(reshape(r6(), [3, 2]).arraySync()).toEqual([[0, 1], [2, 3], [4, 5]])
    expect(reshape(tensor([5]), []).shape).toEqual([])
    expect(reshape(tensor(5), [1, 1]).arraySync()).toEqual([[5]])
    expect(r6().reshape([1, 6, 1]).shape).toEqual([1, 6, 1])
  })

  it('infers one -1 dimension', () => {
    expect(reshape(r6(), [-1, 2]).shape).toEqual([3, 2])
    expect(reshape(x234(), [4, -1]).shape).toEqual([4, 6])
    expect(reshape(x234(), [-1]).shape).toEqual([24])
  })

  it('rejects sizes that do not match', () => {
    expectError(() => reshape(r6(), [4, 2]), 'SHAPE_MISMATCH', 'reshape', '[6]', '[4,2]')
    expectError(() => reshape(r6(), [-1, 4]), 'SHAPE_MISMATCH', 'reshape')
    expectError(() => reshape(r6(), [2.5, 2]), 'INVALID_ARGUMENT', 'reshape')
  })
})

describe('transpose', () => {
  it('reverses axes by default', () => {
    const t = transpose(m23())
    expect(t.shape).toEqual([3, 2])
    expect(t.arraySync()).toEqual([[1, 4], [2, 5], [3, 6]])
    expect(m23().transpose().arraySync()).toEqual([[1, 4], [2, 5], [3, 6]])
  })

  it('applies a permutation (negative axes allowed)', () => {
    const y = transpose(x234(), [1, 2, 0])
    expect(y.shape).toEqual([3, 4, 2])
    // y[j][k][i] = x[i][j][k] = 12 i + 4 j + k
    expect((y.arraySync() as number[][][])[2][3]).toEqual([11, 23])
    expect(transpose(x234(), [-1, 0, 1]).shape).toEqual([4, 2, 3])
    expect(transpose(x234(), [0, 1, 2]).arraySync()).toEqual(x234().arraySync())
  })

  it('rejects a non-permutation', () => {
    expectError(() => transpose(x234(), [0, 0, 1]), 'INVALID_AXIS', 'transpose')
    expectError(() => transpose(x234(), [0, 1]), 'INVALID_AXIS', 'transpose')
    expectError(() => transpose(x234(), [0, 1, 3]), 'INVALID_AXIS', 'transpose')
  })
})

describe('broadcastTo, expandDims, squeeze, flatten', () => {
  it('broadcastTo repeats along new and unit axes', () => {
    expect(broadcastTo(tensor([1, 2]), [2, 2]).arraySync()).toEqual([[1, 2], [1, 2]])
    expect(broadcastTo(tensor([[1], [2]]), [2, 3]).arraySync()).toEqual([[1, 1, 1], [2, 2, 2]])
    expect(broadcastTo(tensor(7), [2]).arraySync()).toEqual([7, 7])
    expectError(() => broadcastTo(tensor([1, 2]), [3]), 'BROADCAST', 'broadcastTo', '[2]', '[3]')
    expectError(() => broadcastTo(tensor([[1, 2]]), [2]), 'BROADCAST', 'broadcastTo')
  })

  it('expandDims inserts a unit axis, negative axes count from the end of the result', () => {
    expect(expandDims(m23(), 0).shape).toEqual([1, 2, 3])
    expect(expandDims(m23(), 1).shape).toEqual([2, 1, 3])
    expect(expandDims(m23(), -1).shape).toEqual([2, 3, 1])
    expect(expandDims(m23(), 2).arraySync()).toEqual([[[1], [2], [3]], [[4], [5], [6]]])
    expectError(() => expandDims(m23(), 4), 'INVALID_AXIS', 'expandDims')
  })

  it('squeeze removes all or the named unit axes', () => {
    const x = tensor([[[1], [2]]])
    expect(squeeze(x).shape).toEqual([2])
    expect(squeeze(x, 0).shape).toEqual([2, 1])
    expect(squeeze(x, [-1]).shape).toEqual([1, 2])
    expect(squeeze(x).arraySync()).toEqual([1, 2])
    expectError(() => squeeze(x, 1), 'SHAPE_MISMATCH', 'squeeze', 'size 2')
  })

  it('flatten', () => {
    expect(flatten(x234()).shape).toEqual([24])
    expect(flatten(m23()).arraySync()).toEqual([1, 2, 3, 4, 5, 6])
  })
})

describe('slice', () => {
  it('takes a block from begin with the given size', () => {
    expect(slice(m23(), [0, 1], [2, 2]).arraySync()).toEqual([[2, 3], [5, 6]])
    expect(slice(m23(), [1, 0], [1, 3]).arraySync()).toEqual([[4, 5, 6]])
    const y = slice(x234(), [1, 1, 2], [1, 2, 2])
    expect(y.arraySync()).toEqual([[[18, 19], [22, 23]]])
  })

  it('size -1 or a missing size runs to the end; a short begin starts at 0', () => {
    expect(slice(m23(), [0, 1], [-1, -1]).arraySync()).toEqual([[2, 3], [5, 6]])
    expect(slice(m23(), [1]).arraySync()).toEqual([[4, 5, 6]])
    expect(slice(r6(), [4]).arraySync()).toEqual([4, 5])
    expect(slice(r6(), [2], [0]).shape).toEqual([0])
  })

  it('rejects a block outside the tensor', () => {
    expectError(() => slice(m23(), [0, 2], [1, 2]), 'INVALID_ARGUMENT', 'slice', 'axis 1')
    expectError(() => slice(m23(), [-1, 0], [1, 1]), 'INVALID_ARGUMENT', 'slice')
    expectError(() => slice(m23(), [0.5, 0]), 'INVALID_ARGUMENT', 'slice')
  })
})

describe('concat, stack, split', () => {
  it('concat along any axis, negative axes allowed', () => {
    const a = m23(), b = tensor([[7, 8, 9]])
    expect(concat([a, b]).arraySync()).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    expect(concat([a, tensor([[0], [0]])], 1).arraySync()).toEqual([[1, 2, 3, 0], [4, 5, 6, 0]])
    expect(concat([a, tensor([[0], [0]])], -1).shape).toEqual([2, 4])
    expect(concat([tensor([1]), tensor([2, 3]), tensor([4])]).arraySync()).toEqual([1, 2, 3, 4])
    expect(concat([a])).toBe(a)
  })

  it('concat errors: mismatched shapes, dtypes, empty list, bad axis', () => {
    expectError(() => concat([m23(), tensor([[1, 2]])]), 'SHAPE_MISMATCH', 'concat', '[2,3]', '[1,2]')
    expectError(() => concat([tensor([1]), tensor([1], { dtype: 'float64' })]), 'DTYPE_MISMATCH', 'concat')
    expectError(() => concat([]), 'INVALID_ARGUMENT', 'concat')
    expectError(() => concat([m23(), m23()], 2), 'INVALID_AXIS', 'concat')
  })

  it('stack adds a new axis', () => {
    const a = tensor([1, 2]), b = tensor([3, 4])
    expect(stack([a, b]).arraySync()).toEqual([[1, 2], [3, 4]])
    expect(stack([a, b], 1).arraySync()).toEqual([[1, 3], [2, 4]])
    expect(stack([a, b], -1).arraySync()).toEqual([[1, 3], [2, 4]])
    expectError(() => stack([a, tensor([1])]), 'SHAPE_MISMATCH', 'stack')
    expectError(() => stack([]), 'INVALID_ARGUMENT', 'stack')
  })

  it('split into equal parts or given sizes', () => {
    const parts = split(r6(), 3)
    expect(parts.map((p) => p.arraySync())).toEqual([[0, 1], [2, 3], [4, 5]])
    const cols = split(m23(), [1, 2], 1)
    expect(cols.map((p) => p.arraySync())).toEqual([[[1], [4]], [[2, 3], [5, 6]]])
    expect(split(m23(), 2, -2).map((p) => p.arraySync())).toEqual([[[1, 2, 3]], [[4, 5, 6]]])
    expectError(() => split(r6(), 4), 'SHAPE_MISMATCH', 'split')
    expectError(() => split(r6(), [2, 2]), 'SHAPE_MISMATCH', 'split')
  })
})

describe('pad', () => {
  it('pads each axis before and after with a constant', () => {
    expect(pad(tensor([1, 2]), [[1, 2]]).arraySync()).toEqual([0, 1, 2, 0, 0])
    expect(pad(tensor([[1]]), [[1, 0], [0, 1]], 9).arraySync()).toEqual([[9, 9], [1, 9]])
    expect(pad(m23(), [[0, 0], [1, 1]]).arraySync()).toEqual([[0, 1, 2, 3, 0], [0, 4, 5, 6, 0]])
    const p = pad(m23(), [[0, 0], [0, 0]])
    expect(p.arraySync()).toEqual(m23().arraySync())
  })

  it('rejects bad widths', () => {
    expectError(() => pad(m23(), [[1, 1]]), 'SHAPE_MISMATCH', 'pad')
    expectError(() => pad(m23(), [[0, 0], [-1, 0]]), 'INVALID_ARGUMENT', 'pad')
  })
})
