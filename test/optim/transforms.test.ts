/**
 * The transforms and the plumbing: applyUpdates, chain's state, learning-rate and hyperparameter
 * schedules, dtype preservation, clipping, weight decay (L2 against decoupled), the L1 proximal
 * step (ISTA on a lasso with a known solution), skipping non-finite steps, gradient accumulation
 * (k micro-batches against one full batch) and masks, and the argument checks.
 */

import { describe, expect, it } from 'vitest'
import { add, grad, mul, sum, tensor, type Tensor } from '../../src/index.js'
import {
  adagrad, adam, adamax, adamw, addDecayedWeights, applyUpdates, chain, lion, rmsprop, clipByGlobalNorm, clipByValue, constantSchedule, masked, multiSteps,
  proximalL1, scale, scaleByAdam, scaleByLearningRate, setToZero, sgd, skipNonFinite, type GradientTransformation,
} from '../../src/optim/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'
import { fixedLoss, fixedParams, fixedVec, logisticData, logisticLoss, LOGISTIC_START, train, type Fixed, type Logistic } from './problems.js'
import { X0 } from './reference.js'
import { recOf, toPlain, valuesOf, type Rec } from './helpers.js'

const f64 = (x: number | number[]): Tensor => tensor(x, { dtype: 'float64' })
const seq = (n: number, from = 0.1): number[] => Array.from({ length: n }, (_, i) => from + 0.37 * i - 0.05 * i * i)
const G = recOf(seq(14))
const P = recOf(seq(14, -0.4).map((v) => v * 0.5))

/** One update from the initial state. */
const first = <P, S>(t: GradientTransformation<P, S>, g: P, p: P): P => t.update(g, t.init(p), p)[0]

describe('applyUpdates and chain', () => {
  it('adds the updates, casting each to its parameter dtype', () => {
    const p = { a: tensor([1, 2]), b: f64(3) }
    const out = applyUpdates(p, { a: f64([0.5, -1]), b: f64(0.25) })
    expect(out.a.dtype).toBe('float32')
    expectClose(out.a, [1.5, 1])
    expect(out.b.item()).toBe(3.25)
  })

  it('names the first structural difference', () => {
    const p = { a: f64(1), b: f64(2) }
    expectError(() => applyUpdates(p, { a: f64(1) } as unknown as typeof p), 'TREE_MISMATCH', 'params', 'missing key "b"')
  })

  it('rejects an update whose shape is not its parameter\'s, even where it would broadcast', () => {
    const p = { w: f64([1, 2, 3, 4]), layers: [{ b: f64([0]) }] }
    expectError(() => applyUpdates(p, { w: f64([1]), layers: [{ b: f64([0]) }] }), 'SHAPE_MISMATCH',
      'applyUpdates: updates.w: expected shape [4] (as params.w), got [1]')
    expectError(() => applyUpdates(p, { w: f64([1, 2, 3, 4]), layers: [{ b: f64([1, 2]) }] }), 'SHAPE_MISMATCH',
      'updates.layers[0].b: expected shape [1] (as params.layers[0].b), got [2]')
    const m = { w: tensor(Array.from({ length: 6 }, (_, i) => i), { shape: [2, 3] }) }
    expectError(() => applyUpdates(m, { w: tensor(Array.from({ length: 6 }, (_, i) => i), { shape: [3, 2] }) }), 'SHAPE_MISMATCH',
      'updates.w: expected shape [2,3] (as params.w), got [3,2]')
  })

  it("keeps the parts' states in a tuple and threads updates left to right", () => {
    const opt = chain(clipByGlobalNorm(1), adam<Rec>(0.1))
    const s0 = opt.init(P)
    expect(s0).toHaveLength(2)
    expect(s0[0]).toEqual({ count: 0 })
    expect(s0[1].count).toBe(0)
    const [u, s1] = opt.update(G, s0, P)
    const clipped = first(clipByGlobalNorm<Rec>(1), G, P)
    expect(toPlain(u)).toEqual(toPlain(first(adam<Rec>(0.1), clipped, P)))
    expect([s1[0].count, s1[1].count]).toEqual([1, 1])
    expectError(() => opt.update(G, [s0[0]] as unknown as typeof s0, P), 'INVALID_ARGUMENT', 'chain', 'state tuple of 2 parts')
  })

  it('scale and scaleByLearningRate multiply the updates', () => {
    expect(valuesOf(first(scale<Rec>(2), G, P))).toEqual(valuesOf(G).map((v) => 2 * v))
    expect(valuesOf(first(scaleByLearningRate<Rec>(0.5), G, P))).toEqual(valuesOf(G).map((v) => -0.5 * v))
  })

  it('optimizers keep float32 parameters, updates and states in float32', () => {
    const p = { w: tensor([1, -2, 3]) }
    const opt = adam<typeof p>(0.1)
    const [u, s] = opt.update({ w: tensor([0.5, 0.5, -1]) }, opt.init(p), p)
    expect([u.w.dtype, s.mu.w.dtype, s.nu.w.dtype, applyUpdates(p, u).w.dtype]).toEqual(['float32', 'float32', 'float32', 'float32'])
    expectClose(u.w, [-0.1, -0.1, 0.1], { rtol: 1e-6 })
  })
})

