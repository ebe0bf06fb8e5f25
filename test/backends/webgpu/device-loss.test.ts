/**
 * A lost WebGPU device (docs/reliability.md, "Backend faults"): destroying the device in the middle
 * of training gives BACKEND_LOST naming the backend, the reason the device gave and how to go on;
 * a read in flight rejects instead of hanging; tensors read before the loss stay readable, the
 * others do not; a backend re-created under the same name in the same process takes over, the
 * saved tensors move to it, and training goes on with the numbers a fresh run from them gives.
 */

import { afterAll, describe, expect, it } from 'vitest'
import {
  add, getBackend, registerBackend, reshape, setBackend, tensor, toBackendAsync, withBackend, type Tensor,
} from '../../../src/index.js'
import { createWebGPUBackend, useWebGPU } from '../../../src/backends/webgpu/index.js'
import { expectClose, rejectedError } from '../../helpers/allclose.js'
import { GPU_TIMEOUT, heldGpu, requireBackend, setupWebGPU } from './device.js'
import { problem, step, trainLosses, type Params } from './mlp.js'

const setup = await setupWebGPU()

const leaves = (p: Params): Tensor[] => [p.l1.w, p.l1.b, p.l2.w, p.l2.b]

describe.skipIf(setup.skip !== undefined)(`webgpu device loss (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => setBackend('js'))

  it('device destroyed mid-training: clear errors, read tensors survive, a re-created backend trains on', async () => {
    const old = requireBackend(setup)
    setBackend('webgpu')
    const { params, x, y } = problem('webgpu')
    let p: Params = params
    for (let i = 0; i < 10; i++) p = step(p, x, y)[0]
    // The program saves a snapshot (reads it), trains on, and the device goes while a read is pending.
    const snapshot = p
    const saved = await Promise.all(leaves(snapshot).map(async (t) => (await t.data()) as Float32Array))
    let loss: Tensor | null = null
    for (let i = 0; i < 5; i++) [p, loss] = step(p, x, y)
    const pending = (loss as Tensor).data()
    old.device.destroy()

    const inFlight = await rejectedError(() => pending)
    expect(inFlight.code).toBe('BACKEND_LOST')
    const info = await old.lost
    expect(info.reason).toBe('destroyed')

    // Every op and every new tensor on the lost backend: BACKEND_LOST naming the op, the backend,
    // the device's own reason, and the way back.
    const e = await rejectedError(() => step(p, x, y))
    expect(e.code).toBe('BACKEND_LOST')
    expect(e.message).toContain(`the webgpu backend 'webgpu' lost its GPU device (destroyed: ${JSON.stringify(info.message)})`)
    expect(e.message).toContain("registerBackend(await createWebGPUBackend({ name: 'webgpu'")
    expect(e.message).toContain("toBackendAsync(x, 'webgpu')")
    expect((await rejectedError(() => add(snapshot.l1.w, snapshot.l1.w))).op).toBe('add')
    expect((await rejectedError(() => reshape(snapshot.l1.w, [-1]))).code).toBe('BACKEND_LOST')
    expect((await rejectedError(() => tensor([1, 2]))).op).toBe('upload')
    expect((await rejectedError(() => old.onIdle())).code).toBe('BACKEND_LOST')

    // Recoverable: exactly what was read before the loss.
    for (const [k, t] of leaves(snapshot).entries()) expect(await t.data()).toEqual(saved[k])
    const unread = await rejectedError(() => p.l1.w.data())
    expect(unread.code).toBe('BACKEND_LOST')
    expect(unread.message).toContain('this tensor was not read before the loss')
    expect((await rejectedError(() => x.data())).code).toBe('BACKEND_LOST')

    // Re-initialise in the same process: a new device under the same name replaces the lost one,
    // and stays current.
    const fresh = await createWebGPUBackend({ gpu: heldGpu(), name: 'webgpu' })
    registerBackend(fresh)
    expect(getBackend()).toBe(fresh)
    const moved = await Promise.all(leaves(snapshot).map((t) => toBackendAsync(t, 'webgpu')))
    for (const [k, t] of moved.entries()) {
      expect(t.backend).toBe(fresh)
      expect(await t.data()).toEqual(saved[k])
    }
    expect((await rejectedError(() => toBackendAsync(x, 'webgpu'))).code).toBe('BACKEND_LOST')
    const mixed = await rejectedError(() => add(snapshot.l1.w, moved[0]))
    expect(mixed.code).toBe('BACKEND_MISMATCH')
    expect(mixed.message).toContain("two backends both named 'webgpu'")

    // Training resumes from the saved parameters with the numbers the js backend gives from them.
    const gpu = await Promise.all(trainLosses('webgpu', 20, saved).map(async (l) => (await l.data())[0]))
    const js = await Promise.all(trainLosses('js', 20, saved).map(async (l) => (await l.data())[0]))
    expectClose(gpu, js, { atol: 1e-5, rtol: 1e-4 })
    expect(gpu[19]).toBeLessThan(gpu[0])
    expect(fresh.stats.errors).toEqual([])
  }, GPU_TIMEOUT)

  it('destroy() loses the backend at once; keepReadCopies: false keeps nothing; useWebGPU re-initialises', async () => {
    requireBackend(setup)
    const b = await createWebGPUBackend({ gpu: heldGpu(), name: 'webgpu-b', keepReadCopies: false })
    registerBackend(b)
    const t = withBackend('webgpu-b', () => tensor([1, 2, 3]))
    expect(Array.from(await t.data())).toEqual([1, 2, 3])
    b.destroy()
    // No await: the loss is known before the device reports it.
    expect(() => add(t, t)).toThrow(/lost its GPU device \(destroyed: "destroyed by the backend's destroy\(\)"\)/)
    const e = await rejectedError(() => t.data())
    expect(e.code).toBe('BACKEND_LOST')
    expect(e.message).toContain('host copies are off (keepReadCopies: false)')
    expect((await b.lost).reason).toBe('destroyed')

    const again = await useWebGPU({ gpu: heldGpu(), name: 'webgpu-b' })
    expect(getBackend()).toBe(again)
    expect(Array.from(await add(tensor([1, 2, 3]), 1).data())).toEqual([2, 3, 4])
    expect(again.stats.errors).toEqual([])
  }, GPU_TIMEOUT)
})
