/**
 * The entry `puregrad/wasm`: the WebAssembly SIMD backend. `useWasm()` creates it, registers it
 * and makes it current; the JS backend stays the import-time default and the reference.
 *
 * @packageDocumentation
 */

import { registerBackend, setBackend } from '../registry.js'
import { createWasmBackend, createWasmBackendAsync, type WasmBackend, type WasmBackendOptions } from './backend.js'

export { createWasmBackend, createWasmBackendAsync, type WasmBackend, type WasmBackendOptions }
export { simdSupported, type KernelVariant } from './module.js'

/**
 * Creates the wasm backend asynchronously, registers it (replacing one of the same name) and makes
 * it the backend for new tensors.
 *
 * @throws PuregradError (the promise rejects) as `createWasmBackend`.
 * @example
 * ```ts
 * import { tensor, getBackend, setBackend } from 'puregrad'
 * import { useWasm } from 'puregrad/wasm'
 *
 * const wasm = await useWasm({ threads: 1 })
 * if (getBackend() !== wasm || tensor([1, 2]).sum().item() !== 3) throw new Error('useWasm')
 * setBackend('js')
 * ```
 */
export const useWasm = async (opts: WasmBackendOptions = {}): Promise<WasmBackend> => {
  const backend = await createWasmBackendAsync(opts)
  registerBackend(backend)
  setBackend(backend.name)
  return backend
}

/**
 * The synchronous form of `useWasm`, for Node and workers.
 *
 * @throws PuregradError as `createWasmBackend`.
 * @example
 * ```ts
 * import { tensor, getBackend, setBackend } from 'puregrad'
 * import { useWasmSync } from 'puregrad/wasm'
 *
 * useWasmSync({ threads: 1 })
 * const x = tensor([1, 2, 3])            // created on the wasm backend
 * if (getBackend().name !== 'wasm' || x.sum().item() !== 6) throw new Error('useWasmSync')
 * setBackend('js')
 * ```
 */
export const useWasmSync = (opts: WasmBackendOptions = {}): WasmBackend => {
  const backend = createWasmBackend(opts)
  registerBackend(backend)
  setBackend(backend.name)
  return backend
}
