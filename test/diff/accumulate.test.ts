/**
 * Gradient accumulation (src/diff/accumulate.ts): getGradMonoid's identity is the symbolic
 * zeroGrad, its concat adds records leaf by leaf (identity and associativity laws, TREE_MISMATCH on
 * differing structure, micro-batch gradients folded with fp-ts concatAll against sums worked out by
 * hand), and materialize turns zeroGrad into typed zeros. Runs once per backend (js and wasm).
 */

import { describe, expect, expectTypeOf, it } from 'vitest'
import { concatAll } from 'fp-ts/Monoid'
import { getGradMonoid, grad, materialize, mul, sum, tensor, zeroGrad, Tensor, type Accumulated } from '../../src/index.js'
import { expectClose, expectError } from '../helpers/allclose.js'

interface P { w: Tensor; layers: [{ b: Tensor }] }
const rec = (w: number[], b: number): P => ({ w: tensor(w, { dtype: 'float64' }), layers: [{ b: tensor([b], { dtype: 'float64' }) }] })

describe('gradient Monoid', () => {
  const M = getGradMonoid<P>()

  it('the identity is the symbolic zero, not a record', () => {
    expect(M.empty).toBe(zeroGrad)
    expect(typeof M.empty).toBe('symbol')
  })

  it('identity laws: empty . x and x . empty return x itself', () => {
    const x = rec([1, 2], 3)
    expect(M.concat(M.empty, x)).toBe(x)
    expect(M.concat(x, M.empty)).toBe(x)
    expect(M.concat(M.empty, M.empty)).toBe(zeroGrad)
  })

  it('concat adds leaf by leaf and keeps the structure', () => {
    const s = M.concat(rec([1, 2], 3), rec([10, 20], -1)) as P
    expect(Object.keys(s)).toEqual(['w', 'layers'])
    expect(s.layers).toHaveLength(1)
    expectClose(s.w, [11, 22])
    expectClose(s.layers[0].b, [2])
  })

  it('is associative (on values)', () => {
    const a = rec([1, 2], 3), b = rec([0.5, -1], 4), c = rec([-2, 7], 0.25)
    const l = M.concat(M.concat(a, b), c) as P, r = M.concat(a, M.concat(b, c)) as P
    expectClose(l.w, r.w)
    expectClose(l.layers[0].b, r.layers[0].b)
  })

  it('folds micro-batch gradients with concatAll', () => {
    const f = (p: P, x: Tensor): Tensor => sum(mul(mul(p.w, x), p.layers[0].b))
    const p = rec([1, 2], 3)
    const batches = [tensor([1, 1], { dtype: 'float64' }), tensor([2, 0], { dtype: 'float64' }), tensor([0, -1], { dtype: 'float64' })]
    const total = concatAll(M)(batches.map((x) => grad(f)(p, x))) as P
    // d/dw = b * x summed over batches = 3 * [3, 0]; d/db = sum(w * x) = 3 + 2 - 2
    expectClose(total.w, [9, 0])
    expectClose(total.layers[0].b, [3])
  })

  it('records of different structure cannot be added', () => {
    expectError(() => M.concat(rec([1], 1), { w: tensor([1], { dtype: 'float64' }), layers: [] } as unknown as P), 'TREE_MISMATCH')
  })
})

describe('materialize', () => {
  it('turns the symbolic zero into zeros shaped like the params', () => {
    const like = rec([5, 6], 7)
    const z = materialize(zeroGrad as Accumulated<P>, like)
    expectTypeOf(z).toEqualTypeOf<P>()
    expect(z.w).toBeInstanceOf(Tensor)
    expect(z.w.shape).toEqual([2])
    expect(z.w.dtype).toBe('float64')
    expect(z.w.arraySync()).toEqual([0, 0])
    expect(z.layers[0].b.arraySync()).toEqual([0])
  })

  it('returns an accumulated record unchanged', () => {
    const g = rec([1, 2], 3)
    expect(materialize(getGradMonoid<P>().concat(zeroGrad, g), rec([0, 0], 0))).toBe(g)
  })
})
