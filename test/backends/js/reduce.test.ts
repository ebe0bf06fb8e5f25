/**
 * The JS backend's reductions (src/backends/js/reduce.ts): sum, max, argmax and cumsum over
 * any axes, with and without kept dimensions.
 */

import { describe, it, expect } from 'vitest'
import { K, f64, f32, i32, out, arr, expectNear } from './kernel-inputs.js'

describe('reductions', () => {
  const x = f64([2, 3, 4], Array.from({ length: 24 }, (_, i) => i))
  const at = (i: number, j: number, k: number): number => i * 12 + j * 4 + k

  it('sums over several axes, with and without keepDims', () => {
    const expected = [0, 1, 2, 3].map((k) => [0, 1].reduce((s, i) => s + [0, 1, 2].reduce((t, j) => t + at(i, j, k), 0), 0))
    expect(arr(K.sum([x], { axes: [0, 1], keepDims: false }, out([4])))).toEqual(expected)
    expect(arr(K.sum([x], { axes: [0, 1], keepDims: true }, out([1, 1, 4])))).toEqual(expected)
    expect(arr(K.sum([x], { axes: [0, 2], keepDims: false }, out([3])))).toEqual([60, 92, 124])
    expect(arr(K.sum([x], { axes: [1], keepDims: true }, out([2, 1, 4])))).toEqual([12, 15, 18, 21, 48, 51, 54, 57])
    expect(arr(K.sum([x], { axes: [0, 1, 2], keepDims: false }, out([])))).toEqual([276])
    expect(arr(K.sum([x], { axes: [], keepDims: false }, out([2, 3, 4])))).toEqual(arr(x.data))
  })

  it('sums float32 in float64 and int32 exactly', () => {
    const many = f32([1000], new Array(1000).fill(0.1))
    expect(K.sum([many], { axes: [0], keepDims: false }, out([], 'float32'))[0]).toBe(Math.fround(1000 * Math.fround(0.1)))
    expect(arr(K.sum([i32([2, 2], [1, 2, 3, 4])], { axes: [1], keepDims: false }, out([2], 'int32')))).toEqual([3, 7])
  })

  it('max over axes propagates NaN', () => {
    const y = f64([2, 3], [1, 5, -2, 7, NaN, 0])
    expectNear(K.max([y], { axes: [1], keepDims: false }, out([2])), [5, NaN])
    expectNear(K.max([y], { axes: [0], keepDims: true }, out([1, 3])), [7, NaN, 0])
    expect(arr(K.max([x], { axes: [0, 2], keepDims: false }, out([3])))).toEqual([at(1, 0, 3), at(1, 1, 3), at(1, 2, 3)])
  })

  it('empty axes: sum is 0, max is -Infinity', () => {
    const e = f64([2, 0], [])
    expect(arr(K.sum([e], { axes: [1], keepDims: false }, out([2])))).toEqual([0, 0])
    expect(arr(K.max([e], { axes: [1], keepDims: false }, out([2])))).toEqual([-Infinity, -Infinity])
  })

  it('argmax takes the first max, and the first NaN over anything', () => {
    const y = f64([3, 4], [1, 3, 3, 0, NaN, 2, NaN, 9, -Infinity, -Infinity, -Infinity, -Infinity])
    const r1 = K.argmax([y], { axis: 1, keepDims: false }, out([3], 'int32'))
    expect(r1).toBeInstanceOf(Int32Array)
    expect(arr(r1)).toEqual([1, 0, 0])
    expect(arr(K.argmax([y], { axis: 0, keepDims: true }, out([1, 4], 'int32')))).toEqual([1, 0, 1, 1])
    expect(arr(K.argmax([x], { axis: 1, keepDims: false }, out([2, 4], 'int32')))).toEqual([2, 2, 2, 2, 2, 2, 2, 2])
  })

  it('cumsum forward and reverse, inclusive', () => {
    const y = f64([2, 3], [1, 2, 3, 4, 5, 6])
    expect(arr(K.cumsum([y], { axis: 1, reverse: false }, out([2, 3])))).toEqual([1, 3, 6, 4, 9, 15])
    expect(arr(K.cumsum([y], { axis: 1, reverse: true }, out([2, 3])))).toEqual([6, 5, 3, 15, 11, 6])
    expect(arr(K.cumsum([y], { axis: 0, reverse: false }, out([2, 3])))).toEqual([1, 2, 3, 5, 7, 9])
    expect(arr(K.cumsum([y], { axis: 0, reverse: true }, out([2, 3])))).toEqual([5, 7, 9, 4, 5, 6])
  })
})
