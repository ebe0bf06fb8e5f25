/**
 * The activations (src/layers/activations.ts) in float64 against independent closed forms: values,
 * first derivatives (reverse mode) and second derivatives (forward over reverse), and the softmax
 * and logSoftmax gradients; finite values and derivatives at |x| up to 1e4 in float32 and float64;
 * precision of softplus, softmax and logSoftmax at extreme inputs; the documented derivatives at
 * kinks; and the law kit's checkGrads at order 2.
 */

import { describe, expect, it } from 'vitest'
import { grad, jvp, mul, onesLike, sum, tensor, type Tensor } from '../../src/index.js'
import { checkGrads } from '../../laws/index.js'
import {
  elu, gelu, geluTanh, leakyRelu, logSoftmax, mish, relu, selu, sigmoid, silu, softmax, softplus, swish, tanh,
  SELU_ALPHA, SELU_SCALE,
} from '../../src/layers/activations.js'
import { expectClose, seededValues } from '../helpers/allclose.js'

const f64 = (v: readonly number[]): Tensor => tensor([...v], { dtype: 'float64' })
const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)

/** Elementwise first derivative by reverse mode: grad of sum(f(x)). */
const d1 = (f: (x: Tensor) => Tensor, x: Tensor): Tensor => grad((y: Tensor) => sum(f(y)))(x)
/** Elementwise second derivative: forward over reverse, along a tangent of ones. */
const d2 = (f: (x: Tensor) => Tensor, x: Tensor): Tensor => jvp((y: Tensor) => d1(f, y), [x], [onesLike(x)])[1]

// Independent float64 references, written from the definitions.
const sig = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
const sp = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
/** erf by its Taylor series (|x| <= 3, ~1e-13) and the Laplace continued fraction beyond. */
const erfRef = (x: number): number => {
  const a = Math.abs(x)
  if (a > 3) {
    let r = a
    for (let k = 200; k >= 1; k--) r = a + (k / 2) / r
    return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / r)
  }
  let term = x, s = x
  for (let n = 1; n < 200; n++) { term *= (-x * x) / n; s += term / (2 * n + 1) }
  return (2 / Math.sqrt(Math.PI)) * s
}
const Phi = (x: number): number => 0.5 * (1 + erfRef(x / Math.SQRT2))
const phi = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)
const sech2 = (x: number): number => 1 - Math.tanh(x) ** 2
const GC = Math.sqrt(2 / Math.PI)

interface Case {
  readonly name: string
  readonly f: (x: Tensor) => Tensor
  readonly value: (x: number) => number
  readonly deriv: (x: number) => number
  readonly second?: (x: number) => number
}

