/**
 * Every primitive's derivative, in float64, against a closed form written here: `grad` must equal
 * the formula, and `jvp` along a random tangent v must equal <formula, v> (so both the VJP and the
 * JVP rule are checked). Convolution is checked against central differences.
 */
import { describe, expect, it } from 'vitest'
import {
  abs, add, argmax, avgPool2d, broadcastTo, cast, ceil, concat, conv2d, cos, cumsum, div, equal, erf, exp, expm1,
  floor, gather, grad, greater, greaterEqual, jvp, less, lessEqual, log, log1p, logSoftmax, matmul, max, maxPool2d,
  maximum, min, minimum, mul, neg, notEqual, pad, pow, reshape, round, scatterAdd, sign, sin, slice, softmax,
  sqrt, stopGradient, sub, sum, tanh, tensor, transpose, vjp, where, type Tensor,
} from '../../src/index.js'
import { expectClose, seededValues } from '../helpers/allclose.js'

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)
const T = (v: number[], shape: number[] = [v.length]): Tensor => tensor(v, { shape, dtype: 'float64' })
const rnd = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => T(seededValues(size(shape), seed, lo, hi), shape)
const dotv = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}
/** sum(w * y): a scalar probe of a tensor-valued op, whose gradient is J^T w. */
const probe = (y: Tensor, w: Tensor): Tensor => sum(mul(y, w))

/** grad of f at xs equals `want` (flat, per argument); jvp along random tangents equals sum_i <want_i, v_i>. */
const check = (f: (...xs: Tensor[]) => Tensor, xs: Tensor[], want: number[][], tol = 1e-12): void => {
  const g = grad(f, { argnums: xs.map((_, i) => i) })(...xs)
  g.forEach((gi, i) => {
    expect(gi.shape).toEqual(xs[i].shape)
    expect(gi.dtype).toBe(xs[i].dtype)
    expectClose(gi.dataSync(), want[i], { atol: tol, rtol: tol })
  })
  const vs = xs.map((x, i) => cast(rnd([...x.shape], 1000 + i), x.dtype))
  const [, t] = jvp(f, xs, vs)
  expectClose(t, want.reduce((s, w, i) => s + dotv(w, vs[i].dataSync()), 0), { atol: tol, rtol: tol })
}

/** Central differences of a scalar function of one tensor. */
const numericGrad = (f: (x: Tensor) => Tensor, x: Tensor, eps = 1e-6): number[] => {
  const v = Array.from(x.dataSync())
  return v.map((_, i) => {
    const at = (d: number): number => f(T(v.map((u, j) => (j === i ? u + d : u)), [...x.shape])).item()
    return (at(eps) - at(-eps)) / (2 * eps)
  })
}

describe('unary primitives', () => {
  const table: [string, (x: Tensor) => Tensor, number[], (x: number) => number][] = [
    ['neg', neg, [-1.5, 0.3, 2], () => -1],
    ['exp', exp, [-1.5, 0.3, 2], Math.exp],
    ['log', log, [0.2, 1, 3.5], (x) => 1 / x],
    ['sin', sin, [-1.5, 0.3, 2], Math.cos],
    ['cos', cos, [-1.5, 0.3, 2], (x) => -Math.sin(x)],
    ['sqrt', sqrt, [0.25, 1, 7], (x) => 0.5 / Math.sqrt(x)],
    ['tanh: 1 - tanh^2', tanh, [-1.5, 0.3, 2], (x) => 1 - Math.tanh(x) ** 2],
    ['abs: sign, 0 at 0', abs, [-1.5, 0, 2], Math.sign],
    ['erf: 2/sqrt(pi) exp(-x^2)', erf, [-1.5, 0.3, 2], (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)],
    ['log1p', log1p, [-0.5, 0.3, 2], (x) => 1 / (1 + x)],
    ['expm1', expm1, [-1.5, 0.3, 2], Math.exp],
    ['sign: zero', sign, [-1.5, 0.3, 2], () => 0],
    ['floor: zero', floor, [-1.5, 0.3, 2], () => 0],
    ['ceil: zero', ceil, [-1.5, 0.3, 2], () => 0],
    ['round: zero', round, [-1.5, 0.3, 2], () => 0],
  ]
  for (const [name, op, xs, d] of table) {
    it(name, () => check((x) => sum(op(x)), [T(xs)], [xs.map(d)]))
  }
})

