/**
 * The losses and penalties (src/layers/losses.ts) in float64 against closed forms: values under
 * each reduction and gradients, finite results at huge logits, argument errors, softmaxCrossEntropy
 * on a backend without synchronous reads (an out-of-range label gives NaN and no gradient), and the
 * law kit's checkGrads for each.
 */

import { describe, expect, it } from 'vitest'
import { createJsBackend, grad, PuregradError, registerBackend, tensor, withBackend, type Tensor } from '../../src/index.js'
import { checkGrads } from '../../laws/index.js'
import {
  binaryCrossEntropyWithLogits, hinge, huber, klDivergence, l1Penalty, l2Penalty, mae, mse, softmaxCrossEntropy,
} from '../../src/layers/losses.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const f64 = (v: readonly number[], shape?: number[]): Tensor => tensor([...v], { dtype: 'float64', ...(shape ? { shape } : {}) })
const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const meanOf = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length
const sig = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))
const sp = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))

const p6 = seededValues(6, 1, -2, 2), t6 = seededValues(6, 2, -2, 2)
const P = f64(p6, [2, 3]), T = f64(t6, [2, 3])

describe('regression losses', () => {
  it('mse: values, reductions and gradient 2 (p - t) / n', () => {
    const sq = p6.map((p, i) => (p - t6[i]) ** 2)
    expect(mse(P, T).item()).toBeCloseTo(meanOf(sq), 14)
    expect(mse(P, T, { reduction: 'sum' }).item()).toBeCloseTo(sq.reduce((a, b) => a + b), 14)
    expectClose(vals(mse(P, T, { reduction: 'none' })), sq, { atol: 1e-15 })
    expectClose(vals(grad((p: Tensor) => mse(p, T))(P)), p6.map((p, i) => (2 * (p - t6[i])) / 6), { atol: 1e-15 })
  })

  it('mae: values and gradient sign(p - t) / n, 0 where p = t', () => {
    expect(mae(P, T).item()).toBeCloseTo(meanOf(p6.map((p, i) => Math.abs(p - t6[i]))), 14)
    expectClose(vals(grad((p: Tensor) => mae(p, T))(P)), p6.map((p, i) => Math.sign(p - t6[i]) / 6), { atol: 1e-15 })
    expect(vals(grad((p: Tensor) => mae(p, f64([1, 2])))(f64([1, 0])))).toEqual([0, -0.5])
  })

  it('huber: quadratic inside delta, linear outside, gradient clip(d, -delta, delta) / n', () => {
    const delta = 0.7
    const d = p6.map((p, i) => p - t6[i])
    const want = d.map((x) => (Math.abs(x) <= delta ? 0.5 * x * x : delta * (Math.abs(x) - delta / 2)))
    expectClose(vals(huber(P, T, { delta, reduction: 'none' })), want, { atol: 1e-15 })
    expectClose(vals(grad((p: Tensor) => huber(p, T, { delta }))(P)), d.map((x) => Math.max(-delta, Math.min(delta, x)) / 6), { atol: 1e-15 })
    expect(huber(f64([3]), f64([0])).item()).toBe(2.5)
    expectError(() => huber(P, T, { delta: 0 }), 'INVALID_ARGUMENT', 'delta')
  })

  it('hinge: max(0, 1 - y s), gradient -y / n where the margin is violated (0 at the kink)', () => {
    const s = f64([2, 0.5, -0.3, 1, -2]), y = f64([1, 1, -1, 1, 1])
    expectClose(vals(hinge(s, y, { reduction: 'none' })), [0, 0.5, 0.7, 0, 3], { atol: 1e-15 })
    expectClose(vals(grad((x: Tensor) => hinge(x, y))(s)), [0, -0.2, 0.2, 0, -0.2], { atol: 1e-15 })
  })

  it('shape and dtype mismatches are errors, not broadcasts', () => {
    expectError(() => mse(P, f64(t6)), 'SHAPE_MISMATCH', 'mse', '[2,3]', '[6]')
    expectError(() => mse(P, tensor(t6, { shape: [2, 3] })), 'DTYPE_MISMATCH', 'mse')
    expectError(() => mse(P, T, { reduction: 'avg' as 'mean' }), 'INVALID_ARGUMENT', 'reduction')
  })
})

