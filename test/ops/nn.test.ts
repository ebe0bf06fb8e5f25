/**
 * relu, sigmoid, clip, logSumExp, softmax, logSoftmax and norm (src/ops/nn.ts) against float64
 * formulas computed with Math: over axes, stable for large inputs, and with -Infinity entries
 * contributing nothing. Runs once per backend (js and wasm).
 */

import { describe, expect, it } from 'vitest'
import { clip, logSoftmax, logSumExp, norm, relu, sigmoid, softmax, tensor, type Tensor } from '../../src/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'

const f64 = (v: number[] | number[][]): Tensor => tensor(v, { dtype: 'float64' })
const tight = { atol: 1e-15, rtol: 1e-14 }

describe('relu, sigmoid, clip', () => {
  it('relu', () => {
    expect(relu(tensor([-2, 0, 3.5])).arraySync()).toEqual([0, 0, 3.5])
    expect(relu(f64([[-1, 1]])).shape).toEqual([1, 2])
  })

  it('sigmoid equals 1 / (1 + e^-x), without overflow at the extremes', () => {
    const x = [-5, -1, 0, 0.5, 3]
    expectClose(sigmoid(f64(x)), x.map((v) => 1 / (1 + Math.exp(-v))), tight)
    expectClose(sigmoid(f64([-1000, 1000])), [0, 1])
    expectClose(sigmoid(tensor([-100, 100])), [0, 1])
  })

  it('clip limits to [lo, hi]', () => {
    expect(clip(tensor([-3, -1, 0, 1, 3]), -1, 2).arraySync()).toEqual([-1, -1, 0, 1, 2])
    expect(clip(f64([5]), 0, 1).dtype).toBe('float64')
  })
})

describe('logSumExp', () => {
  it('matches log(sum(exp(x))) for ordinary inputs, over axes', () => {
    const x = [[1, 2, 3], [-1, 0, 4]]
    const lse = (r: number[]): number => Math.log(r.reduce((s, v) => s + Math.exp(v), 0))
    expectClose(logSumExp(f64(x)), lse(x.flat()), tight)
    expectClose(logSumExp(f64(x), { axis: 1 }), x.map(lse), tight)
    expectClose(logSumExp(f64(x), { axis: 0 }), [lse([1, -1]), lse([2, 0]), lse([3, 4])], tight)
    const k = logSumExp(f64(x), { axis: -1, keepDims: true })
    expect(k.shape).toEqual([2, 1])
    expectClose(k, x.map((r) => [lse(r)]), tight)
    expect(logSumExp(f64(x)).shape).toEqual([])
  })

  it('is stable for large inputs', () => {
    expectClose(logSumExp(tensor([1000, 1000])), 1000 + Math.log(2), { rtol: 1e-7 })
    expectClose(logSumExp(f64([-1000, -1000])), -1000 + Math.log(2), tight)
    expectClose(logSumExp(f64([[1e308, 1e308]]), { axis: 1 }), [1e308], tight)
  })

  it('-Infinity entries contribute nothing; an all -Infinity slice gives -Infinity', () => {
    expectClose(logSumExp(f64([-Infinity, 0, 0])), Math.log(2), tight)
    expectClose(logSumExp(f64([[-Infinity, -Infinity], [0, -Infinity]]), { axis: 1 }), [-Infinity, 0])
    expectClose(logSumExp(f64([Infinity, 0])), Infinity)
  })

  it('invalid axis', () => {
    expectError(() => logSumExp(f64([1, 2]), { axis: 1 }), 'INVALID_AXIS')
  })
})

describe('softmax and logSoftmax', () => {
  it('softmax over the last axis by default, rows sum to 1', () => {
    const x = [[1, 2, 3], [0, 0, 0]]
    const sm = (r: number[]): number[] => {
      const e = r.map(Math.exp), s = e.reduce((a, b) => a + b, 0)
      return e.map((v) => v / s)
    }
    const y = softmax(f64(x))
    expectClose(y, x.map(sm), tight)
    expectClose(softmax(f64(x), 0), [[sm([1, 0])[0], sm([2, 0])[0], sm([3, 0])[0]], [sm([1, 0])[1], sm([2, 0])[1], sm([3, 0])[1]]], tight)
  })

  it('is stable for large inputs: [1000, 1000] -> [0.5, 0.5]', () => {
    expectClose(softmax(tensor([1000, 1000])), [0.5, 0.5])
    expectClose(softmax(f64([1000, 1001])), [1 / (1 + Math.E), Math.E / (1 + Math.E)], tight)
    expectClose(softmax(f64([-1000, -1000, -1000])), [1 / 3, 1 / 3, 1 / 3], tight)
  })

  it('-Infinity logits get probability 0 (masking)', () => {
    expectClose(softmax(f64([-Infinity, 0, 0])), [0, 0.5, 0.5], tight)
    expectClose(softmax(f64([[0, -Infinity], [-Infinity, 5]])), [[1, 0], [0, 1]], tight)
  })

  it('logSoftmax = x - logSumExp(x), stable for large inputs', () => {
    expectClose(logSoftmax(f64([1, 2, 3])), [1, 2, 3].map((v) => v - 3 - Math.log(1 + Math.exp(-1) + Math.exp(-2))), tight)
    // 1000 - (1000 + log 3) keeps the absolute precision of 1000 (about 1e-13), not more.
    expectClose(logSoftmax(f64([[1000, 1000, 1000]])), [[-Math.log(3), -Math.log(3), -Math.log(3)]], { atol: 1e-12 })
    expectClose(logSoftmax(tensor([1000, 1000])), [-Math.log(2), -Math.log(2)])
    expectClose(logSoftmax(f64([-Infinity, 0])), [-Infinity, 0])
    // Along axis 0 each column is (c, c + 1): log-probabilities -1 - L and -L with L = log(1 + e^-1).
    const L = Math.log(1 + Math.exp(-1))
    expectClose(logSoftmax(f64([[1, 3], [2, 4]]), 0), [[-1 - L, -1 - L], [-L, -L]], tight)
  })
})

describe('norm', () => {
  it('Euclidean norm over everything or over axes', () => {
    expectClose(norm(f64([3, 4])), 5, tight)
    expectClose(norm(f64([[3, 4], [6, 8]]), { axis: 1 }), [5, 10], tight)
    expectClose(norm(f64([[3, 4], [6, 8]]), { axis: 0, keepDims: true }), [[Math.sqrt(45), Math.sqrt(80)]], tight)
    expect(norm(f64([0, 0])).item()).toBe(0)
  })
})
