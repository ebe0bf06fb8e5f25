/**
 * `npm run demo`: trains a 64-64-10 MLP on the shipped digits data set (80/20 seeded split) with
 * puregrad's own pieces end to end: the model from `puregrad/layers` (dense, ReLU, He init), Adam
 * from `puregrad/optim`, shuffled mini-batches keyed by the functional PRNG from
 * `puregrad/datasets`, and a gradient-health report from `puregrad/diagnostics`. It prints a
 * progress bar (one line every few epochs when stdout is not a terminal), the held-out accuracy,
 * the time taken and the health table, and writes two SVG plots: the loss and accuracy curves
 * (out/loss.svg) and the per-layer gradient norms after the first and the last epoch
 * (out/grad-norms.svg).
 *
 *   npm run demo -- --epochs 40 --seed 0 --out out/loss.svg
 *
 * `train(opts)` is exported for the test; the CLI runs only when this file is the entry point.
 *
 * The same command runs the other examples:
 *
 *   npm run demo -- --data ../shared/data/fashion-mnist --model mlp|cnn   (examples/fashion.ts)
 *   npm run demo -- --experiment vanishing                                (examples/vanishing.ts)
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { getBackend, valueAndGrad, type Tensor } from '../src/index.js'
import { useWasmSync } from '../src/backends/wasm/index.js'
import { activation, dense, foldIn, key, named, relu, softmaxCrossEntropy, split } from '../src/layers/index.js'
import { adam, applyUpdates } from '../src/optim/index.js'
import { accuracy, batches } from '../src/datasets/index.js'
import { loadDigits, trainTestSplit } from '../src/datasets/node.js'
import { formatHealthReport, gradientHealth, gradNormSvg, type HealthReport } from '../src/diagnostics/index.js'
import { curvesSvg, type EpochRecord } from './plot.js'

export interface TrainOptions {
  readonly epochs?: number
  readonly batchSize?: number
  readonly lr?: number
  readonly hidden?: number
  /** Seeds the split, the initialisation and the batch order. */
  readonly seed?: number
  /**
   * Where the curves go (default out/loss.svg in the repository root); the gradient-norm plot is
   * written next to it as grad-norms.svg. null writes neither.
   */
  readonly svgPath?: string | null
  /** 'auto': a bar on a terminal, else a line every `logEvery` epochs. */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none'
  readonly logEvery?: number
  readonly log?: (line: string) => void
}

const model = (hidden: number) => named({ l1: dense(hidden), relu: activation(relu), l2: dense(10) })
type Model = ReturnType<typeof model>
type Params = ReturnType<Model['init']>['params']

export interface TrainResult {
  readonly accuracy: number
  readonly history: readonly EpochRecord[]
  readonly seconds: number
  readonly params: Params
  /** Gradient health on the first training batch after the first and after the last epoch. */
  readonly health: { readonly first: HealthReport; readonly last: HealthReport }
  readonly svgPath: string | null
  readonly gradSvgPath: string | null
}

const fmt = (x: number, d = 4): string => x.toFixed(d)

/** out/loss.svg in the repository root, wherever the demo is started from. */
const DEFAULT_SVG = fileURLToPath(new URL('../out/loss.svg', import.meta.url))