describe('classification losses', () => {
  it('binaryCrossEntropyWithLogits: -t log σ(x) - (1 - t) log(1 - σ(x)), gradient (σ(x) - t) / n, finite at huge logits', () => {
    const x = [-3, -0.5, 0, 0.7, 4, 1000, -1000], t = [0, 1, 0.5, 1, 0.2, 0, 1]
    const want = x.map((v, i) => t[i] * sp(-v) + (1 - t[i]) * sp(v))
    expectClose(vals(binaryCrossEntropyWithLogits(f64(x), f64(t), { reduction: 'none' })), want, { atol: 1e-14, rtol: 1e-14 })
    expectClose(vals(grad((l: Tensor) => binaryCrossEntropyWithLogits(l, f64(t)))(f64(x))), x.map((v, i) => (sig(v) - t[i]) / 7), { atol: 1e-15 })
    expect(binaryCrossEntropyWithLogits(tensor([1000, -1000]), tensor([0, 1]), { reduction: 'sum' }).item()).toBe(2000)
  })

  const logits = f64(seededValues(12, 3, -4, 4), [4, 3])
  const labels = tensor([2, 0, 1, 2], { dtype: 'int32' })
  const oneHot = f64([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], [4, 3])

  it('softmaxCrossEntropy: logSumExp(x) - x_label, same for integer and one-hot labels', () => {
    const rows = logits.arraySync() as number[][]
    const want = rows.map((r, i) => Math.log(r.reduce((a, v) => a + Math.exp(v), 0)) - r[[2, 0, 1, 2][i]])
    expectClose(vals(softmaxCrossEntropy(logits, labels, { reduction: 'none' })), want, { atol: 1e-14 })
    expect(softmaxCrossEntropy(logits, labels).item()).toBeCloseTo(meanOf(want), 14)
    expect(softmaxCrossEntropy(logits, oneHot).item()).toBeCloseTo(meanOf(want), 14)
  })

  it('softmaxCrossEntropy gradient is (softmax(x) - onehot) / N, and soft targets work', () => {
    const rows = logits.arraySync() as number[][]
    const want = rows.flatMap((r, i) => {
      const z = r.reduce((a, v) => a + Math.exp(v), 0)
      return r.map((v, c) => (Math.exp(v) / z - (c === [2, 0, 1, 2][i] ? 1 : 0)) / 4)
    })
    expectClose(vals(grad((l: Tensor) => softmaxCrossEntropy(l, labels))(logits)), want, { atol: 1e-15 })
    const soft = f64([0.2, 0.3, 0.5], [1, 3]), x = f64([1, 2, 3], [1, 3])
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))
    expect(softmaxCrossEntropy(x, soft).item()).toBeCloseTo(lse - (0.2 + 0.6 + 1.5), 14)
  })

  it('softmaxCrossEntropy is exact and finite for huge logits; labels out of range are errors', () => {
    const x = f64([1000, 0, -1000], [1, 3])
    expect(softmaxCrossEntropy(x, tensor([0], { dtype: 'int32' })).item()).toBe(0)
    expect(softmaxCrossEntropy(x, tensor([2], { dtype: 'int32' })).item()).toBe(2000)
    expect(vals(grad((l: Tensor) => softmaxCrossEntropy(l, tensor([2], { dtype: 'int32' })))(x))).toEqual([1, 0, -1])
    expectError(() => softmaxCrossEntropy(x, tensor([3], { dtype: 'int32' })), 'INDEX_OUT_OF_RANGE', 'label 3')
    expectError(() => softmaxCrossEntropy(x, tensor([[0]], { dtype: 'int32' })), 'SHAPE_MISMATCH', 'integer labels')
  })

  it('softmaxCrossEntropy on a backend without synchronous reads: labels are not read, an out-of-range one gives NaN', async () => {
    const js = createJsBackend({ name: 'async-only-losses' })
    registerBackend({
      ...js,
      capabilities: { ...js.capabilities, syncRead: false },
      readSync: () => { throw new PuregradError('SYNC_READ_UNAVAILABLE', "backend 'async-only-losses' reads asynchronously", 'dataSync') },
    })
    const logits = [[0, 1, 2], [1, 1, 1], [3, 0, 0], [0, 0, 0]]
    const [each, g] = withBackend('async-only-losses', () => {
      const x = tensor(logits, { dtype: 'float64' })
      const labels = tensor([0, -1, 3, 2], { dtype: 'int32' })
      return [softmaxCrossEntropy(x, labels, { reduction: 'none' }), grad((l: Tensor) => softmaxCrossEntropy(l, labels, { reduction: 'sum' }))(x)]
    })
    const lse = (r: number[]): number => Math.log(r.reduce((a, v) => a + Math.exp(v), 0))
    const got = Array.from(await each.data())
    expect([got[1], got[2]]).toEqual([NaN, NaN])
    expectClose([got[0], got[3]], [lse(logits[0]), lse(logits[3])], { atol: 1e-15 })
    // The valid examples' gradients are unchanged; nothing flows from the NaN examples.
    const grads = Array.from(await g.data())
    expectClose([...grads.slice(0, 3), ...grads.slice(9)], [0, 3].flatMap((i) => logits[i].map((v, c) => Math.exp(v - lse(logits[i])) - (c === [0, 2][i / 3] ? 1 : 0))), { atol: 1e-15 })
    expect(grads.slice(3, 9).every((v) => v === 0)).toBe(true)
  })

  it('klDivergence: Σ t (log t - log p), zero-probability targets contribute 0 with finite gradients', () => {
    const t = f64([0.5, 0.5, 0, 0.1, 0.2, 0.7], [2, 3])
    const q = [[0.2, 0.3, 0.5], [0.3, 0.3, 0.4]]
    const logp = f64(q.flat().map(Math.log), [2, 3])
    const want = [0.5 * Math.log(0.5 / 0.2) + 0.5 * Math.log(0.5 / 0.3), 0.1 * Math.log(0.1 / 0.3) + 0.2 * Math.log(0.2 / 0.3) + 0.7 * Math.log(0.7 / 0.4)]
    expectClose(vals(klDivergence(logp, t, { reduction: 'none' })), want, { atol: 1e-15 })
    expectClose(vals(grad((l: Tensor) => klDivergence(l, t, { reduction: 'sum' }))(logp)), vals(t).map((v) => -v), { atol: 1e-15 })
    const gt = vals(grad((tt: Tensor) => klDivergence(logp, tt, { reduction: 'sum' }))(t))
    expect(gt.every(Number.isFinite)).toBe(true)
    expect(gt[2]).toBe(0)
    expect(gt[0]).toBeCloseTo(Math.log(0.5) - Math.log(0.2) + 1, 14)
    expect(klDivergence(logp, f64(q.flat(), [2, 3])).item()).toBeCloseTo(0, 15)
  })
})

