/**
 * batchNorm, layerNorm and rmsNorm (src/layers/norm.ts) against float64 formulas written here:
 * batch statistics and running-state updates in training, running statistics in inference,
 * convergence of the running statistics, a new state that carries no gradient, per-channel
 * normalisation of images, and checkLayer at order 2 (batchNorm in training and inference mode).
 */

import { describe, expect, it } from 'vitest'
import { grad, mul, sum, tensor, type Tensor } from '../../src/index.js'
import { checkLayer } from '../../laws/index.js'
import { batchNorm, layerNorm, rmsNorm, type BatchNormState, type NormParams } from '../../src/layers/index.js'
import { key } from '../../src/random/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const f64 = (v: readonly number[], shape: number[]): Tensor => tensor([...v], { shape, dtype: 'float64' })

// A batch of 6 examples with 3 features of different scales and offsets.
const xv = seededValues(18, 31, -1, 1).map((v, i) => v * [1, 3, 0.5][i % 3] + [0, 2, -1][i % 3])
const X = f64(xv, [6, 3])
const column = (c: number): number[] => xv.filter((_, i) => i % 3 === c)
const meanOf = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length
const popVar = (v: readonly number[]): number => { const m = meanOf(v); return meanOf(v.map((x) => (x - m) ** 2)) }

const params64: NormParams = { gamma: f64([1.5, 0.5, 2], [3]), beta: f64([0.1, -0.2, 0.3], [3]) }
const state64: BatchNormState = { mean: f64([0.2, 1, -0.5], [3]), var: f64([1.2, 4, 0.3], [3]) }

describe('batchNorm', () => {
  const eps = 1e-5
  const bn = batchNorm({ momentum: 0.9, epsilon: eps })

  it('init: gamma ones, beta zeros; running mean zeros and variance ones as state', () => {
    const { params, state, outputShape } = batchNorm().init(key(0), [3])
    expect(vals(params.gamma)).toEqual([1, 1, 1])
    expect(vals(params.beta)).toEqual([0, 0, 0])
    expect(vals(state.mean)).toEqual([0, 0, 0])
    expect(vals(state.var)).toEqual([1, 1, 1])
    expect(outputShape).toEqual([3])
  })

  it('training: normalises with the batch mean and population variance, and updates the running statistics', () => {
    const [y, s] = bn.apply(params64, state64, X, { training: true })
    const want = xv.map((v, i) => {
      const c = i % 3, col = column(c)
      return ((v - meanOf(col)) / Math.sqrt(popVar(col) + eps)) * vals(params64.gamma)[c] + vals(params64.beta)[c]
    })
    expectClose(vals(y), want, { atol: 1e-13 })
    expectClose(vals(s.mean), [0, 1, 2].map((c) => 0.9 * vals(state64.mean)[c] + 0.1 * meanOf(column(c))), { atol: 1e-15 })
    expectClose(vals(s.var), [0, 1, 2].map((c) => 0.9 * vals(state64.var)[c] + 0.1 * popVar(column(c))), { atol: 1e-15 })
    // The input state is untouched (no mutation).
    expect(vals(state64.mean)).toEqual([0.2, 1, -0.5])
  })

  it('inference: normalises with the running statistics and returns the state unchanged', () => {
    const [y, s] = bn.apply(params64, state64, X)
    expect(s).toBe(state64)
    const m = vals(state64.mean), v = vals(state64.var), g = vals(params64.gamma), b = vals(params64.beta)
    expectClose(vals(y), xv.map((x, i) => ((x - m[i % 3]) / Math.sqrt(v[i % 3] + eps)) * g[i % 3] + b[i % 3]), { atol: 1e-13 })
  })

  it('training couples the examples of a batch, inference does not', () => {
    const changed = f64(xv.map((v, i) => (i < 3 ? v + 5 : v)), [6, 3])
    const lastRow = (t: Tensor): number[] => vals(t).slice(15)
    expect(lastRow(bn.apply(params64, state64, changed, { training: true })[0])).not.toEqual(lastRow(bn.apply(params64, state64, X, { training: true })[0]))
    expect(lastRow(bn.apply(params64, state64, changed)[0])).toEqual(lastRow(bn.apply(params64, state64, X)[0]))
  })

  it('running statistics converge to the batch statistics, after which inference matches training', () => {
    let s = bn.init(key(0), [3], { dtype: 'float64' }).state
    for (let i = 0; i < 300; i++) s = bn.apply(params64, s, X, { training: true })[1]
    expectClose(vals(s.mean), [0, 1, 2].map((c) => meanOf(column(c))), { atol: 1e-12 })
    expectClose(vals(s.var), [0, 1, 2].map((c) => popVar(column(c))), { atol: 1e-12 })
    expectClose(bn.apply(params64, s, X)[0], bn.apply(params64, s, X, { training: true })[0], { atol: 1e-10 })
  })

  it('the new state carries no gradient: under grad it comes out as plain values', () => {
    let traced = true
    const [g, s] = grad((p: NormParams, x: Tensor) => {
      const [y, st] = bn.apply(p, state64, x, { training: true })
      traced = st.mean.tracer !== null || st.var.tracer !== null
      return [sum(mul(y, y)), st] as const
    }, { hasAux: true })(params64, X)
    expect(traced).toBe(false)
    expect(g.gamma.shape).toEqual([3])
    expect(vals(s.mean)).toEqual(vals(bn.apply(params64, state64, X, { training: true })[1].mean))
  })

  it('works on images, normalising over N, H and W per channel', () => {
    const img = f64(seededValues(2 * 3 * 3 * 2, 8), [2, 3, 3, 2])
    const [y] = batchNorm().apply({ gamma: f64([1, 1], [2]), beta: f64([0, 0], [2]) }, { mean: f64([0, 0], [2]), var: f64([1, 1], [2]) }, img, { training: true })
    const yv = vals(y)
    for (const c of [0, 1]) {
      const col = yv.filter((_, i) => i % 2 === c)
      expect(Math.abs(meanOf(col))).toBeLessThan(1e-12)
      expect(popVar(col)).toBeCloseTo(1, 3)
    }
  })

  it('names itself in shape errors', () => {
    expectError(() => bn.apply(params64, state64, f64([1, 2], [1, 2]), { training: true }), 'SHAPE_MISMATCH', 'batchNorm: expected input with last dim 3, got [1,2]')
  })

  it('passes checkLayer in training and in inference mode (order 2)', () => {
    checkLayer(bn, { params: params64, state: state64, input: X, training: true }, { order: 2 })
    checkLayer(bn, { params: params64, state: state64, input: X, training: false }, { order: 2 })
  })
})