describe('binary primitives', () => {
  const a = T([0.5, 1.5, 2]), b = T([2, -0.5, 3])
  const A = [0.5, 1.5, 2], B = [2, -0.5, 3]
  it('add, sub, mul, div', () => {
    check((x, y) => sum(add(x, y)), [a, b], [[1, 1, 1], [1, 1, 1]])
    check((x, y) => sum(sub(x, y)), [a, b], [[1, 1, 1], [-1, -1, -1]])
    check((x, y) => sum(mul(x, y)), [a, b], [B, A])
    check((x, y) => sum(div(x, y)), [a, b], [B.map((v) => 1 / v), A.map((u, i) => -u / B[i] ** 2)])
  })

  it('pow in both operands: b a^(b-1) and a^b ln a', () => {
    check((x, y) => sum(pow(x, y)), [a, b], [A.map((u, i) => B[i] * u ** (B[i] - 1)), A.map((u, i) => u ** B[i] * Math.log(u))])
    // At a = 0 the exponent's derivative is 0 * log 0, taken as 0 rather than NaN.
    check((x, y) => sum(pow(x, y)), [T([0, 3]), T([2, 2])], [[0, 6], [0, 9 * Math.log(3)]])
    check((x) => sum(pow(x, 3)), [T([-2, 1])], [[12, 3]])
  })

  it('maximum and minimum: the winner gets the gradient, ties split 0.5/0.5', () => {
    const p = T([1, 2, 3]), q = T([3, 2, 1])
    check((x, y) => sum(maximum(x, y)), [p, q], [[0, 0.5, 1], [1, 0.5, 0]])
    check((x, y) => sum(minimum(x, y)), [p, q], [[1, 0.5, 0], [0, 0.5, 1]])
  })

  it('broadcasting is undone: each gradient has its operand shape', () => {
    const x = rnd([2, 3], 1), row = rnd([3], 2), col = rnd([2, 1], 3), s = T([1.5], [])
    const X = Array.from(x.dataSync()), R = Array.from(row.dataSync()), C = Array.from(col.dataSync())
    check((u, v) => sum(add(u, v)), [x, row], [X.map(() => 1), [2, 2, 2]])
    check((u, v) => sum(mul(u, v)), [x, col], [X.map((_, k) => C[Math.floor(k / 3)]), [X[0] + X[1] + X[2], X[3] + X[4] + X[5]]])
    check((u, v) => sum(sub(u, v)), [row, col], [[2, 2, 2], [-3, -3]])
    check((u, v) => sum(mul(u, v)), [row, s], [[1.5, 1.5, 1.5], [R[0] + R[1] + R[2]]])
    check((u, v) => sum(maximum(u, v)), [T([0, 5], [1, 2]), T([1, 1, 1], [3, 1])], [[0, 3], [1, 1, 1]])
  })
})

