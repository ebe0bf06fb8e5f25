/**
 * Where examples/fashion.ts computes its gradients: in the main thread (`localEngine`), or split
 * over worker threads (`workerEngine`), one per core: each worker holds the data and the model
 * (initialised from the same seed), gets the parameters and its share of the batch's row indices
 * every step, and returns its loss and gradients; the main thread averages them (weighted by
 * rows) and runs the optimizer. Pure functions over parameter records make this a matter of
 * copying leaves. Batch-norm statistics are per worker (as in data parallelism without synced
 * batch norm) and the running statistics are averaged.
 */

import { Worker } from 'node:worker_threads'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { tensor, treeFlatten, treeLeaves, treeUnflatten, type Tensor } from '../src/index.js'
import { foldIn, random, type Key } from '../src/layers/index.js'
import { predictClasses } from '../src/datasets/index.js'
import type { PrepareOptions, Prepared } from './fashion-model.js'

export interface StepResult { readonly loss: number; readonly grads: unknown; readonly state: unknown }

export interface Engine {
  /** Loss (mean over the rows), gradients and new state for rows `indices` of the training set. */
  step(params: unknown, state: unknown, indices: Int32Array, k: Key): Promise<StepResult>
  /** Predicted classes of the whole test set (with `flip`: from the mean logits of each image and its mirror). */
  predict(params: unknown, state: unknown, flip?: boolean): Promise<Int32Array>
  close(): Promise<void>
  readonly workers: number
}

/** Leaves of a record as host arrays (copied when posted). */
export const toHost = (tree: unknown): Float32Array[] => treeLeaves<Tensor>(tree).map((t) => t.dataSync() as Float32Array)

/** A record shaped like `template` from host arrays. */
export const fromHost = (template: unknown, arrays: readonly Float32Array[]): unknown => {
  const [leaves, def] = treeFlatten<Tensor>(template)
  return treeUnflatten(def, arrays.map((a, i) => tensor(a, { shape: leaves[i].shape })))
}

export const localEngine = (prep: Prepared): Engine => ({
  workers: 1,
  step: async (params, state, indices, k) => {
    const [[value, next], grads] = prep.step(params, state, prep.trainBatch(indices), k)
    return { loss: value.item(), grads, state: next }
  },
  predict: async (params, state, flip = false) => predictClasses((x) => prep.logits(params, state, x, flip), prep.data.test.x, 1000),
  close: async () => undefined,
})

/** What a worker replies to a step. */
export interface WorkerStep { readonly loss: number; readonly count: number; readonly grads: Float32Array[]; readonly state: Float32Array[] }

/** Starts `examples/fashion-worker.ts` in a worker thread, through tsx's loader. */
const spawn = (opts: PrepareOptions): Worker => {
  const tsx = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))
  const api = pathToFileURL(join(tsx, 'dist', 'esm', 'api', 'index.mjs')).href
  const entry = new URL('./fashion-worker.ts', import.meta.url).href
  const src = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(src, { eval: true, workerData: { ...opts, layer: undefined } })
}

/** One request at a time per worker: post, then wait for its reply. */
const caller = (w: Worker) => {
  let pending: { resolve: (v: unknown) => void; reject: (e: unknown) => void } | null = null
  w.on('message', (m: { error?: string }) => {
    const p = pending
    pending = null
    if (m.error !== undefined) p?.reject(new Error(`fashion worker: ${m.error}`))
    else p?.resolve(m)
  })
  w.on('error', (e) => { pending?.reject(e); pending = null })
  return <T>(msg: object): Promise<T> => new Promise<T>((resolve, reject) => {
    pending = { resolve: resolve as (v: unknown) => void, reject }
    w.postMessage(msg)
  })
}

/** Splits 0..n-1 into `parts` contiguous ranges of nearly equal length. */
const ranges = (n: number, parts: number): [number, number][] =>
  Array.from({ length: parts }, (_, i) => [Math.floor((i * n) / parts), Math.floor(((i + 1) * n) / parts)] as [number, number])

/** Averages host arrays leaf by leaf, weighted. */
const average = (sets: readonly Float32Array[][], weights: readonly number[]): Float32Array[] => {
  const total = weights.reduce((a, b) => a + b, 0)
  return sets[0].map((_, leaf) => {
    const out = new Float32Array(sets[0][leaf].length)
    sets.forEach((s, w) => { const a = s[leaf], c = weights[w] / total; for (let i = 0; i < out.length; i++) out[i] += c * a[i] })
    return out
  })
}

export const workerEngine = async (prep: Prepared, opts: PrepareOptions, count: number): Promise<Engine> => {
  const workers = Array.from({ length: count }, () => spawn(opts))
  const calls = workers.map(caller)
  await Promise.all(calls.map((c) => c<{ ready: true }>({ type: 'hello' })))
  const testRanges = ranges(prep.data.test.x.shape[0], count)
  return {
    workers: count,
    step: async (params, state, indices, k) => {
      const p = toHost(params), s = toHost(state)
      const parts = ranges(indices.length, count)
      const replies = await Promise.all(calls.map((c, w) => c<WorkerStep>({
        type: 'step', params: p, state: s, indices: indices.slice(parts[w][0], parts[w][1]), key: random.keyData(foldIn(k, w)),
      })))
      const weights = replies.map((r) => r.count)
      const total = weights.reduce((a, b) => a + b, 0)
      return {
        loss: replies.reduce((acc, r) => acc + r.loss * r.count, 0) / total,
        grads: fromHost(params, average(replies.map((r) => r.grads), weights)),
        state: fromHost(state, average(replies.map((r) => r.state), weights)),
      }
    },
    predict: async (params, state, flip = false) => {
      const p = toHost(params), s = toHost(state)
      const parts = await Promise.all(calls.map((c, w) => c<{ predictions: Int32Array }>({ type: 'predict', params: p, state: s, begin: testRanges[w][0], end: testRanges[w][1], flip })))
      const out = new Int32Array(prep.data.test.x.shape[0])
      parts.forEach((r, w) => out.set(r.predictions, testRanges[w][0]))
      return out
    },
    close: async () => { await Promise.all(workers.map((w) => w.terminate())) },
  }
}
