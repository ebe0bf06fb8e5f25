/**
 * Tests for gradientHealth (src/diagnostics/health.ts) on constructed cases whose gradients are
 * known exactly: each threshold flags just below or above its value and not on the other side;
 * the first/last layer ratio; update-to-weight ratios from a learning rate and from an optimizer;
 * non-finite counts; the first op to produce a NaN, forward and backward (with debugNans restored
 * afterwards); activation statistics (dead ReLUs, saturated sigmoid and tanh) from `[loss, acts]`.
 */

import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { add, log, mul, ones, sqrt, sum, tensor, type Tensor } from '../../src/index.js'
import { config } from '../../src/core/config.js'
import { activation, dense, key, relu, sequential, sigmoid, tanh } from '../../src/layers/index.js'
import { adam, sgd } from '../../src/optim/index.js'
import {
  DEFAULT_THRESHOLDS, EXPLODING_GRAD_NORM, VANISHING_FIRST_TO_LAST, VANISHING_GRAD_TO_PARAM,
  applyWithActivations, gradientHealth, healthFromGrads, locateNonFinite, measureActivation, observed,
  type Activations,
} from '../../src/diagnostics/index.js'

/** Relative agreement to float32 precision. */
const near = (got: number | null, want: number): void => {
  expect(got).not.toBeNull()
  expect(Math.abs((got as number) - want) / Math.abs(want)).toBeLessThan(1e-6)
}

/** loss = c * sum(w) has gradient c everywhere: ||g|| = |c| sqrt(n), ||w|| = sqrt(n) for w = ones. */
const scaled = (c: number) => (p: { w: Tensor }): Tensor => mul(sum(p.w), c)
const w100 = { w: ones([10, 10]) }

describe('per-parameter thresholds', () => {
  it('vanishing: ||g||/||w|| below 1e-5 flags, above does not', () => {
    expect(VANISHING_GRAD_TO_PARAM).toBe(1e-5)
    const low = gradientHealth(scaled(0.5e-5), w100, null)
    near(low.params[0].gradToParam, 0.5e-5)
    expect(low.params[0].flags).toEqual(['vanishing'])
    expect(low.vanishing).toBe(true)
    expect(low.findings.join('\n')).toMatch(/vanishing: \|\|g\|\|\/\|\|w\|\| < 0\.00001 for 1 of 1 parameters \(lowest: params\.w 5\.00e-6\)/)
    const ok = gradientHealth(scaled(2e-5), w100, null)
    expect(ok.params[0].flags).toEqual([])
    expect(ok.vanishing).toBe(false)
  })

  it('exploding: a gradient norm above 1e3 flags, below does not', () => {
    expect(EXPLODING_GRAD_NORM).toBe(1e3)
    const hot = gradientHealth(scaled(101), w100, null) // ||g|| = 1010
    near(hot.params[0].gradNorm, 1010)
    expect(hot.params[0].flags).toContain('exploding')
    expect(hot.exploding).toBe(true)
    expect(hot.findings.some((f) => f.startsWith('exploding: global ||g|| = 1.01e+3 > 1000'))).toBe(true)
    expect(gradientHealth(scaled(99), w100, null).exploding).toBe(false)
  })

  it('a zero parameter (a fresh bias) has no ratio and is never called vanishing', () => {
    const r = gradientHealth((p: { b: Tensor }) => mul(sum(p.b), 1e-9), { b: tensor([0, 0]) }, null)
    expect(r.params[0].gradToParam).toBeNull()
    expect(r.params[0].flags).toEqual([])
  })

  it('thresholds can be overridden per call, and the report carries the ones used', () => {
    const r = gradientHealth(scaled(1e-3), w100, null, { thresholds: { vanishingGradToParam: 1e-2 } })
    expect(r.vanishing).toBe(true)
    expect(r.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, vanishingGradToParam: 1e-2 })
  })
})

