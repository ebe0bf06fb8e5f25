/**
 * Out-of-range indices on webgpu (src/backends/webgpu/index-checks.ts): gather and scatterAdd
 * cannot throw from a shader, so they record the first bad index in a flag buffer that every read
 * copies; the next read fails with INDEX_OUT_OF_RANGE naming the op, the index and the axis, as
 * the JS backend fails at once, and the flag is cleared after. The values are defined meanwhile:
 * gather reads 0 for a bad index, scatterAdd drops its update. In-range indices never flag, and
 * checking costs no read-back per op (reads stay at one per `data()`).
 */

import { afterAll, describe, expect, it } from 'vitest'
import { gather, PuregradError, scatterAdd, sum, tensor, withBackend, type Tensor } from '../../../src/index.js'
import { bind } from '../../../src/diff/bind.js'
import { GPU_TIMEOUT, requireBackend, setupWebGPU } from './device.js'

const setup = await setupWebGPU()

const on = <T>(f: () => T): T => withBackend('webgpu', f)

/** The error a promise rejects with (fails the test when it resolves). */
const rejection = async (p: Promise<unknown>): Promise<PuregradError> => {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(PuregradError)
    return e as PuregradError
  }
  throw new Error('expected the read to fail')
}

describe.skipIf(setup.skip !== undefined)(`webgpu index checks (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  it('gather with an index past the axis: the next read fails naming gather, the index and the axis; then reads succeed', async () => {
    const backend = requireBackend(setup)
    const x = on(() => tensor([[1, 2, 3], [4, 5, 6]]))
    const y = on(() => gather(x, tensor(Int32Array.from([2, 7, 0])), 1))
    const reads0 = backend.stats.gpu.reads
    const err = await rejection(y.data())
    expect(err.code).toBe('INDEX_OUT_OF_RANGE')
    expect(err.op).toBe('gather')
    expect(err.message).toContain('index 7 outside axis 1 of length 3')
    expect(backend.stats.gpu.reads - reads0, 'one read, no extra round trip').toBe(1)
    // Reported once: the flag is cleared, and the values were defined all along (0 where bad).
    expect(Array.from(await y.data())).toEqual([3, 0, 1, 6, 0, 4])
  }, GPU_TIMEOUT)

  it('a negative index: reported at the next read of any tensor, like an asynchronous device error', async () => {
    const x = on(() => tensor([10, 20, 30]))
    on(() => gather(x, tensor(Int32Array.from([-1]))))
    const other = on(() => tensor([1, 2]))
    const err = await rejection(other.data())
    expect(err.code).toBe('INDEX_OUT_OF_RANGE')
    expect(err.message).toContain('index -1 outside axis 0 of length 3')
    expect(Array.from(await other.data())).toEqual([1, 2])
  }, GPU_TIMEOUT)

  it('scatterAdd with an index outside its size: the next read fails naming scatterAdd; the update was dropped', async () => {
    const u = on(() => tensor([[1, 2], [3, 4], [5, 6]]))
    const y = on(() => scatterAdd(u, tensor(Int32Array.from([0, 4, 0])), 0, 2))
    const err = await rejection(y.data())
    expect(err.code).toBe('INDEX_OUT_OF_RANGE')
    expect(err.op).toBe('scatterAdd')
    expect(err.message).toContain('index 4 outside axis 0 of length 2')
    expect(Array.from(await y.data())).toEqual([6, 8, 0, 0])
  }, GPU_TIMEOUT)

  it('the first bad index is the one reported; in-range gathers and their gradients never flag', async () => {
    const x = on(() => tensor([1, 2, 3, 4]))
    const ok = on(() => sum(gather(x, tensor(Int32Array.from([3, 0, 3])))))
    expect(Array.from(await ok.data())).toEqual([9])
    on(() => bind('gather', [x, tensor(Int32Array.from([9]))], { axis: 0 }))
    const second: Tensor = on(() => bind('gather', [x, tensor(Int32Array.from([11]))], { axis: 0 }))
    const err = await rejection(second.data())
    expect(err.message).toContain('index 9 outside')
    expect(Array.from(await second.data())).toEqual([0])
  }, GPU_TIMEOUT)
})
