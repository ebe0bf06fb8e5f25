/**
 * The `wasm` backend: WebAssembly SIMD kernels for the float32 primitives (matmul and convolution
 * as packed GEMM; elementwise ops, reductions, gather/scatter and pooling), the JS reference
 * kernels for float64/int32/bool and for the movement primitives (table.ts says which runs where).
 * Tensor storage is JS-heap typed arrays, exactly as on the JS backend; the wasm memory is only a
 * bounded scratch area and read cache reused by every call (see arena.ts), so training loops stay
 * flat in memory with no dispose and no finalizers, synchronous loops included.
 *
 * `stats.kernelCalls` counts dispatches per primitive; `wasmCalls` counts the ones that executed
 * in WebAssembly, so tests can prove which code ran. Below `minWork` a call runs in JS: for tiny
 * operands the copies in and out cost more than the arithmetic.
 */

import type { DType, TypedArray } from '../../core/dtype.js'
import { DTYPES } from '../../core/dtype.js'
import { fail } from '../../core/errors.js'
import type { Primitive } from '../../diff/primitives.js'
import type { Backend, BackendStats, Kernel, Kernels } from '../backend.js'
import { jsKernels } from '../js/index.js'
import { wasmFusedAdam } from './adam.js'
import { Arena } from './arena.js'
import { kernelExports } from './exports.js'
import { instantiateAsync, instantiateSync, sharedMemorySupported, simdSupported, type KernelVariant, type WasmInstance } from './module.js'
import { nativeKernels } from './table.js'
import { ThreadPool, threadsAvailable } from './threads.js'

/** Options of `createWasmBackend`, `createWasmBackendAsync`, `useWasm` and `useWasmSync`. */
export interface WasmBackendOptions {
  /** Registry name, 'wasm' by default. */
  readonly name?: string
  /**
   * Smallest call sent to WebAssembly: multiply-adds for matmul, elements read or written for the
   * other kernels (default 4096; 0 sends every float32 call). Smaller calls run the JS kernels.
   */
  readonly minWork?: number
  /**
   * Bytes of wasm memory kept as a cache of recent operands and results (default 16 MiB; 0 turns
   * it off): an operand still resident from a recent call, such as the previous op's result in a
   * chain, is not copied in again. The memory stays under this plus the largest single call's
   * scratch. Much larger rings save more copies but spread the kernels' writes beyond the CPU's
   * caches; on the W2 optimizer chain 8-16 MiB measured about 10% faster than none or 32 MiB.
   */
  readonly cacheBytes?: number
  /**
   * Threads for big GEMMs, the calling thread included. Default: the machine's parallelism (at
   * most 4) in Node, 1 where worker threads or shared memory are unavailable. 1 turns them off.
   * Results are bit-identical for every thread count.
   */
  readonly threads?: number
  /**
   * false loads the baseline SIMD kernels even where relaxed SIMD (fused multiply-add in the GEMM)
   * is available. The two builds may differ in the last bits of float32 results.
   */
  readonly relaxedSimd?: boolean
}

const defaultThreads = (): number => {
  if (!threadsAvailable() || !sharedMemorySupported()) return 1
  const os = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:os') as
    { availableParallelism?: () => number } | undefined
  return Math.max(1, Math.min(4, os?.availableParallelism?.() ?? 1))
}

const wantThreads = (opts: WasmBackendOptions): number => {
  const t = opts.threads ?? defaultThreads()
  if (!Number.isInteger(t) || t < 1) fail('INVALID_ARGUMENT', 'createWasmBackend', `threads must be a positive integer, got ${String(t)}`)
  const c = opts.cacheBytes
  if (c !== undefined && !(Number.isInteger(c) && c >= 0)) fail('INVALID_ARGUMENT', 'createWasmBackend', `cacheBytes must be a non-negative integer, got ${String(c)}`)
  if (t > 1 && (!threadsAvailable() || !sharedMemorySupported())) {
    fail('BACKEND_UNAVAILABLE', 'createWasmBackend', `${t} threads need worker_threads and shared WebAssembly memory, which this runtime lacks`)
  }
  return t
}

/**
 * The wasm backend: a `Backend` over JS-heap typed arrays (all four dtypes, synchronous reads)
 * whose float32 kernels run in WebAssembly SIMD, with counters of what ran where.
 */
export interface WasmBackend extends Backend<TypedArray> {
  /**
   * `kernelCalls` counts every dispatch, `wasmCalls` those that ran in WebAssembly, and
   * `fusedAdamCalls` the leaves whose Adam step ran as one fused kernel (`fusedAdam`).
   */
  readonly stats: BackendStats & { readonly wasmCalls: Partial<Record<Primitive, number>>; readonly fusedAdamCalls: number }
  /** Adam's moment updates for one float32 leaf in one WebAssembly SIMD pass (see `Backend.fusedAdam`). */
  readonly fusedAdam: NonNullable<Backend<TypedArray>['fusedAdam']>
  /** Bytes of wasm memory in use: the scratch ring (at most `cacheBytes` plus the largest single call). */
  readonly scratchBytes: () => number
  /** Operands found resident in wasm memory (not copied in again), operands copied in and their bytes, since creation. */
  readonly cacheStats: () => { readonly hits: number; readonly misses: number; readonly copiedBytes: number }
  /** The kernel build in use: 'relaxed-simd' where the engine supports it, else 'simd'. */
  readonly kernelVariant: KernelVariant
}

