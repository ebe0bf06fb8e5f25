/**
 * The distributions (src/random/distributions.ts): uniform, normal, truncatedNormal, bernoulli,
 * permutation and categorical are deterministic per key and have the right moments and distribution
 * (Kolmogorov-Smirnov, chi-square and frequency bounds on up to 100,000 draws); the normal CDF and
 * quantile match scipy's values; and uniform and normal give the same numbers on a second JS
 * backend and on wasm.
 */

import { describe, expect, it } from 'vitest'
import { createJsBackend, registerBackend, tensor, withBackend, type Tensor } from '../../src/index.js'
import { normalCdf, normalQuantile } from '../../src/random/normal-cdf.js'
import { bernoulli, categorical, foldIn, key, normal, permutation, split, truncatedNormal, uniform } from '../../src/random/index.js'
import { expectError } from '../helpers/allclose.js'

const N = 100_000
const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const meanOf = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length
const varOf = (v: readonly number[]): number => { const m = meanOf(v); return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length }

/** Kolmogorov-Smirnov distance between the sample and a CDF. */
const ksDistance = (v: readonly number[], cdf: (x: number) => number): number => {
  const s = [...v].sort((a, b) => a - b)
  let d = 0
  s.forEach((x, i) => { const F = cdf(x); d = Math.max(d, Math.abs(F - i / s.length), Math.abs(F - (i + 1) / s.length)) })
  return d
}
/** The KS critical value at significance 0.001 is 1.95 / sqrt(n); a little slack on top. */
const KS_LIMIT = 2.1 / Math.sqrt(N)

describe('uniform', () => {
  it('is deterministic per key, differs across keys, and element i depends only on the key and i', () => {
    const a = vals(uniform(key(1), [20]))
    expect(vals(uniform(key(1), [20]))).toEqual(a)
    expect(vals(uniform(key(1), [4, 5]))).toEqual(a)
    expect(vals(uniform(key(1), [7]))).toEqual(a.slice(0, 7))
    expect(vals(uniform(key(2), [20]))).not.toEqual(a)
    expect(uniform(key(1), [3, 0]).shape).toEqual([3, 0])
  })

  it('has the moments and distribution of U[0, 1), float32 and float64', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const t = uniform(key(10), [N], { dtype })
      expect(t.dtype).toBe(dtype)
      const v = vals(t)
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0)
      expect(Math.max(...v)).toBeLessThan(1)
      // Standard errors: 0.00091 for the mean, 0.00024 for the variance; 5 of them allowed.
      expect(Math.abs(meanOf(v) - 0.5)).toBeLessThan(0.0046)
      expect(Math.abs(varOf(v) - 1 / 12)).toBeLessThan(0.0012)
      expect(ksDistance(v, (x) => x)).toBeLessThan(KS_LIMIT)
    }
  })

  it('scales to [minval, maxval) and never returns maxval, even when rounding would', () => {
    const v = vals(uniform(key(4), [N], { minval: -3, maxval: 5, dtype: 'float64' }))
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-3)
    expect(Math.max(...v)).toBeLessThan(5)
    expect(Math.abs(meanOf(v) - 1)).toBeLessThan(5 * 8 * 0.00091)
    // In float32 the interval [1, 1.0000001) holds a single value: every draw must be 1.
    expect(new Set(vals(uniform(key(4), [1000], { minval: 1, maxval: 1.0000001 })))).toEqual(new Set([1]))
    expectError(() => uniform(key(0), [2], { minval: 1, maxval: 1 }), 'INVALID_ARGUMENT', 'minval < maxval')
    expectError(() => uniform(key(0), [2], { dtype: 'int32' as 'float32' }), 'UNSUPPORTED_DTYPE')
    expectError(() => uniform(key(0), [-1]), 'INVALID_ARGUMENT', 'shape')
  })

  it('gives the same numbers on every backend, because the bits are made on the host', async () => {
    registerBackend(createJsBackend({ name: 'js-second' }))
    const here = uniform(key(9), [64])
    const there = withBackend('js-second', () => uniform(key(9), [64]))
    expect((there.concrete().backend as { name: string }).name).toBe('js-second')
    expect(vals(there)).toEqual(vals(here))
    const wasm = await import('../../src/backends/wasm/index.js').then((m) => m.createWasmBackend({ name: 'wasm-random-test' })).catch(() => undefined)
    if (wasm !== undefined) {
      registerBackend(wasm)
      expect(vals(withBackend('wasm-random-test', () => normal(key(9), [64])))).toEqual(vals(normal(key(9), [64])))
    }
  })
})

