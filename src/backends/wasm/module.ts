/**
 * Loading puregrad's WebAssembly kernels: feature probes (SIMD), and synchronous (Node) or
 * asynchronous (browsers, where the main thread may not compile large modules synchronously)
 * instantiation against a memory the JS side owns.
 */

import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.generated.js'

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
}

/** Pages the shared build declares as its maximum (2 GiB); an imported shared memory must match. */
const SHARED_MAX_PAGES = 32768

// The smallest module that uses a v128 instruction: (func (result v128) v128.const 0).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
])

export const simdSupported = (): boolean => typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE)

const decode = (b64: string): Uint8Array<ArrayBuffer> => {
  const bin = atob(b64)
  const out = new Uint8Array(new ArrayBuffer(bin.length))
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

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

const wrap = (module: WebAssembly.Module, instance: WebAssembly.Instance, memory: WebAssembly.Memory, shared: boolean): WasmInstance =>
  ({ memory, module, shared, exports: instance.exports as unknown as WasmExports })

export const instantiateSync = (shared: boolean): WasmInstance => {
  const memory = newMemory(shared)
  const module = new WebAssembly.Module(decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64))
  return wrap(module, new WebAssembly.Instance(module, { env: { memory, abort: onAbort } }), memory, shared)
}

export const instantiateAsync = async (shared: boolean): Promise<WasmInstance> => {
  const memory = newMemory(shared)
  const module = await WebAssembly.compile(decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64))
  return wrap(module, await WebAssembly.instantiate(module, { env: { memory, abort: onAbort } }), memory, shared)
}

const onAbort = (): never => {
  throw new Error('puregrad wasm kernel aborted')
}
