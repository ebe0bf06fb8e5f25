/**
 * Optimizer updates release their temporaries as they return (like grad does), on backends that
 * free memory deterministically (`release`): a synchronous training loop then does not hold a
 * step's moments products and square roots until it yields. Proven on a JS backend whose `release`
 * poisons the buffer with NaN and counts: the step's temporaries are released, and nothing the
 * update returns (updates, next state) is, so the results equal those on a plain JS backend.
 */

import { describe, expect, it } from 'vitest'
import { createJsBackend, registerBackend, tensor, withBackend, type Backend, type Tensor } from '../../src/index.js'
import { adam, applyUpdates, chain, clipByGlobalNorm, sgd, type GradientTransformation } from '../../src/optim/index.js'

type P = { w: Tensor; b: Tensor }

const poisoning = (name: string): { backend: Backend; released: () => number } => {
  const base = createJsBackend({ name })
  let released = 0
  const backend = {
    ...base,
    release: (d: unknown) => { released++; (d as Float32Array).fill(Number.NaN) },
  } as Backend
  registerBackend(backend)
  return { backend, released: () => released }
}

const steps = <S>(opt: GradientTransformation<P, S>, on: string): { values: number[][] } =>
  withBackend(on, () => {
    let p: P = { w: tensor([[0.5, -1], [2, 0.25]]), b: tensor([0.1, -0.2]) }
    let s = opt.init(p)
    const values: number[][] = []
    for (let i = 0; i < 5; i++) {
      const g: P = { w: tensor([[1, -2], [0.5, 3]]).mul(i + 1), b: tensor([0.3, -0.7]) }
      const [u, next] = opt.update(g, s, p)
      p = applyUpdates(p, u)
      s = next
      values.push([...p.w.dataSync(), ...p.b.dataSync()])
    }
    return { values }
  })

describe('optimizer updates release their temporaries', () => {
  const cases: [string, () => GradientTransformation<P, unknown>][] = [
    ['adam', () => adam<P>(0.1) as GradientTransformation<P, unknown>],
    ['sgd with momentum', () => sgd<P>(0.1, { momentum: 0.9 }) as GradientTransformation<P, unknown>],
    ['chain(clipByGlobalNorm, adam)', () => chain(clipByGlobalNorm(1), adam<P>(0.1)) as unknown as GradientTransformation<P, unknown>],
  ]
  for (const [name, make] of cases) {
    it(`${name}: temporaries released, results identical to a backend without release`, () => {
      const reference = steps(make(), 'js')
      const { backend, released } = poisoning(`poison-${name}`)
      const got = steps(make(), backend.name)
      expect(released()).toBeGreaterThan(0)
      expect(got.values).toEqual(reference.values)
      for (const row of got.values) for (const v of row) expect(Number.isFinite(v)).toBe(true)
    })
  }
})