type AnyKernel = Kernel<Primitive, TypedArray>

const DEFAULT_CACHE_BYTES = 16 * 2 ** 20

const build = (inst: WasmInstance, opts: WasmBackendOptions, threads: number): WasmBackend => {
  const arena = new Arena(inst.memory, opts.cacheBytes ?? DEFAULT_CACHE_BYTES)
  const pool = threads > 1 ? new ThreadPool(inst, threads) : undefined
  const native = nativeKernels({ wasm: inst.exports, arena, pool }, { wasm: kernelExports(inst), arena, pool }, opts.minWork ?? 4096)
  let calls: Partial<Record<Primitive, number>> = {}
  let wasmCalls: Partial<Record<Primitive, number>> = {}
  let fusedAdamCalls = 0

  const kernels = {} as Record<Primitive, AnyKernel>
  for (const p of Object.keys(jsKernels) as Primitive[]) {
    const js = jsKernels[p] as AnyKernel
    const w = native[p]
    kernels[p] = w === undefined
      ? (inputs, params, out) => { calls[p] = (calls[p] ?? 0) + 1; return js(inputs, params, out) }
      : (inputs, params, out) => {
        calls[p] = (calls[p] ?? 0) + 1
        if (!w.accepts(inputs, params as never, out)) return js(inputs, params, out)
        wasmCalls[p] = (wasmCalls[p] ?? 0) + 1
        return w.run(inputs, params, out)
      }
  }
  const stats = {
    get kernelCalls() { return calls },
    get wasmCalls() { return wasmCalls },
    get fusedAdamCalls() { return fusedAdamCalls },
    // Storage is on the JS heap (counted by the JS engine); the scratch arena is reported apart.
    liveBytes: () => NaN,
    reset: () => { calls = {}; wasmCalls = {}; fusedAdamCalls = 0 },
  }
  return {
    name: opts.name ?? 'wasm',
    dtypes: DTYPES,
    upload: (values: TypedArray) => values.slice(),
    readSync: (data: TypedArray, _d: DType, size: number) => data.slice(0, size),
    read: (data: TypedArray, _d: DType, size: number) => Promise.resolve(data.slice(0, size)),
    kernels: kernels as unknown as Kernels<TypedArray>,
    stats,
    capabilities: { syncRead: true, threads, simd: true },
    scratchBytes: () => arena.highWater,
    cacheStats: () => ({ hits: arena.hits, misses: arena.misses, copiedBytes: arena.copiedBytes }),
    kernelVariant: inst.variant,
    fusedAdam: wasmFusedAdam(inst.exports, arena, () => { fusedAdamCalls++ }),
  }
}

const unsupported = (): never =>
  fail('BACKEND_UNAVAILABLE', 'createWasmBackend', 'this JavaScript engine does not support WebAssembly SIMD')

/**
 * Creates the backend synchronously (Node, workers); not registered: see `useWasmSync`, or pass
 * it to `registerBackend`.
 *
 * @throws PuregradError `BACKEND_UNAVAILABLE` where WebAssembly SIMD is missing (see
 * `simdSupported`) or more than one thread is asked for without worker threads and shared
 * memory; `INVALID_ARGUMENT` for threads that are not a positive integer or a cacheBytes that is
 * not a non-negative integer.
 * @example
 * ```ts
 * import { ones, matmul, registerBackend, withBackend } from 'puregrad'
 * import { createWasmBackend } from 'puregrad/wasm'
 *
 * const wasm = createWasmBackend({ name: 'wasm-example', threads: 1 })
 * registerBackend(wasm)
 * const y = withBackend('wasm-example', () => matmul(ones([64, 64]), ones([64, 64])))
 * if (y.dataSync()[0] !== 64 || wasm.stats.wasmCalls.matmul !== 1) throw new Error('matmul ran in WebAssembly')
 * ```
 */
export const createWasmBackend = (opts: WasmBackendOptions = {}): WasmBackend => {
  if (!simdSupported()) return unsupported()
  const threads = wantThreads(opts)
  return build(instantiateSync(threads > 1, opts.relaxedSimd), opts, threads)
}

/**
 * Creates the backend asynchronously (browsers' main thread cannot compile modules synchronously);
 * not registered: see `useWasm`, or pass it to `registerBackend`.
 *
 * @throws PuregradError (the promise rejects) as `createWasmBackend`.
 * @example
 * ```ts
 * import { tensor, exp, registerBackend, withBackend } from 'puregrad'
 * import { createWasmBackendAsync } from 'puregrad/wasm'
 *
 * const wasm = await createWasmBackendAsync({ name: 'wasm-async', minWork: 0, threads: 1 })
 * registerBackend(wasm)
 * const y = withBackend('wasm-async', () => exp(tensor([0, 1])))
 * if (y.dataSync()[0] !== 1 || wasm.stats.kernelCalls.exp !== 1) throw new Error('exp on wasm')
 * ```
 */
export const createWasmBackendAsync = async (opts: WasmBackendOptions = {}): Promise<WasmBackend> => {
  if (!simdSupported()) return unsupported()
  const threads = wantThreads(opts)
  return build(await instantiateAsync(threads > 1, opts.relaxedSimd), opts, threads)
}
