/**
 * Worker threads for the big GEMMs (Node, via worker_threads, on a shared wasm memory). Work is
 * split over output rows in multiples of the GEMM's 64-row block, never over the reduction, so
 * every element is computed by the same operations in the same order as on one thread: results
 * are bit-identical whatever the thread count. The main thread takes a share itself and then
 * waits with Atomics.wait; workers wait for the next job the same way, so a dispatch costs a
 * few microseconds and no event-loop turn (it works inside synchronous loops).
 *
 * Only the main thread allocates (the arena); each thread gets its own packing scratch.
 */

import { fail } from '../../core/errors.js'
import type { WasmInstance } from './module.js'

/** Int32 slots of the control block: [generation, done, failed, pad, then ARGS per worker]. */
const GEN = 0, DONE = 1, FAILED = 2, HEADER = 4, ARGS = 16

export type GemmArgs = readonly [
  a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number,
  m: number, n: number, k: number, rowStart: number, rowEnd: number, scratch: number,
]

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { module, memory, control, index } = workerData
const k = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort') } } }).exports
const ctl = new Int32Array(control)
const base = ${HEADER} + index * ${ARGS}
let seen = 0
for (;;) {
  Atomics.wait(ctl, ${GEN}, seen)
  seen = Atomics.load(ctl, ${GEN})
  const a = ctl.subarray(base, base + 13)
  try {
    if (a[10] < a[11]) k.gemm(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12])
  } catch (e) {
    Atomics.store(ctl, ${FAILED}, 1)
  }
  Atomics.add(ctl, ${DONE}, 1)
  Atomics.notify(ctl, ${DONE})
}
`

interface WorkerLike { unref(): void; terminate(): unknown }
interface WorkerThreads { Worker: new (src: string, opts: { eval: true; workerData: unknown }) => WorkerLike }

const workerThreads = (): WorkerThreads | undefined => {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return p?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined
}

export const threadsAvailable = (): boolean => workerThreads() !== undefined && typeof SharedArrayBuffer === 'function'

export class ThreadPool {
  private readonly ctl: Int32Array
  private readonly workers: WorkerLike[] = []

  /** `threads` counts the main thread: 2 means one worker. */
  constructor(private readonly inst: WasmInstance, readonly threads: number) {
    const wt = workerThreads()
    if (wt === undefined || !inst.shared) fail('BACKEND_UNAVAILABLE', 'wasm threads', 'worker threads need Node and a shared wasm memory')
    this.ctl = new Int32Array(new SharedArrayBuffer((HEADER + ARGS * threads) * 4))
    for (let i = 0; i < threads - 1; i++) {
      const w = new (wt as WorkerThreads).Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: inst.module, memory: inst.memory, control: this.ctl.buffer, index: i },
      })
      w.unref()
      this.workers.push(w)
    }
  }

  /**
   * Runs gemm over rows [0, m) split across the threads; `scratch[t]` is thread t's packing area.
   * Returns when every share is done.
   */
  gemm(args: GemmArgs, scratch: readonly number[], blockRows: number): void {
    const m = args[7]
    const blocks = Math.ceil(m / blockRows)
    const per = Math.ceil(blocks / this.threads)
    const rows = (t: number): [number, number] => [Math.min(m, t * per * blockRows), Math.min(m, (t + 1) * per * blockRows)]
    const ctl = this.ctl
    Atomics.store(ctl, DONE, 0)
    Atomics.store(ctl, FAILED, 0)
    for (let w = 0; w < this.workers.length; w++) {
      const [r0, r1] = rows(w + 1)
      ctl.set([...args.slice(0, 10), r0, r1, scratch[w + 1]], HEADER + w * ARGS)
    }
    Atomics.add(ctl, GEN, 1)
    Atomics.notify(ctl, GEN)
    const [r0, r1] = rows(0)
    if (r0 < r1) this.inst.exports.gemm(...(args.slice(0, 10) as [number, number, number, number, number, number, number, number, number, number]), r0, r1, scratch[0])
    for (let done = Atomics.load(ctl, DONE); done < this.workers.length; done = Atomics.load(ctl, DONE)) {
      Atomics.wait(ctl, DONE, done, 5000)
    }
    if (Atomics.load(ctl, FAILED) !== 0) fail('OUT_OF_MEMORY', 'wasm threads', 'a worker thread trapped while running a GEMM share')
  }

  terminate(): void {
    for (const w of this.workers) w.terminate()
  }
}
