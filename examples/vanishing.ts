/**
 * The vanishing / exploding gradient experiment, reproducible: `npm run demo -- --experiment
 * vanishing` (or `npx tsx examples/vanishing.ts`). On one batch of the shipped digits (256 images
 * of 64 pixels, 10 classes), with puregrad/layers models of 20 hidden layers of width 64 and a
 * dense readout, it measures with puregrad/diagnostics the gradient norm of every layer:
 *
 * 1. sigmoid, weights N(0, 0.01^2) (std 0.01): the first layer's gradient is tens of orders of
 *    magnitude below the last's (vanishing);
 * 2. ReLU with He-normal init: the cure by initialisation, first/last within an order of magnitude;
 * 3. the same sigmoid and N(0, 0.01^2) init in residual blocks x + sigmoid(dense(layerNorm(x))):
 *    the cure by architecture;
 * 4. ReLU with weights N(0, 1) (5.7x He's std): gradients explode; clipByGlobalNorm(1) bounds the
 *    update, and 10 SGD steps with clipping lower the loss while the unclipped ones overflow.
 *
 * It prints the health tables and the measured ratios and writes the per-layer gradient norms of
 * all cases to out/vanishing.svg. `runVanishing` is exported for the test.
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { add, slice, valueAndGrad, type Tensor } from '../src/index.js'
import { useWasmSync } from '../src/backends/wasm/index.js'
import {
  activation, dense, initializers, key, layerNorm, random, relu, residual, sequential, sigmoid, softmaxCrossEntropy, split,
  type AnyLayer, type Initializer,
} from '../src/layers/index.js'
import { applyUpdates, chain, clipByGlobalNorm, globalNorm, sgd } from '../src/optim/index.js'
import { loadDigits, trainTestSplit } from '../src/datasets/digits.js'
import {
  applyWithActivations, formatHealthReport, gradientHealth, gradNormSvg, healthFromGrads,
  type Activations, type HealthReport,
} from '../src/diagnostics/index.js'

export interface VanishingOptions {
  readonly depth?: number
  readonly width?: number
  readonly batchSize?: number
  readonly seed?: number
  /** The std of the too-large init (default 1). */
  readonly largeStd?: number
  /** Where the SVG goes (default out/vanishing.svg in the repository); null writes none. */
  readonly svgPath?: string | null
}

export interface CaseResult {
  readonly name: string
  readonly report: HealthReport
}

export interface ExplodeResult {
  readonly name: string
  readonly report: HealthReport
  /** The report of the clipped gradients. */
  readonly clipped: HealthReport
  readonly maxNorm: number
  readonly learningRate: number
  /** Loss before each of 10 SGD steps and after the last, without and with clipping. */
  readonly lossesUnclipped: readonly number[]
  readonly lossesClipped: readonly number[]
}

export interface VanishingResult {
  readonly sigmoid: CaseResult
  readonly relu: CaseResult
  readonly residual: CaseResult
  readonly explode: ExplodeResult
  readonly svg: string
  readonly svgPath: string | null
}

interface Batch { readonly x: Tensor; readonly y: Tensor }

/** Weights drawn from N(0, std^2). */
const normalInit = (std: number): Initializer => (k, shape, dtype) => random.normal(k, shape, { std, dtype })

const DEFAULT_SVG = fileURLToPath(new URL('../out/vanishing.svg', import.meta.url))

/** A plain MLP as a list of layers: `depth` times dense + activation, then a dense readout. */
const mlpLayers = (depth: number, width: number, init: Initializer, act: (x: Tensor) => Tensor): AnyLayer[] => [
  ...Array.from({ length: depth }, () => [dense(width, { kernelInit: init }), activation(act)]).flat(),
  dense(10, { kernelInit: init }),
]

/** The loss of a layer list, returning the activations for the report. */
const listLoss = (layers: readonly AnyLayer[], state: unknown[]) => (p: unknown[], b: Batch): [Tensor, Activations] => {
  const [logits, , acts] = applyWithActivations(layers, p, state, b.x)
  return [softmaxCrossEntropy(logits, b.y), acts]
}