describe('penalties over parameter records', () => {
  const params = { dense: { w: f64([1, -2, 3], [3, 1]), b: f64([-0.5]) }, out: [f64([2, -1])] }
  it('l1 and l2 sum over every leaf, with gradients sign(w) and 2 w', () => {
    expect(l1Penalty(params).item()).toBe(9.5)
    expect(l2Penalty(params).item()).toBe(19.25)
    expect(l2Penalty(params, 0.1).item()).toBeCloseTo(1.925, 14)
    const g = grad((p: typeof params) => l2Penalty(p))(params)
    expect(vals(g.dense.w)).toEqual([2, -4, 6])
    expect(vals(g.out[0])).toEqual([4, -2])
    expect(vals(grad((p: typeof params) => l1Penalty(p))(params).dense.b)).toEqual([-1])
    expect(l2Penalty({}).item()).toBe(0)
    expectError(() => l2Penalty({ a: f64([1]), b: tensor([1]) }), 'DTYPE_MISMATCH', 'l2Penalty')
  })
})

describe('law kit: checkGrads (float64)', () => {
  const p = f64(seededValues(6, 8, -1, 1), [2, 3]), t = f64(seededValues(6, 9, -1, 1).map((v) => v + 0.05), [2, 3])
  const prob = f64([0.1, 0.6, 0.3, 0.25, 0.25, 0.5], [2, 3])
  const ys = f64([1, -1, 1, -1, 1, -1], [2, 3])
  const cases: [string, (...a: Tensor[]) => Tensor, Tensor[], 1 | 2][] = [
    ['mse', (a, b) => mse(a, b), [p, t], 2],
    ['mae', (a, b) => mae(a, b), [p, t], 2],
    ['huber', (a, b) => huber(a, b, { delta: 0.3 }), [p, t], 2],
    ['binaryCrossEntropyWithLogits', (a, b) => binaryCrossEntropyWithLogits(a, b), [p, prob], 2],
    ['softmaxCrossEntropy (int labels)', (a) => softmaxCrossEntropy(a, tensor([1, 2], { dtype: 'int32' })), [p], 2],
    ['softmaxCrossEntropy (soft targets)', (a, b) => softmaxCrossEntropy(a, b), [p, prob], 2],
    ['klDivergence', (a, b) => klDivergence(a, b), [p, prob], 2],
    ['hinge', (a) => hinge(a, ys), [p], 2],
    ['l2Penalty', (a, b) => l2Penalty({ a, b }), [p, t], 2],
    ['l1Penalty', (a, b) => l1Penalty([a, b]), [p, t], 2],
  ]
  for (const [name, f, args, order] of cases) it(name, () => checkGrads(f, args, { order }))
})
