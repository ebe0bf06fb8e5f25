/**
 * The dense, conv2d, pooling, globalAvgPool, flatten and embedding layers: init shapes and
 * outputShape, apply against direct float64 computations (matrix product, a naive convolution,
 * window maxima and means, table rows), errors naming the layer, and checkLayer at order 2. Also:
 * init is a pure function of the key, and dropout and lstm outputs stay on the input's backend, not
 * the current one.
 */

import { describe, expect, it } from 'vitest'
import { tensor, type Tensor } from '../../src/index.js'
import { checkLayer } from '../../laws/index.js'
import { avgPool2d, conv2d, dense, embedding, flatten, globalAvgPool, maxPool2d } from '../../src/layers/index.js'
import { key, normal, split } from '../../src/random/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const rand = (shape: number[], seed: number): Tensor => tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), { shape, dtype: 'float64' })

describe('dense', () => {
  it('init makes w [in, units] and b [units]; apply is x W + b over the last axis', () => {
    const layer = dense(3)
    const { params, state, outputShape } = layer.init(key(0), [4])
    expect(params.w.shape).toEqual([4, 3])
    expect(params.b.shape).toEqual([3])
    expect(vals(params.b)).toEqual([0, 0, 0])
    expect(state).toEqual({})
    expect(outputShape).toEqual([3])
    const x = rand([2, 4], 1)
    const W = vals(params.w), X = vals(x)
    const want = [0, 1].flatMap((n) => [0, 1, 2].map((j) => [0, 1, 2, 3].reduce((a, k) => a + X[n * 4 + k] * W[k * 3 + j], 0)))
    const p64 = { w: params.w.cast('float64'), b: params.b.cast('float64') }
    expectClose(vals(layer.apply(p64, state, x)[0]), want, { atol: 1e-7 })
    // Leading axes pass through: [N, T, F] -> [N, T, units].
    expect(layer.apply(p64, state, rand([2, 5, 4], 2))[0].shape).toEqual([2, 5, 3])
    expect(layer.init(key(0), [5, 4]).outputShape).toEqual([5, 3])
  })

  it('useBias: false leaves b out of the params (and their type)', () => {
    const layer = dense(2, { useBias: false })
    const { params } = layer.init(key(0), [3], { dtype: 'float64' })
    expect(Object.keys(params)).toEqual(['w'])
    expect(params.w.dtype).toBe('float64')
    // @ts-expect-error: no bias in the params type
    expect(params.b).toBeUndefined()
  })

  it('shape errors name the layer and both shapes', () => {
    const layer = dense(4)
    const { params, state } = layer.init(key(0), [64])
    expectError(() => layer.apply(params, state, normal(key(1), [32, 10])), 'SHAPE_MISMATCH', 'dense: expected input with last dim 64, got [32,10]')
    expectError(() => layer.init(key(0), []), 'SHAPE_MISMATCH', 'dense', 'inputShape')
    expectError(() => dense(0), 'INVALID_ARGUMENT', 'units')
  })

  it('passes checkLayer (order 2, params and input)', () => {
    const layer = dense(3)
    const { params, state } = layer.init(key(2), [4])
    checkLayer(layer, { params, state, input: rand([2, 4], 3) }, { order: 2 })
  })
})

