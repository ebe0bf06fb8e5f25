/**
 * Op conformance of the webgpu backend: every primitive (enumerated from jvpRules, so a new one
 * without a case fails here), run through `bind` on WebGPU in float32 and on the JS backend in
 * float64 from the same float32-representable inputs. Values, read asynchronously, must agree
 * within float32 tolerance (integer and bool results exactly), and so must the first-order
 * gradients of sum(op(x) * w) for a random w with respect to every float operand. The cases are
 * in cases.ts; special values (NaN, infinities, halves) are in specials.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cast, grad, mul, sum, tensor, withBackend, type Tensor } from '../../../src/index.js'
import { bind } from '../../../src/diff/bind.js'
import { jvpRules } from '../../../src/diff/jvp-rules.js'
import type { Primitive, PrimitiveParams } from '../../../src/diff/primitives.js'
import { expectClose, seededValues } from '../../helpers/allclose.js'
import { CASES, type Case, type Operand } from './cases.js'
import { extraBackend, GPU_TIMEOUT, requireBackend, setupWebGPU } from './device.js'
import type { WebGPUBackend } from '../../../src/backends/webgpu/index.js'

type FloatDType = 'float32' | 'float64'

const setup = await setupWebGPU()

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)

/** Operand values, identical for both runs: floats are rounded to float32 first. */
const valuesFor = (op: Operand, seed: number): number[] => {
  const n = size(op.shape)
  if (op.dtype === 'bool') return seededValues(n, seed, 0, 1).map((v) => (v < 0.5 ? 0 : 1))
  const [lo, hi] = op.range ?? (op.dtype === 'int32' ? [-9, 9] : [-2, 2])
  const v = seededValues(n, seed, lo, hi)
  if (op.dtype === 'int32') return v.map(Math.floor)
  return v.map((x) => Math.fround(op.integers ? Math.round(x) : x))
}

const make = (op: Operand, v: readonly number[], fdt: FloatDType): Tensor => {
  const shape = [...op.shape]
  if (op.dtype === 'bool') return tensor(Uint8Array.from(v), { shape, dtype: 'bool' })
  if (op.dtype === 'int32') return tensor(Int32Array.from(v), { shape, dtype: 'int32' })
  return tensor(fdt === 'float32' ? Float32Array.from(v) : Float64Array.from(v), { shape, dtype: fdt })
}

const isFloat = (op: Operand): boolean => op.dtype === undefined || op.dtype === 'float'

interface Outcome { readonly y: Tensor; readonly grads: readonly Tensor[] }

/** Runs one case on a backend: the primitive's value and the gradients of sum(op(x) * w). */
const runOn = <P extends Primitive>(name: string, fdt: FloatDType, prim: P, c: Case<P>, seed: number): Outcome =>
  withBackend(name, () => {
    const xs = c.inputs.map((op, k) => make(op, valuesFor(op, seed + k), fdt))
    const params = (prim === 'cast' && (c.params as PrimitiveParams['cast']).dtype === 'float32' ? { dtype: fdt } : c.params) as PrimitiveParams[P]
    const y = bind(prim, xs, params)
    const yf = y.dtype === 'float32' || y.dtype === 'float64'
    const w = make({ shape: y.shape }, valuesFor({ shape: y.shape }, seed + 99), fdt)
    const diff = c.inputs.flatMap((op, k) => (isFloat(op) ? [k] : []))
    if (diff.length === 0) return { y, grads: [] }
    const loss = (...ds: Tensor[]): Tensor => {
      const all = xs.slice()
      diff.forEach((k, j) => { all[k] = ds[j] })
      const out = bind(prim, all, params)
      return sum(mul(yf ? out : cast(out, fdt), w))
    }
    const grads = grad(loss, { argnums: diff.map((_, j) => j) })(...diff.map((k) => xs[k])) as Tensor[]
    return { y, grads }
  })

const VALUE_TOL = { atol: 1e-5, rtol: 1e-5 }
const GRAD_TOL = { atol: 1e-5, rtol: 1e-5 }