describe('hyperparameters as schedules of the step count', () => {
  it('the learning rate is read at the count before the update (0 first)', () => {
    const lrs = [0.1, 0.2, 0.3]
    const opt = sgd<{ x: Tensor }>((step) => lrs[step])
    let p = { x: f64(1) }
    let s = opt.init(p)
    const xs: number[] = []
    for (let i = 0; i < 3; i++) {
      const [u, s1] = opt.update({ x: f64(1) }, s, p)
      p = applyUpdates(p, u)
      s = s1
      xs.push(p.x.item())
    }
    expect(xs.map((x) => Number(x.toFixed(12)))).toEqual([0.9, 0.7, 0.4])
  })

  it('a constant schedule gives exactly the constant optimizer, for any hyperparameter', () => {
    const c = constantSchedule
    const a = train(adam<Fixed>(0.05, { b1: 0.8, b2: 0.99, eps: 1e-6 }), fixedLoss, fixedParams(X0), 20)
    const b = train(adam<Fixed>(c(0.05), { b1: c(0.8), b2: c(0.99), eps: c(1e-6) }), fixedLoss, fixedParams(X0), 20)
    expect(fixedVec(b.params)).toEqual(fixedVec(a.params))
    const m1 = train(sgd<Fixed>(0.01, { momentum: 0.9, nesterov: true }), fixedLoss, fixedParams(X0), 20)
    const m2 = train(sgd<Fixed>(c(0.01), { momentum: c(0.9), nesterov: true }), fixedLoss, fixedParams(X0), 20)
    expect(fixedVec(m2.params)).toEqual(fixedVec(m1.params))
  })

  it('a momentum schedule changes the momentum step by step', () => {
    // mu = 0 at the first two steps (plain SGD), then 1: v3 = g3 + v2.
    const opt = sgd<{ x: Tensor }>(1, { momentum: (step) => (step < 2 ? 0 : 1) })
    let s = opt.init({ x: f64(0) })
    const us: number[] = []
    for (const g of [1, 2, 4]) {
      const [u, s1] = opt.update({ x: f64(g) }, s, { x: f64(0) })
      us.push(u.x.item())
      s = s1
    }
    expect(us).toEqual([-1, -2, -6])
  })
})

describe('clipping', () => {
  it('clipByValue clamps every element', () => {
    const g = { a: f64([-3, -0.5, 0, 0.2, 7]) }
    expect(Array.from(first(clipByValue<typeof g>(1), g, g).a.dataSync())).toEqual([-1, -0.5, 0, 0.2, 1])
    expect(Array.from(first(clipByValue<typeof g>(-0.25, 0.5), g, g).a.dataSync())).toEqual([-0.25, -0.25, 0, 0.2, 0.5])
  })

  it('clipByGlobalNorm rescales all leaves together', () => {
    const g = { a: f64([3, 0]), b: f64(4) } // norm 5
    const u = first(clipByGlobalNorm<typeof g>(1), g, g)
    expectClose(u.a, [0.6, 0], { atol: 1e-15 })
    expect(u.b.item()).toBeCloseTo(0.8, 15)
    expect(toPlain(first(clipByGlobalNorm<typeof g>(5), g, g))).toEqual(toPlain(g))
  })

  it('clipByGlobalNorm takes mixed float32 and float64 leaves', () => {
    const g = { a: tensor([3, 0]), b: f64(4) }
    const u = first(clipByGlobalNorm<typeof g>(2.5), g, g)
    expect([u.a.dtype, u.b.dtype]).toEqual(['float32', 'float64'])
    expectClose(u.a, [1.5, 0])
    expect(u.b.item()).toBeCloseTo(2, 12)
  })
})

