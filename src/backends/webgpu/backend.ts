/// <reference types="@webgpu/types" />
/**
 * The `webgpu` backend: every primitive as a WGSL compute shader, float32/int32/bool (bool held
 * as u32 0/1 on the GPU; float64 is not supported, so the core reports UNSUPPORTED_DTYPE).
 * Tensors stay on the GPU between ops, reads are asynchronous (`await x.data()`,
 * `await x.array()`), and `dataSync()` is a SYNC_READ_UNAVAILABLE error that names them.
 *
 * Made by the async factory `createWebGPUBackend`, with `navigator.gpu` in browsers or an injected
 * `GPU` / `GPUDevice` in Node (the `webgpu` package: `createWebGPUBackend({ gpu: create([]) })`).
 * Limits come from the adapter (or the injected device), never assumed. Memory: see runtime.ts;
 * the core releases the buffers a grad/valueAndGrad/jvp made and did not return (`release`),
 * finalizers reclaim the rest when the program yields, and `stats.liveBytes()` counts GPU bytes
 * held by live tensors. Faults (device loss, memory the device refuses): see faults.ts and the
 * "Backend faults" section of docs/reliability.md.
 */

import type { DType, TypedArray } from '../../core/dtype.js'
import { fail } from '../../core/errors.js'
import type { Primitive } from '../../diff/primitives.js'
import type { Backend, BackendStats, Kernel, Kernels } from '../backend.js'
import { convKernels } from './conv.js'
import { elementwiseKernels } from './elementwise.js'
import { Faults, type WebGPULossInfo } from './faults.js'
import { matmulKernels } from './matmul.js'
import { movementKernels } from './movement.js'
import { reduceKernels } from './reduce.js'
import { Runtime, type GpuData, type RuntimeStats } from './runtime.js'

export type { GpuData, WebGPULossInfo }

/** Options of `createWebGPUBackend` and `useWebGPU`. */
export interface WebGPUBackendOptions {
  /** Where to get an adapter: `navigator.gpu` by default; in Node, `create([])` from the `webgpu` package. */
  readonly gpu?: GPU
  /** A device to use as it is (its own limits apply); `gpu` is then ignored. */
  readonly device?: GPUDevice
  /** Passed to `requestAdapter`: 'high-performance' or 'low-power' (default: the browser's choice). */
  readonly powerPreference?: GPUPowerPreference
  /** Registry name, 'webgpu' by default. */
  readonly name?: string
  /**
   * Keep a host copy of every tensor read with `data()` / `array()`, for as long as the tensor
   * lives, so that it stays readable after a device loss (default true). Costs host memory equal
   * to what was read; false saves it.
   */
  readonly keepReadCopies?: boolean
  /** @internal Largest storage chunk in bytes (tests make it tiny to spread operands over chunks). */
  readonly chunkBytes?: number
}

/** The webgpu backend's counters: `BackendStats` plus GPU work, reserved memory and device errors. */
export interface WebGPUStats extends BackendStats {
  /** Dispatches, queue submissions, reads, uploads, compiled pipelines and bind groups since creation. */
  readonly gpu: Readonly<RuntimeStats>
  /** GPU memory reserved for tensors (live, free for reuse, or not yet used); liveBytes is the live part. */
  reservedBytes(): number
  /** Errors the device reported (validation, out of memory, loss); empty when all is well. */
  readonly errors: readonly string[]
}

/**
 * The webgpu backend: a `Backend` over GPU buffers (float32, int32, bool; no float64) whose reads
 * are asynchronous, with control over submission and the device's life.
 */
export interface WebGPUBackend extends Backend<GpuData> {
  readonly stats: WebGPUStats
  /** The device the kernels run on. */
  readonly device: GPUDevice
  /** Submits the recorded work now (reads do this themselves). */
  flush(): void
  /** Resolves when every submitted kernel has run. */
  onIdle(): Promise<void>
  release(data: GpuData): void
  /**
   * Resolves when the device is lost (destroyed, driver reset, ...); never otherwise. After that
   * every op on this backend throws BACKEND_LOST; see docs/reliability.md#backend-faults.
   */
  readonly lost: Promise<WebGPULossInfo>
  /** Destroys the device: the backend is lost at once (reason 'destroyed'), its GPU memory freed. */
  destroy(): void
}

type AnyKernel = Kernel<Primitive, GpuData>

const DTYPES: readonly DType[] = ['float32', 'int32', 'bool']

