/**
 * The combinators (src/layers/combinators.ts: sequential, named, residual): outputs equal applying
 * the child layers by hand, params and state are typed (ParamsOf, StateOf, checked with
 * expectTypeOf), each child gets its own key, errors name the path to the failing layer, and each
 * passes checkLayer at order 2. A small CNN takes one gradient step and its loss decreases.
 */

import { describe, expect, expectTypeOf, it } from 'vitest'
import { grad, sum, tensor, type Tensor } from '../../src/index.js'
import { checkLayer } from '../../laws/index.js'
import {
  activation, batchNorm, conv2d, dense, dropout, flatten, named, relu, residual, sequential, softmaxCrossEntropy, tanh,
  type BatchNormState, type DenseParams, type Empty, type NormParams, type ParamsOf, type StateOf,
} from '../../src/layers/index.js'
import { key, normal } from '../../src/random/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const rand = (shape: number[], seed: number): Tensor => tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), { shape, dtype: 'float64' })

describe('sequential', () => {
  const model = sequential(dense(5), activation(tanh), dense(2), batchNorm())

  it('chains init shapes and applies the layers in order; params and state are typed tuples', () => {
    const { params, state, outputShape } = model.init(key(0), [3], { dtype: 'float64' })
    expect(outputShape).toEqual([2])
    expectTypeOf(params[0].w).toEqualTypeOf<Tensor>()
    expectTypeOf(params[1]).toEqualTypeOf<Empty>()
    expectTypeOf(params[3].gamma).toEqualTypeOf<Tensor>()
    expectTypeOf(state[3]).toEqualTypeOf<BatchNormState>()
    expect(params[0].w.shape).toEqual([3, 5])
    expect(params[2].w.shape).toEqual([5, 2])
    const x = rand([4, 3], 1)
    const [y, s] = model.apply(params, state, x, { training: true })
    const h = dense(5).apply(params[0], {}, x)[0]
    const z = dense(2).apply(params[2], {}, tanh(h))[0]
    const [want, bnState] = batchNorm().apply(params[3], state[3], z, { training: true })
    expectClose(y, want, { atol: 0 })
    expectClose(s[3].mean, bnState.mean, { atol: 0 })
    expect(s[0]).toEqual({})
  })

  it('ParamsOf and StateOf read the record types off a layer', () => {
    expectTypeOf<ParamsOf<typeof model>>().toEqualTypeOf<[DenseParams, Empty, DenseParams, NormParams]>()
    expectTypeOf<StateOf<typeof model>>().toEqualTypeOf<[Empty, Empty, Empty, BatchNormState]>()
    const d = dense(4)
    expectTypeOf<ParamsOf<typeof d>>().toEqualTypeOf<DenseParams>()
    expectTypeOf<StateOf<typeof d>>().toEqualTypeOf<Empty>()
    const { params, state } = model.init(key(0), [3])
    expect(params).toHaveLength(4)
    expect(state[3].mean.shape).toEqual([2])
  })

  it('gradients come back with the params type', () => {
    const { params, state } = model.init(key(0), [3], { dtype: 'float64' })
    const g = grad((p: typeof params) => sum(model.apply(p, state, rand([4, 3], 2), { training: true })[0].square()))(params)
    expectTypeOf(g).toEqualTypeOf<typeof params>()
    expect(g[2].w.shape).toEqual([5, 2])
  })

  it('gives each child its own key: two dropouts draw different masks', () => {
    const twice = sequential(dropout(0.5), dropout(0.5))
    const ones = tensor(new Float64Array(200).fill(1), { shape: [1, 200] })
    const once = vals(dropout(0.5).apply({}, {}, ones, { training: true, key: key(3) })[0])
    const y = vals(twice.apply([{}, {}], [{}, {}], ones, { training: true, key: key(3) })[0])
    // With independent masks about a quarter survive both (scaled by 4); with a shared mask half would.
    const survivors = y.filter((v) => v !== 0).length
    expect(survivors).toBeGreaterThan(25)
    expect(survivors).toBeLessThan(75)
    expect(y.filter((v) => v !== 0).every((v) => v === 4)).toBe(true)
    expect(once.filter((v) => v !== 0).length).toBeGreaterThan(75)
  })

  it('errors say where in the model they happened', () => {
    const { params, state } = model.init(key(0), [3])
    expectError(() => model.apply(params, state, normal(key(1), [4, 7])), 'SHAPE_MISMATCH', 'sequential[0]/dense: expected input with last dim 3, got [4,7]')
    const deep = sequential(dense(4), sequential(dense(3), conv2d(2, { kernelSize: 1 })))
    expectError(() => deep.init(key(0), [2]), 'SHAPE_MISMATCH', 'sequential[1]/sequential[1]/conv2d', '[H, W, C]')
    expectError(() => model.apply([params[0]] as unknown as typeof params, state, normal(key(1), [4, 3])), 'INVALID_ARGUMENT', 'sequential', 'params for 4 layers')
  })

  it('passes checkLayer (order 2) in training mode', () => {
    const m = sequential(dense(3), activation(tanh), dense(2), batchNorm(), dropout(0.3))
    const { params, state } = m.init(key(4), [2])
    checkLayer(m, { params, state, input: rand([4, 2], 5), training: true, key: key(6) }, { order: 2 })
  })
})