describe('weight decay: L2 (coupled) against decoupled', () => {
  const wd = 0.1
  const l2Loss = (p: Fixed): Tensor => add(fixedLoss(p), mul(add(sum(mul(p.w, p.w)), mul(p.b, p.b)), wd / 2))

  it('addDecayedWeights before adam is adam on loss + wd/2 |params|^2', () => {
    const coupled = train(chain(addDecayedWeights(wd), adam<Fixed>(0.05)), fixedLoss, fixedParams(X0), 30)
    const onL2 = train(adam<Fixed>(0.05), l2Loss, fixedParams(X0), 30)
    expectClose(fixedVec(coupled.params), fixedVec(onL2.params), { atol: 1e-13, rtol: 0 })
  })

  it('adamw is scaleByAdam, then the decay, then the learning rate, and differs from L2', () => {
    const decoupled = train(adamw<Fixed>(0.05, { weightDecay: wd }), fixedLoss, fixedParams(X0), 30)
    const composed = train(chain(scaleByAdam<Fixed>(), addDecayedWeights(wd), scaleByLearningRate(0.05)), fixedLoss, fixedParams(X0), 30)
    expect(fixedVec(decoupled.params)).toEqual(fixedVec(composed.params))
    const coupled = train(chain(addDecayedWeights(wd), adam<Fixed>(0.05)), fixedLoss, fixedParams(X0), 30)
    const gap = Math.max(...fixedVec(decoupled.params).map((v, i) => Math.abs(v - fixedVec(coupled.params)[i])))
    expect(gap).toBeGreaterThan(1e-3)
  })

  it('a mask spares the unselected leaves (adamw and addDecayedWeights)', () => {
    const p = { w: f64([2, -4]), b: f64(10) }
    const g = { w: f64([0, 0]), b: f64(0) }
    const keepW = (path: string) => path.endsWith('.w')
    const u = first(adamw<typeof p>(0.5, { weightDecay: 0.1, mask: keepW }), g, p)
    expectClose(u.w, [-0.1, 0.2], { atol: 1e-15 })
    expect(u.b.item() === 0).toBe(true) // -0: the -lr * 0 of an undecayed leaf
    const d = first(addDecayedWeights<typeof p>(0.1, { mask: { w: true, b: false } }), g, p)
    expectClose(d.w, [0.2, -0.4], { atol: 1e-15 })
    expect(d.b.item()).toBe(0)
  })
})

describe('proximalL1', () => {
  it('ISTA solves a lasso exactly: argmin 1/2 |x - a|^2 + |x|_1 = softThreshold(a, 1)', () => {
    const a = f64([3, 0.5, -2, -0.2, 1])
    const loss = (p: { x: Tensor }): Tensor => mul(sum(mul(p.x.sub(a), p.x.sub(a))), 0.5)
    const run = train(chain(sgd<{ x: Tensor }>(0.5), proximalL1(1, 0.5)), loss, { x: f64([0, 0, 0, 0, 0]) }, 60)
    const x = Array.from(run.params.x.dataSync())
    expectClose(x, [2, 0, -1, 0, 0], { atol: 1e-12, rtol: 0 })
    expect([x[1], x[3], x[4]].every((v) => v === 0)).toBe(true)
  })
})

describe('skipNonFinite', () => {
  const p = { w: f64([1, 2]) }
  const good = { w: f64([0.5, -0.5]) }
  const bad = { w: f64([NaN, 1]) }
  const inf = { w: f64([1, -Infinity]) }

  it('drops steps with NaN or Inf gradients, keeps the inner state and counts them', () => {
    const opt = skipNonFinite(adam<typeof p>(0.1))
    const s0 = opt.init(p)
    const [u1, s1] = opt.update(bad, s0, p)
    expect(Array.from(u1.w.dataSync())).toEqual([0, 0])
    expect(s1.inner).toBe(s0.inner)
    expect([s1.notFiniteCount, s1.totalNotFinite, s1.lastFinite]).toEqual([1, 1, false])
    const [, s2] = opt.update(inf, s1, p)
    expect([s2.notFiniteCount, s2.totalNotFinite]).toEqual([2, 2])
    const [u3, s3] = opt.update(good, s2, p)
    expect(toPlain(u3)).toEqual(toPlain(first(adam<typeof p>(0.1), good, p)))
    expect([s3.notFiniteCount, s3.totalNotFinite, s3.lastFinite, s3.inner.count]).toEqual([0, 2, true, 1])
  })

  it('applies a non-finite step after maxConsecutiveErrors rejections in a row', () => {
    const opt = skipNonFinite(sgd<typeof p>(0.1), { maxConsecutiveErrors: 2 })
    let s = opt.init(p)
    const applied: boolean[] = []
    for (let i = 0; i < 3; i++) {
      const [u, s1] = opt.update(bad, s, p)
      applied.push(Number.isNaN(u.w.dataSync()[0]))
      s = s1
    }
    expect(applied).toEqual([false, false, true])
    expect(s.inner.count).toBe(1)
  })
})