describe('conv2d', () => {
  /** Direct NHWC/HWIO cross-correlation with explicit padding, in float64. */
  const naiveConv = (x: Tensor, w: Tensor, stride: number, pads: [number, number, number, number]): number[] => {
    const [n, h, wd, c] = x.shape, [kh, kw, , co] = w.shape
    const X = vals(x), W = vals(w)
    const oh = Math.floor((h + pads[0] + pads[1] - kh) / stride) + 1, ow = Math.floor((wd + pads[2] + pads[3] - kw) / stride) + 1
    const out: number[] = []
    for (let b = 0; b < n; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < co; o++) {
      let s = 0
      for (let di = 0; di < kh; di++) for (let dj = 0; dj < kw; dj++) for (let ci = 0; ci < c; ci++) {
        const yi = i * stride + di - pads[0], xj = j * stride + dj - pads[2]
        if (yi >= 0 && yi < h && xj >= 0 && xj < wd) s += X[((b * h + yi) * wd + xj) * c + ci] * W[((di * kw + dj) * c + ci) * co + o]
      }
      out.push(s)
    }
    return out
  }

  it("'same' padding keeps H and W at stride 1, and matches a direct convolution (bias added)", () => {
    const layer = conv2d(3, { kernelSize: 3, biasInit: (_k, s, d) => tensor([0.1, 0.2, 0.3], { shape: s, dtype: d }) })
    const { params, outputShape } = layer.init(key(0), [5, 4, 2], { dtype: 'float64' })
    expect(params.w.shape).toEqual([3, 3, 2, 3])
    expect(outputShape).toEqual([5, 4, 3])
    const x = rand([2, 5, 4, 2], 4)
    const y = layer.apply(params, {}, x)[0]
    expect(y.shape).toEqual([2, ...outputShape])
    const want = naiveConv(x, params.w, 1, [1, 1, 1, 1]).map((v, i) => v + [0.1, 0.2, 0.3][i % 3])
    expectClose(vals(y), want, { atol: 1e-12 })
  })

  it('outputShape from init matches the real output for valid, same, explicit padding, strides and dilations', () => {
    const configs = [
      { kernelSize: 3, padding: 'valid' as const },
      { kernelSize: [2, 3] as const, strides: 2, padding: 'same' as const },
      { kernelSize: 3, strides: [2, 1] as const, padding: [1, 0, 2, 1] as const },
      { kernelSize: 2, dilations: 2, padding: 'valid' as const },
    ]
    for (const cfg of configs) {
      const layer = conv2d(2, cfg)
      const { params, outputShape } = layer.init(key(1), [7, 6, 3])
      expect(layer.apply(params, {}, normal(key(2), [1, 7, 6, 3]))[0].shape.slice(1), JSON.stringify(cfg)).toEqual(outputShape)
    }
  })

  it('checks channels and rank with the layer named', () => {
    const layer = conv2d(2, { kernelSize: 3 })
    const { params } = layer.init(key(0), [4, 4, 3])
    expectError(() => layer.apply(params, {}, normal(key(1), [1, 4, 4, 2])), 'SHAPE_MISMATCH', 'conv2d', '[N, H, W, 3]', '[1,4,4,2]')
    expectError(() => layer.init(key(0), [4, 4]), 'SHAPE_MISMATCH', 'conv2d', '[H, W, C]')
    expectError(() => conv2d(2, { kernelSize: 5, padding: 'valid' }).init(key(0), [3, 3, 1]), 'SHAPE_MISMATCH', 'does not fit')
  })

  it('passes checkLayer (order 2)', () => {
    const layer = conv2d(2, { kernelSize: 2, strides: 1, padding: 'same' })
    const { params, state } = layer.init(key(3), [3, 3, 2])
    checkLayer(layer, { params, state, input: rand([1, 3, 3, 2], 5) }, { order: 2 })
  })
})

