/**
 * The JS backend's elementwise kernels (src/backends/js/elementwise.ts): binary ops under numpy
 * broadcasting, unary ops, comparisons and where, cast and stopGradient, on every dtype they take.
 */

import { describe, it, expect } from 'vitest'
import type { DType, TypedArray } from '../../../src/core/dtype.js'
import { K, f64, f32, i32, bool, out, arr, expectNear, type In } from './kernel-inputs.js'

describe('elementwise binary with broadcasting', () => {
  it('broadcasts [2,1,3] with [4,1] to [2,4,3]', () => {
    const a = f64([2, 1, 3], [1, 2, 3, 4, 5, 6])
    const b = f64([4, 1], [10, 20, 30, 40])
    const y = K.add([a, b], {}, out([2, 4, 3]))
    const expected: number[] = []
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 3; k++) expected.push(a.data[i * 3 + k] + b.data[j])
    expect(arr(y)).toEqual(expected)
    expect(y).toBeInstanceOf(Float64Array)
  })

  it('handles same-shape, scalar-left, scalar-right and rank-0 operands', () => {
    expect(arr(K.sub([f64([2, 2], [5, 6, 7, 8]), f64([2, 2], [1, 1, 2, 2])], {}, out([2, 2])))).toEqual([4, 5, 5, 6])
    expect(arr(K.sub([f64([], [10]), f64([3], [1, 2, 3])], {}, out([3])))).toEqual([9, 8, 7])
    expect(arr(K.div([f64([3], [1, 2, 3]), f64([1], [2])], {}, out([3])))).toEqual([0.5, 1, 1.5])
    expect(arr(K.mul([f64([], [3]), f64([], [4])], {}, out([])))).toEqual([12])
  })

  it('broadcasts a lower-rank row against a matrix and strided middle axes', () => {
    expect(arr(K.mul([f64([2, 3], [1, 2, 3, 4, 5, 6]), f64([3], [1, 10, 100])], {}, out([2, 3])))).toEqual([1, 20, 300, 4, 50, 600])
    // [2,1] x [1,3] (outer product) and [3,1,2] x [1,2,1] (both operands stretched).
    expect(arr(K.mul([f64([2, 1], [2, 3]), f64([1, 3], [1, 10, 100])], {}, out([2, 3])))).toEqual([2, 20, 200, 3, 30, 300])
    const y = K.add([f64([3, 1, 2], [0, 1, 2, 3, 4, 5]), f64([1, 2, 1], [100, 200])], {}, out([3, 2, 2]))
    expect(arr(y)).toEqual([100, 101, 200, 201, 102, 103, 202, 203, 104, 105, 204, 205])
  })

  it('rounds to float32 and wraps int32 through the typed-array store', () => {
    const y = K.add([f32([2], [0.1, 1]), f32([2], [0.2, 2 ** -30])], {}, out([2], 'float32'))
    expect(y).toBeInstanceOf(Float32Array)
    expect(y[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2)))
    expect(y[1]).toBe(1)
    const w = K.add([i32([2], [2 ** 31 - 1, -5]), i32([], [1])], {}, out([2], 'int32'))
    expect(w).toBeInstanceOf(Int32Array)
    expect(arr(w)).toEqual([-(2 ** 31), -4])
    expect(arr(K.div([i32([3], [7, -7, 1]), i32([3], [2, 2, 3])], {}, out([3], 'int32')))).toEqual([3, -3, 0])
    expect(arr(K.mul([i32([1], [65536]), i32([1], [65536])], {}, out([1], 'int32')))).toEqual([0])
  })

  it('maximum and minimum propagate NaN; pow is Math.pow', () => {
    const a = f64([4], [1, NaN, 3, -0.5])
    const b = f64([4], [2, 0, NaN, -1])
    expectNear(K.maximum([a, b], {}, out([4])), [2, NaN, NaN, -0.5])
    expectNear(K.minimum([a, b], {}, out([4])), [1, NaN, NaN, -1])
    expectNear(K.pow([f64([4], [2, 9, -8, 0]), f64([4], [10, 0.5, 1 / 3, 0])], {}, out([4])), [1024, 3, NaN, 1])
  })
})