describe('normal', () => {
  it('the inverse CDF (Acklam) is within 1.15e-9 relative of the exact quantiles', () => {
    // scipy.stats.norm.ppf values.
    const table: [number, number][] = [
      [0.975, 1.959963984540054], [0.999, 3.090232306167813], [0.1, -1.2815515655446004],
      [0.01, -2.326347874040841], [1e-4, -3.719016485455709], [0.5, 0],
    ]
    for (const [p, z] of table) expect(Math.abs(normalQuantile(p) - z)).toBeLessThanOrEqual(1.15e-9 * Math.abs(z))
  })

  it('the normal CDF keeps its relative accuracy deep in the lower tail', () => {
    // Φ(-5), Φ(-8), Φ(-10) to 15 digits (e.g. scipy.stats.norm.cdf).
    expect(normalCdf(-5) / 2.866515718791939e-7 - 1).toBeLessThan(1e-13)
    expect(Math.abs(normalCdf(-8) / 6.22096057427178e-16 - 1)).toBeLessThan(1e-13)
    expect(Math.abs(normalCdf(-10) / 7.619853024160527e-24 - 1)).toBeLessThan(1e-13)
    expect(Math.abs(normalCdf(1.959963984540054) - 0.975)).toBeLessThan(1e-15)
  })

  it('has mean 0, variance 1 and the normal CDF; mean and std shift and scale it', () => {
    const v = vals(normal(key(21), [N], { dtype: 'float64' }))
    expect(Math.abs(meanOf(v))).toBeLessThan(0.016)
    expect(Math.abs(varOf(v) - 1)).toBeLessThan(0.023)
    expect(ksDistance(v, normalCdf)).toBeLessThan(KS_LIMIT)
    expect(v.every(Number.isFinite)).toBe(true)
    const w = vals(normal(key(21), [N], { mean: 3, std: 2 }))
    expect(Math.abs(meanOf(w) - 3)).toBeLessThan(0.032)
    expect(Math.abs(varOf(w) - 4)).toBeLessThan(0.09)
  })
})

describe('truncatedNormal', () => {
  const PHI2 = normalCdf(2) - normalCdf(-2)
  it('stays within two standard deviations, with the truncated normal variance and CDF', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const v = vals(truncatedNormal(key(5), [N], { dtype }))
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-2)
      expect(Math.max(...v)).toBeLessThanOrEqual(2)
      // Var = 1 - 2 b φ(b) / (Φ(b) - Φ(-b)) at b = 2: 0.77374.
      const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI)
      expect(Math.abs(varOf(v) - (1 - (4 * phi2) / PHI2))).toBeLessThan(0.015)
      expect(Math.abs(meanOf(v))).toBeLessThan(0.015)
      expect(ksDistance(v, (x) => (normalCdf(x) - normalCdf(-2)) / PHI2)).toBeLessThan(KS_LIMIT)
    }
  })

  it('supports one-sided and tail intervals', () => {
    const v = vals(truncatedNormal(key(6), [20_000], { lower: 1, upper: 3, dtype: 'float64' }))
    expect(Math.min(...v)).toBeGreaterThanOrEqual(1)
    expect(Math.max(...v)).toBeLessThanOrEqual(3)
    const mass = normalCdf(3) - normalCdf(1)
    expect(ksDistance(v, (x) => (normalCdf(x) - normalCdf(1)) / mass)).toBeLessThan(2.1 / Math.sqrt(20_000))
    const far = vals(truncatedNormal(key(6), [20_000], { lower: 5, upper: 6, dtype: 'float64' }))
    expect(far.every((x) => x >= 5 && x <= 6)).toBe(true)
    const tail = normalCdf(-5) - normalCdf(-6)
    expect(ksDistance(far, (x) => (normalCdf(-5) - normalCdf(-x)) / tail)).toBeLessThan(2.1 / Math.sqrt(20_000))
    expectError(() => truncatedNormal(key(0), [2], { lower: 1, upper: -1 }), 'INVALID_ARGUMENT', 'lower < upper')
  })
})

