/**
 * The laws of gradient transformations as fast-check properties over drawn parameter records
 * (the law kit's arbLike) and drawn gradient sequences, run through the kit's checkProperty
 * (seed and run count from PUREGRAD_LAW_SEED / PUREGRAD_LAW_RUNS):
 *
 * - a learning rate of 0 (constant or scheduled) leaves the parameters exactly where they are;
 * - clipByGlobalNorm's output has global norm <= max (up to rounding), and is the input unchanged
 *   when the input's norm already is;
 * - chain is associative (in the updates; the states are the same up to tuple nesting), with
 *   identity as its unit;
 * - no transformation mutates its arguments (grads, state, params are deep-frozen, and their
 *   values are compared before and after).
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Tensor, treeLeaves } from '../../src/index.js'
import { checkProperty, lawRuns } from '../../laws/index.js'
import { applyUpdates, chain, clipByGlobalNorm, constantSchedule, globalNorm, identity } from '../../src/optim/index.js'
import { OPTIMIZERS, TRANSFORMS, arbRec, arbTransformName, deepFreeze, toPlain, type AnyRecTransform, type Rec } from './helpers.js'

const RUNS = lawRuns(15)

const leafValues = (r: unknown): number[] => treeLeaves<Tensor>(r).flatMap((t) => Array.from(t.dataSync()))

/** Runs `opt` over the gradient sequence from params; returns every updates record and the final state. */
const runUpdates = (opt: AnyRecTransform, params: Rec, grads: readonly Rec[]): { updates: Rec[]; params: Rec[]; state: unknown } => {
  let p = params
  let s = opt.init(p)
  const updates: Rec[] = [], ps: Rec[] = []
  for (const g of grads) {
    const [u, s1] = opt.update(g, s, p)
    updates.push(u)
    p = applyUpdates(p, u)
    ps.push(p)
    s = s1
  }
  return { updates, params: ps, state: s }
}

const arbGrads = (n: number) => fc.array(arbRec(-3, 3), { minLength: 1, maxLength: n })

describe('learning rate 0 is the identity', () => {
  it.each(Object.keys(OPTIMIZERS))('%s', (name) => {
    for (const lr of [0, constantSchedule(0), (step: number) => (step < 1_000_000 ? 0 : 1)]) {
      const opt = OPTIMIZERS[name](lr)
      checkProperty(fc.property(arbRec(), arbGrads(4), (params, grads) => {
        const { params: ps } = runUpdates(opt, params, grads)
        const before = leafValues(params)
        for (const p of ps) {
          const after = leafValues(p)
          after.forEach((v, i) => { if (v !== before[i]) throw new Error(`value ${i} moved from ${before[i]} to ${v}`) })
        }
      }), { numRuns: RUNS })
    }
  })
})

describe('clipByGlobalNorm', () => {
  it('the output norm is at most max (to within a few ulps), and small inputs pass unchanged', () => {
    const arb = fc.tuple(arbRec(), fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 1e-3, max: 10, noNaN: true }))
    checkProperty(fc.property(arb, ([g, factor, max]) => {
      const big: Rec = { ...g, dense: { ...g.dense, w: g.dense.w.mul(factor) } }
      const clip = clipByGlobalNorm<Rec>(max)
      const [u] = clip.update(big, clip.init(big), big)
      const inNorm = globalNorm(big).item(), outNorm = globalNorm(u).item()
      if (!(outNorm <= max * (1 + 4 * Number.EPSILON))) throw new Error(`output norm ${outNorm} > max ${max}`)
      if (inNorm <= max) expect(toPlain(u)).toEqual(toPlain(big))
      else {
        expect(outNorm).toBeCloseTo(max, 12)
        // Same direction: u = (max / |g|) g.
        const a = leafValues(big), b = leafValues(u)
        a.forEach((v, i) => expect(b[i]).toBeCloseTo((v * max) / inNorm, 12))
      }
    }), { numRuns: RUNS * 2 })
  })
})

describe('chain', () => {
  /** [[a, b], c] and [a, [b, c]] as [a, b, c]. */
  const flat3 = (s: unknown, nested: 'left' | 'right'): unknown[] => {
    const t = s as unknown[]
    return nested === 'left' ? [...(t[0] as unknown[]), t[1]] : [t[0], ...(t[1] as unknown[])]
  }

  it('is associative: chain(chain(a, b), c) = chain(a, chain(b, c)) = chain(a, b, c)', () => {
    const arb = fc.tuple(arbTransformName, arbTransformName, arbTransformName, arbRec(), arbGrads(3))
    checkProperty(fc.property(arb, ([na, nb, nc, params, grads]) => {
      const [a, b, c] = [TRANSFORMS[na](), TRANSFORMS[nb](), TRANSFORMS[nc]()]
      const left = runUpdates(chain(chain(a, b), c), params, grads)
      const right = runUpdates(chain(a, chain(b, c)), params, grads)
      const flat = runUpdates(chain(a, b, c), params, grads)
      expect(toPlain(left.updates)).toEqual(toPlain(flat.updates))
      expect(toPlain(right.updates)).toEqual(toPlain(flat.updates))
      expect(toPlain(flat3(left.state, 'left'))).toEqual(toPlain(flat.state))
      expect(toPlain(flat3(right.state, 'right'))).toEqual(toPlain(flat.state))
    }), { numRuns: RUNS })
  })

  it('has identity as its unit', () => {
    const arb = fc.tuple(arbTransformName, arbRec(), arbGrads(3))
    checkProperty(fc.property(arb, ([n, params, grads]) => {
      const t = TRANSFORMS[n]()
      const alone = toPlain(runUpdates(t, params, grads).updates)
      expect(toPlain(runUpdates(chain(identity(), t), params, grads).updates)).toEqual(alone)
      expect(toPlain(runUpdates(chain(t, identity()), params, grads).updates)).toEqual(alone)
    }), { numRuns: RUNS })
  })
})

describe('no transformation mutates its inputs', () => {
  it.each(Object.keys(TRANSFORMS))('%s', (name) => {
    checkProperty(fc.property(arbRec(), arbGrads(3), (params0, grads) => {
      const t = TRANSFORMS[name]()
      let params = deepFreeze(params0)
      const seenParams = toPlain(params)
      let state = deepFreeze(t.init(params))
      expect(toPlain(params)).toEqual(seenParams)
      for (const g of grads) {
        const grad = deepFreeze(g)
        const before = toPlain([grad, state, params])
        const [u, next] = t.update(grad, state, params)
        expect(toPlain([grad, state, params])).toEqual(before)
        // The same call again gives the same result: update is a function of its arguments.
        const [u2, next2] = t.update(grad, state, params)
        expect(toPlain([u2, next2])).toEqual(toPlain([u, next]))
        params = deepFreeze(applyUpdates(params, u))
        state = deepFreeze(next)
      }
    }), { numRuns: lawRuns(5) })
  })
})