describe('comparisons, where, cast, stopGradient', () => {
  it('comparisons pass no gradient', () => {
    const x = T([0.5, 1, 2]), y = T([1, 1, 1])
    for (const c of [equal, notEqual, less, lessEqual, greater, greaterEqual]) {
      check((u, v) => sum(mul(cast(c(u, v), 'float64'), u)), [x, y], [Array.from(cast(c(x, y), 'float64').dataSync()), [0, 0, 0]])
    }
  })

  it('where routes the cotangent to the picked branch', () => {
    const c = tensor([true, false, true]), w = T([2, 3, 4])
    check((a, b) => probe(where(c, a, b), w), [T([1, 2, 3]), T([4, 5, 6])], [[2, 0, 4], [0, 3, 0]])
    // condition [2,1], a [3], b scalar: output [2,3]; gradients keep the operand shapes.
    const c2 = tensor([[true], [false]])
    check((a, b) => sum(where(c2, a, b)), [T([1, 2, 3]), T([7], [])], [[1, 1, 1], [3]])
  })

  it('where does not leak NaN or Infinity from the unselected branch', () => {
    const x = T([2, 3])
    // The unselected branch is log(x - 5) = NaN: the gradient is exactly 1.
    check((u) => sum(where(greater(u, 0), u, log(sub(u, 5)))), [x], [[1, 1]])
    // An infinite cotangent on the unselected side: where gives 0 there, not 0 * Inf = NaN.
    const w = T([1, Infinity]), c = tensor([true, false])
    const g = grad((u: Tensor) => sum(mul(where(c, u, T([0, 0])), where(c, w, T([0, 0])))))(x)
    expectClose(g, [1, 0])
    // The usual safe pattern: sqrt(where(x > 0, x, 1)) keeps the gradient finite at x <= 0.
    check((u) => sum(where(greater(u, 0), sqrt(where(greater(u, 0), u, T([1, 1]))), T([0, 0]))), [T([-1, 4])], [[0, 0.25]])
  })

  it('cast float32 <-> float64 passes the gradient, converted to the input dtype', () => {
    const x32 = tensor([0.5, -2])
    check((u) => sum(mul(cast(u, 'float64'), T([3, 0.1]))), [x32], [[3, Math.fround(0.1)]], 1e-7)
    check((u) => sum(mul(cast(u, 'float32'), tensor([3, 0.1]))), [T([0.5, -2])], [[3, Math.fround(0.1)]], 1e-7)
    const g = grad((u: Tensor) => sum(cast(mul(u, u), 'float32')))(T([1.5]))
    expect(g.dtype).toBe('float64')
    expectClose(g, [3])
  })

  it('stopGradient gives zero', () => {
    check((u) => sum(stopGradient(mul(u, u))), [T([1, 2])], [[0, 0]])
    check((u) => sum(mul(u, stopGradient(u))), [T([1, 2])], [[1, 2]])
  })
})

describe('reductions and scans', () => {
  const x = T([1, -2, 3, 0.5, 4, -1], [2, 3])
  it('sum over axes (keepDims or not) broadcasts the cotangent back', () => {
    check((u) => probe(sum(u, { axis: 1 }), T([2, -1])), [x], [[2, 2, 2, -1, -1, -1]])
    check((u) => probe(sum(u, { axis: 0, keepDims: true }), T([1, 2, 3], [1, 3])), [x], [[1, 2, 3, 1, 2, 3]])
    check((u) => probe(sum(u, { axis: [0, 1] }), T([5], [])), [x], [[5, 5, 5, 5, 5, 5]])
  })

  it('max reduction sends the gradient to the maximum, split equally among ties', () => {
    check((u) => sum(max(u)), [T([5, 1, 5, 2])], [[0.5, 0, 0.5, 0]])
    check((u) => probe(max(u, { axis: 1 }), T([2, 3])), [T([1, 3, 3, 2, 0, 1], [2, 3])], [[0, 1, 1, 3, 0, 0]])
    check((u) => probe(max(u, { axis: 0, keepDims: true }), T([1, 1, 1], [1, 3])), [T([4, 4, 1, 4, 2, 9], [2, 3])], [[0.5, 1, 0, 0.5, 0, 1]])
    check((u) => sum(min(u)), [T([3, -1, 2])], [[0, 1, 0]])
  })

  it('argmax passes no gradient; the value it picks does', () => {
    check((u) => sum(gather(u, argmax(u))), [T([1, 7, 3])], [[0, 1, 0]])
  })

  it('cumsum, forward and reverse, along each axis', () => {
    const w = [1, 2, 3, 4]
    // d/dx_j sum_i w_i cumsum(x)_i = sum_{i >= j} w_i
    check((u) => probe(cumsum(u), T(w)), [T([0.1, 0.2, 0.3, 0.4])], [[10, 9, 7, 4]])
    check((u) => probe(cumsum(u, { reverse: true }), T(w)), [T([0.1, 0.2, 0.3, 0.4])], [[1, 3, 6, 10]])
    check((u) => probe(cumsum(u, { axis: 0 }), T([1, 2, 3, 4, 5, 6], [2, 3])), [x], [[5, 7, 9, 4, 5, 6]])
  })
})

