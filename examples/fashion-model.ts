/**
 * The Fashion-MNIST models and their training step, shared by the main thread and the gradient
 * workers of examples/fashion.ts: the MLP and the CNN (puregrad/layers), the input
 * standardisation, the random horizontal flip, and `prepare(opts)`, which loads the data
 * (puregrad/datasets), initialises the model from the seed and returns the pure step function
 * `(params, state, batch, key) -> [[loss, state], grads]` and the inference function.
 */

import { add, div, gather, mul, oneHot, reshape, slice, sub, tensor, valueAndGrad, where, type Tensor } from '../src/index.js'
import {
  activation, conv2d, dense, dropout, flatten, initializers, key, maxPool2d, random, relu, sequential, softmaxCrossEntropy, split,
  type Initialized, type Key, type Layer,
} from '../src/layers/index.js'
import { orThrow } from '../src/datasets/index.js'
import { loadFashionMnist, type FashionMnist, type LabeledImages } from '../src/datasets/node.js'
import { fusedBatchNorm } from './fused-batch-norm.js'

export type ModelName = 'mlp' | 'cnn'

export interface Hyper {
  readonly epochs: number
  readonly batchSize: number
  readonly lr: number
  /** Random horizontal flips of the training images. */
  readonly augment: boolean
  /** Label smoothing: the targets are (1 - s) one-hot + s / 10. */
  readonly smoothing: number
}

export const DEFAULTS: Readonly<Record<ModelName, Hyper>> = {
  mlp: { epochs: 10, batchSize: 128, lr: 1e-3, augment: false, smoothing: 0 },
  cnn: { epochs: 10, batchSize: 128, lr: 1e-2, augment: true, smoothing: 0.1 },
}

/** What `buildModel(name)` builds, in words, for the logs and the README. */
export const ARCHITECTURES: Readonly<Record<ModelName, string>> = {
  mlp: 'dense 512 - ReLU - dense 256 - ReLU - dense 10',
  cnn: 'conv 3x3x16 valid - maxpool 2 - batch norm - ReLU - conv 3x3x64 same - maxpool 2 - batch norm - ReLU - dense 128 - ReLU - dropout 0.25 - dense 10',
}

/** Training-set pixel statistics of Fashion-MNIST (on [0, 1] pixels). */
export const PIXEL_MEAN = 0.2860
export const PIXEL_STD = 0.3530

const he = initializers.heNormal

/**
 * The model, typed loosely (its params are a tuple whose type depends on the name). The CNN's
 * convolutions have no bias (batch norm's shift replaces it); its second convolution is the wide
 * one because at 13x13 it is cheap, while widening the first (26x26 maps, then pooled) doubles
 * the cost of a step. Padding 'same' there keeps the border: 6x6 maps after pooling, not 5x5.
 */
export const buildModel = (name: ModelName): Layer<unknown, unknown> =>
  name === 'mlp'
    ? sequential(
      dense(512, { kernelInit: he }), activation(relu),
      dense(256, { kernelInit: he }), activation(relu),
      dense(10),
    )
    : sequential(
      conv2d(16, { kernelSize: 3, padding: 'valid', useBias: false, kernelInit: he }), maxPool2d({ window: 2 }), fusedBatchNorm(), activation(relu),
      conv2d(64, { kernelSize: 3, padding: 'same', useBias: false, kernelInit: he }), maxPool2d({ window: 2 }), fusedBatchNorm(), activation(relu),
      flatten(), dense(128, { kernelInit: he }), activation(relu), dropout(0.25), dense(10),
    )

/** NHWC images mirrored left-right (along the width, axis 2). */
export const mirror = (x: Tensor): Tensor => {
  const w = x.shape[2]
  return gather(x, tensor(Int32Array.from({ length: w }, (_, i) => w - 1 - i), { shape: [w] }), 2)
}

/** Mirrors each image of an NHWC batch with probability 1/2 (other layouts pass unchanged). */
export const randomFlip = (k: Key, x: Tensor): Tensor => {
  if (x.rank !== 4) return x
  const pick = reshape(random.bernoulli(k, [x.shape[0]]), [x.shape[0], 1, 1, 1])
  return where(pick, mirror(x), x)
}

export interface PrepareOptions {
  readonly data: string
  readonly model: ModelName
  readonly seed: number
  readonly augment: boolean
  readonly smoothing: number
  readonly trainLimit?: number
  readonly testLimit?: number
  /**
   * Hold out the last n training images: train on the others and evaluate on these instead of
   * the test set, so that recipes are chosen without looking at the test set.
   */
  readonly holdout?: number
  /** Train this model instead of the named one (experiments; `model` still picks the data layout). */
  readonly layer?: Layer<unknown, unknown>
}

