/**
 * The soak loop shared by the CLI (bench/soak/soak.ts) and the short CI version
 * (test/reliability/soak.test.ts): a small MLP (puregrad/layers: 16-32-4, ReLU, batch 32, softmax
 * cross-entropy with one-hot targets) trained with Adam (puregrad/optim) for many steps on one
 * backend, synchronously (the loop never yields; the loss is read with item() at sample points) or
 * asynchronously (every step awaits the loss and yields a macrotask), sampling RSS, heapUsed,
 * external memory and the backend's own memory every `sampleEvery` steps. The verdict compares
 * the growth after warm-up with stated bounds: peak RSS minus the RSS at the end of warm-up, and
 * the heap still in use after a forced garbage collection with finalizers run (at the end versus at
 * the end of warm-up; a sync loop yields there, once, before its baseline).
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { argmax, getBackend, oneHot, setBackend, slice, valueAndGrad, withBackend, type Tensor } from '../../src/index.js'
import { activation, dense, key, random, relu, sequential, softmaxCrossEntropy, split } from '../../src/layers/index.js'
import { adam, applyUpdates } from '../../src/optim/index.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** A full collection, with turns of the event loop so finalizers (webgpu buffers) run too. */
const collect = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((r) => setTimeout(r, 10))
  }
}

export interface SoakOptions {
  readonly steps: number
  /** A registered backend name ('js', 'wasm', 'webgpu'). */
  readonly backend: string
  readonly mode: 'sync' | 'async'
  readonly sampleEvery: number
  /** Steps before the baseline is taken (the heap and the JIT settle). */
  readonly warmup: number
  /** Allowed growth of peak RSS over the RSS at the end of warm-up, in MiB. */
  readonly rssBoundMB: number
  /** Allowed growth of the heap in use after a forced GC, end versus end of warm-up, in MiB. */
  readonly heapBoundMB: number
  readonly seed?: number
  /** Called with each sample as it is taken (the CLI prints a row). */
  readonly onSample?: (s: Sample) => void
}

export interface Sample {
  readonly step: number
  readonly seconds: number
  readonly loss: number
  readonly rssMB: number
  readonly heapUsedMB: number
  readonly externalMB: number
  /** The backend's own count: wasm scratch bytes, webgpu live bytes (NaN when it has none). */
  readonly backendMB: number
}

export interface SoakResult {
  readonly options: Omit<SoakOptions, 'onSample'>
  readonly samples: readonly Sample[]
  readonly stepsPerSecond: number
  /** RSS at the end of warm-up and the peak after it, MiB. */
  readonly rssBaseMB: number
  readonly rssPeakMB: number
  readonly rssGrowthMB: number
  /** Heap in use right after a forced GC at the end of warm-up and at the end, MiB. */
  readonly heapAfterGcBaseMB: number
  readonly heapAfterGcEndMB: number
  readonly heapGrowthMB: number
  readonly firstLoss: number
  readonly lastLoss: number
  readonly pass: boolean
  readonly verdict: string
}

const MB = 2 ** 20

const backendBytes = (): number => {
  const b = getBackend() as unknown as { scratchBytes?: () => number; stats: { liveBytes(): number } }
  return b.scratchBytes !== undefined ? b.scratchBytes() : b.stats.liveBytes()
}

const readLoss = async (l: Tensor, sync: boolean): Promise<number> => (sync ? l.item() : (await l.data())[0])

/** Builds the problem on the current backend: parameters, optimizer state and one fixed batch. */
const problem = (seed: number) => {
  const [kInit, kData] = split(key(seed), 2)
  const model = sequential(dense(32), activation(relu), dense(4))
  const { params, state } = model.init(kInit, [16])
  const x = random.normal(kData, [32, 16])
  // Labels from a fixed rule of the inputs, so there is something to learn; one-hot targets keep
  // the loss free of host reads (webgpu reads only asynchronously).
  const targets = oneHot(argmax(slice(x, [0, 0], [32, 4]), { axis: 1 }), 4)
  type P = typeof params
  const loss = (p: P): Tensor => softmaxCrossEntropy(model.apply(p, state, x)[0], targets)
  return { params, loss }
}

