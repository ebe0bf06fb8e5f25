import { describe, it, expect } from 'vitest'
import { createJsBackend } from '../../../src/backends/js/index.js'
import type { KernelInput } from '../../../src/backends/backend.js'
import type { DType, TypedArray } from '../../../src/core/dtype.js'
import { PuregradError } from '../../../src/core/errors.js'
import type { Conv2dParams, Pool2dParams } from '../../../src/diff/primitives.js'

const backend = createJsBackend()
const K = backend.kernels

type In = KernelInput<TypedArray>
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1)
const f64 = (shape: number[], values: ArrayLike<number>): In => ({ data: Float64Array.from(values), shape, dtype: 'float64' })
const f32 = (shape: number[], values: ArrayLike<number>): In => ({ data: Float32Array.from(values), shape, dtype: 'float32' })
const i32 = (shape: number[], values: ArrayLike<number>): In => ({ data: Int32Array.from(values), shape, dtype: 'int32' })
const bool = (shape: number[], values: ArrayLike<number>): In => ({ data: Uint8Array.from(values), shape, dtype: 'bool' })
const out = (shape: readonly number[], dtype: DType = 'float64') => ({ shape, dtype })
const arr = (t: TypedArray): number[] => Array.from(t)

/** Deterministic pseudo-random values in [-1, 1). */
const rand = (n: number, seed: number): Float64Array => {
  let s = seed >>> 0
  const r = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    r[i] = s / 2 ** 31 - 1
  }
  return r
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}
const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void => {
  expect(actual.length).toBe(expected.length)
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]
    if (Number.isNaN(e)) expect(actual[i]).toBeNaN()
    else expect(Math.abs(actual[i] - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)))
  }
}

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
    expectClose(K.maximum([a, b], {}, out([4])), [2, NaN, NaN, -0.5])
    expectClose(K.minimum([a, b], {}, out([4])), [1, NaN, NaN, -1])
    expectClose(K.pow([f64([4], [2, 9, -8, 0]), f64([4], [10, 0.5, 1 / 3, 0])], {}, out([4])), [1024, 3, NaN, 1])
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
    expectClose(un('sign', [-2.5, 0, 3, NaN]), [-1, 0, 1, NaN])
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

describe('reductions', () => {
  const x = f64([2, 3, 4], Array.from({ length: 24 }, (_, i) => i))
  const at = (i: number, j: number, k: number): number => i * 12 + j * 4 + k

  it('sums over several axes, with and without keepDims', () => {
    const expected = [0, 1, 2, 3].map((k) => [0, 1].reduce((s, i) => s + [0, 1, 2].reduce((t, j) => t + at(i, j, k), 0), 0))
    expect(arr(K.sum([x], { axes: [0, 1], keepDims: false }, out([4])))).toEqual(expected)
    expect(arr(K.sum([x], { axes: [0, 1], keepDims: true }, out([1, 1, 4])))).toEqual(expected)
    expect(arr(K.sum([x], { axes: [0, 2], keepDims: false }, out([3])))).toEqual([60, 92, 124])
    expect(arr(K.sum([x], { axes: [1], keepDims: true }, out([2, 1, 4])))).toEqual([12, 15, 18, 21, 48, 51, 54, 57])
    expect(arr(K.sum([x], { axes: [0, 1, 2], keepDims: false }, out([])))).toEqual([276])
    expect(arr(K.sum([x], { axes: [], keepDims: false }, out([2, 3, 4])))).toEqual(arr(x.data))
  })

  it('sums float32 in float64 and int32 exactly', () => {
    const many = f32([1000], new Array(1000).fill(0.1))
    expect(K.sum([many], { axes: [0], keepDims: false }, out([], 'float32'))[0]).toBe(Math.fround(1000 * Math.fround(0.1)))
    expect(arr(K.sum([i32([2, 2], [1, 2, 3, 4])], { axes: [1], keepDims: false }, out([2], 'int32')))).toEqual([3, 7])
  })

  it('max over axes propagates NaN', () => {
    const y = f64([2, 3], [1, 5, -2, 7, NaN, 0])
    expectClose(K.max([y], { axes: [1], keepDims: false }, out([2])), [5, NaN])
    expectClose(K.max([y], { axes: [0], keepDims: true }, out([1, 3])), [7, NaN, 0])
    expect(arr(K.max([x], { axes: [0, 2], keepDims: false }, out([3])))).toEqual([at(1, 0, 3), at(1, 1, 3), at(1, 2, 3)])
  })

  it('empty axes: sum is 0, max is -Infinity', () => {
    const e = f64([2, 0], [])
    expect(arr(K.sum([e], { axes: [1], keepDims: false }, out([2])))).toEqual([0, 0])
    expect(arr(K.max([e], { axes: [1], keepDims: false }, out([2])))).toEqual([-Infinity, -Infinity])
  })

  it('argmax takes the first max, and the first NaN over anything', () => {
    const y = f64([3, 4], [1, 3, 3, 0, NaN, 2, NaN, 9, -Infinity, -Infinity, -Infinity, -Infinity])
    const r1 = K.argmax([y], { axis: 1, keepDims: false }, out([3], 'int32'))
    expect(r1).toBeInstanceOf(Int32Array)
    expect(arr(r1)).toEqual([1, 0, 0])
    expect(arr(K.argmax([y], { axis: 0, keepDims: true }, out([1, 4], 'int32')))).toEqual([1, 0, 1, 1])
    expect(arr(K.argmax([x], { axis: 1, keepDims: false }, out([2, 4], 'int32')))).toEqual([2, 2, 2, 2, 2, 2, 2, 2])
  })

  it('cumsum forward and reverse, inclusive', () => {
    const y = f64([2, 3], [1, 2, 3, 4, 5, 6])
    expect(arr(K.cumsum([y], { axis: 1, reverse: false }, out([2, 3])))).toEqual([1, 3, 6, 4, 9, 15])
    expect(arr(K.cumsum([y], { axis: 1, reverse: true }, out([2, 3])))).toEqual([6, 5, 3, 15, 11, 6])
    expect(arr(K.cumsum([y], { axis: 0, reverse: false }, out([2, 3])))).toEqual([1, 2, 3, 5, 7, 9])
    expect(arr(K.cumsum([y], { axis: 0, reverse: true }, out([2, 3])))).toEqual([5, 7, 9, 4, 5, 6])
  })
})

