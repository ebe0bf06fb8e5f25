/**
 * Fashion-MNIST with puregrad: loads the four IDX files from a directory (puregrad/datasets),
 * trains an MLP or a small CNN built from puregrad/layers with Adam under a warmup + cosine
 * learning-rate schedule (puregrad/optim), on mini-batches reshuffled every epoch by
 * `random.permutation` under `foldIn(key, epoch)`, and prints the test accuracy after every epoch,
 * the time (wall and CPU) and the confusion matrix. With `--workers 2` (the CLI's default) the
 * gradients of each batch are computed by two worker threads, one per core (./fashion-engine.ts).
 *
 *   npm run demo -- --data ../shared/data/fashion-mnist --model mlp
 *   npm run demo -- --data ../shared/data/fashion-mnist --model cnn
 *   npx tsx examples/fashion.ts --data ../shared/data/fashion-mnist --model cnn --epochs 5 --workers 1
 *   npx tsx examples/fashion.ts --data ../shared/data/fashion-mnist --model cnn --holdout 10000
 *
 * `--holdout n` trains on all but the last n training images and reports the accuracy on those
 * instead of the test set: recipes were chosen that way, the test set only scores the choice.
 *
 * Models (./fashion-model.ts; inputs standardised with the training set's pixel statistics):
 * - mlp: 784-512-256-10, ReLU, He-normal init (535,818 parameters); 10 epochs, batch 128, peak
 *   lr 1e-3.
 * - cnn: conv 3x3x16 (valid, no bias) - maxpool 2 - batch norm - ReLU - conv 3x3x64 (same, no
 *   bias) - maxpool 2 - batch norm - ReLU - dense 128 - ReLU - dropout 0.25 - dense 10 (305,850
 *   parameters); 10 epochs, batch 128, peak lr 1e-2, random horizontal flips, label smoothing
 *   0.1. Batch norm is ./fused-batch-norm.ts: puregrad/layers' batchNorm with a hand-written VJP,
 *   same numbers. The accuracy is reported plain and, separately, with flip test-time augmentation.
 * Adam's learning rate warms up over a quarter epoch from a tenth of the peak, then decays along a
 * cosine to a hundredth of it.
 *
 * `trainFashion(opts)` is exported for the test; the CLI runs when this file is the entry point.
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { getBackend, type Tensor } from '../src/index.js'
import { useWasmSync } from '../src/backends/wasm/index.js'
import { foldIn, random, type Layer } from '../src/layers/index.js'
import { adam, applyUpdates, warmupCosineDecaySchedule } from '../src/optim/index.js'
import { accuracy, confusionMatrix, formatConfusionMatrix } from '../src/datasets/index.js'
import { FASHION_MNIST_CLASSES } from '../src/datasets/node.js'
import { curvesSvg, type EpochRecord } from './plot.js'
import { ARCHITECTURES, DEFAULTS, prepare, type ModelName, type PrepareOptions } from './fashion-model.js'
import { localEngine, workerEngine, type Engine } from './fashion-engine.js'

export { ARCHITECTURES, DEFAULTS, buildModel, randomFlip, type ModelName } from './fashion-model.js'

export interface FashionOptions {
  readonly data: string
  readonly model?: ModelName
  readonly epochs?: number
  readonly batchSize?: number
  /** Peak learning rate of the schedule. */
  readonly lr?: number
  readonly seed?: number
  /** Train on the first n training images only (the CI test uses 2,000). */
  readonly trainLimit?: number
  /** Evaluate on the first n test images only. */
  readonly testLimit?: number
  /** Train without the last n training images and evaluate on them instead of the test set. */
  readonly holdout?: number
  /** Flip a random half of each training batch left-right (images only); default: on for the cnn. */
  readonly augment?: boolean
  /** Label smoothing of the targets (default 0.1 for the cnn, 0 for the mlp). */
  readonly smoothing?: number
  /** Gradient worker threads; 1 (default) computes in this thread. */
  readonly workers?: number
  readonly svgPath?: string | null
  readonly log?: (line: string) => void
  /** Train this model instead of the named one (experiments, one thread; `model` picks the data layout). */
  readonly layer?: Layer<unknown, unknown>
}

