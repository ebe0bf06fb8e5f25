/**
 * The JS backend's gather and scatterAdd (src/backends/js/indexing.ts), scatterAdd as gather's
 * adjoint.
 */

import { describe, it, expect } from 'vitest'
import { PuregradError } from '../../../src/core/errors.js'
import { K, size, f64, i32, out, arr, rand, dot } from './kernel-inputs.js'

describe('gather and scatterAdd', () => {
  it('gathers along an axis with multi-dimensional indices', () => {
    const x = f64([2, 3, 2], Array.from({ length: 12 }, (_, i) => i))
    const idx = i32([2, 2], [2, 0, 1, 2])
    const y = K.gather([x, idx], { axis: 1 }, out([2, 2, 2, 2]))
    expect(arr(y)).toEqual([4, 5, 0, 1, 2, 3, 4, 5, 10, 11, 6, 7, 8, 9, 10, 11])
    expect(arr(K.gather([f64([4], [10, 20, 30, 40]), i32([3], [3, 3, 0])], { axis: 0 }, out([3])))).toEqual([40, 40, 10])
  })

  it('scatterAdd accumulates repeated indices', () => {
    const u = f64([2, 3], [1, 2, 3, 4, 5, 6])
    const y = K.scatterAdd([u, i32([3], [2, 0, 2])], { axis: 1, size: 4 }, out([2, 4]))
    expect(arr(y)).toEqual([2, 0, 4, 0, 5, 0, 10, 0])
  })

  it('scatterAdd is the adjoint of gather', () => {
    const xShape = [3, 5, 2]
    const x = f64(xShape, rand(30, 3))
    const idx = i32([2, 3], [4, 0, 4, 1, 1, 3])
    const gShape = [3, 2, 3, 2]
    const u = f64(gShape, rand(size(gShape), 4))
    const gx = K.gather([x, idx], { axis: 1 }, out(gShape))
    const su = K.scatterAdd([u, idx], { axis: 1, size: 5 }, out(xShape))
    expect(Math.abs(dot(gx, u.data) - dot(x.data, su))).toBeLessThan(1e-12)
    expect(Math.abs(dot(gx, u.data))).toBeGreaterThan(1e-3)
  })

  it('throws INDEX_OUT_OF_RANGE for an index outside the axis', () => {
    const x = f64([2, 5], new Array(10).fill(0))
    const call = (): unknown => K.gather([x, i32([2], [1, 7])], { axis: 1 }, out([2, 2]))
    expect(call).toThrow(PuregradError)
    expect(call).toThrow('gather: index 7 outside axis 1 of length 5')
    try { call() } catch (e) { expect((e as PuregradError).code).toBe('INDEX_OUT_OF_RANGE') }
    expect(() => K.gather([x, i32([1], [-1])], { axis: 1 }, out([2, 1]))).toThrow('index -1 outside axis 1 of length 5')
    expect(() => K.scatterAdd([f64([1], [1]), i32([1], [3])], { axis: 0, size: 3 }, out([3])))
      .toThrow('scatterAdd: index 3 outside axis 0 of length 3')
  })
})