describe('first/last layer ratio', () => {
  // Weights (rank 2) in leaf order: a.w, b.w, c.w; grads a, b, c per element.
  const layered = (a: number, b: number, c: number) => (p: { a: { w: Tensor; bias: Tensor }; b: { w: Tensor }; c: { w: Tensor } }): Tensor =>
    add(add(mul(sum(p.a.w), a), mul(sum(p.b.w), b)), add(mul(sum(p.c.w), c), sum(p.a.bias)))
  const params = { a: { w: ones([4, 4]), bias: ones([4]) }, b: { w: ones([4, 4]) }, c: { w: ones([4, 4]) } }

  it('is the first weight gradient norm over the last; below 1e-3 is vanishing', () => {
    expect(VANISHING_FIRST_TO_LAST).toBe(1e-3)
    const r = gradientHealth(layered(0.5e-3, 1, 1), params, null, { thresholds: { vanishingGradToParam: 0 } })
    expect(r.firstLayer).toBe('params.a.w')
    expect(r.lastLayer).toBe('params.c.w')
    near(r.firstToLast, 0.5e-3)
    expect(r.vanishing).toBe(true)
    expect(r.findings).toContain('vanishing: first/last layer ||g|| = 5.00e-4 (params.a.w / params.c.w) < 0.001')
    expect(gradientHealth(layered(2e-3, 1, 1), params, null).vanishing).toBe(false)
  })

  it('above 1e3 is exploding even when every norm is moderate', () => {
    const r = gradientHealth(layered(200, 1, 0.1), params, null, { thresholds: { explodingGradNorm: Infinity } })
    near(r.firstToLast, 2000)
    expect(r.exploding).toBe(true)
  })
})

describe('update-to-weight ratio', () => {
  it('from a learning rate: lr ||g|| / ||w||, flagged tiny below 1e-5 and large above 1e-1', () => {
    const r = gradientHealth(scaled(0.1), w100, null, { learningRate: 1e-3 })
    near(r.params[0].updateToWeight, 1e-4)
    expect(r.params[0].flags).toEqual([])
    expect(gradientHealth(scaled(0.1), w100, null, { learningRate: 1e-5 }).params[0].flags).toEqual(['tiny-update'])
    expect(gradientHealth(scaled(0.1), w100, null, { learningRate: 2 }).params[0].flags).toEqual(['large-update'])
  })

  it('from an optimizer and its state, without advancing the state', () => {
    const opt = sgd<typeof w100>(0.01)
    const r = gradientHealth(scaled(3), w100, null, { optimizer: { transformation: opt, state: opt.init(w100) } })
    near(r.params[0].updateNorm, 0.01 * 30)
    // Adam's first step moves every element by about lr: ||u|| / ||w|| = lr.
    const a = adam<typeof w100>(0.02)
    expect(gradientHealth(scaled(3), w100, null, { optimizer: { transformation: a, state: a.init(w100) } }).params[0].updateToWeight).toBeCloseTo(0.02, 5)
  })
})

describe('non-finite values and their origin', () => {
  it('counts non-finite gradient elements and names the forward op that made the first NaN', () => {
    const f = (p: { w: Tensor }): Tensor => sum(log(p.w))
    const r = gradientHealth(f, { w: tensor([1, -1, 2]) }, null)
    expect(r.nonFinite).toBe(true)
    expect(Number.isNaN(r.loss)).toBe(true)
    expect(r.nanOrigin).toMatchObject({ op: 'log', phase: 'forward', gradientOf: null })
    expect(r.findings[r.findings.length - 1]).toBe('first non-finite value: produced by log in the forward pass')
    expect(config.debugNans).toBe(false)
  })

  it('finds a NaN born in the backward pass (sqrt at 0 has an infinite derivative)', () => {
    const f = (p: { w: Tensor }): Tensor => sum(sqrt(p.w))
    const r = gradientHealth(f, { w: tensor([0, 4]) }, null)
    expect(r.loss).toBe(2)
    expect(r.params[0].nonFiniteGrads).toBe(1)
    expect(r.nanOrigin?.phase).toBe('backward')
    expect(r.nanOrigin?.gradientOf).toBe('sqrt')
  })

  it('names the layer path around the op when it ran inside layers', () => {
    const model = sequential(dense(3), activation(log))
    const { params, state } = model.init(key(0), [2])
    const f = (p: typeof params, x: Tensor): Tensor => sum(model.apply(p, state, x)[0])
    const where = locateNonFinite(f, params, tensor([[1, 2], [3, -4]]))
    expect(E.isLeft(where)).toBe(true)
    if (E.isLeft(where)) expect(where.left).toMatchObject({ op: 'log', within: 'sequential[1]', phase: 'forward' })
    expect(E.isRight(locateNonFinite((p: { w: Tensor }) => sum(p.w), { w: ones([2]) }, null))).toBe(true)
  })

  it('leaves debugNans as it found it, even when it was on', () => {
    config.debugNans = true
    try {
      gradientHealth((p: { w: Tensor }) => sum(p.w), { w: ones([2]) }, null)
      expect(config.debugNans).toBe(true)
    } finally {
      config.debugNans = false
    }
  })
})

