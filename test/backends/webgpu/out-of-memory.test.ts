/**
 * Memory the WebGPU device will not give (docs/reliability.md, "Backend faults"):
 * - a tensor larger than the device's storage binding limit is OUT_OF_MEMORY naming the op and
 *   the bytes, before any kernel runs, and the backend computes the next call correctly;
 * - memory the device refuses (reported asynchronously through an 'out-of-memory' error scope)
 *   makes the tensors placed in it, and those computed while the refusal was pending, fail with
 *   OUT_OF_MEMORY naming the op that asked, at their next use or read; tensors made before stay
 *   readable and the backend goes on with new memory. A software driver never refuses memory
 *   within the limits at test sizes, so here the device's error scope reports the refusal (a
 *   proxy over a real device, which still runs every kernel for real).
 */

import { afterAll, describe, expect, it } from 'vitest'
import { add, matmul, mul, ones, registerBackend, tensor, withBackend, type Tensor } from '../../../src/index.js'
import { createWebGPUBackend, type WebGPUBackend } from '../../../src/backends/webgpu/index.js'
import { GPU_TIMEOUT, heldGpu, requireBackend, setupWebGPU } from './device.js'
import { rejectedError } from '../../helpers/allclose.js'

const setup = await setupWebGPU()

/** A real device whose 'out-of-memory' error scopes report a refusal while `refuse` is set. */
const refusingDevice = async (): Promise<{ device: GPUDevice; control: { refuse: boolean; refusals: number } }> => {
  const adapter = await heldGpu().requestAdapter()
  if (adapter === null) throw new Error('no adapter')
  const real = await adapter.requestDevice()
  const control = { refuse: false, refusals: 0 }
  const device = new Proxy(real, {
    get(target, prop) {
      if (prop === 'popErrorScope') {
        return () => {
          const popped = target.popErrorScope()
          if (!control.refuse) return popped
          control.refusals++
          return popped.then(() => new GPUOutOfMemoryError('simulated: the device is out of memory'))
        }
      }
      const v: unknown = Reflect.get(target, prop, target)
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { device, control }
}

const values = async (t: Tensor): Promise<number[]> => Array.from(await t.data())

describe.skipIf(setup.skip !== undefined)(`webgpu out of memory (${setup.skip ?? setup.driver})`, () => {
  let refusing: WebGPUBackend | undefined
  afterAll(() => {
    if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([])
    refusing?.destroy()
  })

  it('a tensor beyond the device limits: OUT_OF_MEMORY naming the op and the bytes before any kernel; the next call is right', async () => {
    const backend = requireBackend(setup)
    const lim = backend.device.limits
    const maxBinding = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize)
    const n = Math.ceil(Math.sqrt(maxBinding / 4)) + 1
    const [a, b] = withBackend('webgpu', () => [ones([n, 1]), ones([1, n])])
    const dispatches = backend.stats.gpu.dispatches
    const reserved = backend.stats.reservedBytes()
    const e = await rejectedError(() => matmul(a, b))
    expect(e.code).toBe('OUT_OF_MEMORY')
    expect(e.op).toBe('matmul')
    expect(e.message).toContain(`a tensor of ${Math.ceil((n * n * 4) / 16) * 16} bytes exceeds this device's limit of ${maxBinding} bytes`)
    expect(backend.stats.gpu.dispatches).toBe(dispatches)
    expect(backend.stats.reservedBytes()).toBe(reserved)
    const [c, d] = withBackend('webgpu', () => [tensor([[1, 2], [3, 4]]), tensor([[5], [6]])])
    expect(await values(matmul(c, d))).toEqual([17, 39])
    expect(await values(add(a, 1))).toEqual(new Array(n).fill(2))
  }, GPU_TIMEOUT)

  it('memory the device refuses: OUT_OF_MEMORY at the next use or read, earlier tensors kept, new memory after', async () => {
    requireBackend(setup)
    const { device, control } = await refusingDevice()
    // Small chunks, so that a 1 MiB tensor needs a chunk of its own.
    const b = refusing = await createWebGPUBackend({ device, name: 'webgpu-refusing', chunkBytes: 64 * 1024 })
    registerBackend(b)
    const n = 262144 // 1 MiB of float32
    const xs = Float32Array.from({ length: n }, (_, i) => i % 7)
    const [x, small] = withBackend('webgpu-refusing', () => [tensor(xs), tensor([1, 2, 3])])
    const before = add(small, small)
    expect(await values(before)).toEqual([2, 4, 6])

    control.refuse = true
    const y = mul(x, x) // needs a new 1 MiB chunk: refused
    control.refuse = false
    expect(control.refusals).toBe(1)
    const z = add(y, y) // recorded before the refusal is reported
    const alongside = add(small, small) // in the same window: a suspect too

    const read = await rejectedError(() => z.data())
    expect(read.code).toBe('OUT_OF_MEMORY')
    expect(read.op).toBe('data')
    expect(read.message).toContain('the device refused 1048576 bytes of GPU memory for a storage block requested by mul (simulated: the device is out of memory)')
    expect((await rejectedError(() => y.data())).code).toBe('OUT_OF_MEMORY')
    expect((await rejectedError(() => alongside.data())).code).toBe('OUT_OF_MEMORY')
    const use = await rejectedError(() => add(y, 1))
    expect([use.code, use.op]).toEqual(['OUT_OF_MEMORY', 'add'])
    expect(use.message).toContain('operand 0 is lost')
    expect(b.stats.errors).toEqual([expect.stringContaining('out of memory: the device refused 1048576 bytes')])

    // Made before the refused chunk: intact. New work goes to new memory and is right.
    expect(await values(x)).toEqual(Array.from(xs))
    expect(await values(before)).toEqual([2, 4, 6])
    const again = mul(x, x)
    expect(await values(again)).toEqual(Array.from(xs, (v) => v * v))
    expect(await values(add(again, small.sum()))).toEqual(Array.from(xs, (v) => v * v + 6))
    expect(control.refusals).toBe(1)
  }, GPU_TIMEOUT)
})
