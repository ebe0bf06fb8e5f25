/**
 * The webgpu backend on the values where GPU maths and numpy/JavaScript semantics usually part:
 * NaN, infinities, signed zeros, exact halves (round half to even), large arguments, empty
 * windows and empty reductions, and float-to-int32 casts that wrap. Every unary op, every binary
 * op and comparison on all pairs of special values, and the NaN rules of max, argmax and
 * maxPool, against the JS backend in float32 (its kernels are the reference semantics).
 */

import { afterAll, describe, expect, it } from 'vitest'
import { tensor, withBackend, type Tensor } from '../../../src/index.js'
import { bind } from '../../../src/diff/bind.js'
import { BINARY, COMPARE, UNARY, type Primitive, type PrimitiveParams } from '../../../src/diff/primitives.js'
import { expectClose } from '../../helpers/allclose.js'
import { GPU_TIMEOUT, setupWebGPU } from './device.js'

const setup = await setupWebGPU()

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 0.5, 1.5, 2.5, -0.5, -2.5, 1, -1, 2, -3, 1e-6, -1e-6, 0.3, 7.25, 50, -50, 95, -110, 1000, -1000]

/** The primitive on both backends from the same float32 values; results compared, NaN and infinities exactly. */
type Values = readonly number[] | { readonly v: readonly number[]; readonly shape: number[] }
const toTensor = (x: Values): Tensor =>
  'v' in x ? tensor(Float32Array.from(x.v), { shape: x.shape }) : tensor(Float32Array.from(x))

const both = async <P extends Primitive>(prim: P, inputs: readonly Values[], params: PrimitiveParams[P], tol = { atol: 1e-5, rtol: 1e-5 }): Promise<void> => {
  const run = (name: string): Tensor => withBackend(name, () => bind(prim, inputs.map(toTensor), params))
  const [g, j] = [run('webgpu'), run('js')]
  expect(g.shape).toEqual(j.shape)
  const got = Array.from(await g.data()), want = Array.from(await j.data())
  if (g.dtype === 'float32') expectClose(got, want, tol)
  else expect(got, prim).toEqual(want)
}

const pairs = (): [number[], number[]] => {
  const a: number[] = [], b: number[] = []
  for (const x of SPECIAL) for (const y of SPECIAL) { a.push(x); b.push(y) }
  return [a, b]
}

describe.skipIf(setup.skip !== undefined)(`webgpu special values vs js float32 (${setup.skip ?? setup.driver})`, () => {
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  for (const op of UNARY) {
    it(`${op} on NaN, infinities, signed zeros, halves and large values`, async () => {
      await both(op, [SPECIAL], {})
    }, GPU_TIMEOUT)
  }

  for (const op of [...BINARY, ...COMPARE]) {
    it(`${op} on all pairs of special values`, async () => {
      const [a, b] = pairs()
      // pow(x, y) = exp(y log x) carries |y log x| float32 roundings: 1000 * log(1000) is large.
      await both(op, [a, b], {}, op === 'pow' ? { atol: 1e-5, rtol: 2e-4 } : undefined)
    }, GPU_TIMEOUT)
  }

  it('where selects bits: a NaN on the unselected side does not leak', async () => {
    const cond = [1, 0, 1, 0]
    const run = (name: string) => withBackend(name, () =>
      bind('where', [tensor(Uint8Array.from(cond), { dtype: 'bool' }), tensor([NaN, 1, 2, 3]), tensor([4, NaN, 6, Infinity])], {}))
    expect(Array.from(await run('webgpu').data())).toEqual(Array.from(await run('js').data()))
  }, GPU_TIMEOUT)

  it('max and argmax: a NaN wins, the first NaN and the first maximum win', async () => {
    const v = { v: [1, NaN, 3, 3, 2, 5, 5, 1, -Infinity, -Infinity, NaN, NaN], shape: [3, 4] }
    await both('max', [v], { axes: [1], keepDims: false })
    await both('argmax', [v], { axis: 1, keepDims: false })
    await both('argmax', [v], { axis: 0, keepDims: true })
  }, GPU_TIMEOUT)

  it('empty reductions: sum 0, max -Infinity', async () => {
    await both('sum', [{ v: [], shape: [3, 0] }], { axes: [1], keepDims: false })
    await both('max', [{ v: [], shape: [3, 0] }], { axes: [1], keepDims: false })
  }, GPU_TIMEOUT)

  it('cast to int32 truncates and wraps modulo 2^32; to bool, NaN is true and -0 false', async () => {
    const v = [NaN, Infinity, -Infinity, -0, 0.9, -0.9, 2.5, -2.5, 2147483520, -2147483648, 3e9, -3e9, 1e10, -1e10, 4294967296, 1e20, 123456.7]
    await both('cast', [v], { dtype: 'int32' })
    await both('cast', [v], { dtype: 'bool' })
  }, GPU_TIMEOUT)

  it('pooling: NaN wins a max window; windows wholly in the padding give -Infinity (max) and NaN (mean)', async () => {
    const x = { v: [1, NaN, 3, 4, 5, 6, -1, -2, 9], shape: [1, 3, 3, 1] }
    const p = { window: [2, 2], strides: [1, 1], pads: [2, 0, 0, 1] } as const
    await both('maxPool', [x], p)
    await both('avgPool', [x], p)
    await both('maxPoolSelect', [x, { v: [1, 2, 3, 4, 5, 6, 7, 8, 9], shape: [1, 3, 3, 1] }], p)
    await both('maxPoolScatter', [x, { v: Array.from({ length: 12 }, (_, i) => i + 1), shape: [1, 4, 3, 1] }], p)
  }, GPU_TIMEOUT)
})