describe('bernoulli', () => {
  it('is true with probability p', () => {
    const t = bernoulli(key(7), [N], { p: 0.3 })
    expect(t.dtype).toBe('bool')
    expect(Math.abs(meanOf(vals(t)) - 0.3)).toBeLessThan(5 * 0.00145)
    expect(vals(bernoulli(key(7), [100], { p: 0 })).every((x) => x === 0)).toBe(true)
    expect(vals(bernoulli(key(7), [100], { p: 1 })).every((x) => x === 1)).toBe(true)
    expectError(() => bernoulli(key(7), [2], { p: 1.5 }), 'INVALID_ARGUMENT', 'probability')
  })
})

describe('permutation', () => {
  it('is a permutation of 0..n-1, deterministic per key', () => {
    const p = permutation(key(8), 1000)
    expect(p.dtype).toBe('int32')
    expect([...vals(p)].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    expect(vals(permutation(key(8), 1000))).toEqual(vals(p))
    expect(vals(permutation(key(8), 0))).toEqual([])
  })

  it('draws each ordering of 4 items equally often (chi-square, 23 degrees of freedom)', () => {
    const counts = new Map<string, number>()
    const draws = 4800
    const base = key(99)
    for (let i = 0; i < draws; i++) {
      const s = vals(permutation(foldIn(base, i), 4)).join('')
      counts.set(s, (counts.get(s) ?? 0) + 1)
    }
    expect(counts.size).toBe(24)
    const expected = draws / 24
    const chi2 = [...counts.values()].reduce((a, c) => a + (c - expected) ** 2 / expected, 0)
    expect(chi2).toBeLessThan(55) // p = 0.0003 critical value is about 55
  })

  it('shuffles a tensor along an axis', () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]])
    const y = permutation(key(1), x)
    expect(y.shape).toEqual([3, 2])
    const rows = (y.arraySync() as number[][]).map((r) => r.join(','))
    expect(rows.sort()).toEqual(['1,2', '3,4', '5,6'])
    const z = permutation(key(1), x, { axis: 1 })
    expect((z.arraySync() as number[][]).map((r) => r[0] + r[1])).toEqual([3, 7, 11])
  })
})

describe('categorical', () => {
  it('draws classes with softmax(logits) frequencies', () => {
    const probs = [0.1, 0.2, 0.7]
    const s = vals(categorical(key(3), tensor(probs.map(Math.log), { dtype: 'float64' }), { shape: [N] }))
    probs.forEach((p, c) => {
      const f = s.filter((v) => v === c).length / N
      expect(Math.abs(f - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N))
    })
  })

  it('samples each batch row from its own logits, never a -Infinity class, along any axis', () => {
    const logits = tensor([[0, -Infinity, 0], [-Infinity, 5, -Infinity]])
    const s = categorical(key(4), logits, { shape: [2000, 2] })
    expect(s.shape).toEqual([2000, 2])
    const rows = s.arraySync() as number[][]
    expect(rows.every(([a, b]) => (a === 0 || a === 2) && b === 1)).toBe(true)
    const zeroFreq = rows.filter(([a]) => a === 0).length / 2000
    expect(Math.abs(zeroFreq - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 2000))
    const t = categorical(key(4), tensor([[0, -Infinity], [-Infinity, 0], [-Infinity, -Infinity]]), { axis: 0 })
    expect(vals(t)).toEqual([0, 1])
    expectError(() => categorical(key(4), logits, { shape: [5, 3] }), 'SHAPE_MISMATCH', 'batch shape')
  })

  it('is reproducible and independent across split keys', () => {
    const logits = tensor([0, 0, 0, 0])
    const [a, b] = split(key(12))
    expect(vals(categorical(a, logits, { shape: [50] }))).toEqual(vals(categorical(a, logits, { shape: [50] })))
    expect(vals(categorical(a, logits, { shape: [50] }))).not.toEqual(vals(categorical(b, logits, { shape: [50] })))
  })
})