describe('pooling, globalAvgPool and flatten', () => {
  const x = tensor(Array.from({ length: 32 }, (_, i) => ((i * 7) % 13) - 6), { shape: [1, 4, 4, 2], dtype: 'float64' })
  const X = vals(x)
  const at = (i: number, j: number, c: number): number => X[(i * 4 + j) * 2 + c]

  it('maxPool2d and avgPool2d over 2x2 windows match direct computation', () => {
    const mp = maxPool2d({ window: 2 }), ap = avgPool2d({ window: 2 })
    expect(mp.init(key(0), [4, 4, 2]).outputShape).toEqual([2, 2, 2])
    const wantMax: number[] = [], wantAvg: number[] = []
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let c = 0; c < 2; c++) {
      const w = [at(2 * i, 2 * j, c), at(2 * i + 1, 2 * j, c), at(2 * i, 2 * j + 1, c), at(2 * i + 1, 2 * j + 1, c)]
      wantMax.push(Math.max(...w)); wantAvg.push(w.reduce((a, b) => a + b) / 4)
    }
    expect(vals(mp.apply({}, {}, x)[0])).toEqual(wantMax)
    expectClose(vals(ap.apply({}, {}, x)[0]), wantAvg, { atol: 1e-15 })
    const strided = maxPool2d({ window: 3, strides: 1, padding: 'same' })
    expect(strided.apply({}, {}, x)[0].shape.slice(1)).toEqual(strided.init(key(0), [4, 4, 2]).outputShape)
  })

  it('globalAvgPool means over H, W; flatten keeps the batch axis', () => {
    const g = globalAvgPool()
    expect(g.init(key(0), [4, 4, 2]).outputShape).toEqual([2])
    expectClose(vals(g.apply({}, {}, x)[0]), [0, 1].map((c) => X.filter((_, i) => i % 2 === c).reduce((a, b) => a + b) / 16), { atol: 1e-15 })
    const f = flatten()
    expect(f.init(key(0), [4, 4, 2]).outputShape).toEqual([32])
    const y = f.apply({}, {}, x)[0]
    expect(y.shape).toEqual([1, 32])
    expect(vals(y)).toEqual(X)
  })

  it('pass checkLayer (order 2; input away from max ties)', () => {
    const input = tensor(seededValues(32, 21), { shape: [1, 4, 4, 2], dtype: 'float64' })
    for (const layer of [maxPool2d({ window: 2 }), avgPool2d({ window: 2, strides: 1, padding: 'same' }), globalAvgPool(), flatten()]) {
      checkLayer(layer, { params: {}, state: {}, input }, { order: 2 })
    }
  })
})

describe('embedding', () => {
  it('looks up rows of the table for int32 ids of any shape', () => {
    const layer = embedding(5, 3)
    const { params, outputShape } = layer.init(key(0), [4])
    expect(params.table.shape).toEqual([5, 3])
    expect(outputShape).toEqual([4, 3])
    const ids = tensor([[0, 4, 4, 1], [2, 2, 3, 0]], { dtype: 'int32' })
    const y = layer.apply(params, {}, ids)[0]
    expect(y.shape).toEqual([2, 4, 3])
    const T = params.table.arraySync() as number[][]
    expect(y.arraySync()).toEqual([[T[0], T[4], T[4], T[1]], [T[2], T[2], T[3], T[0]]])
    expectError(() => layer.apply(params, {}, tensor([[0.5]])), 'DTYPE_MISMATCH', 'embedding', 'int32')
  })

  it('passes checkLayer (order 2, params only: the ids are integers); repeated ids accumulate gradient', () => {
    const layer = embedding(4, 2)
    const { params, state } = layer.init(key(1), [3])
    checkLayer(layer, { params, state, input: tensor([[0, 3, 3], [1, 3, 0]], { dtype: 'int32' }) }, { order: 2 })
  })
})

describe('init is a pure function of the key', () => {
  it('same key, same params; different keys, different params', () => {
    const [k1, k2] = split(key(5))
    const a = dense(4).init(k1, [3]).params, b = dense(4).init(k1, [3]).params, c = dense(4).init(k2, [3]).params
    expect(vals(a.w)).toEqual(vals(b.w))
    expect(vals(a.w)).not.toEqual(vals(c.w))
  })
})

describe('apply-time tensors live on the input backend', () => {
  it('dropout masks and recurrent carries follow x, not the current backend', async () => {
    const { createJsBackend, registerBackend, toBackend } = await import('../../src/index.js')
    const { dropout, lstm } = await import('../../src/layers/index.js')
    registerBackend(createJsBackend({ name: 'js-layers-other' }))
    const x = toBackend(rand([2, 3, 2], 9), 'js-layers-other')
    const layer = lstm(2)
    const params = Object.fromEntries(Object.entries(layer.init(key(0), [3, 2], { dtype: 'float64' }).params)
      .map(([k, v]) => [k, toBackend(v as Tensor, 'js-layers-other')])) as unknown as ReturnType<typeof layer.init>['params']
    const y = layer.apply(params, {}, x)[0]
    const d = dropout(0.5).apply({}, {}, x, { training: true, key: key(1) })[0]
    for (const t of [y, d]) expect((t.concrete().backend as { name: string }).name).toBe('js-layers-other')
  })
})