describe('matmul', () => {
  /** Closed forms: d/dA sum(W o AB) = W B^T, d/dB = A^T W, computed with explicit loops. */
  const closed = (A: number[], B: number[], W: number[], m: number, k: number, n: number): [number[], number[]] => {
    const dA = new Array<number>(m * k).fill(0), dB = new Array<number>(k * n).fill(0)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
      dA[i * k + p] += W[i * n + j] * B[p * n + j]
      dB[p * n + j] += A[i * k + p] * W[i * n + j]
    }
    return [dA, dB]
  }
  const a = rnd([2, 3], 1), b = rnd([3, 4], 2), w = rnd([2, 4], 3)
  const [dA, dB] = closed([...a.dataSync()], [...b.dataSync()], [...w.dataSync()], 2, 3, 4)
  /** The flat transpose of a row-major matrix with `c` rows and `r` columns (the result has r rows, c columns). */
  const tr = (v: number[], r: number, c: number): number[] => v.map((_, i) => v[(i % c) * r + Math.floor(i / c)])

  it('2-D', () => check((u, v) => probe(matmul(u, v), w), [a, b], [dA, dB]))

  it('transpose flags', () => {
    const at = transpose(a), bt = transpose(b)
    check((u, v) => probe(matmul(u, v, { transposeA: true }), w), [at, b], [tr(dA, 3, 2), dB])
    check((u, v) => probe(matmul(u, v, { transposeB: true }), w), [a, bt], [dA, tr(dB, 4, 3)])
    check((u, v) => probe(matmul(u, v, { transposeA: true, transposeB: true }), w), [at, bt], [tr(dA, 3, 2), tr(dB, 4, 3)])
  })

  it('batch broadcasting: the shared operand gets the sum over the batch', () => {
    const a3 = rnd([2, 2, 3], 4), w3 = rnd([2, 2, 4], 5)
    const A = [...a3.dataSync()], W = [...w3.dataSync()], B = [...b.dataSync()]
    const [dA0, dB0] = closed(A.slice(0, 6), B, W.slice(0, 8), 2, 3, 4)
    const [dA1, dB1] = closed(A.slice(6), B, W.slice(8), 2, 3, 4)
    check((u, v) => probe(matmul(u, v), w3), [a3, b], [[...dA0, ...dA1], dB0.map((v, i) => v + dB1[i])])
  })

  it('1-D operands', () => {
    const v = rnd([3], 6), wv = rnd([4], 7)
    const [dv, dB1] = closed([...v.dataSync()], [...b.dataSync()], [...wv.dataSync()], 1, 3, 4)
    check((p, q) => probe(matmul(p, q), wv), [v, b], [dv, dB1])
  })
})