const cases: Case[] = [
  { name: 'sigmoid', f: sigmoid, value: sig, deriv: (x) => sig(x) * (1 - sig(x)), second: (x) => sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)) },
  { name: 'tanh', f: tanh, value: Math.tanh, deriv: sech2, second: (x) => -2 * Math.tanh(x) * sech2(x) },
  { name: 'relu', f: relu, value: (x) => Math.max(x, 0), deriv: (x) => (x > 0 ? 1 : 0), second: () => 0 },
  { name: 'leakyRelu', f: (x) => leakyRelu(x, 0.1), value: (x) => (x > 0 ? x : 0.1 * x), deriv: (x) => (x > 0 ? 1 : 0.1), second: () => 0 },
  { name: 'elu', f: (x) => elu(x, 1.5), value: (x) => (x > 0 ? x : 1.5 * Math.expm1(x)), deriv: (x) => (x > 0 ? 1 : 1.5 * Math.exp(x)), second: (x) => (x > 0 ? 0 : 1.5 * Math.exp(x)) },
  {
    name: 'selu', f: selu, value: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    deriv: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)), second: (x) => (x > 0 ? 0 : SELU_SCALE * SELU_ALPHA * Math.exp(x)),
  },
  { name: 'softplus', f: softplus, value: sp, deriv: sig, second: (x) => sig(x) * (1 - sig(x)) },
  { name: 'silu', f: silu, value: (x) => x * sig(x), deriv: (x) => sig(x) * (1 + x * (1 - sig(x))), second: (x) => sig(x) * (1 - sig(x)) * (2 + x * (1 - 2 * sig(x))) },
  { name: 'swish(beta 2)', f: (x) => swish(x, 2), value: (x) => x * sig(2 * x), deriv: (x) => sig(2 * x) + 2 * x * sig(2 * x) * (1 - sig(2 * x)) },
  { name: 'mish', f: mish, value: (x) => x * Math.tanh(sp(x)), deriv: (x) => Math.tanh(sp(x)) + x * sech2(sp(x)) * sig(x) },
  { name: 'gelu', f: gelu, value: (x) => x * Phi(x), deriv: (x) => Phi(x) + x * phi(x), second: (x) => phi(x) * (2 - x * x) },
  {
    name: 'gelu (tanh)', f: geluTanh, value: (x) => 0.5 * x * (1 + Math.tanh(GC * (x + 0.044715 * x ** 3))),
    deriv: (x) => { const u = GC * (x + 0.044715 * x ** 3); return 0.5 * (1 + Math.tanh(u)) + 0.5 * x * sech2(u) * GC * (1 + 3 * 0.044715 * x * x) },
  },
]

// A grid avoiding 0 (the kinks are tested separately) plus moderately large values.
const grid = [...seededValues(24, 7, -6, 6).filter((v) => Math.abs(v) > 1e-3), -20, -3.5, -0.25, 0.25, 3.5, 20]

describe('activation values and derivatives against closed forms (float64)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const x = f64(grid)
      expectClose(c.f(x), grid.map(c.value), { atol: 1e-13, rtol: 1e-12 })
      expectClose(d1(c.f, x), grid.map(c.deriv), { atol: 1e-13, rtol: 1e-11 })
      if (c.second !== undefined) expectClose(d2(c.f, x), grid.map(c.second), { atol: 1e-13, rtol: 1e-10 })
    })
  }

  it('gelu exact and tanh forms agree to about 1e-3, as the approximation promises', () => {
    const x = f64(seededValues(50, 3, -5, 5))
    const diff = vals(gelu(x)).map((v, i) => Math.abs(v - vals(geluTanh(x))[i]))
    expect(Math.max(...diff)).toBeLessThan(1e-3)
    expect(vals(gelu(x, { approximate: true }))).toEqual(vals(geluTanh(x)))
  })
})

describe('stability for large |x|', () => {
  const big = [-1e4, -1000, -100, 100, 1000, 1e4]
  for (const c of cases) {
    it(`${c.name} has finite values and derivatives at |x| up to 1e4, in float32 and float64`, () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const x = tensor(big, { dtype })
        const y = vals(c.f(x)), g = vals(d1(c.f, x))
        expect(y.every(Number.isFinite), `${c.name} ${dtype} values ${y}`).toBe(true)
        expect(g.every(Number.isFinite), `${c.name} ${dtype} derivatives ${g}`).toBe(true)
        if (dtype === 'float64') expectClose(y, big.map(c.value), { atol: 1e-12, rtol: 1e-12 })
        if (dtype === 'float64') expectClose(g, big.map(c.deriv), { atol: 1e-12, rtol: 1e-12 })
      }
    })
  }

  it('softplus keeps log1p precision near 0 and for very negative x, and its second derivative is finite', () => {
    expectClose(softplus(f64([-50, -745, 1e-10])), [Math.exp(-50), Math.exp(-745), Math.log1p(Math.exp(1e-10))], { atol: 0, rtol: 1e-14 })
    expect(vals(d2(softplus, f64([-1000, 1000, 40, 40.5]))).every(Number.isFinite)).toBe(true)
    // At the switch to the identity the derivative is whole: sigmoid(40) = 1 - 4e-18, i.e. 1.
    expect(vals(d1(softplus, f64([40, 39.999])))).toEqual([1, 1])
  })

  it('softmax and logSoftmax are exact for huge logits and -Infinity', () => {
    const x = f64([1000, 1001, 1002])
    const e = [Math.exp(-2), Math.exp(-1), 1], z = e[0] + e[1] + e[2]
    expectClose(softmax(x), e.map((v) => v / z), { atol: 1e-15, rtol: 1e-14 })
    expectClose(logSoftmax(x), e.map((v) => Math.log(v / z)), { atol: 1e-13, rtol: 1e-13 })
    expectClose(softmax(f64([0, -Infinity])), [1, 0], { atol: 0, rtol: 0 })
  })
})

