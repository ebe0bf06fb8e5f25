/**
 * scan and the recurrent layers (src/layers/scan.ts, recurrent.ts): scan against cumsum, suffix
 * sums, a closed-form gradient and checkGrads at order 2; the SimpleRNN, LSTM and GRU cells and
 * layers step by step against hand-written float64 implementations; orthogonal recurrent weights;
 * time-major, reversed and last-step-only outputs; shape errors; and checkLayer at order 2.
 */

import { describe, expect, it } from 'vitest'
import { add, cumsum, grad, mul, sum, tanh, tensor, transpose, type Tensor } from '../../src/index.js'
import { checkGrads, checkLayer } from '../../laws/index.js'
import {
  gru, gruCell, lstm, lstmCell, scan, simpleRnn, simpleRnnCell, type GruParams, type LstmParams, type SimpleRnnParams,
} from '../../src/layers/index.js'
import { key } from '../../src/random/index.js'
import { expectClose, expectError, seededValues } from '../helpers/allclose.js'

const vals = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const f64 = (v: readonly number[], shape: number[]): Tensor => tensor([...v], { shape, dtype: 'float64' })
const rand = (shape: readonly number[], seed: number, scale = 1): Tensor =>
  f64(seededValues(shape.reduce((a, b) => a * b, 1), seed).map((v) => v * scale), [...shape])

describe('scan', () => {
  it('carries a value over axis 0 and stacks the per-step outputs: a running sum equals cumsum', () => {
    const xs = rand([5, 3], 1)
    const [total, ys] = scan((c: Tensor, x: Tensor) => { const s = add(c, x); return [s, s] }, f64([0, 0, 0], [3]), xs)
    expectClose(ys, cumsum(xs, { axis: 0 }), { atol: 1e-15 })
    expectClose(total, vals(cumsum(xs, { axis: 0 })).slice(12), { atol: 1e-15 })
  })

  it('takes records as carry, inputs and outputs; reverse runs backwards with outputs aligned to inputs', () => {
    const xs = { a: rand([4, 2], 2), b: rand([4], 3) }
    const f = (c: { s: Tensor; n: Tensor }, x: { a: Tensor; b: Tensor }) => {
      const s = add(c.s, mul(x.a, x.b))
      return [{ s, n: add(c.n, 1) }, { s, twice: mul(x.b, 2) }] as const
    }
    const init = { s: f64([0, 0], [2]), n: f64([0], [1]) }
    const [c, ys] = scan(f, init, xs)
    expect(vals(c.n)).toEqual([4])
    expect(ys.s.shape).toEqual([4, 2])
    expectClose(ys.twice, vals(xs.b).map((v) => 2 * v), { atol: 0 })
    const [cr, yr] = scan(f, init, xs, { reverse: true })
    expectClose(cr.s, c.s, { atol: 1e-15 })
    // Reverse: ys[t] is the sum over steps t..T-1 (suffix sums), still at index t.
    const A = vals(xs.a), B = vals(xs.b)
    const suffix0 = [0, 1].map((k) => [0, 1, 2, 3].reduce((acc, t) => acc + A[t * 2 + k] * B[t], 0))
    expectClose(vals(yr.s).slice(0, 2), suffix0, { atol: 1e-15 })
    expectClose(vals(yr.twice), vals(ys.twice), { atol: 0 })
  })

  it('runs a given number of steps without inputs, and rejects inconsistent inputs and carries', () => {
    const [c, ys] = scan((n: Tensor) => [add(n, 1), n] as const, f64([0], [1]), null, { length: 3 })
    expect(vals(c)).toEqual([3])
    expect(vals(ys)).toEqual([0, 1, 2])
    expectError(() => scan((c2: Tensor, x: { a: Tensor; b: Tensor }) => [c2, x.a] as const, f64([0], [1]), { a: rand([3], 1), b: rand([4], 2) }), 'SHAPE_MISMATCH', 'scan', 'steps')
    expectError(() => scan((c2: Tensor) => [{ c2 }, c2] as unknown as [Tensor, Tensor], f64([0], [1]), rand([2], 1)), 'TREE_MISMATCH', 'scan', 'carry')
    expectError(() => scan((c2: Tensor) => [c2, c2] as const, f64([0], [1]), null), 'INVALID_ARGUMENT', 'scan', 'length')
  })

  it('is differentiable to second order (checkGrads on a nonlinear recurrence, with respect to init, xs and a weight)', () => {
    const f = (h0: Tensor, xs: Tensor, w: Tensor): Tensor => {
      const [h, ys] = scan((h: Tensor, x: Tensor) => { const n = tanh(add(mul(w, h), x)); return [n, mul(n, n)] as const }, h0, xs)
      return add(sum(h), sum(ys))
    }
    checkGrads(f, [rand([2], 4), rand([4, 2], 5), rand([2], 6)], { order: 2 })
    // And against the closed form for a linear recurrence: h_T = w^T h0 + Σ w^(T-1-t) x_t.
    const g = grad((w: Tensor) => scan((h: Tensor, x: Tensor) => [add(mul(w, h), x), h] as const, f64([1], [1]), f64([1, 1, 1], [3, 1]))[0].sum())(f64([0.5], [1]))
    // d/dw (w³ + w² + w + 1) = 3w² + 2w + 1 at w = 0.5.
    expect(vals(g)[0]).toBeCloseTo(3 * 0.25 + 2 * 0.5 + 1, 14)
  })
})

