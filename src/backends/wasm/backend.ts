/**
 * The `wasm` backend: WebAssembly SIMD kernels for the heavy float32 primitives (matmul and
 * convolution, as packed GEMM), the JS reference kernels for the rest and for float64/int32/bool.
 * Tensor storage is JS-heap typed arrays, exactly as on the JS backend; the wasm memory is only a
 * scratch area reused by every call (see arena.ts), so training loops stay flat in memory with no
 * dispose and no finalizers, synchronous loops included.
 *
 * `stats.kernelCalls` counts dispatches per primitive; `wasmCalls` counts the ones that executed
 * in WebAssembly, so tests can prove which code ran. Below `minWork` multiply-adds a matmul runs
 * in JS: for tiny operands the copies in and out cost more than the arithmetic.
 */

import type { DType, TypedArray } from '../../core/dtype.js'
import { DTYPES } from '../../core/dtype.js'
import { fail } from '../../core/errors.js'
import type { Primitive } from '../../diff/primitives.js'
import type { Backend, BackendStats, Kernel, Kernels } from '../backend.js'
import { jsKernels } from '../js/index.js'
import { Arena } from './arena.js'
import { wasmConv2d, wasmConv2dBackFilter, wasmConv2dBackInput } from './conv.js'
import type { GemmContext } from './gemm.js'
import { wasmMatmul } from './matmul.js'
import { instantiateAsync, instantiateSync, sharedMemorySupported, simdSupported, type WasmInstance } from './module.js'
import { ThreadPool, threadsAvailable } from './threads.js'

export interface WasmBackendOptions {
  readonly name?: string
  /** Smallest matmul (m * n * k) sent to WebAssembly. */
  readonly minWork?: number
  /**
   * Threads for big GEMMs, the calling thread included. Default: the machine's parallelism (at
   * most 4) in Node, 1 where worker threads or shared memory are unavailable. 1 turns them off.
   * Results are bit-identical for every thread count.
   */
  readonly threads?: number
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
  if (t > 1 && (!threadsAvailable() || !sharedMemorySupported())) {
    fail('BACKEND_UNAVAILABLE', 'createWasmBackend', `${t} threads need worker_threads and shared WebAssembly memory, which this runtime lacks`)
  }
  return t
}

export interface WasmBackend extends Backend<TypedArray> {
  readonly stats: BackendStats & { readonly wasmCalls: Partial<Record<Primitive, number>> }
  /** Bytes of wasm memory reserved as scratch (the largest working set seen so far). */
  readonly scratchBytes: () => number
}

type AnyKernel = Kernel<Primitive, TypedArray>

const allFinite = (a: TypedArray): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return false
  return true
}

const build = (inst: WasmInstance, opts: WasmBackendOptions, threads: number): WasmBackend => {
  const arena = new Arena(inst.memory)
  const ctx: GemmContext = { wasm: inst.exports, arena, pool: threads > 1 ? new ThreadPool(inst, threads) : undefined }
  const minWork = opts.minWork ?? 4096
  let calls: Partial<Record<Primitive, number>> = {}
  let wasmCalls: Partial<Record<Primitive, number>> = {}
  const ranWasm = (p: Primitive): void => { wasmCalls[p] = (wasmCalls[p] ?? 0) + 1 }

  const native: Partial<Record<Primitive, AnyKernel>> = {
    matmul: wasmMatmul(ctx) as AnyKernel,
    conv2d: wasmConv2d(ctx) as AnyKernel,
    conv2dBackInput: wasmConv2dBackInput(ctx) as AnyKernel,
    conv2dBackFilter: wasmConv2dBackFilter(ctx) as AnyKernel,
  }
  const worthIt = (p: Primitive, inputs: Parameters<AnyKernel>[0], params: Parameters<AnyKernel>[1], out: Parameters<AnyKernel>[2]): boolean => {
    if (out.dtype !== 'float32') return false
    // im2col multiplies the zeros of the padding by the filter (conv2d) or the output gradient
    // (conv2dBackFilter), where the reference skips padded taps: with a NaN or an infinity in that
    // operand, 0 * Inf would make NaNs the reference does not have, so those calls run in JS.
    if ((p === 'conv2d' || p === 'conv2dBackFilter') && (params as { pads: readonly number[] }).pads.some((x) => x > 0)) {
      return allFinite(inputs[1].data)
    }
    if (p !== 'matmul') return true
    const a = inputs[0].shape, o = out.shape
    const k = (params as { transposeA: boolean }).transposeA ? a[a.length - 2] : a[a.length - 1]
    return o.reduce((x, d) => x * d, 1) * k >= minWork
  }

  const kernels = {} as Record<Primitive, AnyKernel>
  for (const p of Object.keys(jsKernels) as Primitive[]) {
    const js = jsKernels[p] as AnyKernel
    const w = native[p]
    kernels[p] = w === undefined
      ? (inputs, params, out) => { calls[p] = (calls[p] ?? 0) + 1; return js(inputs, params, out) }
      : (inputs, params, out) => {
        calls[p] = (calls[p] ?? 0) + 1
        if (!worthIt(p, inputs, params, out)) return js(inputs, params, out)
        ranWasm(p)
        return w(inputs, params, out)
      }
  }
  const stats = {
    get kernelCalls() { return calls },
    get wasmCalls() { return wasmCalls },
    // Storage is on the JS heap (counted by the JS engine); the scratch arena is reported apart.
    liveBytes: () => NaN,
    reset: () => { calls = {}; wasmCalls = {} },
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
  }
}

const unsupported = (): never =>
  fail('BACKEND_UNAVAILABLE', 'createWasmBackend', 'this JavaScript engine does not support WebAssembly SIMD')

/** Creates the backend synchronously (Node, workers). */
export const createWasmBackend = (opts: WasmBackendOptions = {}): WasmBackend => {
  if (!simdSupported()) return unsupported()
  const threads = wantThreads(opts)
  return build(instantiateSync(threads > 1), opts, threads)
}

/** Creates the backend asynchronously (browsers' main thread cannot compile modules synchronously). */
export const createWasmBackendAsync = async (opts: WasmBackendOptions = {}): Promise<WasmBackend> => {
  if (!simdSupported()) return unsupported()
  const threads = wantThreads(opts)
  return build(await instantiateAsync(threads > 1), opts, threads)
}
