/**
 * puregrad as a peer, one instance per registered backend: `listBackends()`, after registering
 * the backends that have their own entry (today 'wasm'), so a future 'webgpu' shows up too. The
 * models are plain functions over parameter records, trained with puregrad/optim's `adam` as a
 * user would (on the wasm backend its step runs as one fused kernel per leaf); the bench's
 * cross-check still holds it to the other peers' losses.
 */

import { readFileSync } from 'node:fs'
import * as pg from '../../../src/index.js'
import { adam as adamOptimizer, applyUpdates } from '../../../src/optim/index.js'
import type { HostTensor } from '../lib/rng.js'
import type { AdamConfig, Batch, CnnInit, MlpInit, Optimizer, Peer, PeerFactory, Task, Trainer } from './peer.js'

type T = pg.Tensor
const up = (h: HostTensor): T => pg.tensor(h.data, { shape: h.shape, dtype: 'float32' })
const read = async (t: T): Promise<Float32Array> => Float32Array.from(await t.data())

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version

/** Mean softmax cross-entropy of logits [n, c] against one-hot labels [n, c]. */
const crossEntropy = (logits: T, oneHot: T): T =>
  pg.neg(pg.mean(pg.sum(pg.mul(pg.logSoftmax(logits, -1), oneHot), { axis: -1 })))

type Dense = { w: T; b: T }
type MlpParams = Dense[]
const mlpLogits = (p: MlpParams, x: T): T => {
  let h = x
  p.forEach((l, i) => {
    const z = pg.add(pg.matmul(h, l.w), l.b)
    h = i < p.length - 1 ? pg.relu(z) : z
  })
  return h
}

type CnnParams = { k1: T; c1: T; k2: T; c2: T; w: T; b: T }
const cnnLogits = (p: CnnParams, x: T): T => {
  const h1 = pg.relu(pg.add(pg.conv2d(x, p.k1), p.c1))
  const h2 = pg.relu(pg.add(pg.conv2d(h1, p.k2), p.c2))
  const pooled = pg.mean(h2, { axis: [1, 2] })
  return pg.add(pg.matmul(pooled, p.w), p.b)
}

/** Kingma & Ba, Algorithm 1, as puregrad/optim's `adam` with the bench's constants. */
const adamOf = <P>(c: AdamConfig) => adamOptimizer<P>(c.lr, { b1: c.beta1, b2: c.beta2, eps: c.eps })

type PgBatch = Batch & { x: T; y: T; labels: Int32Array }

/** A trainer over any model: the state is immutable and replaced wholesale after each step. */
const trainer = <P>(params: P, logits: (p: P, x: T) => T, opt: Optimizer): Trainer => {
  const loss = (p: P, x: T, y: T): T => crossEntropy(logits(p, x), y)
  const valueAndGrad = pg.valueAndGrad(loss)
  const adam = opt.kind === 'adam' ? adamOf<P>(opt.adam) : undefined
  let state = adam?.init(params)
  let plain = params
  return {
    batch(x: HostTensor, y: Int32Array): PgBatch {
      const classes = 10
      return { size: y.length, x: up(x), y: pg.oneHot(pg.tensor(y, { dtype: 'int32' }), classes), labels: y, dispose() {} }
    },
    async step(b: Batch): Promise<number> {
      const { x, y } = b as PgBatch
      const [value, g] = valueAndGrad(plain, x, y)
      if (adam !== undefined && state !== undefined) {
        const [u, next] = adam.update(g, state, plain)
        plain = applyUpdates(plain, u)
        state = next
      } else if (opt.kind === 'sgd') {
        plain = pg.treeZipWith(plain, g, (p: T, gi: T) => pg.sub(p, pg.mul(gi, opt.lr)))
      }
      return (await read(value))[0]
    },
    async evaluate(b: Batch): Promise<{ loss: number; correct: number }> {
      const { x, y, labels } = b as PgBatch
      const z = logits(plain, x)
      const l = (await read(crossEntropy(z, y)))[0]
      const pred = await pg.argmax(z, { axis: -1 }).data()
      let correct = 0
      for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++
      return { loss: l, correct }
    },
    dispose() {},
  }
}

const chain = (links: number) => (x: T): T => {
  let y = x
  for (let i = 0; i < links; i++) y = pg.tanh(pg.add(pg.mul(y, 1.01), 0.1))
  return pg.sum(y)
}

const makePeer = (backend: string): Peer => {
  pg.setBackend(backend)
  const be = pg.getBackend()
  return {
    id: `puregrad-${be.name}`,
    library: 'puregrad',
    version: version(),
    backend: be.name,
    modes: ['eager'],
    notes: [`threads ${be.capabilities.threads}, simd ${be.capabilities.simd}${'kernelVariant' in be ? `, kernels ${String(be.kernelVariant)}` : ''}`],
    matmul(a: HostTensor, b: HostTensor): Task {
      const ta = up(a), tb = up(b)
      return { run: () => read(pg.matmul(ta, tb)), dispose() {} }
    },
    chainGrad(links: number, x: HostTensor): Task {
      const g = pg.grad(chain(links))
      const tx = up(x)
      return { run: () => read(g(tx)), dispose() {} }
    },
    mlp(init: MlpInit, opt: Optimizer): Trainer {
      return trainer<MlpParams>(init.layers.map((l) => ({ w: up(l.w), b: up(l.b) })), mlpLogits, opt)
    },
    cnn(init: CnnInit, opt: Optimizer): Trainer {
      const p: CnnParams = { k1: up(init.k1), c1: up(init.c1), k2: up(init.k2), c2: up(init.c2), w: up(init.w), b: up(init.b) }
      return trainer(p, cnnLogits, opt)
    },
  }
}

/**
 * The wasm backend again, on the calling thread alone, for the workloads whose big kernels are
 * split over threads: the issue's one-thread and two-thread goals are read off the same run.
 */
const ONE_THREAD = 'wasm-1t'
const ONE_THREAD_WORKLOADS = ['W1', 'W2', 'W4']

/**
 * Backends that live in their own entry are registered here first (not made current), so that
 * `listBackends()` shows them. `listOnly` is set only by the parent process, which lists peers
 * without computing and must not start worker threads.
 */
const registerOptionalBackends = async (listOnly: boolean): Promise<void> => {
  if (pg.listBackends().includes('wasm')) return
  const wasm = await import('../../../src/backends/wasm/index.js')
  pg.registerBackend(await wasm.createWasmBackendAsync(listOnly ? { threads: 1 } : {}))
  pg.registerBackend(await wasm.createWasmBackendAsync({ name: ONE_THREAD, threads: 1 }))
}

export const puregradFactories = async (opts: { listOnly?: boolean } = {}): Promise<PeerFactory[]> => {
  await registerOptionalBackends(opts.listOnly === true)
  return pg.listBackends().map((name) => ({
    id: `puregrad-${name}`,
    isPuregrad: true,
    ...(name === ONE_THREAD ? { workloads: ONE_THREAD_WORKLOADS } : {}),
    load: async () => makePeer(name),
  }))
}
