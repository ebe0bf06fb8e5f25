/**
 * The entry `puregrad/wasm`: the WebAssembly SIMD backend. `useWasm()` creates it, registers it
 * and makes it current; the JS backend stays the import-time default and the reference.
 */

import { registerBackend, setBackend } from '../registry.js'
import { createWasmBackend, createWasmBackendAsync, type WasmBackend, type WasmBackendOptions } from './backend.js'

export { createWasmBackend, createWasmBackendAsync, type WasmBackend, type WasmBackendOptions }
export { simdSupported } from './module.js'

/** Registers the wasm backend (once) and makes it the backend for new tensors. */
export const useWasm = async (opts: WasmBackendOptions = {}): Promise<WasmBackend> => {
  const backend = await createWasmBackendAsync(opts)
  registerBackend(backend)
  setBackend(backend.name)
  return backend
}

/** The synchronous form of `useWasm`, for Node and workers. */
export const useWasmSync = (opts: WasmBackendOptions = {}): WasmBackend => {
  const backend = createWasmBackend(opts)
  registerBackend(backend)
  setBackend(backend.name)
  return backend
}