describe('activation statistics', () => {
  it('dead ReLU units: zero for every example of the batch', () => {
    // 4 units; units 1 and 3 are 0 on both rows, unit 2 only on one.
    const r = measureActivation('h', observed('relu', tensor([[1, 0, 0, 0], [2, 0, 5, 0]])))
    expect(r.units).toBe(4)
    expect(r.deadFraction).toBe(0.5)
    expect(r.flags).toEqual([])
    expect(measureActivation('h', observed('relu', tensor([[1, 0, 0, 0], [0, 0, 0, 0]]))).flags).toEqual(['dead-relu'])
  })

  it('saturated sigmoid and tanh outputs, by the stated cut-offs', () => {
    const s = measureActivation('s', observed('sigmoid', sigmoid(tensor([[-10, 10, 0, 4]]))))
    expect(s.saturatedFraction).toBe(0.5) // sigmoid(4) = 0.982 is not within 0.01 of 1
    expect(s.flags).toEqual([]) // 0.5 is not above SATURATED_FRACTION
    const s2 = measureActivation('s', observed('sigmoid', sigmoid(tensor([[-10, 10, 0, 6]]))))
    expect(s2.saturatedFraction).toBe(0.75) // sigmoid(6) = 0.9975 is
    expect(s2.flags).toEqual(['saturated'])
    const t = measureActivation('t', observed('tanh', tanh(tensor([[-3, 3, 0.1, 2]]))))
    expect(t.saturatedFraction).toBe(0.5) // |tanh(3)| = 0.995 > 0.99; tanh(2) = 0.964 is not
    expect(measureActivation('t', observed('tanh', tanh(tensor([[-3, 3, 4, 2]])))).flags).toEqual(['saturated'])
  })

  it('come from a loss that returns [loss, activations], as applyWithActivations builds them', () => {
    const layers = [dense(8), activation(relu), dense(8), activation(sigmoid), dense(2)]
    const model = sequential(...layers)
    const { params, state } = model.init(key(1), [3])
    const x = tensor([[1, 2, 3], [-1, 0, 2]])
    const [y, , acts] = applyWithActivations(layers, params, state, x)
    expect(y.dataSync()).toEqual(model.apply(params, state, x)[0].dataSync())
    expect(Object.keys(acts)).toEqual(['layers[1] relu', 'layers[3] sigmoid'])
    const loss = (p: typeof params, b: Tensor): [Tensor, Activations] => {
      const [out, , a] = applyWithActivations(layers, p, state, b)
      return [sum(out), a]
    }
    const r = gradientHealth(loss, params, x)
    expect(r.activations.map((a) => [a.name, a.kind, a.shape])).toEqual([['layers[1] relu', 'relu', [2, 8]], ['layers[3] sigmoid', 'sigmoid', [2, 8]]])
    expect(r.params.map((p) => p.path)).toEqual(['params[0].b', 'params[0].w', 'params[2].b', 'params[2].w', 'params[4].b', 'params[4].w'])
  })

  it('healthFromGrads reports gradients already in hand', () => {
    const r = healthFromGrads(w100, { w: mul(ones([10, 10]), 1e-7) }, { loss: 1 })
    expect(r.loss).toBe(1)
    near(r.params[0].gradToParam, 1e-7)
    expect(r.vanishing).toBe(true)
    expect(() => healthFromGrads(w100, { w: ones([2]), v: ones([1]) } as never)).toThrow(/params have 1 leaves but grads 2/)
  })
})
