/**
 * The dropout layer: the identity in inference; in training a mask that depends only on the key and
 * shape, keeping each element with probability 1 - rate (measured on 100,000 elements) and scaling
 * it by 1 / (1 - rate); a gradient equal to mask times scale; rates 0 and 1; argument errors; and
 * checkLayer at order 2 with a fixed key.
 */

import { describe, expect, it } from 'vitest'
import { grad, mul, sum, tensor, type Tensor } from '../../src/index.js'
import { checkLayer } from '../../laws/index.js'
import { dropout } from '../../src/layers/index.js'
import { key, normal, split } from '../../src/random/index.js'
import { expectError, seededValues } from '../helpers/allclose.js'

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)

describe('dropout', () => {
  const layer = dropout(0.25)
  const x = tensor(seededValues(1000, 3, 0.5, 1.5), { shape: [10, 100], dtype: 'float64' })

  it('is the identity in inference mode (no key needed)', () => {
    expect(layer.apply({}, {}, x)[0]).toBe(x)
    expect(layer.apply({}, {}, x, { training: false, key: key(0) })[0]).toBe(x)
    expect(layer.init(key(0), [100]).outputShape).toEqual([100])
  })

  it('in training, keeps each element with probability 1 - rate and scales it by 1 / (1 - rate)', () => {
    const big = tensor(new Float64Array(100_000).fill(2), { shape: [100, 1000] })
    const y = vals(layer.apply({}, {}, big, { training: true, key: key(1) })[0])
    const kept = y.filter((v) => v !== 0)
    expect(kept.every((v) => Math.abs(v - 2 / 0.75) < 1e-6)).toBe(true)
    // Fraction dropped: standard error sqrt(0.25 * 0.75 / 1e5) = 0.00137; 5 of them allowed.
    expect(Math.abs(1 - kept.length / y.length - 0.25)).toBeLessThan(0.0069)
    // So the mean is preserved.
    expect(Math.abs(y.reduce((a, b) => a + b, 0) / y.length - 2)).toBeLessThan(0.02)
  })

  it('is reproducible with a key, and different keys drop different elements', () => {
    const [k1, k2] = split(key(7))
    const a = vals(layer.apply({}, {}, x, { training: true, key: k1 })[0])
    expect(vals(layer.apply({}, {}, x, { training: true, key: k1 })[0])).toEqual(a)
    const b = vals(layer.apply({}, {}, x, { training: true, key: k2 })[0])
    expect(b).not.toEqual(a)
    // The mask is a function of the key and the shape only, not of the values.
    const zerosAt = (v: number[]): number[] => v.flatMap((u, i) => (u === 0 ? [i] : []))
    const other = normal(key(3), [10, 100], { dtype: 'float64' })
    expect(zerosAt(vals(layer.apply({}, {}, other, { training: true, key: k1 })[0]))).toEqual(zerosAt(a))
  })

  it('its gradient is the mask times the scale', () => {
    const ctx = { training: true, key: key(9) }
    const y = vals(layer.apply({}, {}, x, ctx)[0])
    const g = vals(grad((xx: Tensor) => sum(layer.apply({}, {}, xx, ctx)[0]))(x))
    expect(g).toEqual(y.map((v) => (v === 0 ? 0 : 1 / 0.75)))
  })

  it('rate 0 is the identity and rate 1 zeros everything with finite (zero) gradients', () => {
    expect(dropout(0).apply({}, {}, x, { training: true, key: key(0) })[0]).toBe(x)
    const all = dropout(1)
    expect(vals(all.apply({}, {}, x, { training: true, key: key(0) })[0]).every((v) => v === 0)).toBe(true)
    expect(vals(grad((xx: Tensor) => sum(mul(all.apply({}, {}, xx, { training: true, key: key(0) })[0], xx)))(x)).every((v) => v === 0)).toBe(true)
  })

  it('training without a key, or a bad rate, is an error naming dropout', () => {
    expectError(() => layer.apply({}, {}, x, { training: true }), 'INVALID_ARGUMENT', 'dropout', 'key')
    expectError(() => dropout(1.5), 'INVALID_ARGUMENT', 'dropout', 'rate')
  })

  it('passes checkLayer in training mode with a fixed key (order 2)', () => {
    checkLayer(layer, { params: {}, state: {}, input: tensor(seededValues(12, 4), { shape: [3, 4], dtype: 'float64' }), key: key(2), training: true }, { order: 2 })
  })
})
