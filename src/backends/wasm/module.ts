/**
 * Loading puregrad's WebAssembly kernels: feature probes (SIMD), and synchronous (Node) or
 * asynchronous (browsers, where the main thread may not compile large modules synchronously)
 * instantiation against a memory the JS side owns.
 */

import { KERNELS_WASM_BASE64 } from './kernels.generated.js'

/** The kernels' exports; pointers are byte offsets into the shared memory. */
export interface WasmExports {
  packA(src: number, rs: number, cs: number, i0: number, mc: number, k0: number, kc: number, m: number, dst: number): void
  packB(src: number, rs: number, cs: number, k0: number, kc: number, n: number, dst: number): void
  gemmBlock(pa: number, pb: number, c: number, ldc: number, i0: number, mc: number, n: number, kc: number): void
  im2col(x: number, geometry: number, cols: number): void
  col2im(cols: number, geometry: number, x: number): void
}

export interface WasmInstance {
  readonly memory: WebAssembly.Memory
  readonly exports: WasmExports
}

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

const newMemory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1 })

export const instantiateSync = (): WasmInstance => {
  const memory = newMemory()
  const module = new WebAssembly.Module(decode(KERNELS_WASM_BASE64))
  const instance = new WebAssembly.Instance(module, { env: { memory, abort: onAbort } })
  return { memory, exports: instance.exports as unknown as WasmExports }
}

export const instantiateAsync = async (): Promise<WasmInstance> => {
  const memory = newMemory()
  const module = await WebAssembly.compile(decode(KERNELS_WASM_BASE64))
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: onAbort } })
  return { memory, exports: instance.exports as unknown as WasmExports }
}

const onAbort = (): never => {
  throw new Error('puregrad wasm kernel aborted')
}
