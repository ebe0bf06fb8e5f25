/**
 * Loading puregrad's WebAssembly kernels: feature probes (SIMD, relaxed SIMD), and synchronous
 * (Node) or asynchronous (browsers, where the main thread may not compile large modules
 * synchronously) instantiation against a memory the JS side owns.
 *
 * Two builds of the same kernels ship (scripts/build-wasm.mjs): baseline SIMD, and relaxed SIMD,
 * whose GEMM multiply-add may be fused by the engine (about 1.3x faster where the CPU has FMA).
 * Relaxed is chosen where `WebAssembly.validate` accepts it; Node 20 accepts it only behind V8's
 * `--experimental-wasm-relaxed-simd`, which is switched on here (once) when the probe first fails.
 * The two builds may round differently in the last bits; within one backend every thread runs the
 * same module, so results stay bit-identical across thread counts.
 */

import {
  KERNELS_RELAXED_SHARED_WASM_BASE64, KERNELS_RELAXED_WASM_BASE64, KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64,
} from './kernels.generated.js'

/** Which build of the kernels a backend runs. */
export type KernelVariant = 'relaxed-simd' | 'simd'

/** The kernels' exports; pointers are byte offsets into the module's memory. */
export interface WasmExports {
  gemm(
    a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number,
    m: number, n: number, k: number, rowStart: number, rowEnd: number, scratch: number,
  ): void
  im2col(x: number, geometry: number, cols: number): void
  col2im(cols: number, geometry: number, x: number): void
}

export interface WasmInstance {
  readonly memory: WebAssembly.Memory
  readonly exports: WasmExports
  /** Present when the memory is shared, so worker threads can instantiate the same kernels on it. */
  readonly module: WebAssembly.Module
  readonly shared: boolean
  readonly variant: KernelVariant
}

/** Pages the shared build declares as its maximum (2 GiB); an imported shared memory must match. */
const SHARED_MAX_PAGES = 32768

// The smallest module that uses a v128 instruction: (func (result v128) v128.const 0).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
])

/**
 * Whether this JavaScript engine runs WebAssembly SIMD (the wasm backend needs it): Node 16.4+,
 * current Chrome, Firefox and Safari.
 *
 * @example
 * ```ts
 * import { setBackend } from 'puregrad'
 * import { simdSupported, useWasmSync } from 'puregrad/wasm'
 *
 * if (simdSupported()) useWasmSync({ threads: 1 })   // else stay on the JS backend
 * setBackend('js')
 * ```
 */
export const simdSupported = (): boolean => typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE)

// (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0,
  10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 133, 2, 11,
])

let triedFlag = false

/** Node 20 has relaxed SIMD behind a V8 flag, which may be set at run time before compiling. */
const enableRelaxedInNode = (): void => {
  if (triedFlag) return
  triedFlag = true
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  const v8 = p?.getBuiltinModule?.('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined
  v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd')
}

/** Whether this engine runs relaxed SIMD (switching it on first in Node 20). */
export const relaxedSimdSupported = (): boolean => {
  if (typeof WebAssembly !== 'object') return false
  if (WebAssembly.validate(RELAXED_PROBE)) return true
  enableRelaxedInNode()
  return WebAssembly.validate(RELAXED_PROBE)
}

/** The build to load: relaxed SIMD where supported, unless `relaxed` is false. */
export const chooseVariant = (relaxed: boolean | undefined): KernelVariant =>
  relaxed !== false && relaxedSimdSupported() ? 'relaxed-simd' : 'simd'

const decode = (b64: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(b64)
  const out = new Uint8Array(new ArrayBuffer(bin.length))
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

const BINARIES: Record<KernelVariant, readonly [plain: string, shared: string]> = {
  'relaxed-simd': [KERNELS_RELAXED_WASM_BASE64, KERNELS_RELAXED_SHARED_WASM_BASE64],
  simd: [KERNELS_WASM_BASE64, KERNELS_SHARED_WASM_BASE64],
}
const binary = (shared: boolean, variant: KernelVariant): Uint8Array<ArrayBuffer> => decode(BINARIES[variant][shared ? 1 : 0])

/** Shared memories need SharedArrayBuffer (in browsers: a cross-origin isolated page). */
export const sharedMemorySupported = (): boolean => {
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true }).buffer instanceof SharedArrayBuffer
  } catch {
    return false
  }
}

const newMemory = (shared: boolean): WebAssembly.Memory =>
  shared ? new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: 1 })

const wrap = (module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory, shared: boolean, variant: KernelVariant): WasmInstance =>
  ({ memory, module, shared, variant, exports: instance.exports as unknown as WasmExports })

/** `relaxed: false` loads the baseline SIMD build even where relaxed SIMD is available. */
export const instantiateSync = (shared: boolean, relaxed?: boolean): WasmInstance => {
  const variant = chooseVariant(relaxed)
  const memory = newMemory(shared)
  const module = new WebAssembly.Module(binary(shared, variant))
  return wrap(module, new WebAssembly.Instance(module, { env: { memory, abort: onAbort } }), memory, shared, variant)
}

export const instantiateAsync = async (shared: boolean, relaxed?: boolean): Promise<WasmInstance> => {
  const variant = chooseVariant(relaxed)
  const memory = newMemory(shared)
  const module = await WebAssembly.compile(binary(shared, variant))
  return wrap(module, await WebAssembly.instantiate(module, { env: { memory, abort: onAbort } }), memory, shared, variant)
}

const onAbort = (): never => {
  throw new Error('puregrad wasm kernel aborted')
}