describe('layerNorm and rmsNorm', () => {
  it('layerNorm normalises each example over its features', () => {
    const ln = layerNorm({ epsilon: 1e-6 })
    const { params } = ln.init(key(0), [3], { dtype: 'float64' })
    const y = vals(ln.apply(params, {}, X)[0])
    for (let r = 0; r < 6; r++) {
      const row = xv.slice(r * 3, r * 3 + 3), m = meanOf(row), s = Math.sqrt(popVar(row) + 1e-6)
      expectClose(y.slice(r * 3, r * 3 + 3), row.map((v) => (v - m) / s), { atol: 1e-12 })
    }
    const affine = vals(ln.apply(params64, {}, X)[0])
    expectClose(affine, y.map((v, i) => v * [1.5, 0.5, 2][i % 3] + [0.1, -0.2, 0.3][i % 3]), { atol: 1e-13 })
  })

  it('rmsNorm divides by the root mean square and scales', () => {
    const rn = rmsNorm({ epsilon: 1e-6 })
    const scale = f64([2, 1, 0.5], [3])
    const y = vals(rn.apply({ scale }, {}, X)[0])
    for (let r = 0; r < 6; r++) {
      const row = xv.slice(r * 3, r * 3 + 3), rms = Math.sqrt(meanOf(row.map((v) => v * v)) + 1e-6)
      expectClose(y.slice(r * 3, r * 3 + 3), row.map((v, c) => (v / rms) * [2, 1, 0.5][c]), { atol: 1e-12 })
    }
    expect(Object.keys(rn.init(key(0), [3]).params)).toEqual(['scale'])
  })

  it('pass checkLayer (order 2)', () => {
    checkLayer(layerNorm(), { params: params64, state: {}, input: X }, { order: 2 })
    checkLayer(rmsNorm(), { params: { scale: f64([2, 1, 0.5], [3]) }, state: {}, input: X }, { order: 2 })
  })
})