// -------------------------------------------------------------------------------------------------
// Hand-written float64 references of the cells, from the equations in recurrent.ts.

type M = number[][]
const mat = (t: Tensor): M => t.arraySync() as M
const vec = (t: Tensor): number[] => vals(t)
const sig = (v: number): number => 1 / (1 + Math.exp(-v))
/** x W over the block [j0, j0 + H) of W's columns, for one example. */
const proj = (x: number[], W: M, j0: number, H: number): number[] =>
  Array.from({ length: H }, (_, j) => x.reduce((a, xi, i) => a + xi * W[i][j0 + j], 0))

const rnnRef = (p: SimpleRnnParams, x: number[], h: number[]): number[] => {
  const H = h.length, a = proj(x, mat(p.wx), 0, H), u = proj(h, mat(p.wh), 0, H), b = vec(p.b)
  return a.map((v, j) => Math.tanh(v + u[j] + b[j]))
}

const lstmRef = (p: LstmParams, x: number[], h: number[], c: number[]): [number[], number[]] => {
  const H = h.length, Wx = mat(p.wx), Wh = mat(p.wh), b = vec(p.b)
  const gate = (k: number): number[] => proj(x, Wx, k * H, H).map((v, j) => v + proj(h, Wh, k * H, H)[j] + b[k * H + j])
  const i = gate(0).map(sig), f = gate(1).map(sig), g = gate(2).map(Math.tanh), o = gate(3).map(sig)
  const c2 = c.map((cj, j) => f[j] * cj + i[j] * g[j])
  return [c2.map((cj, j) => o[j] * Math.tanh(cj)), c2]
}

const gruRef = (p: GruParams, x: number[], h: number[]): number[] => {
  const H = h.length, Wx = mat(p.wx), Wh = mat(p.wh), bx = vec(p.bx), bh = vec(p.bh)
  const a = (k: number): number[] => proj(x, Wx, k * H, H).map((v, j) => v + bx[k * H + j])
  const u = (k: number): number[] => proj(h, Wh, k * H, H).map((v, j) => v + bh[k * H + j])
  const r = a(0).map((v, j) => sig(v + u(0)[j])), z = a(1).map((v, j) => sig(v + u(1)[j]))
  const n = a(2).map((v, j) => Math.tanh(v + r[j] * u(2)[j]))
  return n.map((nj, j) => (1 - z[j]) * nj + z[j] * h[j])
}

const T = 4, N = 2, F = 3, H = 2
const xs = rand([N, T, F], 40)
/** Example n's input at step t. */
const xAt = (n: number, t: number): number[] => vals(xs).slice((n * T + t) * F, (n * T + t + 1) * F)
/** Replaces every bias with non-zero values, so their placement is tested too. */
const withBiases = <P extends object>(p: P, seed: number): P => Object.fromEntries(Object.entries(p).map(([k, v]: [string, Tensor]) =>
  [k, k.startsWith('b') ? rand(v.shape, seed + k.length, 0.5) : v])) as P