export const train = async (opts: TrainOptions = {}): Promise<TrainResult> => {
  const { epochs = 40, batchSize = 32, lr = 3e-3, hidden = 64, seed = 0, logEvery = 5 } = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  const mode = opts.progress === undefined || opts.progress === 'auto' ? (process.stdout.isTTY ? 'bar' : 'lines') : opts.progress
  const svgPath = opts.svgPath === undefined ? DEFAULT_SVG : opts.svgPath
  const gradSvgPath = svgPath === null ? null : join(dirname(svgPath), 'grad-norms.svg')
  const start = performance.now()

  const { train: tr, test: te } = trainTestSplit(loadDigits(), { testFraction: 0.2, seed })
  const data = { x: tr.images, y: tr.labels }
  const n = tr.images.shape[0]
  const [kInit, kData] = split(key(seed), 2)
  const net = model(hidden)
  const init = net.init(kInit, [tr.images.shape[1]])
  const state = init.state
  let params: Params = init.params
  const loss = (p: Params, b: { x: Tensor; y: Tensor }): Tensor => softmaxCrossEntropy(net.apply(p, state, b.x)[0], b.y)
  const opt = adam<Params>(lr)
  let optState = opt.init(params)
  const probe = batches(null, data, 256)[Symbol.iterator]().next().value as { x: Tensor; y: Tensor }
  const health = (): HealthReport => gradientHealth(loss, params, probe, { optimizer: { transformation: opt, state: optState } })
  const step = valueAndGrad(loss)
  const history: EpochRecord[] = []
  let first: HealthReport | null = null
  const perEpoch = Math.ceil(n / batchSize)

  const bar = mode === 'bar'
    ? new cliProgress.SingleBar({
      format: 'training |{bar}| epoch {epoch}/{epochs} | loss {loss} | test acc {acc} | {duration_formatted}',
      hideCursor: true,
    }, cliProgress.Presets.shades_classic)
    : null
  if (mode === 'lines') log(`training a 64-${hidden}-10 MLP on ${n} digits (${te.images.shape[0]} held out), ${epochs} epochs, batch ${batchSize}, Adam lr ${lr}`)
  bar?.start(epochs * perEpoch, 0, { epoch: 0, epochs, loss: '-', acc: '-' })

  for (let epoch = 1; epoch <= epochs; epoch++) {
    let total = 0
    for (const b of batches(foldIn(kData, epoch), data, batchSize)) {
      const [value, grads] = step(params, b)
      const [updates, next] = opt.update(grads, optState, params)
      params = applyUpdates(params, updates)
      optState = next
      total += value.item() * b.x.shape[0]
      bar?.increment(1, { epoch })
    }
    const rec: EpochRecord = { epoch, loss: total / n, testAccuracy: accuracy(net.apply(params, state, te.images)[0], te.labels) }
    history.push(rec)
    if (epoch === 1) first = health()
    bar?.update({ epoch, loss: fmt(rec.loss), acc: fmt(rec.testAccuracy) })
    if (mode === 'lines' && (epoch % logEvery === 0 || epoch === 1 || epoch === epochs)) {
      log(`epoch ${String(epoch).padStart(3)}/${epochs}  loss ${fmt(rec.loss)}  test accuracy ${fmt(rec.testAccuracy)}`)
    }
  }
  bar?.stop()
  const last = health()
  if (first === null) first = last

  if (svgPath !== null && gradSvgPath !== null) {
    mkdirSync(dirname(svgPath), { recursive: true })
    writeFileSync(svgPath, await curvesSvg(history, `puregrad: 64-${hidden}-10 MLP on digits (seed ${seed})`))
    writeFileSync(gradSvgPath, await gradNormSvg(
      [{ name: 'after epoch 1', report: first }, { name: `after epoch ${epochs}`, report: last }],
      { title: 'Gradient norm per layer (one batch of 256)', leaves: 'all' },
    ))
  }
  return {
    accuracy: history[history.length - 1]?.testAccuracy ?? Number.NaN,
    history, seconds: (performance.now() - start) / 1000, params, health: { first, last }, svgPath, gradSvgPath,
  }
}

/** Whether the command line holds `--name` or `--name=value`. */
const hasFlag = (argv: readonly string[], name: string): boolean => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))

const main = async (): Promise<void> => {
  // Other runs behind the same command: Fashion-MNIST (--data <dir> --model mlp|cnn, see
  // examples/fashion.ts) and the gradient-health experiment (--experiment vanishing, see
  // examples/vanishing.ts).
  const argv = process.argv.slice(2)
  if (hasFlag(argv, 'data')) return (await import('./fashion.js')).fashionMain(argv)
  if (hasFlag(argv, 'experiment')) return (await import('./vanishing.js')).vanishingMain(argv)
  const { values } = parseArgs({
    options: {
      epochs: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
    },
  })
  // The wasm backend (SIMD kernels) is the fast one; js is the reference. Both give the same curves.
  if (values.backend === 'wasm') useWasmSync()
  else if (values.backend !== 'js') throw new Error(`--backend must be wasm or js, got '${values.backend}'`)
  const num = (s: string | undefined, name: string): number | undefined => {
    if (s === undefined) return undefined
    const v = Number(s)
    if (!Number.isInteger(v) || v < (name === 'epochs' ? 1 : 0)) throw new Error(`--${name} must be a ${name === 'epochs' ? 'positive' : 'non-negative'} integer, got '${s}'`)
    return v
  }
  const r = await train({ epochs: num(values.epochs, 'epochs'), seed: num(values.seed, 'seed'), svgPath: values.out === undefined ? undefined : resolve(values.out) })
  console.log(`held-out accuracy: ${fmt(r.accuracy)} (${r.history.length} epochs)`)
  console.log(`time: ${r.seconds.toFixed(1)} s on the ${getBackend().name} backend`)
  console.log(`\ngradient health after the last epoch (puregrad/diagnostics, one batch of 256):\n${formatHealthReport(r.health.last)}`)
  if (r.svgPath !== null) console.log(`plots: ${r.svgPath}, ${r.gradSvgPath}`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  })
}