/** Residual blocks x + sigmoid(dense(layerNorm(x))), then layerNorm and a dense readout. */
export const residualModel = (depth: number, width: number, init: Initializer) => {
  const inner: AnyLayer[] = [layerNorm(), dense(width, { kernelInit: init }), activation(sigmoid)]
  const head: AnyLayer[] = [layerNorm(), dense(10, { kernelInit: init })]
  const model = sequential(...Array.from({ length: depth }, () => residual(sequential(...inner))), ...head)
  /** The model's function, written out so that each block's sigmoid output can be returned. */
  const forward = (p: unknown[], x: Tensor): [Tensor, Activations] => {
    const acts: Record<string, Activations[string]> = {}
    let h = x
    for (let i = 0; i < depth; i++) {
      const [a, , inside] = applyWithActivations(inner, p[i] as unknown[], [{}, {}, {}], h)
      for (const [k, v] of Object.entries(inside)) acts[`blocks[${i}] ${k.split(' ')[1]}`] = v
      h = add(h, a)
    }
    const [y] = applyWithActivations(head, [p[depth], p[depth + 1]], [{}, {}], h)
    return [y, acts]
  }
  return { model, forward }
}

export const runVanishing = async (opts: VanishingOptions = {}): Promise<VanishingResult> => {
  const { depth = 20, width = 64, batchSize = 256, seed = 0, largeStd = 1 } = opts
  const { train } = trainTestSplit(loadDigits(), { testFraction: 0.2, seed })
  const batch: Batch = { x: slice(train.images, [0, 0], [batchSize, 64]), y: slice(train.labels, [0], [batchSize]) }
  const keys = split(key(seed), 4)
  const small = normalInit(0.01)

  const listCase = (name: string, layers: AnyLayer[], k: (typeof keys)[number]): CaseResult & { params: unknown[]; loss: ReturnType<typeof listLoss> } => {
    const m = sequential(...layers).init(k, [64])
    const loss = listLoss(layers, m.state as unknown[])
    return { name, params: m.params as unknown[], loss, report: gradientHealth(loss, m.params as unknown[], batch) }
  }
  const sig = listCase('sigmoid, N(0, 0.01^2) init', mlpLayers(depth, width, small, sigmoid), keys[0])
  const rel = listCase('ReLU, He-normal init', mlpLayers(depth, width, initializers.heNormal, relu), keys[1])

  const res = residualModel(depth, width, small)
  const rInit = res.model.init(keys[2], [64])
  const rLoss = (p: unknown[], b: Batch): [Tensor, Activations] => {
    const [logits, acts] = res.forward(p, b.x)
    return [softmaxCrossEntropy(logits, b.y), acts]
  }
  const resCase: CaseResult = { name: 'residual + layerNorm, sigmoid, N(0, 0.01^2)', report: gradientHealth(rLoss, rInit.params as unknown[], batch) }

  // Too large an init: ReLU with N(0, largeStd^2); then clipping by global norm.
  const big = listCase(`ReLU, N(0, ${largeStd}^2) init (too large)`, mlpLayers(depth, width, normalInit(largeStd), relu), keys[3])
  const maxNorm = 1, lr = 0.01
  const plainLoss = (p: unknown[]): Tensor => big.loss(p, batch)[0]
  const vg = valueAndGrad(plainLoss)
  const [, grads] = vg(big.params)
  const clip = clipByGlobalNorm<unknown[]>(maxNorm)
  const [clippedGrads] = clip.update(grads, clip.init(big.params), big.params)
  const clipped = healthFromGrads(big.params, clippedGrads, { loss: big.report.loss })
  const trainLosses = (withClip: boolean): number[] => {
    const opt = withClip ? chain(clipByGlobalNorm<unknown[]>(maxNorm), sgd<unknown[]>(lr)) : sgd<unknown[]>(lr)
    let p = big.params
    let s: unknown = opt.init(p)
    const losses: number[] = []
    for (let i = 0; i < 10; i++) {
      const [v, g] = vg(p)
      losses.push(v.item())
      const [u, next] = (opt as ReturnType<typeof sgd<unknown[]>>).update(g, s as never, p)
      p = applyUpdates(p, u)
      s = next
    }
    losses.push(plainLoss(p).item())
    return losses
  }
  const explode: ExplodeResult = {
    name: big.name, report: big.report, clipped, maxNorm, learningRate: lr,
    lossesUnclipped: trainLosses(false), lossesClipped: trainLosses(true),
  }

  const svg = await gradNormSvg([
    { name: sig.name, report: sig.report },
    { name: rel.name, report: rel.report },
    { name: resCase.name, report: resCase.report },
    { name: big.name, report: big.report },
    { name: `same, clipped to global norm ${maxNorm}`, report: clipped },
  ], { title: `Gradient norm per layer: ${depth} hidden layers of ${width}, one batch of ${batchSize} digits` })
  const svgPath = opts.svgPath === undefined ? DEFAULT_SVG : opts.svgPath
  if (svgPath !== null) {
    mkdirSync(dirname(svgPath), { recursive: true })
    writeFileSync(svgPath, svg)
  }
  return { sigmoid: { name: sig.name, report: sig.report }, relu: { name: rel.name, report: rel.report }, residual: resCase, explode, svg, svgPath }
}

