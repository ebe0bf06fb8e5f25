/**
 * The webgpu backend's entry: `createWebGPUBackend` makes one, `useWebGPU` also registers it and
 * makes it the backend for new tensors. In Node, pass `{ gpu: create([]) }` from the optional
 * peer dependency `webgpu`; in browsers `navigator.gpu` is used.
 *
 * @packageDocumentation
 */

import { registerBackend, setBackend } from '../registry.js'
import {
  createWebGPUBackend, type GpuData, type WebGPUBackend, type WebGPUBackendOptions, type WebGPULossInfo, type WebGPUStats,
} from './backend.js'

export { createWebGPUBackend, type GpuData, type WebGPUBackend, type WebGPUBackendOptions, type WebGPULossInfo, type WebGPUStats }
export type { RuntimeStats } from './runtime.js'

/**
 * Creates the webgpu backend, registers it and makes it current. Also how to go on after a device
 * loss: a new device under the same name replaces the lost backend (docs/reliability.md#backend-faults).
 * The example falls back to the JS backend where there is no WebGPU (Node without the `webgpu`
 * package, where the suite runs it).
 *
 * @throws PuregradError `BACKEND_UNAVAILABLE` (the promise rejects) as `createWebGPUBackend`.
 * @example
 * ```ts
 * import { tensor, sum, getBackend, setBackend, PuregradError } from 'puregrad'
 * import { useWebGPU } from 'puregrad/webgpu'
 *
 * try {
 *   await useWebGPU()          // in Node: useWebGPU({ gpu: create([]) }) with create from 'webgpu'
 * } catch (e) {
 *   if (!(e instanceof PuregradError) || e.code !== 'BACKEND_UNAVAILABLE') throw e
 *   setBackend('js')
 * }
 * const total = sum(tensor([1, 2, 3]))
 * if ((await total.data())[0] !== 6) throw new Error(`on ${getBackend().name}`)
 * ```
 */
export const useWebGPU = async (opts: WebGPUBackendOptions = {}): Promise<WebGPUBackend> => {
  const backend = await createWebGPUBackend(opts)
  registerBackend(backend)
  setBackend(backend.name)
  return backend
}
