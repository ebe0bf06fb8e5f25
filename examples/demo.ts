/**
 * `npm run demo`: trains a 64-64-10 MLP on the shipped digits data set (80/20 seeded split) with
 * mini-batch Adam, using `valueAndGrad` over a typed parameter record, prints a progress bar (one
 * line every few epochs when stdout is not a terminal), the held-out accuracy and the time taken,
 * and writes the loss and accuracy curves to out/loss.svg.
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
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { gather, getBackend, tensor, valueAndGrad } from '../src/index.js'
import { useWasmSync } from '../src/backends/wasm/index.js'
import { loadDigits, mulberry32, permutation, trainTestSplit } from '../src/datasets/digits.js'
import { accuracy, adamInit, adamStep, initParams, loss, type Params } from './mlp.js'
import { curvesSvg, type EpochRecord } from './plot.js'

export interface TrainOptions {
  readonly epochs?: number
  readonly batchSize?: number
  readonly lr?: number
  readonly hidden?: number
  /** Seeds the split, the initialisation and the batch order. */
  readonly seed?: number
  /** Where the SVG goes (default out/loss.svg in the repository root); null writes none. */
  readonly svgPath?: string | null
  /** 'auto': a bar on a terminal, else a line every `logEvery` epochs. */
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none'
  readonly logEvery?: number
  readonly log?: (line: string) => void
}

export interface TrainResult {
  readonly accuracy: number
  readonly history: readonly EpochRecord[]
  readonly seconds: number
  readonly params: Params
  readonly svgPath: string | null
}

const fmt = (x: number, d = 4): string => x.toFixed(d)

/** out/loss.svg in the repository root, wherever the demo is started from. */
const DEFAULT_SVG = fileURLToPath(new URL('../out/loss.svg', import.meta.url))

export const train = async (opts: TrainOptions = {}): Promise<TrainResult> => {
  const { epochs = 40, batchSize = 32, lr = 3e-3, hidden = 64, seed = 0, logEvery = 5 } = opts
  const log = opts.log ?? ((line: string) => console.log(line))
  const mode = opts.progress === undefined || opts.progress === 'auto' ? (process.stdout.isTTY ? 'bar' : 'lines') : opts.progress
  const svgPath = opts.svgPath === undefined ? DEFAULT_SVG : opts.svgPath
  const start = performance.now()

  const { train: tr, test: te } = trainTestSplit(loadDigits(), { testFraction: 0.2, seed })
  const n = tr.images.shape[0]
  const rand = mulberry32(seed + 1)
  let params = initParams([tr.images.shape[1], hidden, 10], rand)
  let adam = adamInit(params)
  const step = valueAndGrad(loss)
  const history: EpochRecord[] = []
  const batches = Math.ceil(n / batchSize)

  const bar = mode === 'bar'
    ? new cliProgress.SingleBar({
      format: 'training |{bar}| epoch {epoch}/{epochs} | loss {loss} | test acc {acc} | {duration_formatted}',
      hideCursor: true,
    }, cliProgress.Presets.shades_classic)
    : null
  if (mode === 'lines') log(`training a 64-${hidden}-10 MLP on ${n} digits (${te.images.shape[0]} held out), ${epochs} epochs, batch ${batchSize}, Adam lr ${lr}`)
  bar?.start(epochs * batches, 0, { epoch: 0, epochs, loss: '-', acc: '-' })

  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = permutation(n, rand)
    let total = 0
    for (let b = 0; b < batches; b++) {
      const ix = tensor(order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize)))
      const [value, grads] = step(params, gather(tr.images, ix, 0), gather(tr.labels, ix, 0))
      ;[params, adam] = adamStep(params, grads, adam, { lr })
      total += value.item() * ix.shape[0]
      bar?.increment(1, { epoch })
    }
    const rec: EpochRecord = { epoch, loss: total / n, testAccuracy: accuracy(params, te.images, te.labels) }
    history.push(rec)
    bar?.update({ epoch, loss: fmt(rec.loss), acc: fmt(rec.testAccuracy) })
    if (mode === 'lines' && (epoch % logEvery === 0 || epoch === 1 || epoch === epochs)) {
      log(`epoch ${String(epoch).padStart(3)}/${epochs}  loss ${fmt(rec.loss)}  test accuracy ${fmt(rec.testAccuracy)}`)
    }
  }
  bar?.stop()

  if (svgPath !== null) {
    mkdirSync(dirname(svgPath), { recursive: true })
    writeFileSync(svgPath, await curvesSvg(history, `puregrad: 64-${hidden}-10 MLP on digits (seed ${seed})`))
  }
  const last = history[history.length - 1]
  return { accuracy: last?.testAccuracy ?? Number.NaN, history, seconds: (performance.now() - start) / 1000, params, svgPath }
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
  if (r.svgPath !== null) console.log(`curves: ${r.svgPath}`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  })
}
