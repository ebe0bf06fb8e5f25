/**
 * WebGPU for the test suite in Node: the `webgpu` package (Dawn) on whatever Vulkan driver is
 * installed (scripts/setup-webgpu-driver.sh puts lavapipe or SwiftShader in
 * ~/.cache/puregrad-webgpu and prints the environment; if VK_ICD_FILENAMES is unset, the env.sh
 * it saved there is applied here, so a plain `npx vitest run test/backends/webgpu` works after
 * one setup run).
 *
 * Tests that need a device skip, saying why, only when no adapter is found and CI is not 'true';
 * under CI a missing driver fails them (`requireBackend` throws the reason). Follows
 * shared/webgpu/gpu-helper.mjs: the object from create() stays reachable (the backend holds it,
 * and so does this module), and Dawn's setImmediate busy-poll is throttled so it does not starve
 * the software driver's threads on two cores.
 */

import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { registerBackend } from '../../../src/index.js'
import { createWebGPUBackend, type WebGPUBackend } from '../../../src/backends/webgpu/index.js'

export const inCI = process.env.CI === 'true'

/** Timeouts for GPU tests: a shader that never ends would otherwise hang the run. */
export const GPU_TIMEOUT = 120_000

/** Applies the saved driver environment when none is set (LD_LIBRARY_PATH cannot apply in-process). */
const applySavedEnv = (): string | null => {
  if (process.env.VK_ICD_FILENAMES !== undefined) return null
  const prefix = process.env.PUREGRAD_WEBGPU_PREFIX ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'puregrad-webgpu')
  const file = join(prefix, 'env.sh')
  if (!existsSync(file)) return `no software driver set up (no VK_ICD_FILENAMES, no ${file}); run scripts/setup-webgpu-driver.sh`
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^export (\w+)=(.*)$/.exec(line.trim())
    if (m !== null && m[1] !== 'LD_LIBRARY_PATH') process.env[m[1]] = m[2]
  }
  return null
}

let throttled = false
/** gpu-helper.mjs's back-off: after 50 consecutive polls, setImmediate waits through setTimeout(0). */
const throttleDawnPolling = (): void => {
  if (throttled || process.env.NO_THROTTLE) return
  throttled = true
  const orig = globalThis.setImmediate
  let spins = 0
  const patched = (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    const quick = spins++ < 50
    const wrapped = () => { const before = spins; fn(...args); if (spins === before) spins = 0 }
    return quick ? orig(wrapped) : (setTimeout(wrapped, 0) as unknown as NodeJS.Immediate)
  }
  globalThis.setImmediate = Object.assign(patched, { __promisify__: orig.__promisify__ }) as typeof setImmediate
}

export interface GpuSetup {
  /** The registered backend, when an adapter was found. */
  readonly backend: WebGPUBackend | undefined
  /** Why there is none (undefined when there is a backend). */
  readonly missing: string | undefined
  /** Set when tests should be skipped: a driver is missing and this is not CI. */
  readonly skip: string | undefined
  /** Driver name and adapter description, for test titles. */
  readonly driver: string
}

// Held for the life of the process (pitfall 1 in shared/webgpu/README.md).
let gpuObject: GPU | undefined

/** Creates and registers the 'webgpu' backend once per test file (top-level await). */
export const setupWebGPU = async (): Promise<GpuSetup> => {
  let missing: string | undefined = applySavedEnv() ?? undefined
  let backend: WebGPUBackend | undefined
  let driver = process.env.PUREGRAD_WEBGPU_DRIVER ?? 'unknown driver'
  if (missing === undefined) {
    try {
      const { create, globals } = await import('webgpu')
      Object.assign(globalThis, globals)
      throttleDawnPolling()
      gpuObject ??= create(['enable-dawn-features=disable_workgroup_init'])
      const adapter = await gpuObject.requestAdapter()
      if (adapter === null) {
        missing = `no WebGPU adapter (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}); run scripts/setup-webgpu-driver.sh`
      } else {
        const info = adapter.info
        driver = `${driver}: ${info.description || info.device || info.vendor}`
        backend = await createWebGPUBackend({ gpu: gpuObject })
        registerBackend(backend)
      }
    } catch (e) {
      missing = `WebGPU could not start: ${e instanceof Error ? e.message : String(e)}`
    }
  }
  const skip = missing !== undefined && !inCI ? missing : undefined
  if (skip !== undefined) console.warn(`webgpu tests skipped: ${skip}`)
  return { backend, missing, skip, driver }
}

/** Another backend on the same GPU object (e.g. with tiny storage chunks), registered under `name`. */
export const extraBackend = async (name: string, chunkBytes: number): Promise<WebGPUBackend> => {
  const b = await createWebGPUBackend({ gpu: gpuObject, name, chunkBytes })
  registerBackend(b)
  return b
}

/** The GPU object the backends are made from (after setupWebGPU found an adapter), for making more. */
export const heldGpu = (): GPU => {
  if (gpuObject === undefined) throw new Error('setupWebGPU has not created the GPU object')
  return gpuObject
}

/** The backend, or the reason it is missing as an error (what fails the tests under CI). */
export const requireBackend = (s: GpuSetup): WebGPUBackend => {
  if (s.backend === undefined) throw new Error(`WebGPU is required under CI=true: ${s.missing}`)
  return s.backend
}

/** Asserts the device reported no validation or memory errors. */
export const deviceErrors = (b: WebGPUBackend): readonly string[] => b.stats.errors