export interface FashionResult {
  readonly model: ModelName
  /** Test (or, with `holdout`, held-out) accuracy after the last epoch (plain: one pass per image). */
  readonly accuracy: number
  /** With flip test-time augmentation (models trained with flips only), else null. */
  readonly flipAccuracy: number | null
  readonly history: readonly EpochRecord[]
  /** Wall-clock seconds of the whole run, loading included. */
  readonly seconds: number
  /** CPU seconds of this process (user + system, all threads, workers included). */
  readonly cpuSeconds: number
  readonly loadSeconds: number
  readonly confusion: number[][]
}

const fmt = (x: number, d = 4): string => x.toFixed(d)

const countParams = (p: unknown): number => {
  if (p === null || typeof p !== 'object') return 0
  if ('shape' in p && Array.isArray((p as Tensor).shape)) return (p as Tensor).size
  return Object.values(p).reduce((s: number, v) => s + countParams(v), 0)
}

export const trainFashion = async (opts: FashionOptions): Promise<FashionResult> => {
  const name = opts.model ?? 'mlp'
  const d = DEFAULTS[name]
  const { epochs = d.epochs, batchSize = d.batchSize, lr = d.lr, seed = 0, augment = d.augment, smoothing = d.smoothing } = opts
  const workers = opts.layer === undefined ? opts.workers ?? 1 : 1
  const log = opts.log ?? ((line: string) => console.log(line))
  const start = performance.now()
  const cpu0 = process.cpuUsage()

  const po: PrepareOptions = { data: opts.data, model: name, seed, augment, smoothing, trainLimit: opts.trainLimit, testLimit: opts.testLimit, holdout: opts.holdout, layer: opts.layer }
  const prep = prepare(po)
  const engine: Engine = workers > 1 ? await workerEngine(prep, po, workers) : localEngine(prep)
  const loadSeconds = (performance.now() - start) / 1000
  const n = prep.data.train.x.shape[0]
  const evalName = opts.holdout === undefined ? 'test' : 'held-out'
  log(`loaded ${n} training and ${prep.data.test.x.shape[0]} ${evalName} images from ${opts.data} in ${loadSeconds.toFixed(1)} s` +
    (workers > 1 ? ` (and in each of ${workers} workers)` : ''))

  const stepsPerEpoch = Math.ceil(n / batchSize)
  const total = epochs * stepsPerEpoch
  const warmup = Math.min(Math.round(stepsPerEpoch / 4), total - 1)
  const opt = adam<unknown>(warmupCosineDecaySchedule({ init: lr / 10, peak: lr, warmupSteps: warmup, decaySteps: total, end: lr / 100 }))
  let params = prep.init.params
  let state = prep.init.state
  let optState = opt.init(params)
  log(`model: ${opts.layer === undefined ? ARCHITECTURES[name] : 'custom layer'}`)
  log(`training the ${name} (${countParams(params)} parameters) for ${epochs} epochs, batch ${batchSize}, Adam peak lr ${lr}` +
    `${augment ? ', random flips' : ''}${smoothing > 0 ? `, label smoothing ${smoothing}` : ''}, on the ${getBackend().name} backend, ${workers === 1 ? 'one thread' : `${workers} worker threads`}`)

  const history: EpochRecord[] = []
  let stepCount = 0
  let predictions: Int32Array = new Int32Array(0)
  let flipAccuracy: number | null = null
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now()
      const order = random.permutation(foldIn(prep.kData, epoch), n).dataSync() as Int32Array
      let sum = 0
      for (let b = 0; b < n; b += batchSize) {
        const indices = order.slice(b, Math.min(n, b + batchSize))
        const r = await engine.step(params, state, indices, foldIn(prep.kStep, stepCount++))
        const [updates, next] = opt.update(r.grads, optState, params)
        params = applyUpdates(params, updates)
        optState = next
        state = r.state
        sum += r.loss * indices.length
      }
      predictions = await engine.predict(params, state)
      const acc = accuracy(predictions, prep.data.test.y)
      history.push({ epoch, loss: sum / n, testAccuracy: acc })
      log(`epoch ${String(epoch).padStart(2)}/${epochs}  loss ${fmt(sum / n)}  ${evalName} accuracy ${fmt(acc)}  (${((performance.now() - t0) / 1000).toFixed(1)} s, ${((performance.now() - start) / 1000).toFixed(0)} s total)`)
    }
    // Test-time augmentation, reported separately: the mean logits of each image and its mirror.
    if (augment && prep.data.test.x.rank === 4) flipAccuracy = accuracy(await engine.predict(params, state, true), prep.data.test.y)
  } finally {
    await engine.close()
  }
  const confusion = confusionMatrix(predictions, prep.data.test.y, 10)
  const svgPath = opts.svgPath ?? null
  if (svgPath !== null) {
    mkdirSync(dirname(svgPath), { recursive: true })
    writeFileSync(svgPath, await curvesSvg(history, `puregrad: ${name} on Fashion-MNIST (seed ${seed})`))
  }
  const used = process.cpuUsage(cpu0)
  return {
    model: name,
    accuracy: history[history.length - 1]?.testAccuracy ?? Number.NaN,
    flipAccuracy,
    history,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    loadSeconds,
    confusion,
  }
}

