/**
 * The JS backend's movement kernels (src/backends/js/movement.ts): reshape, transpose,
 * broadcastTo, slice, concat and pad, which copy or rearrange without arithmetic.
 */

import { describe, it, expect } from 'vitest'
import { K, size, f64, i32, out, arr } from './kernel-inputs.js'

describe('movement', () => {
  const x = f64([2, 3, 4], Array.from({ length: 24 }, (_, i) => i))

  it('reshape returns the input buffer', () => {
    expect(K.reshape([x], { shape: [6, 4] }, out([6, 4]))).toBe(x.data)
  })

  it('transposes', () => {
    expect(arr(K.transpose([f64([2, 3], [1, 2, 3, 4, 5, 6])], { perm: [1, 0] }, out([3, 2])))).toEqual([1, 4, 2, 5, 3, 6])
    const y = K.transpose([x], { perm: [2, 0, 1] }, out([4, 2, 3]))
    const expected: number[] = []
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(i * 12 + j * 4 + k)
    expect(arr(y)).toEqual(expected)
  })

  it('broadcastTo', () => {
    expect(arr(K.broadcastTo([f64([3, 1], [1, 2, 3])], { shape: [2, 3, 2] }, out([2, 3, 2])))).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
    expect(arr(K.broadcastTo([f64([], [7])], { shape: [3] }, out([3])))).toEqual([7, 7, 7])
  })

  it('slices', () => {
    const y = K.slice([x], { begin: [1, 1, 2], size: [1, 2, 2] }, out([1, 2, 2]))
    expect(arr(y)).toEqual([18, 19, 22, 23])
    expect(arr(K.slice([x], { begin: [0, 2, 0], size: [2, 1, 4] }, out([2, 1, 4])))).toEqual([8, 9, 10, 11, 20, 21, 22, 23])
    expect(arr(K.slice([x], { begin: [0, 0, 3], size: [2, 3, 0] }, out([2, 3, 0])))).toEqual([])
  })

  it('concatenates any number of inputs', () => {
    const a = f64([2, 1], [1, 2])
    const b = f64([2, 2], [3, 4, 5, 6])
    const c = f64([2, 0], [])
    const d = f64([2, 1], [7, 8])
    expect(arr(K.concat([a, b, c, d], { axis: 1 }, out([2, 4])))).toEqual([1, 3, 4, 7, 2, 5, 6, 8])
    expect(arr(K.concat([a, d], { axis: 0 }, out([4, 1])))).toEqual([1, 2, 7, 8])
  })

  it('pads with a value', () => {
    const y = K.pad([f64([2, 2], [1, 2, 3, 4])], { widths: [[1, 0], [0, 2]], value: -1 }, out([3, 4]))
    expect(arr(y)).toEqual([-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1])
    expect(arr(K.pad([i32([2], [5, 6])], { widths: [[2, 1]], value: 0 }, out([5], 'int32')))).toEqual([0, 0, 5, 6, 0])
  })
})
