/**
 * The webgpu backend's entry: `createWebGPUBackend` makes one, `useWebGPU` also registers it and
 * makes it the backend for new tensors. In Node, pass `{ gpu: create([]) }` from the optional
 * peer dependency `webgpu`; in browsers `navigator.gpu` is used.
 */

import { registerBackend, setBackend } from '../registry.js'
import { createWebGPUBackend, type GpuData, type WebGPUBackend, type WebGPUBackendOptions, type WebGPUStats } from './backend.js'

export { createWebGPUBackend, type GpuData, type WebGPUBackend, type WebGPUBackendOptions, type WebGPUStats }

/** Creates the webgpu backend, registers it and makes it current. */
export const useWebGPU = async (opts: WebGPUBackendOptions = {}): Promise<WebGPUBackend> => {
  const backend = await createWebGPUBackend(opts)
  registerBackend(backend)
  setBackend(backend.name)
  return backend
}