describe('recurrent cells against hand-written float64 implementations, step by step', () => {
  it('SimpleRNN', () => {
    const cell = simpleRnnCell(H)
    const p = withBiases(cell.init(key(1), F, 'float64'), 1)
    let h = cell.initialCarry(N, xs)
    const ref = [[0, 0], [0, 0]]
    const layerOut = vals(simpleRnn(H).apply(p, {}, xs)[0])
    for (let t = 0; t < T; t++) {
      const xt = f64([0, 1].flatMap((n) => xAt(n, t)), [N, F])
      const [h2, y] = cell.step(p, h, xt)
      for (let n = 0; n < N; n++) {
        ref[n] = rnnRef(p, xAt(n, t), ref[n])
        expectClose(vals(y).slice(n * H, n * H + H), ref[n], { atol: 1e-14 })
        expectClose(layerOut.slice((n * T + t) * H, (n * T + t + 1) * H), ref[n], { atol: 1e-14 })
      }
      h = h2
    }
  })

  it('LSTM (h and c at every step; forget bias initialised to 1)', () => {
    const cell = lstmCell(H)
    const init = cell.init(key(2), F, 'float64')
    expect(vals(init.b)).toEqual([0, 0, 1, 1, 0, 0, 0, 0])
    expect(init.wx.shape).toEqual([F, 4 * H])
    expect(init.wh.shape).toEqual([H, 4 * H])
    const p = withBiases(init, 2)
    let carry = cell.initialCarry(N, xs)
    const ref = [0, 1].map(() => ({ h: [0, 0], c: [0, 0] }))
    const layerOut = vals(lstm(H).apply(p, {}, xs)[0])
    for (let t = 0; t < T; t++) {
      const [next, y] = cell.step(p, carry, f64([0, 1].flatMap((n) => xAt(n, t)), [N, F]))
      for (let n = 0; n < N; n++) {
        const [h2, c2] = lstmRef(p, xAt(n, t), ref[n].h, ref[n].c)
        ref[n] = { h: h2, c: c2 }
        expectClose(vals(y).slice(n * H, n * H + H), h2, { atol: 1e-14 })
        expectClose(vals(next.c).slice(n * H, n * H + H), c2, { atol: 1e-14 })
        expectClose(layerOut.slice((n * T + t) * H, (n * T + t + 1) * H), h2, { atol: 1e-14 })
      }
      carry = next
    }
  })

  it('GRU (reset applied after the recurrent projection)', () => {
    const cell = gruCell(H)
    const p = withBiases(cell.init(key(3), F, 'float64'), 3)
    expect(p.bx.shape).toEqual([3 * H])
    let h = cell.initialCarry(N, xs)
    const ref = [[0, 0], [0, 0]]
    const layerOut = vals(gru(H).apply(p, {}, xs)[0])
    for (let t = 0; t < T; t++) {
      const [h2, y] = cell.step(p, h, f64([0, 1].flatMap((n) => xAt(n, t)), [N, F]))
      for (let n = 0; n < N; n++) {
        ref[n] = gruRef(p, xAt(n, t), ref[n])
        expectClose(vals(y).slice(n * H, n * H + H), ref[n], { atol: 1e-14 })
        expectClose(layerOut.slice((n * T + t) * H, (n * T + t + 1) * H), ref[n], { atol: 1e-14 })
      }
      h = h2
    }
  })

  it('recurrent weights are orthogonal per gate block', () => {
    const { wh } = lstmCell(3).init(key(4), 2, 'float64')
    const W = mat(wh)
    for (let k = 0; k < 4; k++) {
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
        const d = [0, 1, 2].reduce((s, i) => s + W[i][k * 3 + a] * W[i][k * 3 + b], 0)
        expect(d).toBeCloseTo(a === b ? 1 : 0, 12)
      }
    }
  })
})

describe('recurrent layers', () => {
  it('shapes: batch-major by default, time-major on request, last step only with returnSequences: false', () => {
    const layer = lstm(H)
    const { params, outputShape } = layer.init(key(5), [T, F], { dtype: 'float64' })
    expect(outputShape).toEqual([T, H])
    const seq = layer.apply(params, {}, xs)[0]
    expect(seq.shape).toEqual([N, T, H])
    const tm = lstm(H, { timeMajor: true }).apply(params, {}, transpose(xs, [1, 0, 2]))[0]
    expectClose(tm, transpose(seq, [1, 0, 2]), { atol: 0 })
    const last = lstm(H, { returnSequences: false })
    expect(last.init(key(5), [T, F]).outputShape).toEqual([H])
    const y = last.apply(params, {}, xs)[0]
    expect(y.shape).toEqual([N, H])
    expectClose(vals(y), [0, 1].flatMap((n) => vals(seq).slice((n * T + T - 1) * H, (n * T + T) * H)), { atol: 0 })
  })

  it('reverse runs the sequence backwards (the first output has seen every step)', () => {
    const layer = gru(H, { reverse: true })
    const { params } = layer.init(key(6), [T, F], { dtype: 'float64' })
    const rev = layer.apply(params, {}, xs)[0]
    // Reversing the input in time and running forwards gives the same outputs, reversed.
    const flipped = tensor(Array.from({ length: N * T * F }, (_, i) => {
      const n = Math.floor(i / (T * F)), t = Math.floor(i / F) % T, f = i % F
      return vals(xs)[(n * T + (T - 1 - t)) * F + f]
    }), { shape: [N, T, F], dtype: 'float64' })
    const fwd = vals(gru(H).apply(params, {}, flipped)[0])
    const back = Array.from({ length: N * T * H }, (_, i) => {
      const n = Math.floor(i / (T * H)), t = Math.floor(i / H) % T, h = i % H
      return fwd[(n * T + (T - 1 - t)) * H + h]
    })
    expectClose(vals(rev), back, { atol: 1e-15 })
  })

  it('shape errors name the layer', () => {
    const layer = simpleRnn(H)
    const { params } = layer.init(key(0), [T, F])
    expectError(() => layer.apply(params, {}, rand([N, F], 1)), 'SHAPE_MISMATCH', 'simpleRnn', '[N, T, F]')
    expectError(() => layer.apply(params, {}, rand([N, T, F + 1], 1).cast('float32')), 'SHAPE_MISMATCH', 'simpleRnnCell', `[N, ${F}]`)
    expectError(() => layer.init(key(0), [F]), 'SHAPE_MISMATCH', 'simpleRnn', '[T, F]')
  })

  const small = rand([2, 3, 2], 50, 0.8)
  for (const [name, layer] of [['simpleRnn', simpleRnn(2)], ['lstm', lstm(2)], ['gru', gru(2, { returnSequences: false })]] as const) {
    it(`${name} passes checkLayer (order 2, params and input)`, () => {
      const { params, state } = layer.init(key(7), [3, 2])
      checkLayer(layer as Parameters<typeof checkLayer>[0], { params, state, input: small }, { order: 2 })
    })
  }
})