const sci = (x: number | null): string => (x === null ? '-' : x.toExponential(2))

/** The measured ratios as the lines the CLI prints (and the README quotes). */
export const summaryLines = (r: VanishingResult): string[] => {
  const line = (c: CaseResult): string =>
    `${c.name.padEnd(46)} first/last ||g|| ${sci(c.report.firstToLast).padStart(9)}   global ||g|| ${sci(c.report.globalGradNorm).padStart(9)}   ` +
    `${[c.report.vanishing && 'VANISHING', c.report.exploding && 'EXPLODING'].filter(Boolean).join(' ') || 'healthy'}`
  const e = r.explode
  return [
    line(r.sigmoid), line(r.relu), line(r.residual), line({ name: e.name, report: e.report }),
    line({ name: `  clipped to global norm ${e.maxNorm}`, report: e.clipped }),
    `SGD lr ${e.learningRate}, 10 steps, loss without clipping: ${e.lossesUnclipped.map((v) => v.toPrecision(3)).join(' ')}`,
    `SGD lr ${e.learningRate}, 10 steps, loss with clipping:    ${e.lossesClipped.map((v) => v.toPrecision(3)).join(' ')}`,
  ]
}

export const vanishingMain = async (argv: readonly string[] = process.argv.slice(2)): Promise<void> => {
  const { values } = parseArgs({
    args: [...argv],
    options: { experiment: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string', default: 'wasm' } },
    strict: false,
  })
  if (values.experiment !== undefined && values.experiment !== 'vanishing') throw new Error(`unknown --experiment '${String(values.experiment)}' (known: vanishing)`)
  // Same numbers on both backends (to float32 rounding); wasm is about three times faster here.
  if (values.backend === 'wasm') useWasmSync()
  else if (values.backend !== 'js') throw new Error(`--backend must be wasm or js, got '${String(values.backend)}'`)
  const start = performance.now()
  const r = await runVanishing({ svgPath: typeof values.out === 'string' ? resolve(values.out) : undefined, seed: values.seed === undefined ? 0 : Number(values.seed) })
  for (const c of [r.sigmoid, r.relu, r.residual, r.explode]) {
    console.log(`\n=== ${c.name} ===\n${formatHealthReport(c.report, { thresholds: false })}`)
  }
  console.log(`\n=== measured ===\n${summaryLines(r).join('\n')}`)
  console.log(`\nthresholds: ${r.sigmoid.report.thresholds.vanishingFirstToLast} (vanishing first/last), ${r.sigmoid.report.thresholds.explodingGradNorm} (exploding norm)`)
  if (r.svgPath !== null) console.log(`per-layer gradient norms: ${r.svgPath}`)
  console.log(`time: ${((performance.now() - start) / 1000).toFixed(1)} s`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  vanishingMain().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  })
}
