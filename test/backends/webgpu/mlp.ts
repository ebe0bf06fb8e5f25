/**
 * A small MLP classification problem shared by the webgpu training and memory tests: fixed
 * pseudo-random data and initial parameters built on a named backend, the softmax cross-entropy
 * loss, and one plain SGD step (valueAndGrad, then p - lr * g), all synchronous.
 */

import {
  add, matmul, mul, relu, logSoftmax, sub, sum, tensor, treeMap, valueAndGrad, withBackend, type Tensor,
} from '../../../src/index.js'
import { seededValues } from '../../helpers/allclose.js'

export interface Params { l1: { w: Tensor; b: Tensor }; l2: { w: Tensor; b: Tensor } }
export interface Problem { params: Params; x: Tensor; y: Tensor }

export const sizes = { batch: 32, input: 16, hidden: 32, classes: 4 }

const f32 = (n: number, seed: number, scale: number): Float32Array =>
  Float32Array.from(seededValues(n, seed, -scale, scale))

/** The same problem on any backend, in float32. */
export const problem = (backend: string): Problem => withBackend(backend, () => {
  const { batch, input, hidden, classes } = sizes
  const xv = f32(batch * input, 3, 1)
  // Labels from a fixed linear rule of the inputs, so there is something to learn.
  const labels = Array.from({ length: batch }, (_, r) => {
    let best = 0, bv = -Infinity
    for (let c = 0; c < classes; c++) {
      let s = 0
      for (let k = c; k < input; k += classes) s += xv[r * input + k]
      if (s > bv) { bv = s; best = c }
    }
    return best
  })
  return {
    params: {
      l1: { w: tensor(f32(input * hidden, 1, 0.4), { shape: [input, hidden] }), b: tensor(new Float32Array(hidden)) },
      l2: { w: tensor(f32(hidden * classes, 2, 0.4), { shape: [hidden, classes] }), b: tensor(new Float32Array(classes)) },
    },
    x: tensor(xv, { shape: [batch, input] }),
    y: tensor(Float32Array.from({ length: batch * classes }, (_, i) => (labels[Math.floor(i / classes)] === i % classes ? 1 : 0)), { shape: [batch, classes] }),
  }
})

export const loss = (p: Params, x: Tensor, y: Tensor): Tensor => {
  const h = relu(add(matmul(x, p.l1.w), p.l1.b))
  const logits = add(matmul(h, p.l2.w), p.l2.b)
  return mul(sum(mul(logSoftmax(logits), y)), -1 / sizes.batch)
}

const lossAndGrad = valueAndGrad(loss)

/** One SGD step: the new parameters and the loss before it (a tensor: nothing is read). */
export const step = (p: Params, x: Tensor, y: Tensor, lr = 0.1): [Params, Tensor] => {
  const [l, g] = lossAndGrad(p, x, y)
  const flat = new Map<string, Tensor>([['l1.w', g.l1.w], ['l1.b', g.l1.b], ['l2.w', g.l2.w], ['l2.b', g.l2.b]])
  const next = treeMap(p, (w: Tensor, path) => sub(w, mul(flat.get(path.slice('params.'.length)) as Tensor, lr)))
  return [next, l]
}

/**
 * The losses of `steps` SGD steps on `backend` (tensors: nothing is read), from the problem's
 * parameters or from `saved` leaf values in the order l1.w, l1.b, l2.w, l2.b.
 */
export const trainLosses = (backend: string, steps: number, saved?: readonly Float32Array[]): Tensor[] => withBackend(backend, () => {
  const { params, x, y } = problem(backend)
  const { input, hidden, classes } = sizes
  let p: Params = saved === undefined ? params : {
    l1: { w: tensor(saved[0], { shape: [input, hidden] }), b: tensor(saved[1]) },
    l2: { w: tensor(saved[2], { shape: [hidden, classes] }), b: tensor(saved[3]) },
  }
  const losses: Tensor[] = []
  for (let i = 0; i < steps; i++) {
    const [next, l] = step(p, x, y)
    losses.push(l)
    p = next
  }
  return losses
})

/** Bytes of one set of parameters in float32. */
export const paramBytes = (): number => {
  const { input, hidden, classes } = sizes
  return 4 * (input * hidden + hidden + hidden * classes + classes)
}
