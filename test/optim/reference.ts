/**
 * Independent float64 reference implementations of the optimizers, written from the published
 * update equations as plain JS loops over number arrays (no puregrad, nothing shared with
 * src/optim), and the fixed problem their trajectories are compared on.
 *
 * Each reference is a function `(x, g, t) => x'` closed over its own state; t is the update
 * number, 1 at the first. Equations and sources are repeated next to each one.
 */

export type Vec = number[]
export type RefStep = (x: Vec, g: Vec, t: number) => Vec

const zeros = (n: number): Vec => new Array<number>(n).fill(0)

/** Plain SGD (Robbins & Monro): x <- x - lr g. */
export const refSgd = (lr: number): RefStep => (x, g) => x.map((xi, i) => xi - lr * g[i])

/**
 * Heavy-ball momentum in the Optax/PyTorch form: v <- g + mu v; x <- x - lr v. Nesterov (Sutskever
 * et al. 2013, in PyTorch's form): v <- g + mu v; x <- x - lr (g + mu v).
 */
export const refMomentum = (lr: number, mu: number, nesterov: boolean): RefStep => {
  let v: Vec | undefined
  return (x, g) => {
    const vv = v ?? zeros(x.length)
    v = g.map((gi, i) => gi + mu * vv[i])
    const nv = v
    return x.map((xi, i) => xi - lr * (nesterov ? g[i] + mu * nv[i] : nv[i]))
  }
}

/**
 * Adam, Kingma & Ba 2015, Algorithm 1:
 *   m_t = b1 m_{t-1} + (1 - b1) g_t;  v_t = b2 v_{t-1} + (1 - b2) g_t^2
 *   mhat = m_t / (1 - b1^t);  vhat = v_t / (1 - b2^t)
 *   x_t = x_{t-1} - alpha mhat / (sqrt(vhat) + eps)
 * AdamW, Loshchilov & Hutter 2019, Algorithm 2 with the schedule multiplier eta = 1 and the decay
 * scaled by the learning rate (PyTorch/Optax): x_t = x_{t-1} - alpha (mhat / (sqrt(vhat) + eps) + wd x_{t-1}).
 */
export const refAdam = (alpha: number, b1: number, b2: number, eps: number, wd = 0): RefStep => {
  let m: Vec | undefined, v: Vec | undefined
  return (x, g, t) => {
    const m0 = m ?? zeros(x.length), v0 = v ?? zeros(x.length)
    const m1 = m0.map((mi, i) => b1 * mi + (1 - b1) * g[i])
    const v1 = v0.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i])
    m = m1
    v = v1
    return x.map((xi, i) => {
      const mhat = m1[i] / (1 - Math.pow(b1, t))
      const vhat = v1[i] / (1 - Math.pow(b2, t))
      return xi - alpha * (mhat / (Math.sqrt(vhat) + eps) + wd * xi)
    })
  }
}

/**
 * Adamax, Kingma & Ba 2015, Algorithm 2, with eps inside the max as in PyTorch/Optax:
 *   m_t = b1 m_{t-1} + (1 - b1) g_t;  u_t = max(b2 u_{t-1}, |g_t| + eps)
 *   x_t = x_{t-1} - (alpha / (1 - b1^t)) m_t / u_t
 */
export const refAdamax = (alpha: number, b1: number, b2: number, eps: number): RefStep => {
  let m: Vec | undefined, u: Vec | undefined
  return (x, g, t) => {
    const m0 = m ?? zeros(x.length), u0 = u ?? zeros(x.length)
    const m1 = m0.map((mi, i) => b1 * mi + (1 - b1) * g[i])
    const u1 = u0.map((ui, i) => Math.max(b2 * ui, Math.abs(g[i]) + eps))
    m = m1
    u = u1
    return x.map((xi, i) => xi - (alpha / (1 - Math.pow(b1, t))) * (m1[i] / u1[i]))
  }
}

/**
 * Adagrad, Duchi, Hazan & Singer 2011 (diagonal), delta outside the root:
 *   G_t = G_{t-1} + g_t^2 (G_0 = initial);  x_t = x_{t-1} - eta g_t / (delta + sqrt(G_t))
 */
export const refAdagrad = (eta: number, initial: number, delta: number): RefStep => {
  let G: Vec | undefined
  return (x, g) => {
    const G0 = G ?? new Array<number>(x.length).fill(initial)
    const G1 = G0.map((s, i) => s + g[i] * g[i])
    G = G1
    return x.map((xi, i) => xi - (eta * g[i]) / (delta + Math.sqrt(G1[i])))
  }
}

/**
 * RMSprop, Tieleman & Hinton 2012 (lecture 6.5): MeanSquare = rho MeanSquare + (1 - rho) g^2,
 * x <- x - lr g / (sqrt(MeanSquare) + eps). Centered (Graves 2013, eq. 38-40, without momentum):
 * also gbar = rho gbar + (1 - rho) g and the root of MeanSquare - gbar^2.
 */
export const refRmsprop = (lr: number, rho: number, eps: number, centered: boolean): RefStep => {
  let n: Vec | undefined, gbar: Vec | undefined
  return (x, g) => {
    const n0 = n ?? zeros(x.length), gb0 = gbar ?? zeros(x.length)
    const n1 = n0.map((ni, i) => rho * ni + (1 - rho) * g[i] * g[i])
    const gb1 = gb0.map((gi, i) => rho * gi + (1 - rho) * g[i])
    n = n1
    gbar = gb1
    return x.map((xi, i) => xi - (lr * g[i]) / (Math.sqrt(centered ? n1[i] - gb1[i] * gb1[i] : n1[i]) + eps))
  }
}

/**
 * Lion, Chen et al. 2023, Algorithm 2:
 *   c_t = b1 m_{t-1} + (1 - b1) g_t;  x_t = x_{t-1} - eta (sign(c_t) + lambda x_{t-1})
 *   m_t = b2 m_{t-1} + (1 - b2) g_t
 */
export const refLion = (eta: number, b1: number, b2: number, lambda: number): RefStep => {
  let m: Vec | undefined
  return (x, g) => {
    const m0 = m ?? zeros(x.length)
    const c = m0.map((mi, i) => b1 * mi + (1 - b1) * g[i])
    m = m0.map((mi, i) => b2 * mi + (1 - b2) * g[i])
    return x.map((xi, i) => xi - eta * (Math.sign(c[i]) + lambda * xi))
  }
}

// ---------------------------------------------------------------------------------------------
// The fixed problem: f(x) = 1/2 (x - c)^T A (x - c) + 1/10 sum x_i^4 on R^3, A symmetric
// positive definite and not diagonal, so the coordinates interact and the quartic makes the
// gradient nonlinear. Gradient by hand: A (x - c) + 2/5 x^3.

export const A: readonly (readonly number[])[] = [[3, 1, 0], [1, 2, 0.5], [0, 0.5, 1]]
export const C: readonly number[] = [1, -2, 0.5]
export const X0: readonly number[] = [0.5, 0.3, -1]

export const refGrad = (x: Vec): Vec =>
  x.map((xi, i) => A[i].reduce((s, a, j) => s + a * (x[j] - C[j]), 0) + 0.4 * xi ** 3)

/** x_0, x_1, ..., x_steps under `step` on the fixed problem. */
export const refTrajectory = (step: RefStep, steps: number, x0: readonly number[] = X0): Vec[] => {
  const out: Vec[] = [[...x0]]
  let x = [...x0]
  for (let t = 1; t <= steps; t++) {
    x = step(x, refGrad(x), t)
    out.push(x)
  }
  return out
}
