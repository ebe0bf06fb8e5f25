/**
 * The JS backend's pooling kernels (src/backends/js/pool.ts): max and average pooling and their
 * backward kernels.
 */

import { describe, it, expect } from 'vitest'
import type { Pool2dParams } from '../../../src/diff/primitives.js'
import { K, size, f64, out, arr, rand, dot } from './kernel-inputs.js'

describe('pooling', () => {
  const p22: Pool2dParams = { window: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] }

  it('maxPool and the tie rule (first in row-major window order)', () => {
    // One channel, 2x4: windows [[1,5],[5,0]] and [[2,2],[2,2]].
    const x = f64([1, 2, 4, 1], [1, 5, 2, 2, 5, 0, 2, 2])
    expect(arr(K.maxPool([x], p22, out([1, 1, 2, 1])))).toEqual([5, 2])
    const t = f64([1, 2, 4, 1], [10, 11, 12, 13, 14, 15, 16, 17])
    expect(arr(K.maxPoolSelect([x, t], p22, out([1, 1, 2, 1])))).toEqual([11, 12])
    expect(arr(K.maxPoolScatter([x, f64([1, 1, 2, 1], [100, 200])], p22, out([1, 2, 4, 1])))).toEqual([0, 100, 200, 0, 0, 0, 0, 0])
  })

  it('padding is never a max candidate', () => {
    const x = f64([1, 2, 2, 1], [-5, -4, -3, -2])
    const p: Pool2dParams = { window: [2, 2], strides: [1, 1], pads: [1, 0, 1, 0] }
    expect(arr(K.maxPool([x], p, out([1, 2, 2, 1])))).toEqual([-5, -4, -3, -2])
  })

  it('maxPoolScatter is the transpose of maxPoolSelect, with overlapping windows', () => {
    const p: Pool2dParams = { window: [3, 2], strides: [1, 2], pads: [1, 1, 0, 1] }
    const xShape = [2, 5, 5, 3]
    const oShape = [2, 5, 3, 3]
    const x = f64(xShape, rand(size(xShape), 8))
    const t = f64(xShape, rand(size(xShape), 9))
    const g = f64(oShape, rand(size(oShape), 10))
    const sel = K.maxPoolSelect([x, t], p, out(oShape))
    const sc = K.maxPoolScatter([x, g], p, out(xShape))
    const lhs = dot(sel, g.data)
    expect(Math.abs(lhs)).toBeGreaterThan(1e-3)
    expect(Math.abs(lhs - dot(t.data, sc))).toBeLessThan(1e-12)
    // maxPoolSelect(x, x) is maxPool(x).
    expect(arr(K.maxPoolSelect([x, x], p, out(oShape)))).toEqual(arr(K.maxPool([x], p, out(oShape))))
  })

  it('avgPool averages only valid positions', () => {
    const x = f64([1, 2, 2, 2], [1, 10, 2, 20, 3, 30, 4, 40])
    const p: Pool2dParams = { window: [2, 2], strides: [1, 1], pads: [1, 0, 1, 0] }
    // Windows: {1}, {1,2}, {1,3}, {1,2,3,4} per channel (scaled by 10 for channel 1).
    expect(arr(K.avgPool([x], p, out([1, 2, 2, 2])))).toEqual([1, 10, 1.5, 15, 2, 20, 2.5, 25])
  })

  it('avgPoolGrad is the transpose of avgPool', () => {
    const p: Pool2dParams = { window: [3, 3], strides: [2, 1], pads: [1, 2, 0, 1] }
    const xShape = [2, 6, 5, 2]
    const oShape = [2, 4, 4, 2]
    const x = f64(xShape, rand(size(xShape), 11))
    const g = f64(oShape, rand(size(oShape), 12))
    const y = K.avgPool([x], p, out(oShape))
    const gx = K.avgPoolGrad([g], { ...p, inputShape: xShape }, out(xShape))
    expect(Math.abs(dot(y, g.data) - dot(x.data, gx))).toBeLessThan(1e-12)
    expect(arr(K.avgPoolGrad([f64([1, 1, 1, 1], [6])], { window: [2, 2], strides: [2, 2], pads: [0, 1, 0, 0], inputShape: [1, 1, 2, 1] }, out([1, 1, 2, 1]))))
      .toEqual([3, 3])
  })
})
