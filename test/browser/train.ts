/**
 * The training run of the browser WebGPU test, shared by the page (bundled by esbuild, run in
 * headless Chromium on `navigator.gpu`) and the test in Node (the same run on the JS backend, the
 * reference curve). Browser-safe: it imports only puregrad's sources.
 *
 * A small classifier built with puregrad/layers (16-32-4, ReLU, softmax cross-entropy, Adam from
 * puregrad/optim). Data and initial parameters are drawn on the JS backend from fixed PRNG keys
 * and copied to the backend under test, so both runs start from identical float32 values. The loop
 * is synchronous and reads nothing: every step's loss is kept as a tensor and read once, at the
 * end, asynchronously (the only way to read on webgpu).
 */

import { argmax, getBackend, oneHot, slice, toBackend, treeMap, valueAndGrad, withBackend, type Tensor } from '../../src/index.js'
import { activation, dense, key, random, relu, sequential, softmaxCrossEntropy, split } from '../../src/layers/index.js'
import { adam, applyUpdates } from '../../src/optim/index.js'

export interface TrainResult {
  readonly backend: string
  readonly losses: readonly number[]
  /** Kernel calls per primitive on the backend that trained, during training. */
  readonly kernelCalls: Readonly<Record<string, number>>
  /** Kernel calls on the JS backend during training (0 unless something fell back to it). */
  readonly jsCalls: number
}

const total = (calls: Readonly<Record<string, number | undefined>>): number => Object.values(calls).reduce<number>((a, b) => a + (b ?? 0), 0)

const model = sequential(dense(32), activation(relu), dense(4))

/** Trains `steps` Adam steps on the registered backend `name` and reads the losses at the end. */
export const train = async (name: string, steps: number): Promise<TrainResult> => {
  const init = withBackend('js', () => {
    const [kInit, kData] = split(key(0), 2)
    const { params, state } = model.init(kInit, [16])
    const x = random.normal(kData, [64, 16])
    // Labels from a fixed rule of the inputs, so there is something to learn.
    const targets = oneHot(argmax(slice(x, [0, 0], [64, 4]), { axis: 1 }), 4)
    return { params, state, x, targets }
  })
  return withBackend(name, () => {
    const move = (t: Tensor): Tensor => toBackend(t, name)
    const x = move(init.x)
    const targets = move(init.targets)
    const state = treeMap(init.state, move)
    type P = typeof init.params
    const loss = (p: P): Tensor => softmaxCrossEntropy(model.apply(p, state, x)[0], targets)
    const lossAndGrad = valueAndGrad(loss)
    const opt = adam<P>(0.01)
    let p: P = treeMap(init.params, move)
    let s = opt.init(p)
    const backend = getBackend()
    const js = withBackend('js', getBackend)
    backend.stats.reset()
    js.stats.reset()
    const losses: Tensor[] = []
    for (let i = 0; i < steps; i++) {
      const [l, g] = lossAndGrad(p)
      const [u, next] = opt.update(g, s, p)
      p = applyUpdates(p, u)
      s = next
      losses.push(l)
    }
    const kernelCalls = { ...backend.stats.kernelCalls } as Record<string, number>
    const jsCalls = total(js.stats.kernelCalls)
    return Promise.all(losses.map(async (l) => (await l.data())[0])).then((values) => ({ backend: backend.name, losses: values, kernelCalls, jsCalls }))
  })
}