describe('multiSteps (gradient accumulation)', () => {
  it('returns zeros for k - 1 calls, then the inner update of the mean gradient', () => {
    const gs = [recOf(seq(14, 0.3)), recOf(seq(14, -0.7)), recOf(seq(14, 1.1))]
    const opt = multiSteps(adam<Rec>(0.1), 3)
    let s = opt.init(P)
    const us: Rec[] = []
    for (const g of gs) {
      const [u, s1] = opt.update(g, s, P)
      us.push(u)
      s = s1
    }
    expect(valuesOf(us[0]).every((v) => v === 0) && valuesOf(us[1]).every((v) => v === 0)).toBe(true)
    const meanValues = valuesOf(gs[0]).map((v, i) => (v + valuesOf(gs[1])[i] + valuesOf(gs[2])[i]) / 3)
    const direct = first(adam<Rec>(0.1), recOfSorted(meanValues), P)
    expectClose(valuesOf(us[2]), valuesOf(direct), { atol: 1e-15, rtol: 1e-14 })
    expect([s.miniStep, s.gradientStep, s.inner.count]).toEqual([0, 1, 1])
  })

  it('k = 1 is the inner transformation', () => {
    const a = train(multiSteps(adam<Fixed>(0.05), 1), fixedLoss, fixedParams(X0), 10)
    const b = train(adam<Fixed>(0.05), fixedLoss, fixedParams(X0), 10)
    expect(fixedVec(a.params)).toEqual(fixedVec(b.params))
    expect([a.state.gradientStep, a.state.inner.count]).toEqual([10, 10])
  })

  it('k equal micro-batches give the full-batch trajectory (logistic regression, sgd)', () => {
    const data = logisticData(200, 11)
    const full = logisticLoss(data)
    const micro = [0, 1, 2, 3].map((k) => {
      const X = data.X.slice(50 * k, 50 * k + 50), y = data.y.slice(50 * k, 50 * k + 50)
      return logisticLoss({ X, y, Xt: f64(X.flat()).reshape([50, 3]), yt: f64(y) })
    })
    const whole = train(sgd<Logistic>(1), full, LOGISTIC_START, 10)
    const opt = multiSteps(sgd<Logistic>(1), 4)
    let p = LOGISTIC_START
    let s = opt.init(p)
    for (let i = 0; i < 40; i++) {
      const g = gradOf(micro[i % 4], p)
      const [u, s1] = opt.update(g, s, p)
      p = applyUpdates(p, u)
      s = s1
    }
    expectClose(p.w, whole.params.w, { atol: 1e-13, rtol: 0 })
    expectClose(p.b, whole.params.b, { atol: 1e-13, rtol: 0 })
    expect(s.gradientStep).toBe(10)
  })
})

describe('masked', () => {
  const onlyDense = { dense: true, layers: false } as const

  it('runs the inner transformation on the selected leaves, passes the others through', () => {
    const opt = masked(adam<Rec>(0.1), onlyDense)
    const s0 = opt.init(P)
    expect(s0.mu.layers).toEqual([{ s: null }, { v: null }])
    const [u] = opt.update(G, s0, P)
    const sub = (r: Rec) => ({ dense: r.dense })
    expect(toPlain(u.dense)).toEqual(toPlain(first(adam<{ dense: Rec['dense'] }>(0.1), sub(G), sub(P)).dense))
    expect(toPlain(u.layers)).toEqual(toPlain(G.layers))
  })

  it('a predicate mask is the same as the boolean record', () => {
    const a = masked(adam<Rec>(0.1), onlyDense), b = masked(adam<Rec>(0.1), (path) => path.startsWith('params.dense'))
    expect(toPlain(first(a, G, P))).toEqual(toPlain(first(b, G, P)))
  })

  it('masked(setToZero()) freezes leaves; element masks and nested booleans work', () => {
    const frozen = { dense: { w: true, b: false }, layers: [false, true] } as const
    const opt = chain(masked(setToZero(), frozen), adam<Rec>(0.1))
    const run = train(opt, (r: Rec) => sum(mul(r.dense.w, r.dense.w)).add(sum(r.dense.b)).add(sum(mul(r.layers[1].v, r.layers[0].s))), P, 5)
    expect(toPlain(run.params.dense.w)).toEqual(toPlain(P.dense.w))
    expect(toPlain(run.params.layers[1].v)).toEqual(toPlain(P.layers[1].v))
    expect(toPlain(run.params.dense.b)).not.toEqual(toPlain(P.dense.b))
    expect(toPlain(run.params.layers[0].s)).not.toEqual(toPlain(P.layers[0].s))
  })

  it('reports a mask that does not cover the record', () => {
    const opt = masked(adam<Rec>(0.1), { dense: true } as unknown as { dense: boolean; layers: boolean })
    expectError(() => opt.init(P), 'INVALID_ARGUMENT', 'masked', 'params.layers', 'missing')
    const bad = masked(adam<Rec>(0.1), { dense: { w: [true], b: true }, layers: true } as unknown as boolean)
    expectError(() => bad.init(P), 'INVALID_ARGUMENT', 'params.dense.w', 'expected a boolean for a tensor')
  })
})