describe('movement and indexing', () => {
  const x = T([1, 2, 3, 4, 5, 6], [2, 3])
  const w6 = [1, -1, 2, -2, 3, -3]
  it('reshape and transpose', () => {
    check((u) => probe(reshape(u, [3, 2]), T(w6, [3, 2])), [x], [w6])
    // transpose: y[j][i] = x[i][j], so dx[i][j] = w[j][i]
    check((u) => probe(transpose(u), T(w6, [3, 2])), [x], [[1, 2, 3, -1, -2, -3]])
  })

  it('broadcastTo sums the cotangent back', () => {
    check((u) => probe(broadcastTo(u, [2, 3]), T(w6, [2, 3])), [T([1, 2, 3])], [[-1, 2, -1]])
    check((u) => probe(broadcastTo(u, [2, 3]), T(w6, [2, 3])), [T([7, 8], [2, 1])], [[2, -2]])
  })

  it('slice pads the cotangent, pad slices it', () => {
    check((u) => probe(slice(u, [0, 1], [2, 2]), T([1, 2, 3, 4], [2, 2])), [x], [[0, 1, 2, 0, 3, 4]])
    check((u) => probe(pad(u, [[1, 0], [0, 1]], 9), T([...new Array(4).fill(0), 1, 2, 3, 0, 4, 5, 6, 0], [3, 4])), [x], [[1, 2, 3, 4, 5, 6]])
  })

  it('concat splits the cotangent', () => {
    check((u, v) => probe(concat([u, v], 1), T([1, 2, 3, 4, 5, 6, 7, 8], [2, 4])), [x, T([0, 0], [2, 1])], [[1, 2, 3, 5, 6, 7], [4, 8]])
  })

  it('gather scatters the cotangent (repeats accumulate); scatterAdd gathers it', () => {
    const ix = tensor([2, 0, 2], { dtype: 'int32' })
    check((u) => probe(gather(u, ix, 1), T([1, 2, 3, 4, 5, 6], [2, 3])), [x], [[2, 0, 4, 5, 0, 10]])
    check((u) => probe(scatterAdd(u, ix, 1, 4), T([1, 2, 3, 4, 5, 6, 7, 8], [2, 4])), [x], [[3, 1, 3, 7, 5, 7]])
  })
})

