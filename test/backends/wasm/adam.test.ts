/**
 * The wasm backend's fused Adam step (Backend.fusedAdam) against Adam composed from ops: on
 * random float32 records over several steps, with schedules and non-default constants, the
 * moments and updates equal the composite's bit for bit, on the same backend without the
 * capability and on the JS reference, and the fused kernel is proven to have run (one call per
 * leaf per step, with `adam`'s learning rate applied in the same pass). Where it must not run (traced leaves under grad, float64 leaves, NaN checking),
 * the counter stays at zero and the results still match the composite.
 */

import { afterEach, describe, expect, it } from 'vitest'
import { grad, registerBackend, setDebugNans, sum, square, sub, tensor, withBackend, type Backend, type Tensor } from '../../../src/index.js'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import { adam, adamw, applyUpdates, chain, scaleByAdam, scaleByLearningRate, type AdamState, type GradientTransformation } from '../../../src/optim/index.js'

const fused = createWasmBackend({ name: 'wasm-fused-adam', threads: 1 })
const plain: Backend = Object.assign({}, createWasmBackend({ name: 'wasm-plain-adam', threads: 1 }), { name: 'wasm-plain-adam', fusedAdam: undefined })
registerBackend(fused)
registerBackend(plain)

afterEach(() => setDebugNans(false))

interface Rec { readonly w: Tensor; readonly layer: { readonly b: Tensor; readonly s: Tensor } }
const SHAPES = { w: [61, 77], b: [7], s: [] as number[] }
const LEAVES = 3

/** A seeded generator (mulberry32), so every backend sees the same values. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const record = (seed: number, dtype: 'float32' | 'float64' = 'float32'): Rec => {
  const r = rng(seed)
  const leaf = (shape: readonly number[]): Tensor => {
    const n = shape.reduce((a, d) => a * d, 1)
    // Magnitudes over several decades, so the square roots and bias corrections are exercised.
    const v = Array.from({ length: n }, () => (r() - 0.5) * 10 ** (4 * r() - 3))
    return tensor(v, { shape: [...shape], dtype })
  }
  return { w: leaf(SHAPES.w), layer: { b: leaf(SHAPES.b), s: leaf(SHAPES.s) } }
}

const values = (rec: Rec): number[][] => [rec.w, rec.layer.b, rec.layer.s].map((t) => Array.from(t.dataSync()))

/** Runs `steps` updates of `opt` on backend `name` from the same seeds, returning updates and states as plain data. */
const trajectory = (name: string, opt: GradientTransformation<Rec, AdamState<Rec>>, steps: number, dtype: 'float32' | 'float64' = 'float32') =>
  withBackend(name, () => {
    let params = record(1, dtype)
    let state = opt.init(params)
    const out: number[][][] = []
    for (let i = 0; i < steps; i++) {
      const [u, next] = opt.update(record(100 + i, dtype), state, params)
      params = applyUpdates(params, u)
      state = next
      out.push(values(u), values(state.mu), values(state.nu), values(params))
    }
    return out
  })

const OPTIMIZERS: readonly [string, () => GradientTransformation<Rec, AdamState<Rec>>][] = [
  ['adam', () => adam<Rec>(1e-2)],
  ['adam with a scheduled learning rate reaching 0', () => adam<Rec>((c) => Math.max(0, 0.3 - 0.1 * c))],
  ['scaleByAdam with scheduled b1 and other constants', () => scaleByAdam<Rec>({ b1: (c) => 0.8 + 0.01 * c, b2: 0.99, eps: 1e-3 })],
  ['adamw', () => adamw<Rec>(3e-3, { weightDecay: 0.1 })],
]

describe('fused Adam on the wasm backend', () => {
  it.each(OPTIMIZERS)('%s equals the composite bit for bit over 6 steps, and ran fused once per leaf per step', (_, make) => {
    fused.stats.reset()
    const got = trajectory(fused.name, make(), 6)
    expect(fused.stats.fusedAdamCalls).toBe(6 * LEAVES)
    expect(trajectory(plain.name, make(), 6)).toEqual(got)
    expect(trajectory('js', make(), 6)).toEqual(got)
  })

  it('adam equals chain(scaleByAdam, scaleByLearningRate) bit for bit: the scale in the kernel rounds as the op does', () => {
    withBackend(fused.name, () => {
      const lr = (c: number) => 0.37 / (c + 1)
      const a = adam<Rec>(lr), c = chain(scaleByAdam<Rec>(), scaleByLearningRate<Rec>(lr))
      const p = record(1)
      let sa = a.init(p), sc = c.init(p)
      for (let i = 0; i < 4; i++) {
        const g = record(50 + i)
        const [ua, na] = a.update(g, sa, p)
        const [uc, nc] = c.update(g, sc, p)
        expect(values(ua)).toEqual(values(uc))
        sa = na
        sc = nc
      }
    })
  })

  it("adam's learning rate is applied inside the fused pass: no elementwise kernel runs in its update", () => {
    withBackend(fused.name, () => {
      const params = record(1)
      const opt = adam<Rec>(1e-2)
      const state = opt.init(params)
      const g = record(2)
      fused.stats.reset()
      const [u] = opt.update(g, state, params)
      expect(fused.stats.fusedAdamCalls).toBe(LEAVES)
      expect(fused.stats.kernelCalls).toEqual({})
      // The first step of Adam is -lr * g / (|g| + eps'), so -lr sign(g) up to eps: the scale took.
      const gw = g.w.dataSync(), uw = u.w.dataSync()
      for (let i = 0; i < gw.length; i++) if (Math.abs(gw[i]) > 1e-3) expect(uw[i]).toBeCloseTo(-1e-2 * Math.sign(gw[i]), 6)
    })
  })

  it('a leaf traced by grad composes ops instead, and its derivative matches the composite', () => {
    const loss = (p: Rec): Tensor => sum(square(sub(p.w, 1)))
    const unrolled = (p0: Rec): Tensor => {
      const opt = adam<Rec>(0.05)
      let p = p0, s = opt.init(p0)
      for (let i = 0; i < 2; i++) {
        const [u, s1] = opt.update(grad(loss)(p), s, p)
        p = applyUpdates(p, u)
        s = s1
      }
      return loss(p)
    }
    const dOn = (name: string) => withBackend(name, () => values(grad(unrolled)(record(7))))
    fused.stats.reset()
    const got = dOn(fused.name)
    expect(fused.stats.fusedAdamCalls).toBe(0)
    expect(got).toEqual(dOn(plain.name))
  })

  it('float64 leaves and NaN checking compose ops', () => {
    fused.stats.reset()
    const want64 = trajectory(plain.name, adam<Rec>(1e-2), 2, 'float64')
    expect(trajectory(fused.name, adam<Rec>(1e-2), 2, 'float64')).toEqual(want64)
    setDebugNans(true)
    const want = trajectory(plain.name, adam<Rec>(1e-2), 2)
    expect(trajectory(fused.name, adam<Rec>(1e-2), 2)).toEqual(want)
    expect(fused.stats.fusedAdamCalls).toBe(0)
  })
})