describe('matmul', () => {
  /** Naive reference on logical (already transposed) operands with batch broadcasting. */
  const naive = (a: In, b: In, ta: boolean, tb: boolean, outShape: number[]): number[] => {
    const r = outShape.length
    const [m, n] = [outShape[r - 2], outShape[r - 1]]
    const k = ta ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1]
    const batch = outShape.slice(0, r - 2)
    const matIndex = (shape: readonly number[], bIdx: number[]): number => {
      const bs = shape.slice(0, shape.length - 2)
      let idx = 0
      for (let d = 0; d < bs.length; d++) idx = idx * bs[d] + (bs[d] === 1 ? 0 : bIdx[bIdx.length - bs.length + d])
      return idx
    }
    const res: number[] = []
    for (let bi = 0; bi < size(batch); bi++) {
      const bIdx: number[] = []
      let rem = bi
      for (let d = batch.length - 1; d >= 0; d--) { bIdx.unshift(rem % batch[d]); rem = Math.floor(rem / batch[d]) }
      const ao = matIndex(a.shape, bIdx) * m * k
      const bo = matIndex(b.shape, bIdx) * k * n
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++) s += a.data[ao + (ta ? p * m + i : i * k + p)] * b.data[bo + (tb ? j * k + p : p * n + j)]
        res.push(s)
      }
    }
    return res
  }

  it('computes a small product by hand', () => {
    const a = f64([2, 3], [1, 2, 3, 4, 5, 6])
    const b = f64([3, 2], [7, 8, 9, 10, 11, 12])
    expect(arr(K.matmul([a, b], { transposeA: false, transposeB: false }, out([2, 2])))).toEqual([58, 64, 139, 154])
  })

  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      it(`matches a naive loop with transposeA=${ta} transposeB=${tb} and batch broadcasting`, () => {
        const [m, k, n] = [3, 5, 4]
        const aShape = [2, 1, ...(ta ? [k, m] : [m, k])]
        const bShape = [3, ...(tb ? [n, k] : [k, n])]
        const a = f64(aShape, rand(size(aShape), 1))
        const b = f64(bShape, rand(size(bShape), 2))
        const oShape = [2, 3, m, n]
        const y = K.matmul([a, b], { transposeA: ta, transposeB: tb }, out(oShape))
        expectClose(y, naive(a, b, ta, tb, oShape))
        const a32 = f32(aShape, a.data)
        const b32 = f32(bShape, b.data)
        const y32 = K.matmul([a32, b32], { transposeA: ta, transposeB: tb }, out(oShape, 'float32'))
        expect(y32).toBeInstanceOf(Float32Array)
        expectClose(y32, naive(a32, b32, ta, tb, oShape), 1e-6)
      })
    }
  }
})