export interface Batch { readonly x: Tensor; readonly y: Tensor }

export interface Prepared {
  readonly data: FashionMnist
  readonly init: Initialized<unknown, unknown>
  /** One training step's loss (mean over the batch), new state and gradients; `k` feeds dropout and flips. */
  readonly step: (p: unknown, s: unknown, batch: Batch, k: Key) => [[Tensor, unknown], unknown]
  /** Rows `indices` of the training set. */
  readonly trainBatch: (indices: Int32Array) => Batch
  /** Logits in inference mode; with `flip`, the mean of the logits of the images and of their mirror images. */
  readonly logits: (p: unknown, s: unknown, x: Tensor, flip?: boolean) => Tensor
  /** Keys for the batch order and for the steps. */
  readonly kData: Key
  readonly kStep: Key
}

/** Rows [begin, end) of a labelled set. */
const rowRange = (d: LabeledImages, begin: number, end: number): LabeledImages => {
  const part = (t: Tensor): Tensor => slice(t, t.shape.map((_, i) => (i === 0 ? begin : 0)), t.shape.map((s, i) => (i === 0 ? end - begin : s)))
  return { x: part(d.x), y: part(d.y) }
}

/** The training set without its last `holdout` rows, and those rows as the evaluation set. */
const holdOut = (data: FashionMnist, holdout: number): FashionMnist => {
  const n = data.train.x.shape[0]
  if (!Number.isInteger(holdout) || holdout < 1 || holdout >= n) {
    throw new Error(`fashion: holdout must be an integer in 1..${n - 1} (the training set has ${n} images), got ${holdout}`)
  }
  return { train: rowRange(data.train, 0, n - holdout), test: rowRange(data.train, n - holdout, n) }
}

/**
 * Rows of a labelled set, copied out of host arrays read at the first call (so a thread that
 * never trains never copies). Gathering rows with `gatherRows` (a gather primitive) would hand the
 * whole 60,000-image tensor to the backend every step, which on the wasm backend copies all
 * 188 MB into its memory to pick 64 rows: about 20 ms a step.
 */
export const hostRows = (d: LabeledImages): ((indices: Int32Array) => Batch) => {
  const rowShape = d.x.shape.slice(1)
  const row = rowShape.reduce((a, b) => a * b, 1)
  let host: { x: Float32Array; y: Int32Array } | null = null
  return (indices) => {
    host ??= { x: d.x.dataSync() as Float32Array, y: d.y.dataSync() as Int32Array }
    const { x, y } = host
    const bx = new Float32Array(indices.length * row)
    const by = new Int32Array(indices.length)
    indices.forEach((r, i) => {
      bx.set(x.subarray(r * row, (r + 1) * row), i * row)
      by[i] = y[r]
    })
    return { x: tensor(bx, { shape: [indices.length, ...rowShape] }), y: tensor(by, { shape: [indices.length], dtype: 'int32' }) }
  }
}

/** Loads the data and initialises the model: the same seed gives the same parameters in every thread. */
export const prepare = (o: PrepareOptions): Prepared => {
  const loaded = orThrow(loadFashionMnist(o.data, {
    layout: o.model === 'mlp' ? 'flat' : 'nhwc', trainLimit: o.trainLimit, testLimit: o.testLimit,
  }), 'loadFashionMnist')
  const data = o.holdout === undefined ? loaded : holdOut(loaded, o.holdout)
  const model = o.layer ?? buildModel(o.model)
  const [kInit, kData, kStep] = split(key(o.seed), 3)
  const init = model.init(kInit, data.train.x.shape.slice(1))
  const standardize = (x: Tensor): Tensor => div(sub(x, PIXEL_MEAN), PIXEL_STD)
  // Training mode; the new state (batch-norm running statistics) comes back as grad's aux.
  const loss = (p: unknown, s: unknown, batch: Batch, k: Key): [Tensor, unknown] => {
    const [kAug, kModel] = split(k, 2)
    const x = o.augment ? randomFlip(kAug, batch.x) : batch.x
    const [out, next] = model.apply(p, s, standardize(x), { training: true, key: kModel })
    const targets = o.smoothing === 0 ? batch.y : add(mul(oneHot(batch.y, 10), 1 - o.smoothing), o.smoothing / 10)
    return [softmaxCrossEntropy(out, targets), next]
  }
  const infer = (p: unknown, s: unknown, x: Tensor): Tensor => model.apply(p, s, standardize(x))[0]
  return {
    data, init, kData, kStep,
    trainBatch: hostRows(data.train),
    step: valueAndGrad(loss, { hasAux: true }),
    logits: (p, s, x, flip = false) => (flip ? mul(add(infer(p, s, x), infer(p, s, mirror(x))), 0.5) : infer(p, s, x)),
  }
}