const acquireDevice = async (opts: WebGPUBackendOptions): Promise<[GPUDevice, unknown]> => {
  if (opts.device !== undefined) return [opts.device, opts.gpu ?? null]
  const gpu = opts.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu
  if (gpu === undefined) {
    return fail('BACKEND_UNAVAILABLE', 'createWebGPUBackend',
      "no WebGPU here: navigator.gpu is missing; in Node pass { gpu: create([]) } from the 'webgpu' package")
  }
  const adapter = await gpu.requestAdapter(opts.powerPreference === undefined ? undefined : { powerPreference: opts.powerPreference })
  if (adapter === null) {
    return fail('BACKEND_UNAVAILABLE', 'createWebGPUBackend',
      'no WebGPU adapter: no GPU or no driver; on machines without a GPU install a software Vulkan driver (scripts/setup-webgpu-driver.sh) and export what it prints')
  }
  const l = adapter.limits
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  })
  return [device, gpu]
}

/**
 * Creates the backend (not registered: see `useWebGPU`, or pass it to `registerBackend`) on the
 * given device, or on an adapter from `opts.gpu` or `navigator.gpu`. The example runs anywhere: it
 * falls back to the current backend where there is no WebGPU (as in Node without the `webgpu`
 * package, where the suite runs it).
 *
 * @throws PuregradError `BACKEND_UNAVAILABLE` (the promise rejects) when there is no WebGPU
 * (`navigator.gpu` missing and no `gpu` or `device` given) or no adapter (no GPU or driver).
 * @example
 * ```ts
 * import { tensor, mul, registerBackend, withBackend, PuregradError } from 'puregrad'
 * import { createWebGPUBackend } from 'puregrad/webgpu'
 *
 * try {
 *   const gpu = await createWebGPUBackend({ powerPreference: 'high-performance' })
 *   registerBackend(gpu)
 *   const y = withBackend(gpu.name, () => mul(tensor([1, 2, 3]), 2))
 *   if ((await y.data()).join() !== '2,4,6') throw new Error('mul on the GPU')
 *   gpu.destroy()
 * } catch (e) {
 *   if (!(e instanceof PuregradError) || e.code !== 'BACKEND_UNAVAILABLE') throw e
 * }
 * ```
 */
export const createWebGPUBackend = async (opts: WebGPUBackendOptions = {}): Promise<WebGPUBackend> => {
  // The GPU object is kept with the backend: in Node, collecting it while a device lives crashes.
  const [device, owner] = await acquireDevice(opts)
  const rt = new Runtime(device, owner, opts.chunkBytes)
  const name = opts.name ?? 'webgpu'
  const faults = new Faults(name, device, rt, opts.keepReadCopies ?? true)

  const raw: Kernels<GpuData> = {
    ...elementwiseKernels(rt), ...reduceKernels(rt), ...matmulKernels(rt), ...movementKernels(rt), ...convKernels(rt),
  }
  let calls: Partial<Record<Primitive, number>> = {}
  const kernels = {} as Record<Primitive, AnyKernel>
  for (const p of Object.keys(raw) as Primitive[]) {
    const k = raw[p] as AnyKernel
    kernels[p] = (inputs, params, out) => {
      calls[p] = (calls[p] ?? 0) + 1
      return faults.kernel(p, inputs, () => k(inputs, params, out))
    }
  }

  const stats: WebGPUStats = {
    get kernelCalls() { return calls },
    get gpu() { return rt.stats },
    get errors() { return rt.errors },
    liveBytes: () => rt.liveBytes(),
    reservedBytes: () => rt.reservedBytes(),
    reset: () => { calls = {} },
  }

  return {
    name,
    dtypes: DTYPES,
    device,
    upload: (values: TypedArray, dtype: DType) => faults.upload(() => rt.upload(values, dtype)),
    readSync: (): TypedArray =>
      fail('SYNC_READ_UNAVAILABLE', 'dataSync', `the '${name}' backend reads asynchronously: use await x.data() or await x.array() instead of dataSync()/arraySync()/item()`),
    read: (data: GpuData, dtype: DType, size: number) => faults.read(data, dtype, size, () => rt.read(data, dtype, size)),
    release: (data: GpuData) => rt.release(data),
    kernels: kernels as unknown as Kernels<GpuData>,
    stats,
    capabilities: { syncRead: false, threads: device.limits.maxComputeInvocationsPerWorkgroup, simd: false },
    flush: () => { if (!faults.isLost) rt.flush() },
    onIdle: async () => {
      if (faults.isLost) throw faults.lostError('onIdle')
      rt.flush()
      await faults.untilLost(device.queue.onSubmittedWorkDone()).catch((e: unknown) => { throw faults.isLost ? faults.lostError('onIdle') : e })
    },
    lost: faults.lost,
    destroy: () => {
      faults.markLost({ reason: 'destroyed', message: `destroyed by the backend's destroy()` })
      device.destroy()
    },
  }
}