describe('elementwise unary', () => {
  const un = (p: 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'sqrt' | 'tanh' | 'abs' | 'sign' | 'floor' | 'ceil' | 'round' | 'erf' | 'log1p' | 'expm1', xs: number[]): number[] =>
    arr(K[p]([f64([xs.length], xs)], {}, out([xs.length])))

  it('computes the Math-backed functions', () => {
    expect(un('neg', [1, -2, 0])).toEqual([-1, 2, -0])
    expect(un('exp', [0, 1])).toEqual([1, Math.E])
    expect(un('log', [1, Math.E, 0, -1])).toEqual([0, 1, -Infinity, NaN])
    expect(un('sin', [0, Math.PI / 2])).toEqual([0, 1])
    expect(un('cos', [0, Math.PI])).toEqual([1, -1])
    expect(un('sqrt', [4, 2, -1])).toEqual([2, Math.SQRT2, NaN])
    expect(un('tanh', [0, 1, 100])).toEqual([0, Math.tanh(1), 1])
    expect(un('abs', [-3, 3, -0])).toEqual([3, 3, 0])
    expect(un('floor', [1.5, -1.5, 2])).toEqual([1, -2, 2])
    expect(un('ceil', [1.5, -1.5, 2])).toEqual([2, -1, 2])
    expect(un('log1p', [1e-10, 0])[0]).toBe(1e-10 - 5e-21)
    expect(un('expm1', [1e-10, 0])).toEqual([1.00000000005e-10, 0])
  })

  it('sign keeps zero and NaN, also on int32', () => {
    expectNear(un('sign', [-2.5, 0, 3, NaN]), [-1, 0, 1, NaN])
    expect(arr(K.sign([i32([3], [-7, 0, 9])], {}, out([3], 'int32')))).toEqual([-1, 0, 1])
    expect(arr(K.neg([i32([2], [-(2 ** 31), 5])], {}, out([2], 'int32')))).toEqual([-(2 ** 31), -5])
  })

  it('rounds half to even', () => {
    expect(un('round', [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5, 2.4, 2.6, -2.6, 0.49999999999999994, 4503599627370497]))
      .toEqual([0, 2, 2, 4, -0, -2, -2, -4, 2, 3, -3, 0, 4503599627370497])
  })

  it('computes erf to ~1e-15 relative', () => {
    const xs = [0.5, 1, 2, -3, 0.01, 0.3, 1e-20, 4.5, 7, -Infinity]
    const ref = [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.9999779095030014, 0.011283415555849618,
      0.3286267594591274, 1.1283791670955126e-20, 0.9999999998033839, 1, -1]
    const ys = un('erf', xs)
    for (let i = 0; i < xs.length; i++) expect(Math.abs(ys[i] - ref[i])).toBeLessThanOrEqual(1e-15 * Math.abs(ref[i]))
    expect(un('erf', [NaN])[0]).toBeNaN()
    expect(Object.is(un('erf', [-0])[0], -0)).toBe(true)
  })
})

describe('comparisons and where', () => {
  it('outputs bool as 0/1 with broadcasting', () => {
    const a = f64([2, 2], [1, 2, 3, NaN])
    const b = f64([2], [2, 2])
    const cmp = (p: 'equal' | 'notEqual' | 'less' | 'lessEqual' | 'greater' | 'greaterEqual'): number[] => {
      const y = K[p]([a, b], {}, out([2, 2], 'bool'))
      expect(y).toBeInstanceOf(Uint8Array)
      return arr(y)
    }
    expect(cmp('equal')).toEqual([0, 1, 0, 0])
    expect(cmp('notEqual')).toEqual([1, 0, 1, 1])
    expect(cmp('less')).toEqual([1, 0, 0, 0])
    expect(cmp('lessEqual')).toEqual([1, 1, 0, 0])
    expect(cmp('greater')).toEqual([0, 0, 1, 0])
    expect(cmp('greaterEqual')).toEqual([0, 1, 1, 0])
  })

  it('where broadcasts all three operands', () => {
    const cond = bool([2, 1], [1, 0])
    const a = f64([3], [1, 2, 3])
    const b = f64([], [-1])
    expect(arr(K.where([cond, a, b], {}, out([2, 3])))).toEqual([1, 2, 3, -1, -1, -1])
    const same = K.where([bool([3], [0, 1, 0]), f64([3], [1, 2, 3]), f64([3], [4, 5, 6])], {}, out([3]))
    expect(arr(same)).toEqual([4, 2, 6])
  })
})

describe('cast and stopGradient', () => {
  it('follows the conversion rules', () => {
    const c = (x: In, dtype: DType): TypedArray => K.cast([x], { dtype }, out(x.shape, dtype))
    const fl = f64([6], [1.9, -1.9, 0, NaN, 2 ** 31, -0.5])
    const toI = c(fl, 'int32')
    expect(toI).toBeInstanceOf(Int32Array)
    expect(arr(toI)).toEqual([1, -1, 0, 0, -(2 ** 31), 0])
    const toB = c(fl, 'bool')
    expect(toB).toBeInstanceOf(Uint8Array)
    expect(arr(toB)).toEqual([1, 1, 0, 1, 1, 1])
    expect(arr(c(bool([3], [1, 0, 1]), 'float32'))).toEqual([1, 0, 1])
    expect(arr(c(i32([2], [0, -3]), 'bool'))).toEqual([0, 1])
    const f = c(f64([1], [0.1]), 'float32')
    expect(f).toBeInstanceOf(Float32Array)
    expect(f[0]).toBe(Math.fround(0.1))
    expect(arr(c(i32([2], [3, -4]), 'float64'))).toEqual([3, -4])
  })

  it('stopGradient returns its input buffer', () => {
    const x = f64([2], [1, 2])
    expect(K.stopGradient([x], {}, out([2]))).toBe(x.data)
  })
})
