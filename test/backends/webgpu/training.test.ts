/**
 * Training on the webgpu backend: a 200-step MLP run whose loss curve matches the JS backend's
 * (float32 on both), with no read-back to the CPU during training (losses are read once, at the
 * end, asynchronously); and the contract of buffers the core releases when grad returns: what
 * the function returns survives, what it created and kept elsewhere fails with a clear error.
 */

import { afterAll, describe, expect, it } from 'vitest'
import { add, grad, mul, PuregradError, sum, tensor, valueAndGrad, withBackend, type Tensor } from '../../../src/index.js'
import { expectClose } from '../../helpers/allclose.js'
import { GPU_TIMEOUT, requireBackend, setupWebGPU } from './device.js'
import { trainLosses } from './mlp.js'

const setup = await setupWebGPU()

describe.skipIf(setup.skip !== undefined)(`webgpu training (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  it('a 200-step MLP loss curve matches the js backend, with no read-back until the end', async () => {
    const backend = requireBackend(setup)
    const reads0 = backend.stats.gpu.reads
    const submits0 = backend.stats.gpu.submits
    const dispatches0 = backend.stats.gpu.dispatches
    const gpuLosses = trainLosses('webgpu', 200)
    expect(backend.stats.gpu.reads, 'reads during training').toBe(reads0)
    const dispatches = backend.stats.gpu.dispatches - dispatches0
    const submits = backend.stats.gpu.submits - submits0
    // Work is batched: many dispatches per queue submission, not one round trip per op.
    expect(dispatches / Math.max(1, submits)).toBeGreaterThan(100)
    const got = await Promise.all(gpuLosses.map(async (l) => (await l.data())[0]))
    const want = await Promise.all(trainLosses('js', 200).map(async (l) => (await l.data())[0]))
    expect(got[199]).toBeLessThan(got[0] * 0.5)
    expectClose(got, want, { atol: 1e-5, rtol: 1e-4 })
    console.log(`webgpu MLP: loss ${got[0].toFixed(4)} -> ${got[199].toFixed(4)} (js ${want[199].toFixed(4)}); ${dispatches} dispatches in ${submits} submissions`)
  }, GPU_TIMEOUT)

  it('what grad returns survives its release: gradients, the value, aux', async () => {
    requireBackend(setup)
    const [x, c] = withBackend('webgpu', () => [tensor([1, 2, 3]), tensor([4, 5, 6])])
    const [[value, aux], g] = valueAndGrad((v: Tensor) => {
      const y = mul(v, c)
      return [sum(y), { doubled: mul(c, 2), list: [add(c, 1)] }] as const
    }, { hasAux: true })(x)
    expect(Array.from(await g.data())).toEqual([4, 5, 6])
    expect(Array.from(await value.data())).toEqual([32])
    expect(Array.from(await aux.doubled.data())).toEqual([8, 10, 12])
    expect(Array.from(await aux.list[0].data())).toEqual([5, 6, 7])
  }, GPU_TIMEOUT)

  it('a tensor created inside grad and kept elsewhere is released: using it is a clear error', async () => {
    const backend = requireBackend(setup)
    const c = withBackend('webgpu', () => tensor([1, 2, 3]))
    let kept: Tensor | undefined
    const g = grad((v: Tensor) => {
      kept = mul(c, 2) // concrete (c is not differentiated), created inside grad, not returned
      return sum(mul(v, kept))
    })(withBackend('webgpu', () => tensor([1, 1, 1])))
    expect(Array.from(await g.data())).toEqual([2, 4, 6])
    const leaked = kept as Tensor
    const message = 'this tensor was created inside grad and released when it returned; return it from the function to keep it'
    await expect(leaked.data()).rejects.toThrowError(message)
    let err: unknown
    try { add(leaked, 1) } catch (e) { err = e }
    expect(err).toBeInstanceOf(PuregradError)
    expect((err as PuregradError).code).toBe('INVALID_ARGUMENT')
    expect((err as PuregradError).message).toContain(message)
    expect(backend.stats.errors).toEqual([])
  }, GPU_TIMEOUT)

  it('tensors created before grad, and the scalar-constant cache, are never released', async () => {
    requireBackend(setup)
    const x = withBackend('webgpu', () => tensor([1, 2, 3]))
    for (let i = 0; i < 3; i++) grad((v: Tensor) => sum(mul(mul(v, 2), x)))(x)
    expect(Array.from(await x.data())).toEqual([1, 2, 3])
    const two = withBackend('webgpu', () => mul(x, 2))
    expect(Array.from(await two.data())).toEqual([2, 4, 6])
  }, GPU_TIMEOUT)
})
