/**
 * The demo's model and optimiser, written with puregrad's ops only: a 64-64-10 multilayer
 * perceptron as a typed parameter record, He-normal initialisation from a seeded PRNG, the softmax
 * cross-entropy loss, accuracy, and a hand-written Adam over parameter records. Written without
 * puregrad/layers and puregrad/optim on purpose: tests that train on other backends (WebGPU) and
 * the graph example use it as a small model whose every op is visible here.
 */

import {
  argmax, cast, equal, logSoftmax, matmul, mean, mul, oneHot, relu, sqrt, sub, sum, tensor, add, div, zerosLike,
  treeMap, treeZipWith, treeZipWithN, type Tensor,
} from '../src/index.js'

export interface Linear { readonly w: Tensor; readonly b: Tensor }
export interface Params { readonly l1: Linear; readonly l2: Linear }

/** A standard normal sampler (Box-Muller) driven by a uniform PRNG in [0, 1). */
export const gaussian = (rand: () => number): (() => number) => () => {
  const u = 1 - rand() // (0, 1], so log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
}

/** He-normal weights N(0, 2 / fanIn) for a ReLU layer, zero biases. */
export const heNormal = (fanIn: number, fanOut: number, normal: () => number): Linear => {
  const w = new Float32Array(fanIn * fanOut)
  const scale = Math.sqrt(2 / fanIn)
  for (let i = 0; i < w.length; i++) w[i] = normal() * scale
  return { w: tensor(w, { shape: [fanIn, fanOut] }), b: tensor(new Float32Array(fanOut)) }
}

export const initParams = (sizes: readonly [number, number, number], rand: () => number): Params => {
  const normal = gaussian(rand)
  return { l1: heNormal(sizes[0], sizes[1], normal), l2: heNormal(sizes[1], sizes[2], normal) }
}

/** Logits [batch, classes] for images [batch, 64]. */
export const forward = (p: Params, x: Tensor): Tensor => {
  const h = relu(add(matmul(x, p.l1.w), p.l1.b))
  return add(matmul(h, p.l2.w), p.l2.b)
}

/** Mean softmax cross-entropy: -mean(log softmax(logits)[label]), picked with a one-hot mask. */
export const loss = (p: Params, x: Tensor, labels: Tensor): Tensor => {
  const logits = forward(p, x)
  const logp = logSoftmax(logits, -1)
  const picked = sum(mul(oneHot(labels, logits.shape[1]), logp), { axis: 1 })
  return mean(picked).neg()
}

/** Fraction of rows whose largest logit is at the label. */
export const accuracy = (p: Params, x: Tensor, labels: Tensor): number =>
  mean(cast(equal(argmax(forward(p, x), { axis: 1 }), labels), 'float32')).item()

export interface AdamOptions {
  readonly lr?: number
  readonly beta1?: number
  readonly beta2?: number
  readonly eps?: number
}

export interface AdamState<P> { readonly step: number; readonly m: P; readonly v: P }

export const adamInit = <P>(params: P): AdamState<P> => ({
  step: 0,
  m: treeMap(params, (x: Tensor) => zerosLike(x)),
  v: treeMap(params, (x: Tensor) => zerosLike(x)),
})

/** One Adam step (Kingma & Ba, 2015, with bias correction): returns new parameters and state. */
export const adamStep = <P>(params: P, grads: P, state: AdamState<P>, opts: AdamOptions = {}): [P, AdamState<P>] => {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = opts
  const step = state.step + 1
  const m = treeZipWith(state.m, grads, (mi: Tensor, g: Tensor) => add(mul(mi, beta1), mul(g, 1 - beta1)))
  const v = treeZipWith(state.v, grads, (vi: Tensor, g: Tensor) => add(mul(vi, beta2), mul(mul(g, g), 1 - beta2)))
  const c1 = 1 - beta1 ** step
  const c2 = 1 - beta2 ** step
  const next = treeZipWithN([params, m, v], ([p, mi, vi]: Tensor[]) =>
    sub(p, div(mul(mi, lr / c1), add(sqrt(div(vi, c2)), eps))))
  return [next, { step, m, v }]
}