describe('named', () => {
  it('applies in key order and types params as a record', () => {
    const model = named({ encoder: dense(4), act: activation(relu), head: dense(2) })
    const { params, outputShape } = model.init(key(0), [3], { dtype: 'float64' })
    expectTypeOf(params.encoder.w).toEqualTypeOf<Tensor>()
    expectTypeOf(params.head.b).toEqualTypeOf<Tensor>()
    expect(Object.keys(params)).toEqual(['encoder', 'act', 'head'])
    expect(outputShape).toEqual([2])
    const x = rand([2, 3], 1)
    const want = dense(2).apply(params.head, {}, relu(dense(4).apply(params.encoder, {}, x)[0]))[0]
    expectClose(model.apply(params, { encoder: {}, act: {}, head: {} }, x)[0], want, { atol: 0 })
    expectError(() => model.apply(params, { encoder: {}, act: {}, head: {} }, rand([2, 5], 1)), 'SHAPE_MISMATCH', 'named.encoder/dense')
  })

  it('passes checkLayer (order 2)', () => {
    const model = named({ a: dense(3), b: activation(tanh) })
    const { params, state } = model.init(key(1), [2])
    checkLayer(model, { params, state, input: rand([2, 2], 3) }, { order: 2 })
  })
})

describe('residual', () => {
  it('adds the input to the inner output and keeps the inner params', () => {
    const block = residual(sequential(dense(3), activation(tanh)))
    const { params, outputShape } = block.init(key(0), [3], { dtype: 'float64' })
    expectTypeOf(params[0].w).toEqualTypeOf<Tensor>()
    expect(outputShape).toEqual([3])
    const x = rand([2, 3], 1)
    expectClose(vals(block.apply(params, [{}, {}], x)[0]), vals(x).map((v, i) => v + vals(tanh(dense(3).apply(params[0], {}, x)[0]))[i]), { atol: 1e-15 })
    expectError(() => residual(dense(4)).init(key(0), [3]), 'SHAPE_MISMATCH', 'residual', '[3] to [4]')
  })

  it('passes checkLayer (order 2)', () => {
    const block = residual(dense(2))
    const { params, state } = block.init(key(2), [2])
    checkLayer(block, { params, state, input: rand([3, 2], 4) }, { order: 2 })
  })
})

describe('a small CNN end to end', () => {
  it('trains one step: the loss decreases along the negative gradient', () => {
    const cnn = sequential(conv2d(2, { kernelSize: 3 }), activation(relu), flatten(), dense(3))
    const { params, state } = cnn.init(key(0), [4, 4, 1], { dtype: 'float64' })
    const x = rand([2, 4, 4, 1], 3), labels = tensor([0, 2], { dtype: 'int32' })
    const loss = (p: typeof params): Tensor => softmaxCrossEntropy(cnn.apply(p, state, x)[0], labels)
    const g = grad(loss)(params)
    const stepped = params.map((p, i) => Object.fromEntries(Object.entries(p).map(([k, v]) =>
      [k, (v as Tensor).sub((g[i] as Record<string, Tensor>)[k].mul(0.1))]))) as unknown as typeof params
    expect(loss(stepped).item()).toBeLessThan(loss(params).item())
  })
})
