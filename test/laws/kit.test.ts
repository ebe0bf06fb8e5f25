/**
 * The law kit's own contract: arbitraries respect bounds, margins, shapes, dtypes and templates;
 * runners cast to float64 by default, name the law and the stage, honour `modes`, report NaN and
 * usage errors clearly, read PUREGRAD_LAW_SEED / PUREGRAD_LAW_RUNS, and checkLayer handles state,
 * contexts and integer inputs.
 */

import { afterEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  PuregradError, Tensor, add, customVjp, gather, log, matmul, mul, sub, sum, tanh, tensor, zeros,
} from '../../src/index.js'
import {
  DEFAULT_SEED, LawFailure, allowedIntervals, arbCotangent, arbLike, arbShape, arbTangent, arbTensor, checkGrads,
  checkLayer, gradMatchesJvp, hessianIsSymmetric, lawRuns, lawSeed, stopGradientIsZero, verifyGrads, verifyGradsProperty, verifyLayer,
} from '../../laws/index.js'

const values = (t: Tensor): number[] => Array.from(t.dataSync(), Number)
const x64 = (xs: number[]) => tensor(xs, { dtype: 'float64' })
const tanhWrongVjp = customVjp((x: Tensor) => tanh(x), (x: Tensor) => { const y = tanh(x); return [y, y] as const },
  (y: Tensor, ct: Tensor) => [mul(ct, sub(1, y))])

describe('arbitraries', () => {
  it('arbTensor keeps values in bounds, away from the avoided points, with the asked shape and dtype', () => {
    fc.assert(fc.property(arbTensor({ shape: [2, 3], min: -1, max: 2, avoid: [0, 1], margin: 0.1, dtype: 'float32' }), (t) => {
      expect(t.shape).toEqual([2, 3])
      expect(t.dtype).toBe('float32')
      for (const v of values(t)) {
        expect(v).toBeGreaterThanOrEqual(-1)
        expect(v).toBeLessThanOrEqual(2)
        expect(Math.abs(v)).toBeGreaterThan(0.1)
        expect(Math.abs(v - 1)).toBeGreaterThan(0.1)
      }
    }), { numRuns: 200 })
  })

  it('draws values spread over the range, not the tiny values fc.double favours', () => {
    const vs = fc.sample(arbTensor({ shape: [50] }), { seed: 3, numRuns: 4 }).flatMap(values)
    expect(vs.filter((v) => Math.abs(v) > 0.5).length).toBeGreaterThan(vs.length / 2)
  })

  it('draws shapes within the limits, and refuses ranges with nothing left', () => {
    fc.assert(fc.property(arbShape({ maxRank: 2, maxDim: 3 }), (s) => s.length <= 2 && s.every((d) => d >= 1 && d <= 3)))
    fc.assert(fc.property(arbTensor({ maxRank: 2, maxDim: 2 }), (t) => t.rank <= 2 && t.dtype === 'float64'))
    expect(() => allowedIntervals(-0.1, 0.1, [0], 0.5)).toThrow(RangeError)
    expect(allowedIntervals(-1, 1, [0], 0.25).length).toBe(2)
  })

  it('arbLike follows the template (structure, shapes, dtypes; integer leaves kept), arbTangent / arbCotangent match', () => {
    const ids = tensor([1, 0], { dtype: 'int32' })
    const template = { a: [zeros([2]), null] as [Tensor, null], b: { c: zeros([1, 3], { dtype: 'float64' }) }, ids }
    fc.assert(fc.property(arbLike(template, (path) => (path.endsWith('.c') ? { min: 5, max: 6 } : {})), (p) => {
      expect(p.a[0].shape).toEqual([2])
      expect(p.a[0].dtype).toBe('float32')
      expect(p.a[1]).toBeNull()
      expect(values(p.b.c).every((v) => v >= 5 && v <= 6)).toBe(true)
      expect(p.ids).toBe(ids)
    }), { numRuns: 20 })
    const [t] = fc.sample(arbTangent([x64([1, 2]), { w: zeros([2, 2]) }] as [Tensor, { w: Tensor }]), 1)
    expect(t[0].shape).toEqual([2])
    expect(t[1].w.shape).toEqual([2, 2])
    const [c] = fc.sample(arbCotangent({ y: x64([1]), k: ids }), 1)
    expect(values(c.k)).toEqual([0, 0])
  })
})

