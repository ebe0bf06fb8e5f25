/**
 * Every parameterised layer checks its parameter (and state) record before any op runs
 * (`expectLeaves` in src/layers/layer.ts): another model's parameters, a transposed or mis-sized
 * leaf, a bias that would broadcast, a missing or extra key are errors that name the leaf and,
 * inside a combinator, the path to the layer (recurrent layers name their cell); none of them
 * computes a result.
 */

import { describe, expect, it } from 'vitest'
import { ones, tensor, zeros, type Tensor } from '../../src/index.js'
import {
  activation, batchNorm, conv2d, dense, embedding, gru, layerNorm, lstm, relu, rmsNorm, sequential, simpleRnn,
  type AnyLayer,
} from '../../src/layers/index.js'
import { key } from '../../src/random/index.js'
import { expectError } from '../helpers/allclose.js'

/** init on `inputShape`, then apply with the record changed by `edit` (params or state). */
const applyEdited = (layer: AnyLayer, inputShape: number[], x: Tensor, edit: { params?: (p: never) => unknown; state?: (s: never) => unknown }) => {
  const { params, state } = layer.init(key(0), inputShape)
  return () => layer.apply(edit.params ? edit.params(params as never) : params, edit.state ? edit.state(state as never) : state, x, { training: true })
}

describe('layers check their parameter records', () => {
  it("dense: another model's weights, a bias that would broadcast, an extra or missing key", () => {
    const x = ones([5, 64])
    const other = dense(16).init(key(1), [64]).params
    expectError(applyEdited(dense(32), [64], x, { params: () => other }), 'SHAPE_MISMATCH', 'dense: params.w: expected shape [64,32], got [64,16]')
    expectError(applyEdited(dense(32), [64], x, { params: (p: { w: Tensor }) => ({ ...p, b: zeros([1]) }) }), 'SHAPE_MISMATCH',
      'dense: params.b: expected shape [32], got [1]')
    expectError(applyEdited(dense(32, { useBias: false }), [64], x, { params: (p: { w: Tensor }) => ({ ...p, b: zeros([32]) }) }), 'TREE_MISMATCH',
      'dense: params: unexpected key "b"')
    expectError(applyEdited(dense(32), [64], x, { params: (p: { w: Tensor }) => ({ w: p.w }) }), 'TREE_MISMATCH', 'dense: params: missing key "b"')
    expectError(applyEdited(dense(32), [64], x, { params: () => [ones([64, 32])] }), 'TREE_MISMATCH', 'dense: params: expected a record with keys w, b, got an array')
  })

  it('inside sequential, the error names the path to the layer', () => {
    const model = sequential(dense(32), activation(relu), dense(10))
    const small = sequential(dense(16), activation(relu), dense(10)).init(key(0), [64]).params
    const { state } = model.init(key(0), [64])
    expectError(() => model.apply(small as never, state, ones([5, 64])), 'SHAPE_MISMATCH', 'sequential[0]/dense: params.w: expected shape [64,32], got [64,16]')
  })

  it('conv2d: a kernel of another size or filter count, a bias of another length', () => {
    const layer = conv2d(8, { kernelSize: 3 })
    const x = ones([2, 6, 6, 1])
    expectError(applyEdited(layer, [6, 6, 1], x, { params: (p: { b: Tensor }) => ({ ...p, w: ones([5, 5, 1, 8]) }) }), 'SHAPE_MISMATCH',
      'conv2d: params.w: expected shape [3,3,1,8], got [5,5,1,8]')
    expectError(applyEdited(layer, [6, 6, 1], x, { params: (p: { w: Tensor }) => ({ ...p, b: zeros([4]) }) }), 'SHAPE_MISMATCH',
      'conv2d: params.b: expected shape [8], got [4]')
  })

  it('norm layers: gamma and beta of one length, batch statistics of the same', () => {
    const x = ones([3, 4])
    expectError(applyEdited(batchNorm(), [4], x, { params: (p: { gamma: Tensor }) => ({ ...p, beta: zeros([1]) }) }), 'SHAPE_MISMATCH',
      'batchNorm: params.beta: expected shape [4], got [1]')
    expectError(applyEdited(batchNorm(), [4], x, { state: (s: { mean: Tensor }) => ({ ...s, var: ones([5]) }) }), 'SHAPE_MISMATCH',
      'batchNorm: state.var: expected shape [4], got [5]')
    expectError(applyEdited(layerNorm(), [4], x, { params: (p: { beta: Tensor }) => ({ ...p, gamma: ones([2, 2]) }) }), 'SHAPE_MISMATCH',
      'layerNorm: params.gamma: expected shape [?], got [2,2]')
    expectError(applyEdited(rmsNorm(), [4], x, { params: () => ({ scale: ones([4]), bias: zeros([4]) }) }), 'TREE_MISMATCH',
      'rmsNorm: params: unexpected key "bias"')
  })

  it('embedding: a table of another vocabulary or width', () => {
    const ids = tensor([[1, 2]], { dtype: 'int32' })
    expectError(applyEdited(embedding(10, 4), [2], ids, { params: () => ({ table: ones([10, 3]) }) }), 'SHAPE_MISMATCH',
      'embedding: params.table: expected shape [10,4], got [10,3]')
  })

  it.each([['simpleRnn', simpleRnn(3), 1], ['lstm', lstm(3), 4], ['gru', gru(3), 3]] as const)(
    '%s: recurrent weights of another hidden size', (name, layer, gates) => {
      const x = ones([2, 5, 4])
      expectError(applyEdited(layer, [5, 4], x, { params: (p: Record<string, Tensor>) => ({ ...p, wh: ones([2, 2 * gates]) }) }), 'SHAPE_MISMATCH',
        `${name}Cell: params.wh: expected shape [3,${3 * gates}], got [2,${2 * gates}]`)
    })

  it('a float64 input to float32 parameters names the leaf and the fix, before matmul would', () => {
    const x64 = ones([2, 4], { dtype: 'float64' })
    expectError(applyEdited(dense(3), [4], x64, {}), 'DTYPE_MISMATCH',
      "dense: the input is float64 but params.w is float32: cast the input, or init the layer with { dtype: 'float64' }")
    expectError(applyEdited(layerNorm(), [4], x64, {}), 'DTYPE_MISMATCH', 'layerNorm: the input is float64 but params.gamma is float32')
    expectError(applyEdited(lstm(2), [3, 4], ones([2, 3, 4], { dtype: 'float64' }), {}), 'DTYPE_MISMATCH', 'lstmCell: the input is float64 but params.wx is float32')
    const { params, state } = dense(3).init(key(0), [4], { dtype: 'float64' })
    expect(dense(3).apply(params, state, x64)[0].dtype).toBe('float64')
  })

  it('records that fit still apply, with the bias optional only where useBias is false', () => {
    const [y] = applyEdited(dense(3, { useBias: false }), [2], ones([1, 2]), {})()
    expect(y.shape).toEqual([1, 3])
    const [z] = applyEdited(conv2d(2, { kernelSize: 1 }), [2, 2, 1], ones([1, 2, 2, 1]), {})()
    expect(z.shape).toEqual([1, 2, 2, 2])
  })
})