describe('derivatives at kinks (documented conventions)', () => {
  it('relu has derivative 0 at 0; leakyRelu alpha; elu and selu their left derivatives', () => {
    const zero = f64([0])
    expect(vals(d1(relu, zero))).toEqual([0])
    expect(vals(d1((x) => leakyRelu(x, 0.2), zero))).toEqual([0.2])
    expect(vals(d1((x) => elu(x, 2), zero))).toEqual([2])
    expect(vals(d1(selu, zero))[0]).toBeCloseTo(SELU_SCALE * SELU_ALPHA, 14)
  })

  it('the smooth ones have their true derivatives at 0, to second order', () => {
    const zero = f64([0])
    expect(vals(d1(softplus, zero))).toEqual([0.5])
    expect(vals(d2(softplus, zero))).toEqual([0.25])
    expect(vals(d1(gelu, zero))).toEqual([0.5])
    expect(vals(d2(gelu, zero))[0]).toBeCloseTo(2 / Math.sqrt(2 * Math.PI), 14)
    expect(vals(d1(silu, zero))).toEqual([0.5])
    expect(vals(d1(mish, zero))[0]).toBeCloseTo(Math.tanh(Math.LN2), 14)
  })
})

describe('softmax and logSoftmax derivatives against closed forms', () => {
  it('grad <w, softmax(x)> = s (w - <w, s>) and grad <w, logSoftmax(x)> = w - s sum(w), per row', () => {
    const xv = seededValues(8, 11, -3, 3), wv = seededValues(8, 12)
    const x = tensor(xv, { shape: [2, 4], dtype: 'float64' }), w = tensor(wv, { shape: [2, 4], dtype: 'float64' })
    const s = (softmax(x).arraySync() as number[][])
    const want1: number[] = [], want2: number[] = []
    for (let r = 0; r < 2; r++) {
      const wr = wv.slice(r * 4, r * 4 + 4)
      const dot = wr.reduce((a, v, j) => a + v * s[r][j], 0), tot = wr.reduce((a, v) => a + v, 0)
      for (let j = 0; j < 4; j++) { want1.push(s[r][j] * (wr[j] - dot)); want2.push(wr[j] - s[r][j] * tot) }
    }
    expectClose(vals(grad((y: Tensor) => sum(mul(w, softmax(y))))(x)), want1, { atol: 1e-14, rtol: 1e-12 })
    expectClose(vals(grad((y: Tensor) => sum(mul(w, logSoftmax(y))))(x)), want2, { atol: 1e-14, rtol: 1e-12 })
  })
})

describe('law kit: checkGrads (order 2, float64)', () => {
  const x = f64(seededValues(12, 5, -3, 3).map((v) => (Math.abs(v) < 0.05 ? v + 0.2 : v)))
  const all: [string, (x: Tensor) => Tensor][] = [
    ...cases.map((c) => [c.name, c.f] as [string, (x: Tensor) => Tensor]),
    ['softmax', (y) => softmax(y.reshape([3, 4]))],
    ['logSoftmax', (y) => logSoftmax(y.reshape([3, 4]))],
  ]
  for (const [name, f] of all) it(name, () => checkGrads(f, [x], { order: 2 }))
})
