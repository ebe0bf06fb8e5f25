/**
 * The test problems as puregrad losses over parameter records, and the pure training loop the
 * optimizer tests drive: the fixed problem of reference.ts (record `{ w: [2], b: [] }` holding
 * x = [w0, w1, b]), Rosenbrock's valley, and a logistic regression on seeded synthetic data with
 * its optimum found independently by Newton's method in plain JS.
 */

import {
  add, concat, exp, log1p, matmul, mean, mul, outer, reshape, square, sub, sum, tensor, valueAndGrad,
  type Tensor,
} from '../../src/index.js'
import { applyUpdates, type GradientTransformation } from '../../src/optim/index.js'
import { A, C, type Vec } from './reference.js'

const f64 = (x: number | number[] | number[][]): Tensor => tensor(x, { dtype: 'float64' })

// ---------------------------------------------------------------------------------------------
// The fixed problem

export interface Fixed { readonly w: Tensor; readonly b: Tensor }

export const fixedParams = (x: readonly number[]): Fixed => ({ w: f64([x[0], x[1]]), b: f64(x[2]) })
export const fixedVec = (p: Fixed): Vec => [...Array.from(p.w.dataSync()), p.b.item()]

const A_T = f64(A.map((r) => [...r]))
const C_T = f64([...C])

/** 1/2 (x - c)^T A (x - c) + 1/10 sum x^4 with x = [w0, w1, b]. */
export const fixedLoss = (p: Fixed): Tensor => {
  const x = concat([p.w, reshape(p.b, [1])], 0)
  const d = sub(x, C_T)
  return add(mul(sum(mul(A_T, outer(d, d))), 0.5), mul(sum(square(square(x))), 0.1))
}

// ---------------------------------------------------------------------------------------------
// Rosenbrock: (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1); started at (-1.2, 1).

export interface XY { readonly x: Tensor; readonly y: Tensor }

export const ROSENBROCK_START: XY = { x: f64(-1.2), y: f64(1) }

export const rosenbrock = (p: XY): Tensor => add(square(sub(1, p.x)), mul(square(sub(p.y, square(p.x))), 100))

// ---------------------------------------------------------------------------------------------
// Logistic regression on n seeded points in 3 dimensions with labels drawn from a logistic model
// (not separable, so the optimum is finite and unique).

export interface Logistic { readonly w: Tensor; readonly b: Tensor }

const lcg = (seed: number) => {
  let s = seed >>> 0
  return (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return (s + 0.5) / 2 ** 32
  }
}

export interface LogisticData { readonly X: number[][]; readonly y: number[]; readonly Xt: Tensor; readonly yt: Tensor }

export const logisticData = (n = 200, seed = 7): LogisticData => {
  const u = lcg(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())
  const wTrue = [1.5, -2, 0.5], bTrue = 0.3
  const X = Array.from({ length: n }, () => [normal(), normal(), normal()])
  const y = X.map((row) => {
    const z = row.reduce((s, v, j) => s + v * wTrue[j], bTrue)
    return u() < 1 / (1 + Math.exp(-z)) ? 1 : 0
  })
  return { X, y, Xt: f64(X), yt: f64(y) }
}

export const LOGISTIC_START: Logistic = { w: f64([0, 0, 0]), b: f64(0) }

/**
 * Mean binary cross-entropy from logits z: softplus(z) - y z with softplus(z) = log1p(exp(z)),
 * smooth everywhere (|z| stays below ~20 here). Not relu(z) + log1p(exp(-|z|)): equal in value,
 * but autodiff differentiates its kinks at z = 0 with the subgradient 0 of relu and abs, so the
 * gradient at w = 0, b = 0 (where every z is 0, our start) would be wrong.
 */
export const logisticLoss = (data: LogisticData) => (p: Logistic): Tensor => {
  const z = add(reshape(matmul(data.Xt, reshape(p.w, [3, 1])), [data.y.length]), p.b)
  return mean(sub(log1p(exp(z)), mul(data.yt, z)))
}

/** The optimum [w0, w1, w2, b] and its loss, by Newton's method in plain JS (independent of puregrad). */
export const logisticOptimum = (data: LogisticData): { theta: Vec; loss: number } => {
  const rows = data.X.map((r) => [...r, 1])
  const n = rows.length, d = 4
  let theta = [0, 0, 0, 0]
  const lossAt = (th: Vec): number => rows.reduce((s, r, i) => {
    const z = r.reduce((a, v, j) => a + v * th[j], 0)
    return s + Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - data.y[i] * z
  }, 0) / n
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(d).fill(0)
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0))
    rows.forEach((r, i) => {
      const z = r.reduce((a, v, j) => a + v * theta[j], 0)
      const s = 1 / (1 + Math.exp(-z))
      for (let j = 0; j < d; j++) {
        g[j] += ((s - data.y[i]) * r[j]) / n
        for (let k = 0; k < d; k++) H[j][k] += (s * (1 - s) * r[j] * r[k]) / n
      }
    })
    // Solve H delta = g by Gaussian elimination (H is symmetric positive definite).
    const M = H.map((row, j) => [...row, g[j]])
    for (let c = 0; c < d; c++) {
      for (let r = c + 1; r < d; r++) {
        const f = M[r][c] / M[c][c]
        for (let k = c; k <= d; k++) M[r][k] -= f * M[c][k]
      }
    }
    const delta = new Array<number>(d).fill(0)
    for (let r = d - 1; r >= 0; r--) {
      let s = M[r][d]
      for (let k = r + 1; k < d; k++) s -= M[r][k] * delta[k]
      delta[r] = s / M[r][r]
    }
    theta = theta.map((t, j) => t - delta[j])
    if (Math.max(...delta.map(Math.abs)) < 1e-14) break
  }
  return { theta, loss: lossAt(theta) }
}

// ---------------------------------------------------------------------------------------------
// The training loop: a fold over steps, nothing mutated.

export interface RunResult<P, S> { readonly params: P; readonly state: S; readonly losses: number[]; readonly path: P[] }

/** `steps` updates of `opt` on `loss` from `params`; losses are recorded before each update. */
export const train = <P, S>(
  opt: GradientTransformation<P, S>, loss: (p: P) => Tensor, params: P, steps: number, keepPath = false,
): RunResult<P, S> => {
  const vg = valueAndGrad(loss)
  let p = params
  let s = opt.init(params)
  const losses: number[] = []
  const path: P[] = keepPath ? [params] : []
  for (let i = 0; i < steps; i++) {
    const [value, g] = vg(p)
    losses.push(value.item())
    const [u, s1] = opt.update(g, s, p)
    p = applyUpdates(p, u)
    s = s1
    if (keepPath) path.push(p)
  }
  return { params: p, state: s, losses, path }
}
