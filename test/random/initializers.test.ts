/**
 * The weight initializers (src/layers/initializers.ts): computeFans; variance scaling (sample
 * variance within 2% of the target, mean, bounds, fan modes, dtype, determinism per key); constant
 * fills; and orthogonal, orthonormal to 1e-13 in float64, with 2x2 draws at uniformly distributed
 * angles (Haar measure).
 */

import { describe, expect, it } from 'vitest'
import type { Tensor } from '../../src/index.js'
import * as init from '../../src/layers/initializers.js'
import { key } from '../../src/random/index.js'
import { expectError } from '../helpers/allclose.js'

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const meanOf = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length
const varOf = (v: readonly number[]): number => { const m = meanOf(v); return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length }

describe('fans', () => {
  it('dense [in, out], conv HWIO [kh, kw, in, out] (receptive field multiplies both), vectors and scalars', () => {
    expect(init.computeFans([784, 128])).toEqual([784, 128])
    expect(init.computeFans([3, 3, 16, 32])).toEqual([144, 288])
    expect(init.computeFans([5])).toEqual([5, 5])
    expect(init.computeFans([])).toEqual([1, 1])
  })
})

describe('variance scaling', () => {
  // Shapes big enough (65,536 draws) that the sample variance is within 2% of the target.
  const cases: [string, init.Initializer, number[], number, 'uniform' | 'normal'][] = [
    ['glorotUniform', init.glorotUniform, [256, 256], 2 / 512, 'uniform'],
    ['glorotNormal', init.glorotNormal, [256, 256], 2 / 512, 'normal'],
    ['heUniform', init.heUniform, [256, 256], 2 / 256, 'uniform'],
    ['heNormal', init.heNormal, [4, 4, 64, 64], 2 / (16 * 64), 'normal'],
    ['lecunNormal', init.lecunNormal, [128, 512], 1 / 128, 'normal'],
    ['lecunUniform', init.lecunUniform, [128, 512], 1 / 128, 'uniform'],
  ]
  for (const [name, f, shape, variance, kind] of cases) {
    it(`${name} has variance ${variance.toPrecision(3)} on ${JSON.stringify(shape)}`, () => {
      const t = f(key(1), shape)
      expect(t.shape).toEqual(shape)
      expect(t.dtype).toBe('float32')
      const v = vals(t)
      expect(Math.abs(varOf(v) / variance - 1)).toBeLessThan(0.02)
      expect(Math.abs(meanOf(v))).toBeLessThan(4 * Math.sqrt(variance / v.length))
      const bound = kind === 'uniform' ? Math.sqrt(3 * variance) : 2 * Math.sqrt(variance) / 0.87962566103423978
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound * (1 + 1e-6))
    })
  }

  it('modes pick fanIn, fanOut or their average; dtype is honoured; same key, same values', () => {
    const shape = [64, 1024]
    const v = (mode: init.FanMode): number => varOf(vals(init.varianceScaling({ mode, distribution: 'normal' })(key(2), shape, 'float64')))
    expect(v('fanIn') * 64).toBeCloseTo(1, 1)
    expect(v('fanOut') * 1024).toBeCloseTo(1, 1)
    expect(v('fanAvg') * 544).toBeCloseTo(1, 1)
    expect(init.glorotUniform(key(3), [3, 4], 'float64').dtype).toBe('float64')
    expect(vals(init.heNormal(key(3), [3, 4]))).toEqual(vals(init.heNormal(key(3), [3, 4])))
    expect(vals(init.heNormal(key(4), [3, 4]))).not.toEqual(vals(init.heNormal(key(3), [3, 4])))
    expectError(() => init.varianceScaling({ mode: 'fanMid' as init.FanMode }), 'INVALID_ARGUMENT', 'mode')
    expectError(() => init.glorotUniform(key(0), [2, 2], 'int32' as 'float32'), 'UNSUPPORTED_DTYPE')
  })
})

describe('constant initializers', () => {
  it('zeros, ones and constant fill the shape', () => {
    expect(vals(init.zeros(key(0), [2, 3]))).toEqual([0, 0, 0, 0, 0, 0])
    expect(vals(init.ones(key(0), [2]))).toEqual([1, 1])
    expect(init.constant(0.5)(key(0), [2, 2], 'float64').arraySync()).toEqual([[0.5, 0.5], [0.5, 0.5]])
  })
})

describe('orthogonal', () => {
  /** max |A Aᵀ - g² I| over rows (wide) or |Aᵀ A - g² I| over columns (tall). */
  const orthoError = (t: Tensor, gain: number): number => {
    const cols = t.shape[t.rank - 1], rows = t.size / cols
    const a = vals(t)
    const tall = rows >= cols
    const n = tall ? cols : rows, len = tall ? rows : cols
    const at = (i: number, k: number): number => (tall ? a[k * cols + i] : a[i * cols + k])
    let err = 0
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let d = 0
        for (let k = 0; k < len; k++) d += at(i, k) * at(j, k)
        err = Math.max(err, Math.abs(d - (i === j ? gain * gain : 0)))
      }
    }
    return err
  }

  it('makes orthonormal columns (tall), rows (wide), square and conv-shaped matrices in float64', () => {
    expect(orthoError(init.orthogonal()(key(1), [50, 20], 'float64'), 1)).toBeLessThan(1e-13)
    expect(orthoError(init.orthogonal()(key(1), [20, 50], 'float64'), 1)).toBeLessThan(1e-13)
    expect(orthoError(init.orthogonal({ gain: 2 })(key(2), [32, 32], 'float64'), 2)).toBeLessThan(1e-12)
    expect(orthoError(init.orthogonal()(key(3), [3, 3, 4, 8], 'float64'), 1)).toBeLessThan(1e-13)
    expect(orthoError(init.orthogonal()(key(3), [16, 16]), 1)).toBeLessThan(1e-5)
    expectError(() => init.orthogonal()(key(0), [4]), 'SHAPE_MISMATCH', 'rank >= 2')
  })

  it('is Haar-distributed: a 2x2 draw is a rotation or reflection with a uniform angle', () => {
    // For Haar measure on O(2), the angle of the first column is uniform on (-pi, pi].
    const angles = Array.from({ length: 2000 }, (_, i) => {
      const [a, , c] = vals(init.orthogonal()(key(1000 + i), [2, 2], 'float64'))
      return Math.atan2(c, a)
    })
    const quadrants = [0, 0, 0, 0]
    for (const th of angles) quadrants[Math.min(3, Math.floor((th + Math.PI) / (Math.PI / 2)))]++
    for (const q of quadrants) expect(Math.abs(q - 500)).toBeLessThan(5 * Math.sqrt(2000 * 0.25 * 0.75))
  })
})