describe('runners', () => {
  afterEach(() => {
    delete process.env.PUREGRAD_LAW_SEED
    delete process.env.PUREGRAD_LAW_RUNS
  })

  it('a LawFailure names the law, the stage, the seed and the point, and is an Error', () => {
    const r = verifyGrads(tanhWrongVjp, [x64([0.3, -0.8])], { seed: 11 })
    if (E.isRight(r)) throw new Error('expected a Left')
    const f = r.left
    expect(f).toBeInstanceOf(Error)
    expect(f.name).toBe('LawFailure')
    expect(f.stage).toBe('VJP')
    expect(f.seed).toBe(11)
    expect(f.message).toContain(`law '${f.law}' failed (VJP)`)
    expect(f.message).toContain('args[0] [2] float64 = [0.3, -0.8]')
    expect(() => checkGrads(tanhWrongVjp, [x64([0.3, -0.8])])).toThrow(LawFailure)
  })

  it('modes select what is checked: a wrong VJP passes forward-only checks', () => {
    expect(E.isRight(verifyGrads(tanhWrongVjp, [x64([0.3, -0.8])], { modes: ['fwd'], order: 2 }))).toBe(true)
    const rev = verifyGrads(tanhWrongVjp, [x64([0.3, -0.8])], { modes: ['rev'] })
    expect(E.isLeft(rev) && rev.left.law).toBe('vjp-finite-difference')
  })

  it('float32 arguments are checked in float64 by default; dtype: keep checks them as they are', () => {
    const f = (p: { w: Tensor }) => tanh(matmul(p.w, p.w))
    const p = { w: tensor([[0.1, 0.2], [0.3, -0.4]]) }
    checkGrads(f, [p], { order: 2 })
    checkGrads(f, [p], { order: 2, dtype: 'keep' }) // float32 tolerances (2e-3) and step (1e-3)
    const r = verifyGrads(tanhWrongVjp, [tensor([0.3, -0.8])])
    expect(E.isLeft(r) && r.left.counterexample).toContain('float64')
  })

  it('a point outside the domain is reported as such, and integer arguments are refused', () => {
    const r = verifyGrads((x: Tensor) => log(x), [x64([1, -1])])
    expect(E.isLeft(r) && r.left.law).toBe('finite-output')
    expect(() => checkGrads((x: Tensor) => x, [tensor([1], { dtype: 'int32' })])).toThrow(PuregradError)
    expect(() => verifyGradsProperty((x: Tensor) => x, fc.constant(tensor([1], { dtype: 'int32' })))).toThrow(/close over integer/)
    expect(() => verifyGrads((x: Tensor) => x, [x64([1])], { modes: ['rev', 'backward' as 'rev'] })).toThrow(PuregradError)
  })

  it('seeds and run counts come from PUREGRAD_LAW_SEED and PUREGRAD_LAW_RUNS', () => {
    expect(lawSeed()).toBe(DEFAULT_SEED)
    expect(lawRuns(7)).toBe(7)
    process.env.PUREGRAD_LAW_SEED = '42'
    process.env.PUREGRAD_LAW_RUNS = '3'
    expect(lawSeed()).toBe(42)
    expect(lawRuns(7)).toBe(3)
    const r = verifyGrads(tanhWrongVjp, [x64([0.5])])
    expect(E.isLeft(r) && r.left.seed).toBe(42)
    process.env.PUREGRAD_LAW_RUNS = 'many'
    expect(() => lawRuns()).toThrow(RangeError)
  })
})

describe('predicates at one point', () => {
  const x = x64([0.3, -0.7, 1.1])
  const t = x64([1, 0.5, -2])
  const exact = { atol: 1e-12, rtol: 1e-10 }
  it('hold for a correct function', () => {
    const s = (y: Tensor) => sum(mul(tanh(y), y))
    expect(E.isRight(gradMatchesJvp(s, [x], [t], exact))).toBe(true)
    expect(E.isRight(hessianIsSymmetric(s, [x], exact))).toBe(true)
    expect(E.isRight(stopGradientIsZero(tanh, [x], [t], t))).toBe(true)
  })
  it('break for a wrong one, with the measured and expected numbers', () => {
    const v = gradMatchesJvp((y: Tensor) => sum(tanhWrongVjp(y)), [x], [t], exact)
    if (E.isRight(v)) throw new Error('expected a violation')
    expect(v.left.law).toBe('grad-matches-jvp')
    expect(Math.abs(v.left.measured - v.left.expected)).toBeGreaterThan(0.01)
  })
})

describe('checkLayer', () => {
  it('passes state and the context through, and differentiates params only when the input is integer ids', () => {
    const seen: unknown[] = []
    const embed = {
      apply: (p: { table: Tensor }, s: { scale: Tensor }, ids: Tensor, ctx?: { key?: unknown; training?: boolean }) => {
        seen.push(ctx)
        return [mul(tanh(gather(p.table, ids, 0)), s.scale), s] as const
      },
    }
    const spec = { params: { table: tensor([[0.1, 0.2], [0.3, 0.4], [-0.5, 0.6]]) }, state: { scale: tensor([2]) }, input: tensor([2, 0, 2], { dtype: 'int32' }), key: 'k', training: true }
    checkLayer(embed, spec, { order: 2 })
    expect(seen[0]).toEqual({ key: 'k', training: true })
  })

  it('catches a layer whose gradient with respect to its input is wrong', () => {
    const layer = { apply: (p: { w: Tensor }, s: null, x: Tensor) => [add(matmul(tanhWrongVjp(x), p.w), 0), s] as const }
    const r = verifyLayer(layer, { params: { w: x64([1, 2, 3, 4, 5, 6]).reshape([3, 2]) }, state: null, input: x64([0.5, -0.2, 0.9]).reshape([1, 3]) })
    expect(E.isLeft(r) && r.left.law).toMatch(/^vjp-/)
  })
})