describe('movement', () => {
  const x = f64([2, 3, 4], Array.from({ length: 24 }, (_, i) => i))

  it('reshape returns the input buffer', () => {
    expect(K.reshape([x], { shape: [6, 4] }, out([6, 4]))).toBe(x.data)
  })

  it('transposes', () => {
    expect(arr(K.transpose([f64([2, 3], [1, 2, 3, 4, 5, 6])], { perm: [1, 0] }, out([3, 2])))).toEqual([1, 4, 2, 5, 3, 6])
    const y = K.transpose([x], { perm: [2, 0, 1] }, out([4, 2, 3]))
    const expected: number[] = []
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(i * 12 + j * 4 + k)
    expect(arr(y)).toEqual(expected)
  })

  it('broadcastTo', () => {
    expect(arr(K.broadcastTo([f64([3, 1], [1, 2, 3])], { shape: [2, 3, 2] }, out([2, 3, 2])))).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
    expect(arr(K.broadcastTo([f64([], [7])], { shape: [3] }, out([3])))).toEqual([7, 7, 7])
  })

  it('slices', () => {
    const y = K.slice([x], { begin: [1, 1, 2], size: [1, 2, 2] }, out([1, 2, 2]))
    expect(arr(y)).toEqual([18, 19, 22, 23])
    expect(arr(K.slice([x], { begin: [0, 2, 0], size: [2, 1, 4] }, out([2, 1, 4])))).toEqual([8, 9, 10, 11, 20, 21, 22, 23])
    expect(arr(K.slice([x], { begin: [0, 0, 3], size: [2, 3, 0] }, out([2, 3, 0])))).toEqual([])
  })

  it('concatenates any number of inputs', () => {
    const a = f64([2, 1], [1, 2])
    const b = f64([2, 2], [3, 4, 5, 6])
    const c = f64([2, 0], [])
    const d = f64([2, 1], [7, 8])
    expect(arr(K.concat([a, b, c, d], { axis: 1 }, out([2, 4])))).toEqual([1, 3, 4, 7, 2, 5, 6, 8])
    expect(arr(K.concat([a, d], { axis: 0 }, out([4, 1])))).toEqual([1, 2, 7, 8])
  })

  it('pads with a value', () => {
    const y = K.pad([f64([2, 2], [1, 2, 3, 4])], { widths: [[1, 0], [0, 2]], value: -1 }, out([3, 4]))
    expect(arr(y)).toEqual([-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1])
    expect(arr(K.pad([i32([2], [5, 6])], { widths: [[2, 1]], value: 0 }, out([5], 'int32')))).toEqual([0, 0, 5, 6, 0])
  })
})

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

