/**
 * The backend registry (src/backends/registry.ts): registerBackend, setBackend and withBackend
 * (which restores the previous backend, also on throw), unknown names as BACKEND_UNAVAILABLE,
 * re-registering a name replacing the backend, BACKEND_MISMATCH when one op mixes instances, and
 * the kernel call counters showing which backend ran an op. The other backends here are JS backend
 * instances under new names.
 */

import { afterEach, describe, expect, it } from 'vitest'
import {
  add, createJsBackend, getBackend, grad, listBackends, mul, registerBackend, setBackend, sum, tensor, toBackend, withBackend,
  type Backend, type Tensor,
} from '../../src/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'

/** A second, independent JS backend instance under another name (own buffers, own counters). */
const second = (name: string): Backend => ({ ...createJsBackend(), name }) as Backend

afterEach(() => setBackend('js'))

describe('backend registry', () => {
  it('the js backend is the default and always listed', () => {
    expect(getBackend().name).toBe('js')
    expect(listBackends()).toContain('js')
    expect(tensor([1]).backend).toBe(getBackend())
  })

  it('registerBackend adds a backend; setBackend switches new tensors to it', () => {
    const b2 = second('js2-set')
    registerBackend(b2)
    expect(listBackends()).toEqual(expect.arrayContaining(['js', 'js2-set']))
    setBackend('js2-set')
    expect(getBackend()).toBe(b2)
    const t = tensor([1, 2])
    expect(t.backend).toBe(b2)
    setBackend('js')
    expect(getBackend().name).toBe('js')
    expect(tensor([1]).backend).not.toBe(b2)
  })

  it('an unknown backend is BACKEND_UNAVAILABLE and leaves the current one in place', () => {
    const before = getBackend()
    expect(expectError(() => setBackend('webgpu-nope'), 'BACKEND_UNAVAILABLE', 'webgpu-nope', 'js').op).toBe('setBackend')
    expect(getBackend()).toBe(before)
    expect(expectError(() => withBackend('webgpu-nope', () => 1), 'BACKEND_UNAVAILABLE').op).toBe('withBackend')
    expect(expectError(() => toBackend(tensor([1]), 'webgpu-nope'), 'BACKEND_UNAVAILABLE').op).toBe('toBackend')
    expect(getBackend()).toBe(before)
  })

  it('withBackend runs f on the named backend and restores the previous one, also on throw', () => {
    const b2 = second('js2-with')
    registerBackend(b2)
    const js = getBackend()
    const t = withBackend('js2-with', () => {
      expect(getBackend()).toBe(b2)
      return tensor([3])
    })
    expect(t.backend).toBe(b2)
    expect(getBackend()).toBe(js)
    expect(() => withBackend('js2-with', () => { throw new Error('boom') })).toThrow('boom')
    expect(getBackend()).toBe(js)
    expect(withBackend('js2-with', () => withBackend('js', () => getBackend()))).toBe(js)
    expect(getBackend()).toBe(js)
  })

  it('registering a name again replaces the backend', () => {
    const a = second('js2-replace'), b = second('js2-replace')
    registerBackend(a)
    registerBackend(b)
    expect(withBackend('js2-replace', () => getBackend())).toBe(b)
    expect(listBackends().filter((n) => n === 'js2-replace')).toHaveLength(1)
  })
})

describe('kernel call counters', () => {
  it('show which kernels the js backend ran', () => {
    const js = getBackend()
    const x = tensor([1, 2, 3], { dtype: 'float64' })
    js.stats.reset()
    expect(js.stats.kernelCalls).toEqual({})
    const y = mul(add(x, x), x)
    expect(js.stats.kernelCalls.add).toBe(1)
    expect(js.stats.kernelCalls.mul).toBe(1)
    expectClose(y, [2, 8, 18])
    grad((u: Tensor) => sum(mul(u, u)))(x)
    expect(js.stats.kernelCalls.sum).toBeGreaterThanOrEqual(1)
    expect(js.stats.kernelCalls.mul).toBeGreaterThanOrEqual(3)
    js.stats.reset()
    expect(js.stats.kernelCalls.mul).toBeUndefined()
  })

  it('ops on another backend count there, not on js', () => {
    const b2 = second('js2-count')
    registerBackend(b2)
    const js = getBackend()
    const [x, y] = withBackend('js2-count', () => [tensor([1, 2]), tensor([3, 4])])
    js.stats.reset()
    b2.stats.reset()
    const z = add(x, y)
    expect(z.backend).toBe(b2)
    expect(z.arraySync()).toEqual([4, 6])
    expect(b2.stats.kernelCalls.add).toBe(1)
    expect(js.stats.kernelCalls.add).toBeUndefined()
    expect(add(z, 1).backend).toBe(b2)
  })
})

describe('mixing backends', () => {
  it('an op on tensors from two backend instances throws BACKEND_MISMATCH naming both', () => {
    registerBackend(second('js2'))
    const a = tensor([1, 2])
    const b = withBackend('js2', () => tensor([3, 4]))
    expectError(() => add(a, b), 'BACKEND_MISMATCH', 'add', "'js'", "'js2'")
    expectError(() => mul(b, a), 'BACKEND_MISMATCH', 'mul')
    expectError(() => grad((u: Tensor) => sum(mul(u, b)))(a), 'BACKEND_MISMATCH')
  })
})

describe('replacing a backend under its name (re-initialising after a fault)', () => {
  it('the replacement becomes current when the replaced one was, and withBackend restores the replacement', () => {
    const old = second('js-replaced')
    registerBackend(old)
    setBackend('js-replaced')
    const before = tensor([1, 2])
    const fresh = second('js-replaced')
    registerBackend(fresh)
    expect(getBackend()).toBe(fresh)
    expect(tensor([1]).backend).toBe(fresh)
    // Replaced inside withBackend: the replacement, not the dead instance, is restored after.
    setBackend('js-replaced')
    const newer = second('js-replaced')
    withBackend('js', () => registerBackend(newer))
    expect(getBackend()).toBe(newer)
    // A replacement of a backend that is not current leaves the current one alone.
    setBackend('js')
    registerBackend(second('js-replaced'))
    expect(getBackend().name).toBe('js')
    expectError(() => add(before, withBackend('js-replaced', () => tensor([3, 4]))), 'BACKEND_MISMATCH', 'add', "two backends both named 'js-replaced'")
  })
})