const checkCase = async <P extends Primitive>(prim: P, c: Case<P>, seed: number, on = 'webgpu'): Promise<void> => {
  const gpu = runOn(on, 'float32', prim, c, seed)
  const ref = runOn('js', 'float64', prim, c, seed)
  expect(gpu.y.shape).toEqual(ref.y.shape)
  expect(gpu.y.dtype).toBe(ref.y.dtype === 'float64' ? 'float32' : ref.y.dtype)
  const [got, want] = [Array.from(await gpu.y.data()), Array.from(await ref.y.data())]
  if (gpu.y.dtype === 'float32') expectClose(got, want, VALUE_TOL)
  else expect(got).toEqual(want)
  expect(gpu.grads.length).toBe(ref.grads.length)
  for (let i = 0; i < gpu.grads.length; i++) {
    expect(gpu.grads[i].shape).toEqual(ref.grads[i].shape)
    expectClose(Array.from(await gpu.grads[i].data()), Array.from(await ref.grads[i].data()), GRAD_TOL)
  }
}

describe.skipIf(setup.skip !== undefined)(`webgpu op conformance vs js float64 (${setup.skip ?? setup.driver})`, () => {
  let backend: WebGPUBackend
  beforeAll(() => { backend = requireBackend(setup) })
  afterAll(() => { if (setup.backend !== undefined) expect(setup.backend.stats.errors).toEqual([]) })

  it('has a case for every primitive', () => {
    const missing = Object.keys(jvpRules).filter((p) => (CASES as Record<string, readonly unknown[] | undefined>)[p]?.length === undefined)
    expect(missing, 'primitives without a webgpu conformance case').toEqual([])
  })

  for (const prim of Object.keys(jvpRules) as Primitive[]) {
    const cases = CASES[prim] as readonly Case<Primitive>[]
    cases.forEach((c, k) => {
      const title = `${prim}${c.label === undefined ? '' : ` (${c.label})`}: ${c.inputs.map((o) => `${o.dtype ?? 'float'}[${o.shape.join(',')}]`).join(' ')}`
      it(title, async () => {
        const before = backend.stats.kernelCalls[prim] ?? 0
        await checkCase(prim, c, 17 + 31 * k)
        expect(backend.stats.kernelCalls[prim] ?? 0, `${prim} kernels run on webgpu`).toBeGreaterThan(before)
      }, GPU_TIMEOUT)
    })
  }

  it('never read synchronously: dataSync is a clear error naming the async readers', async () => {
    const x = withBackend('webgpu', () => tensor([1, 2, 3]))
    expect(() => x.dataSync()).toThrowError(/SYNC_READ_UNAVAILABLE|await x\.data\(\)/)
    try { x.dataSync() } catch (e) { expect((e as { code?: string }).code).toBe('SYNC_READ_UNAVAILABLE') }
    expect(Array.from(await x.data())).toEqual([1, 2, 3])
    expect(await x.array()).toEqual([1, 2, 3])
  }, GPU_TIMEOUT)

  it('operands spread over several storage chunks (tiny chunks: every tensor in its own)', async () => {
    const small = await extraBackend('webgpu-chunks', 256)
    for (const prim of ['where', 'matmul', 'conv2d', 'concat', 'gather', 'scatterAdd', 'sum', 'pad', 'maxPoolScatter'] as const) {
      for (const [k, c] of (CASES[prim] as readonly Case<Primitive>[]).entries()) await checkCase(prim, c, 17 + 31 * k, 'webgpu-chunks')
    }
    expect(small.stats.reservedBytes()).toBeGreaterThan(16 * 256)
    expect(small.stats.errors).toEqual([])
  }, GPU_TIMEOUT)

  it('pipelines are cached per primitive and dtype: new shapes compile nothing', async () => {
    const run = (shape: number[]) => withBackend('webgpu', () =>
      bind('add', [make({ shape }, valuesFor({ shape }, 1), 'float32'), make({ shape: [shape[shape.length - 1]] }, valuesFor({ shape: [shape[shape.length - 1]] }, 2), 'float32')], {}))
    await run([2, 3]).data()
    const compiled = backend.stats.gpu.pipelines
    for (const s of [[5, 7], [4, 1, 9], [64, 65]]) await run(s).data()
    expect(backend.stats.gpu.pipelines).toBe(compiled)
  }, GPU_TIMEOUT)

  it('float64 is refused by the core (UNSUPPORTED_DTYPE)', () => {
    expect(() => withBackend('webgpu', () => tensor([1, 2], { dtype: 'float64' }))).toThrowError(/does not support float64/)
  })
})
