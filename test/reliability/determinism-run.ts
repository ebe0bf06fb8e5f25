/**
 * The training run the determinism suite compares (determinism.test.ts): an MLP 32-96-10 from
 * puregrad/layers, Adam from puregrad/optim, a fixed batch of 128 drawn from a PRNG key, N steps on
 * a named backend; it returns the final parameter bytes, their SHA-256 and the loss trajectory.
 * The sizes make the first layer's wasm GEMM split over threads (128 > 64 output rows, 128 * 96 * 32 >= 2^18
 * multiply-adds).
 * Run as a script it prints the hash, so separate processes can be compared:
 *
 *   node --import tsx test/reliability/determinism-run.ts js 1000
 *   node --import tsx test/reliability/determinism-run.ts wasm 1000 2     (wasm with 2 threads)
 */

import { createHash } from 'node:crypto'
import { argmax, grad, oneHot, registerBackend, slice, treeLeaves, withBackend, type Tensor } from '../../src/index.js'
import { activation, dense, key, random, relu, sequential, softmaxCrossEntropy, split } from '../../src/layers/index.js'
import { adam, applyUpdates } from '../../src/optim/index.js'
import { createWasmBackend } from '../../src/backends/wasm/index.js'

export interface RunResult {
  readonly bytes: Uint8Array
  readonly sha256: string
  /** The loss every 100 steps, read after the run (nothing is read inside the loop). */
  readonly losses: readonly number[]
  readonly leaves: readonly Float32Array[]
}

/** Registers a wasm backend with `threads` threads under `wasm-t<threads>` and returns the name. */
export const wasmWithThreads = (threads: number): string => {
  const name = `wasm-t${threads}`
  registerBackend(createWasmBackend({ name, threads }))
  return name
}

export const train = (backend: string, steps: number, seed = 7): RunResult => withBackend(backend, () => {
  const [kInit, kData] = split(key(seed), 2)
  const model = sequential(dense(96), activation(relu), dense(10))
  const { params, state } = model.init(kInit, [32])
  const x = random.normal(kData, [128, 32])
  const targets = oneHot(argmax(slice(x, [0, 0], [128, 10]), { axis: 1 }), 10)
  type P = typeof params
  const loss = (p: P): Tensor => softmaxCrossEntropy(model.apply(p, state, x)[0], targets)
  const opt = adam<P>(1e-3)
  let p: P = params
  let s = opt.init(p)
  const kept: Tensor[] = []
  for (let i = 0; i < steps; i++) {
    if (i % 100 === 0) kept.push(loss(p))
    const [u, next] = opt.update(grad(loss)(p), s, p)
    p = applyUpdates(p, u)
    s = next
  }
  kept.push(loss(p))
  const leaves = treeLeaves<Tensor>(p).map((t) => t.dataSync() as Float32Array)
  const bytes = new Uint8Array(leaves.reduce((n, l) => n + l.byteLength, 0))
  let off = 0
  for (const l of leaves) { bytes.set(new Uint8Array(l.buffer, l.byteOffset, l.byteLength), off); off += l.byteLength }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), losses: kept.map((l) => l.item()), leaves }
})

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '')
if (isMain) {
  const [backend = 'js', steps = '1000', threads] = process.argv.slice(2)
  const name = backend === 'wasm' ? wasmWithThreads(Number(threads ?? 1)) : backend
  const r = train(name, Number(steps))
  console.log(`${name} ${steps} steps: sha256 ${r.sha256}, final loss ${r.losses[r.losses.length - 1]}`)
}