/**
 * The CLI: `--data <dir> --model mlp|cnn [--epochs n] [--batch n] [--lr x] [--seed n] [--workers n]
 * [--holdout n] [--out svg]`.
 */
export const fashionMain = async (argv: readonly string[] = process.argv.slice(2)): Promise<void> => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      data: { type: 'string' }, model: { type: 'string', default: 'mlp' }, epochs: { type: 'string' }, batch: { type: 'string' },
      lr: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string', default: 'wasm' },
      workers: { type: 'string', default: '2' }, 'train-limit': { type: 'string' }, 'test-limit': { type: 'string' },
      'no-augment': { type: 'boolean' }, holdout: { type: 'string' },
    },
    strict: false,
  })
  if (typeof values.data !== 'string') throw new Error('--data <dir> is required (the directory holding the four Fashion-MNIST IDX files)')
  if (values.model !== 'mlp' && values.model !== 'cnn') throw new Error(`--model must be mlp or cnn, got '${String(values.model)}'`)
  if (values.backend === 'wasm') useWasmSync()
  else if (values.backend !== 'js') throw new Error(`--backend must be wasm or js, got '${String(values.backend)}'`)
  const num = (s: unknown, what: string): number | undefined => {
    if (s === undefined) return undefined
    const v = Number(s)
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${what} must be a positive number, got '${String(s)}'`)
    return v
  }
  const r = await trainFashion({
    data: resolve(values.data), model: values.model,
    epochs: num(values.epochs, 'epochs'), batchSize: num(values.batch, 'batch'), lr: num(values.lr, 'lr'),
    seed: values.seed === undefined ? undefined : Number(values.seed), workers: num(values.workers, 'workers'),
    augment: values['no-augment'] === true ? false : undefined,
    trainLimit: num(values['train-limit'], 'train-limit'), testLimit: num(values['test-limit'], 'test-limit'), holdout: num(values.holdout, 'holdout'),
    svgPath: typeof values.out === 'string' ? resolve(values.out) : resolve('out', `fashion-${values.model}.svg`),
  })
  console.log(`\n${formatConfusionMatrix(r.confusion, FASHION_MNIST_CLASSES)}\n`)
  console.log(`${values.holdout === undefined ? 'test' : 'held-out'} accuracy: ${fmt(r.accuracy)} (${r.model}: ${ARCHITECTURES[r.model]}; ${r.history.length} epochs)` +
    (r.flipAccuracy === null ? '' : `; ${fmt(r.flipAccuracy)} with flip test-time augmentation`))
  console.log(`time: ${r.seconds.toFixed(1)} s wall (${r.loadSeconds.toFixed(1)} s loading), ${r.cpuSeconds.toFixed(1)} s CPU, on the ${getBackend().name} backend`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  fashionMain().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  })
}