describe('argument checks', () => {
  it('optimizers refuse integer leaves, naming them', () => {
    const p = { w: f64([1]), steps: tensor([1, 2], { dtype: 'int32' }) }
    expectError(() => adam<typeof p>(0.1).init(p), 'DTYPE_MISMATCH', 'adam', 'params.steps is an int32 tensor')
  })

  it('rejects bad constant hyperparameters with INVALID_ARGUMENT', () => {
    expectError(() => adam(0.1, { b1: 1 }), 'INVALID_ARGUMENT', 'scaleByAdam', 'b1 must be in [0, 1)')
    expectError(() => sgd(-1), 'INVALID_ARGUMENT', 'sgd', 'learning rate')
    expectError(() => sgd(NaN), 'INVALID_ARGUMENT', 'sgd', 'learning rate')
    expectError(() => sgd(0.1, { nesterov: true }), 'INVALID_ARGUMENT', 'sgd', 'nesterov needs a momentum')
    expectError(() => multiSteps(sgd(0.1), 0), 'INVALID_ARGUMENT', 'everyK')
    expectError(() => clipByValue(1, -1), 'INVALID_ARGUMENT', 'min <= max')
    expectError(() => clipByGlobalNorm(-1), 'INVALID_ARGUMENT', 'maxNorm')
    expectError(() => adamw(0.1, { weightDecay: -1 }), 'INVALID_ARGUMENT', 'adamw', 'weightDecay')
  })
})

// ---------------------------------------------------------------------------------------------

const gradOf = <P>(loss: (p: P) => Tensor, p: P): P => grad(loss)(p)

/** recOf takes values in declaration order; valuesOf reads sorted-key order: invert it. */
const recOfSorted = (sorted: number[]): Rec => {
  // sorted order: dense.b (3), dense.w (6), layers[0].s (1), layers[1].v (4)
  const b = sorted.slice(0, 3), w = sorted.slice(3, 9), s = sorted.slice(9, 10), v = sorted.slice(10, 14)
  return recOf([...w, ...b, ...s, ...v])
}

describe('the optimizers check the gradients against the parameters before any op runs', () => {
  type Two = { layers: { w: Tensor }[] }
  const params: Two = { layers: [{ w: tensor(seq(6), { shape: [2, 3] }) }, { w: tensor(seq(3), { shape: [3, 1] }) }] }
  const swapped: Two = { layers: [{ w: tensor(seq(6), { shape: [3, 2] }) }, params.layers[1]] }
  const OPTIMIZERS: readonly [string, () => GradientTransformation<Two, unknown>][] = [
    ['sgd', () => sgd<Two>(0.1, { momentum: 0.9 })], ['adam', () => adam<Two>(0.1)], ['adamw', () => adamw<Two>(0.1)],
    ['adamax', () => adamax<Two>(0.1)], ['adagrad', () => adagrad<Two>(0.1)], ['rmsprop', () => rmsprop<Two>(0.1)],
    ['lion', () => lion<Two>(0.1)],
  ]
  it.each(OPTIMIZERS)('%s names the leaf whose shape differs, and the record that lacks a key', (name, make) => {
    const opt = make()
    const s0 = opt.init(params)
    expectError(() => opt.update(swapped, s0, params), 'SHAPE_MISMATCH', `${name}: grads.layers[0].w: expected shape [2,3] (as params.layers[0].w), got [3,2]`)
    expectError(() => opt.update({ layers: [params.layers[0]] }, s0, params), 'TREE_MISMATCH', `${name}: grads.layers`, 'compared with params')
    const [u] = opt.update(params, s0, params)
    expect(u.layers[0].w.shape).toEqual([2, 3])
  })
})
