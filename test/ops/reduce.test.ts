/**
 * The reductions (src/ops/reduce.ts): sum, max, min, argmax, argmin, cumsum, mean, variance and std
 * over everything, one or several axes and keepDims, against values worked out by hand; NaN, ties,
 * int32, empty inputs and INVALID_AXIS errors. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import { argmax, argmin, arange, cumsum, max, mean, min, std, sum, tensor, variance, type Tensor } from '../../src/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'

// x[i][j][k] = 100 i + 10 j + k, shape [2, 3, 4]
const x3 = (): Tensor => {
  const v: number[] = []
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) v.push(100 * i + 10 * j + k)
  return tensor(v, { shape: [2, 3, 4], dtype: 'float64' })
}
const m = (): Tensor => tensor([[1, 5, 3], [4, 2, 6]], { dtype: 'float64' })

describe('sum', () => {
  it('over everything gives a scalar', () => {
    const s = sum(m())
    expect(s.shape).toEqual([])
    expect(s.item()).toBe(21)
  })

  it('over one axis, negative axes, keepDims', () => {
    expect(sum(m(), { axis: 0 }).arraySync()).toEqual([5, 7, 9])
    expect(sum(m(), { axis: 1 }).arraySync()).toEqual([9, 12])
    expect(sum(m(), { axis: -1 }).arraySync()).toEqual([9, 12])
    expect(sum(m(), { axis: -2 }).arraySync()).toEqual([5, 7, 9])
    const k = sum(m(), { axis: 1, keepDims: true })
    expect(k.shape).toEqual([2, 1])
    expect(k.arraySync()).toEqual([[9], [12]])
    expect(sum(m(), { keepDims: true }).arraySync()).toEqual([[21]])
  })

  it('over several axes, in any order', () => {
    const x = x3()
    // sum over i and k of 100 i + 10 j + k = 4*100 + 2*4*10 j + 2*6 = 412 + 80 j
    expect(sum(x, { axis: [0, 2] }).arraySync()).toEqual([412, 492, 572])
    expect(sum(x, { axis: [2, 0] }).arraySync()).toEqual([412, 492, 572])
    expect(sum(x, { axis: [-1, 0], keepDims: true }).shape).toEqual([1, 3, 1])
    // over j, k: 12*100 i + 4*10*3 + 3*6 = 1200 i + 138
    expect(sum(x, { axis: [1, 2] }).arraySync()).toEqual([138, 1338])
  })

  it('int32 stays int32; empty axes sum to 0', () => {
    const s = sum(tensor([[1, 2], [3, 4]], { dtype: 'int32' }), { axis: 0 })
    expect(s.dtype).toBe('int32')
    expect(s.arraySync()).toEqual([4, 6])
    expect(sum(tensor([])).item()).toBe(0)
    expect(sum(tensor([]).reshape([0, 3]), { axis: 0 }).arraySync()).toEqual([0, 0, 0])
  })

  it('out-of-range or repeated axes throw INVALID_AXIS', () => {
    expectError(() => sum(m(), { axis: 2 }), 'INVALID_AXIS', 'sum', 'axis 2', 'rank 2')
    expectError(() => sum(m(), { axis: -3 }), 'INVALID_AXIS', 'sum', '-3')
    expectError(() => sum(m(), { axis: [1, -1] }), 'INVALID_AXIS', 'repeated')
    expectError(() => sum(m(), { axis: 0.5 }), 'INVALID_AXIS')
    expectError(() => sum(tensor([true])), 'DTYPE_MISMATCH', 'sum', 'bool')
  })

  it('Tensor.sum forwards', () => {
    expect(m().sum({ axis: 0 }).arraySync()).toEqual([5, 7, 9])
  })
})

describe('max, min', () => {
  it('reduce like sum', () => {
    expect(max(m()).item()).toBe(6)
    expect(max(m(), { axis: 0 }).arraySync()).toEqual([4, 5, 6])
    expect(max(m(), { axis: -1, keepDims: true }).arraySync()).toEqual([[5], [6]])
    expect(min(m()).item()).toBe(1)
    expect(min(m(), { axis: 1 }).arraySync()).toEqual([1, 2])
    expect(max(x3(), { axis: [0, 1] }).arraySync()).toEqual([120, 121, 122, 123])
    expect(min(x3(), { axis: [0, 2] }).arraySync()).toEqual([0, 10, 20])
    expect(m().max({ axis: 1 }).arraySync()).toEqual([5, 6])
  })

  it('propagate NaN and handle infinities', () => {
    expect(max(tensor([1, NaN, 3])).item()).toBeNaN()
    expect(min(tensor([1, NaN, 3])).item()).toBeNaN()
    expect(max(tensor([-Infinity, -5])).item()).toBe(-5)
    expect(min(tensor([Infinity, -Infinity])).item()).toBe(-Infinity)
  })

  it('int32 max keeps dtype', () => {
    const y = max(tensor([[3, -1], [2, 8]], { dtype: 'int32' }), { axis: 1 })
    expect(y.dtype).toBe('int32')
    expect(y.arraySync()).toEqual([3, 8])
  })

  it('invalid axis', () => {
    expectError(() => max(m(), { axis: 5 }), 'INVALID_AXIS', 'max')
  })
})

describe('argmax, argmin', () => {
  it('index of the first extreme, int32', () => {
    const a = argmax(m())
    expect(a.dtype).toBe('int32')
    expect(a.shape).toEqual([])
    expect(a.item()).toBe(5)
    expect(argmax(m(), { axis: 0 }).arraySync()).toEqual([1, 0, 1])
    expect(argmax(m(), { axis: -1 }).arraySync()).toEqual([1, 2])
    expect(argmax(m(), { axis: 1, keepDims: true }).arraySync()).toEqual([[1], [2]])
    expect(argmin(m(), { axis: 1 }).arraySync()).toEqual([0, 1])
    expect(argmin(m()).item()).toBe(0)
  })

  it('ties go to the first; NaN wins, as numpy', () => {
    expect(argmax(tensor([3, 7, 7, 1])).item()).toBe(1)
    expect(argmin(tensor([2, 0, 0])).item()).toBe(1)
    expect(argmax(tensor([1, NaN, 5, NaN])).item()).toBe(1)
  })

  it('along a middle axis of a rank-3 tensor', () => {
    expect(argmax(x3(), { axis: 1 }).arraySync()).toEqual([[2, 2, 2, 2], [2, 2, 2, 2]])
    expect(argmin(x3(), { axis: 0 }).arraySync()).toEqual([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
  })

  it('invalid axis', () => {
    expectError(() => argmax(m(), { axis: 2 }), 'INVALID_AXIS', 'argmax')
  })
})

describe('cumsum', () => {
  it('along the last axis by default, any axis, reversed', () => {
    expect(cumsum(tensor([1, 2, 3, 4])).arraySync()).toEqual([1, 3, 6, 10])
    expect(cumsum(m()).arraySync()).toEqual([[1, 6, 9], [4, 6, 12]])
    expect(cumsum(m(), { axis: 0 }).arraySync()).toEqual([[1, 5, 3], [5, 7, 9]])
    expect(cumsum(m(), { axis: -2 }).arraySync()).toEqual([[1, 5, 3], [5, 7, 9]])
    expect(cumsum(tensor([1, 2, 3, 4]), { reverse: true }).arraySync()).toEqual([10, 9, 7, 4])
    expect(cumsum(m(), { axis: 1, reverse: true }).arraySync()).toEqual([[9, 8, 3], [12, 8, 6]])
  })

  it('rank 3 along the middle axis', () => {
    const c = cumsum(x3(), { axis: 1 })
    expect(c.shape).toEqual([2, 3, 4])
    // first column along j: 0, 10, 20 -> 0, 10, 30
    expect((c.arraySync() as number[][][])[0].map((r) => r[0])).toEqual([0, 10, 30])
    expect((c.arraySync() as number[][][])[1].map((r) => r[3])).toEqual([103, 216, 339])
  })

  it('invalid axis', () => {
    expectError(() => cumsum(m(), { axis: 2 }), 'INVALID_AXIS', 'cumsum')
  })
})

describe('mean, variance, std', () => {
  it('mean over all, axes, keepDims', () => {
    expect(mean(m()).item()).toBe(3.5)
    expect(mean(m(), { axis: 0 }).arraySync()).toEqual([2.5, 3.5, 4.5])
    expect(mean(m(), { axis: -1, keepDims: true }).arraySync()).toEqual([[3], [4]])
    expect(mean(x3(), { axis: [0, 2] }).arraySync()).toEqual([51.5, 61.5, 71.5])
    expect(m().mean({ axis: 1 }).arraySync()).toEqual([3, 4])
  })

  it('population variance and std (divide by N), like numpy', () => {
    const x = tensor([2, 4, 4, 4, 5, 5, 7, 9], { dtype: 'float64' })
    expect(variance(x).item()).toBe(4)
    expect(std(x).item()).toBe(2)
    // rows [1,5,3] and [4,2,6]: means 3 and 4, variances 8/3 and 8/3
    expectClose(variance(m(), { axis: 1 }), [8 / 3, 8 / 3])
    expectClose(std(m(), { axis: 1, keepDims: true }), [[Math.sqrt(8 / 3)], [Math.sqrt(8 / 3)]])
    expectClose(variance(m(), { axis: 0 }), [2.25, 2.25, 2.25])
  })

  it('mean of a large float32 vector does not drift', () => {
    expectClose(mean(arange(100000)), 49999.5, { rtol: 1e-7 })
  })

  it('invalid axis', () => {
    expectError(() => mean(m(), { axis: -3 }), 'INVALID_AXIS', 'mean')
    expectError(() => variance(m(), { axis: 2 }), 'INVALID_AXIS', 'variance')
    expectError(() => std(m(), { axis: 2 }), 'INVALID_AXIS', 'std')
    expectError(() => min(m(), { axis: 2 }), 'INVALID_AXIS', 'min')
    expectError(() => argmin(m(), { axis: 2 }), 'INVALID_AXIS', 'argmin')
  })
})
