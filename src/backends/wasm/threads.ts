/**
 * Worker threads for the big GEMMs (Node, via worker_threads, on a shared wasm memory). Work is
 * split over output rows in 4-row panels of the GEMM, never over the reduction, so
 * every element is computed by the same operations in the same order as on one thread: results
 * are bit-identical whatever the thread count. The main thread takes a share itself and then
 * waits with Atomics.wait; workers wait for the next job the same way, so a dispatch costs a
 * few microseconds and no event-loop turn (it works inside synchronous loops).
 *
 * Only the main thread allocates (the arena); each thread gets its own packing scratch.
 *
 * Faults: a worker that ends (it failed to start, or an uncaught error) says so in its control
 * slot from its `exit` handler, so the main thread never waits for it. The call that notices fails
 * with BACKEND_LOST once the other shares are done (they write into the arena the next call
 * reuses), the pool stops its workers, and every later GEMM runs on the calling thread: the same
 * bits (see above), only slower. A worker killed without running its exit handlers (V8 running
 * out of heap inside it) or a share that never ends would still block the call.
 */

import { fail } from '../../core/errors.js'
import type { WasmInstance } from './module.js'

/**
 * Int32 slots of the control block: [generation, done count (the word waited on), failed, pad,
 * then ARGS per worker: 13 GEMM arguments, the last generation it finished, 1 once it ended].
 */
const GEN = 0, DONE = 1, FAILED = 2, HEADER = 4, ARGS = 16, FINISHED = 13, ENDED = 14

export type GemmArgs = readonly [
  a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number,
  m: number, n: number, k: number, rowStart: number, rowEnd: number, scratch: number,
]

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads')
const { module, memory, control, index } = workerData
const ctl = new Int32Array(control)
const base = ${HEADER} + index * ${ARGS}
process.on('exit', () => {
  Atomics.store(ctl, base + ${ENDED}, 1)
  Atomics.add(ctl, ${DONE}, 1)
  Atomics.notify(ctl, ${DONE})
})
const k = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort') } } }).exports
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
  Atomics.store(ctl, base + ${FINISHED}, seen)
  Atomics.add(ctl, ${DONE}, 1)
  Atomics.notify(ctl, ${DONE})
}
`

interface WorkerLike { unref(): void; terminate(): unknown; on(event: 'error', listener: (e: Error) => void): unknown }
interface WorkerThreads { Worker: new (src: string, opts: { eval: true; workerData: unknown }) => WorkerLike }

const workerThreads = (): WorkerThreads | undefined => {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  return p?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined
}

export const threadsAvailable = (): boolean => workerThreads() !== undefined && typeof SharedArrayBuffer === 'function'

export class ThreadPool {
  private readonly ctl: Int32Array
  private readonly workers: WorkerLike[] = []
  /** Why the workers are gone (GEMMs then run on the calling thread), or null while they serve. */
  private stopped: string | null = null
  /** Uncaught errors of workers, as delivered when the event loop last ran. */
  private readonly errors: string[] = []

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
      // Without a listener a worker's uncaught error would be rethrown in the main thread and end
      // the process; its end is reported through the control block instead (see gemm).
      w.on('error', (e) => { this.errors.push(e.message) })
      w.unref()
      this.workers.push(w)
    }
  }

  /** Why the pool stopped serving (then GEMMs run on the calling thread), or null. */
  get failure(): string | null { return this.stopped }

  /**
   * Runs gemm over rows [0, m) split across the threads; `scratch[t]` is thread t's packing area.
   * Returns when every share is done. `op` names the kernel in errors.
   */
  gemm(args: GemmArgs, scratch: readonly number[], blockRows: number, op: string): void {
    const m = args[7]
    if (this.stopped !== null) {
      this.inst.exports.gemm(...(args.slice(0, 10) as [number, number, number, number, number, number, number, number, number, number]), 0, m, scratch[0])
      return
    }
    const blocks = Math.ceil(m / blockRows)
    const per = Math.ceil(blocks / this.threads)
    const rows = (t: number): [number, number] => [Math.min(m, t * per * blockRows), Math.min(m, (t + 1) * per * blockRows)]
    const ctl = this.ctl
    Atomics.store(ctl, FAILED, 0)
    for (let w = 0; w < this.workers.length; w++) {
      const [r0, r1] = rows(w + 1)
      ctl.set([...args.slice(0, 10), r0, r1, scratch[w + 1]], HEADER + w * ARGS)
    }
    const gen = Atomics.add(ctl, GEN, 1) + 1
    Atomics.notify(ctl, GEN)
    const [r0, r1] = rows(0)
    if (r0 < r1) this.inst.exports.gemm(...(args.slice(0, 10) as [number, number, number, number, number, number, number, number, number, number]), r0, r1, scratch[0])
    const slot = (w: number, k: number): number => Atomics.load(ctl, HEADER + w * ARGS + k)
    const busy = (): boolean => this.workers.some((_, w) => slot(w, FINISHED) !== gen && slot(w, ENDED) === 0)
    for (let done = Atomics.load(ctl, DONE); busy(); done = Atomics.load(ctl, DONE)) {
      Atomics.wait(ctl, DONE, done, 5000)
    }
    const ended = this.workers.flatMap((_, w) => (slot(w, ENDED) !== 0 ? [w + 1] : []))
    if (ended.length > 0) {
      const why = this.errors.length > 0 ? ` (${this.errors[0]})` : ''
      this.terminate(`worker thread ${ended.join(', ')} of ${this.workers.length} ended${why}`)
      fail('BACKEND_LOST', op, `the wasm backend's ${this.stopped}, so this call failed; ` +
        'later calls run on the calling thread (same results, slower); create a new wasm backend (registerBackend(createWasmBackend())) to have threads again')
    }
    if (Atomics.load(ctl, FAILED) !== 0) fail('OUT_OF_MEMORY', op, 'a wasm worker thread trapped while running its share of the product')
  }

  /** Stops the workers; later GEMMs run on the calling thread. */
  terminate(why = 'worker threads were stopped'): void {
    this.stopped ??= why
    for (const w of this.workers) w.terminate()
  }
}