export const runSoak = async (o: SoakOptions): Promise<SoakResult> => {
  const sync = o.mode === 'sync'
  // webgpu cannot read synchronously: its "sync" loop yields only at sample points.
  const syncReads = sync && getBackendByName(o.backend).capabilities.syncRead
  // The backend stays current for the whole run (withBackend would restore the previous one at
  // the first await of an async loop).
  const previous = getBackend().name
  setBackend(o.backend)
  try {
    const { params, loss } = problem(o.seed ?? 0)
    type P = typeof params
    const opt = adam<P>(1e-3)
    const lossAndGrad = valueAndGrad(loss)
    let p: P = params
    let s = opt.init(p)
    const samples: Sample[] = []
    let heapAfterGcBase = NaN
    const t0 = performance.now()
    let tWarm = t0
    const sample = (step: number, l: number): void => {
      const m = process.memoryUsage()
      const row: Sample = {
        step, seconds: (performance.now() - t0) / 1000, loss: l,
        rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, externalMB: m.external / MB, backendMB: backendBytes() / MB,
      }
      samples.push(row)
      o.onSample?.(row)
    }
    for (let i = 1; i <= o.steps; i++) {
      const [l, g] = lossAndGrad(p)
      const [u, next] = opt.update(g, s, p)
      p = applyUpdates(p, u)
      s = next
      if (!sync) {
        await readLoss(l, false)
        await new Promise<void>((r) => setImmediate(r))
      }
      if (i === o.warmup) {
        await collect() // the one yield of a sync loop: before the baseline, so finalizers are not owed
        heapAfterGcBase = process.memoryUsage().heapUsed / MB
        tWarm = performance.now()
      }
      if (i % o.sampleEvery === 0 || i === o.steps || i === o.warmup) sample(i, await readLoss(l, syncReads))
    }
    const tEnd = performance.now()
    await collect()
    const heapAfterGcEnd = process.memoryUsage().heapUsed / MB
    const base = samples.find((x) => x.step === o.warmup) ?? samples[0]
    const after = samples.filter((x) => x.step >= o.warmup)
    const rssPeak = Math.max(...after.map((x) => x.rssMB))
    const rssGrowth = rssPeak - base.rssMB
    const heapGrowth = heapAfterGcEnd - heapAfterGcBase
    const finite = samples.every((x) => Number.isFinite(x.loss))
    const pass = finite && rssGrowth < o.rssBoundMB && heapGrowth < o.heapBoundMB
    const verdict = `${pass ? 'PASS' : 'FAIL'}: RSS grew ${rssGrowth.toFixed(1)} MiB after warm-up (bound ${o.rssBoundMB}), ` +
      `heap after GC grew ${heapGrowth.toFixed(2)} MiB (bound ${o.heapBoundMB})${finite ? '' : ', and a loss was not finite'}`
    const { onSample: _, ...options } = o
    return {
      options, samples,
      stepsPerSecond: (o.steps - o.warmup) / ((tEnd - tWarm) / 1000),
      rssBaseMB: base.rssMB, rssPeakMB: rssPeak, rssGrowthMB: rssGrowth,
      heapAfterGcBaseMB: heapAfterGcBase, heapAfterGcEndMB: heapAfterGcEnd, heapGrowthMB: heapGrowth,
      firstLoss: samples[0].loss, lastLoss: samples[samples.length - 1].loss,
      pass, verdict,
    }
  } finally {
    setBackend(previous)
  }
}

const getBackendByName = (name: string) => withBackend(name, () => getBackend())

export const header = 'step      seconds  loss        rss MiB  heapUsed MiB  external MiB  backend MiB'
export const formatSample = (s: Sample): string =>
  `${String(s.step).padEnd(9)} ${s.seconds.toFixed(1).padStart(7)}  ${s.loss.toExponential(3).padEnd(10)} ${s.rssMB.toFixed(1).padStart(8)}  ${s.heapUsedMB.toFixed(1).padStart(12)}  ${s.externalMB.toFixed(1).padStart(12)}  ${Number.isNaN(s.backendMB) ? '-'.padStart(11) : s.backendMB.toFixed(2).padStart(11)}`