describe('conv2d', () => {
  const naiveConv = (x: In, w: In, p: Conv2dParams, oShape: number[]): number[] => {
    const [N, H, W, Ci] = x.shape
    const [KH, KW, , Co] = w.shape
    const [, OH, OW] = oShape
    const res: number[] = []
    for (let n = 0; n < N; n++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) for (let co = 0; co < Co; co++) {
      let s = 0
      for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) for (let ci = 0; ci < Ci; ci++) {
        const ih = oh * p.strides[0] + kh * p.dilations[0] - p.pads[0]
        const iw = ow * p.strides[1] + kw * p.dilations[1] - p.pads[2]
        if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue
        s += x.data[((n * H + ih) * W + iw) * Ci + ci] * w.data[((kh * KW + kw) * Ci + ci) * Co + co]
      }
      res.push(s)
    }
    return res
  }
  const outDim = (i: number, k: number, s: number, d: number, lo: number, hi: number): number =>
    Math.floor((i + lo + hi - (d * (k - 1) + 1)) / s) + 1

  const cases: [string, Conv2dParams][] = [
    ['stride 2, asymmetric pads', { strides: [2, 2], dilations: [1, 1], pads: [1, 0, 0, 2] }],
    ['dilation 2, asymmetric pads', { strides: [1, 1], dilations: [2, 2], pads: [0, 2, 1, 0] }],
    ['mixed stride and dilation', { strides: [2, 1], dilations: [1, 2], pads: [2, 1, 1, 1] }],
  ]
  for (const [name, p] of cases) {
    it(`matches a naive loop and both adjoints hold: ${name}`, () => {
      const xShape = [2, 7, 6, 3]
      const wShape = [3, 2, 3, 4]
      const x = f64(xShape, rand(size(xShape), 5))
      const w = f64(wShape, rand(size(wShape), 6))
      const oShape = [2, outDim(7, 3, p.strides[0], p.dilations[0], p.pads[0], p.pads[1]),
        outDim(6, 2, p.strides[1], p.dilations[1], p.pads[2], p.pads[3]), 4]
      const y = K.conv2d([x, w], p, out(oShape))
      expectClose(y, naiveConv(x, w, p, oShape))
      const g = f64(oShape, rand(size(oShape), 7))
      const bx = K.conv2dBackInput([g, w], { ...p, inputShape: xShape }, out(xShape))
      const bw = K.conv2dBackFilter([x, g], { ...p, filterShape: wShape }, out(wShape))
      const lhs = dot(y, g.data)
      expect(Math.abs(lhs)).toBeGreaterThan(1e-3)
      expect(Math.abs(lhs - dot(x.data, bx))).toBeLessThan(1e-11)
      expect(Math.abs(lhs - dot(w.data, bw))).toBeLessThan(1e-11)
    })
  }

  it('computes a 1x1-channel example by hand', () => {
    // 3x3 image, 2x2 ones filter, stride 1, no padding: sums of 2x2 blocks.
    const x = f64([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9])
    const w = f64([2, 2, 1, 1], [1, 1, 1, 1])
    const y = K.conv2d([x, w], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }, out([1, 2, 2, 1]))
    expect(arr(y)).toEqual([12, 16, 24, 28])
    const y32 = K.conv2d([f32([1, 3, 3, 1], x.data), f32([2, 2, 1, 1], w.data)], { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }, out([1, 2, 2, 1], 'float32'))
    expect(y32).toBeInstanceOf(Float32Array)
    expect(arr(y32)).toEqual([12, 16, 24, 28])
  })
})

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

describe('backend object', () => {
  it('counts kernel calls per primitive and resets', () => {
    const be = createJsBackend()
    const x = be.upload(Float64Array.from([1, 2, 3]), 'float64')
    const xi: In = { data: x, shape: [3], dtype: 'float64' }
    be.kernels.exp([xi], {}, out([3]))
    be.kernels.exp([xi], {}, out([3]))
    be.kernels.sum([xi], { axes: [0], keepDims: false }, out([]))
    expect(be.stats.kernelCalls).toEqual({ exp: 2, sum: 1 })
    be.stats.reset()
    expect(be.stats.kernelCalls).toEqual({})
    be.kernels.neg([xi], {}, out([3]))
    expect(be.stats.kernelCalls.neg).toBe(1)
  })

  it('uploads and reads copies, and counts live bytes once per buffer', () => {
    expect(Number.isNaN(createJsBackend().stats.liveBytes())).toBe(true)
    const be = createJsBackend({ countBytes: true })
    expect(be.name).toBe('js')
    expect(be.dtypes).toEqual(['float32', 'float64', 'int32', 'bool'])
    expect(be.capabilities).toEqual({ syncRead: true, threads: 1, simd: false })
    const src = Float32Array.from([1, 2, 3, 4])
    const buf = be.upload(src, 'float32')
    src[0] = 99
    expect(arr(buf)).toEqual([1, 2, 3, 4])
    expect(be.stats.liveBytes()).toBe(16)
    const xi: In = { data: buf, shape: [2, 2], dtype: 'float32' }
    const r = be.kernels.reshape([xi], { shape: [4] }, out([4], 'float32'))
    expect(r).toBe(buf)
    be.kernels.stopGradient([xi], {}, out([2, 2], 'float32'))
    expect(be.stats.liveBytes()).toBe(16)
    be.kernels.cast([xi], { dtype: 'float64' }, out([2, 2], 'float64'))
    expect(be.stats.liveBytes()).toBe(16 + 32)
    const read = be.readSync(buf, 'float32', 4)
    read[1] = -1
    expect(arr(buf)).toEqual([1, 2, 3, 4])
    expect(read).toBeInstanceOf(Float32Array)
  })

  it('read resolves to a copy', async () => {
    const be = createJsBackend()
    const buf = be.upload(Int32Array.from([5, 6]), 'int32')
    const r = await be.read(buf, 'int32', 2)
    expect(r).not.toBe(buf)
    expect(arr(r)).toEqual([5, 6])
  })
})