describe('convolution and pooling', () => {
  const x = rnd([2, 5, 4, 2], 11), w = rnd([3, 2, 2, 3], 12)
  const wy = rnd([2, 3, 2, 3], 13)
  const loss = (u: Tensor, v: Tensor): Tensor => probe(conv2d(u, v, { padding: 'same', strides: 2 }), wy)

  it('conv2d gradients match central differences (eps 1e-6, tolerance 1e-6)', () => {
    const [gx, gw] = grad(loss, { argnums: [0, 1] })(x, w)
    expectClose(gx.dataSync(), numericGrad((u) => loss(u, w), x), { atol: 1e-6, rtol: 1e-6 })
    expectClose(gw.dataSync(), numericGrad((v) => loss(x, v), w), { atol: 1e-6, rtol: 1e-6 })
    check(loss, [x, w], [[...gx.dataSync()], [...gw.dataSync()]])
  })

  it('second order: the gradient primitives (conv2dBackInput/BackFilter) differentiate too', () => {
    const v = rnd([3, 2, 2, 3], 14)
    const gwDotV = (u: Tensor): Tensor => probe(grad((q: Tensor) => loss(u, q))(w), v)
    expectClose(grad(gwDotV)(x).dataSync(), numericGrad(gwDotV, x), { atol: 1e-6, rtol: 1e-6 })
    const u0 = rnd([2, 5, 4, 2], 15)
    const gxDotU = (q: Tensor): Tensor => probe(grad((p: Tensor) => loss(p, q))(x), u0)
    expectClose(grad(gxDotU)(w).dataSync(), numericGrad(gxDotU, w), { atol: 1e-6, rtol: 1e-6 })
    check(gwDotV, [x], [[...grad(gwDotV)(x).dataSync()]])
    check(gxDotU, [w], [[...grad(gxDotU)(w).dataSync()]])
  })

  const img = T([1, 5, 2, 0, 3, 4, 9, 1, 2, 8, 7, 7, 6, 0, 1, 3], [1, 4, 4, 1])
  it('maxPool sends the gradient to each window maximum (the first, at ties)', () => {
    // windows 2x2 stride 2: maxima 5 (idx 1), 9 (idx 6), 8 (idx 9), 7 (idx 10 wins the tie with 11)
    const w4 = T([1, 2, 3, 4], [1, 2, 2, 1])
    check((u) => probe(maxPool2d(u, { window: 2 }), w4), [img], [[0, 1, 0, 0, 0, 0, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]])
    // overlapping windows accumulate: 3x3 stride 1 -> maxima 9, 9, 9, 9
    check((u) => sum(maxPool2d(u, { window: 3, strides: 1 })), [img], [[0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
  })

  it('avgPool spreads the gradient over the valid positions of each window', () => {
    const g = [0.25, 0.25, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1, 1, 0.75, 0.75, 1, 1]
    check((u) => probe(avgPool2d(u, { window: 2 }), T([1, 2, 3, 4], [1, 2, 2, 1])), [img], [g])
    // 'same' on 3x3 with 2x2 windows: the corner window holds one position and gives it the full weight
    check((u) => sum(avgPool2d(u, { window: 2, padding: 'same' })), [rnd([1, 3, 3, 1], 16)], [[0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1]])
  })

  it('second order: maxPoolScatter/Select and avgPoolGrad are differentiated as linear maps', () => {
    const w4 = rnd([1, 2, 2, 1], 17), v = rnd([1, 4, 4, 1], 18)
    // h(W) = grad_x sum(W o maxPool(x)) is maxPoolScatter(x, W); d/dW <v, h(W)> picks v at the argmaxes.
    const hm = (q: Tensor): Tensor => probe(grad((u: Tensor) => probe(maxPool2d(u, { window: 2 }), q))(img), v)
    const V = [...v.dataSync()]
    check(hm, [w4], [[V[1], V[6], V[9], V[10]]])
    const ha = (q: Tensor): Tensor => probe(grad((u: Tensor) => probe(avgPool2d(u, { window: 2 }), q))(img), v)
    const win = (i0: number): number => (V[i0] + V[i0 + 1] + V[i0 + 4] + V[i0 + 5]) / 4
    check(ha, [w4], [[win(0), win(2), win(8), win(10)]])
    // The tangent of maxPool is maxPoolSelect(x, t), linear in t: its own VJP and JVP give the argmax pattern.
    const sel = (t: Tensor): Tensor => probe(jvp((u: Tensor) => maxPool2d(u, { window: 2 }), [img], [t])[1], T([1, 2, 3, 4], [1, 2, 2, 1]))
    check(sel, [v], [[0, 1, 0, 0, 0, 0, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]])
  })
})

describe('jvp against vjp: <J v, w> = <v, J^T w> on random inputs', () => {
  const fns: [string, (x: Tensor) => Tensor, number[]][] = [
    ['mlp with softmax', (x) => softmax(tanh(matmul(x, rnd([4, 3], 21))), -1), [2, 4]],
    ['logSoftmax, cumsum, max, pad, slice, gather', (x) => concat([
      logSoftmax(x, 0),
      slice(cumsum(pad(x, [[1, 0], [0, 1]]), { axis: 1 }), [1, 0], [2, 4]),
      pad(gather(x, tensor([3, 0, 3], { dtype: 'int32' }), 1), [[0, 0], [0, 1]]),
      broadcastTo(max(x, { axis: 1, keepDims: true }), [2, 4]),
    ]), [2, 4]],
    ['conv, pool, erf, pow', (x) => maxPool2d(erf(conv2d(x, rnd([2, 2, 1, 2], 22), { padding: 'same' })), { window: 2 }).add(
      avgPool2d(pow(exp(x), 1.5), { window: 2 }).mul(2).sum({ axis: 3, keepDims: true })), [1, 4, 4, 1]],
    ['division, sqrt, where', (x) => where(greater(x, 0), div(sqrt(abs(x)), add(x, 3)), mul(sin(x), cos(x))), [5]],
  ]
  for (const [name, f, shape] of fns) {
    it(name, () => {
      for (let s = 0; s < 3; s++) {
        const x = rnd(shape, 300 + s), v = rnd(shape, 400 + s)
        const [y, jv] = jvp(f, [x], [v])
        const [, pullback] = vjp(f, x)
        const w = rnd([...y.shape], 500 + s)
        const [jtw] = pullback(w)
        expect(jtw.shape).toEqual(x.shape)
        const lhs = dotv(jv.dataSync(), w.dataSync()), rhs = dotv(v.dataSync(), jtw.dataSync())
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(lhs)))
      }
    })
  }
})
