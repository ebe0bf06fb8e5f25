/**
 * Mutation evidence for the law kit: derivative rules written wrong on purpose with customVjp /
 * customJvp (tanh' as 1 - y instead of 1 - y^2, a VJP that forgets to undo broadcasting, a rule
 * off by a factor of 2, a rule nonlinear in the tangent, a rule right at first order only) must
 * each be caught, by checkGradsProperty (a LawFailure whose counterexample fast-check shrank) and
 * by verify* (a Left naming the law and the seed); the correct versions must pass.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import {
  Tensor, tensor, zeros, add, cos, exp, mul, sin, sub, sum, tanh, stopGradient, customJvp, customVjp,
} from '../../src/index.js'
import {
  LawFailure, adjointProperty, arbLike, arbTensor, checkGradsProperty, checkProperty, customRuleProperty,
  gradMatchesJvpProperty, hvpProperty, jvpLinearProperty, verifyGrads, verifyGradsProperty, verifyProperty,
  lawSeed, type LawName,
} from '../../laws/index.js'
import { RUNS } from './helpers.js'

const failureOf = (run: () => void): LawFailure => {
  try {
    run()
  } catch (e) {
    if (e instanceof LawFailure) return e
    throw e
  }
  throw new Error('expected a LawFailure, but every law held')
}

const values = (x: unknown): number[] => Array.from((x as Tensor).dataSync(), Number)

// tanh, with its reverse rule right and wrong. customVjp governs reverse mode only: forward mode
// differentiates tanh itself, which is what lets the kit compare the two.
const tanhVjp = (dy: (y: Tensor) => Tensor) => customVjp(
  (x: Tensor) => tanh(x),
  (x: Tensor) => { const y = tanh(x); return [y, y] as const },
  (y: Tensor, ct: Tensor) => [mul(ct, dy(y))],
)
const tanhRight = tanhVjp((y) => sub(1, mul(y, y)))
const tanhWrong = tanhVjp((y) => sub(1, y))
/** Right at first order, wrong at second: the rule's y is a constant to enclosing derivatives. */
const tanhFirstOrderOnly = tanhVjp((y) => { const c = stopGradient(y); return sub(1, mul(c, c)) })

const tanhJvpWrong = customJvp((x: Tensor) => tanh(x), ([x], [t]) => { const y = tanh(x); return [y, mul(t, sub(1, y))] as const })

// x [3,3] + b [3], b broadcast over rows: its gradient must be summed over axis 0.
const addRowVjp = (bGrad: (ct: Tensor) => Tensor) => customVjp(
  (x: Tensor, b: Tensor) => add(x, b),
  (x: Tensor, b: Tensor) => [add(x, b), null] as const,
  (_: null, ct: Tensor) => [ct, bGrad(ct)],
)
const addRight = addRowVjp((ct) => sum(ct, { axis: 0 }))
const addUnreduced = addRowVjp((ct) => ct) // forgets to undo broadcasting: [3,3] for a [3] argument
const addSummedWrong = addRowVjp((ct) => sum(ct, { axis: 1 })) // right shape, wrong axis

// Factor-of-2 slips, in each mode.
const expVjpDouble = customVjp((x: Tensor) => exp(x), (x: Tensor) => { const y = exp(x); return [y, y] as const }, (y: Tensor, ct: Tensor) => [mul(mul(ct, y), 2)])
const sinJvpDouble = customJvp((x: Tensor) => sin(x), ([x], [t]) => [sin(x), mul(mul(t, cos(x)), 2)] as const)
const sinJvpRight = customJvp((x: Tensor) => sin(x), ([x], [t]) => [sin(x), mul(t, cos(x))] as const)
/** Not linear in the tangent (t * |t| has the right sign and is exact for t = +-1). */
const sinJvpNonlinear = customJvp((x: Tensor) => sin(x), ([x], [t]) => [sin(x), mul(mul(t, t.abs()), cos(x))] as const)

const arbX = arbTensor({ shape: [2, 3] })
const arbRow = arbLike({ x: zeros([3, 3], { dtype: 'float64' }), b: zeros([3], { dtype: 'float64' }) })
type Row = { x: Tensor; b: Tensor }
const opts = { numRuns: RUNS.mutation }

describe('wrong derivatives are caught, with a shrunk counterexample', () => {
  const cases: [string, (p: never) => unknown, fc.Arbitrary<never>, readonly LawName[]][] = [
    ["tanh' written 1 - y (customVjp)", tanhWrong, arbX as never, ['vjp-finite-difference', 'vjp-jvp-adjoint']],
    ["tanh' written 1 - y (customJvp)", tanhJvpWrong, arbX as never, ['jvp-finite-difference', 'vjp-jvp-adjoint']],
    ['a VJP that forgets to undo broadcasting (gradient of the wrong shape)', (p: Row) => addUnreduced(p.x, p.b), arbRow as never, ['grad-structure']],
    ['a VJP that undoes broadcasting over the wrong axis (summed wrong)', (p: Row) => addSummedWrong(p.x, p.b), arbRow as never, ['vjp-finite-difference', 'vjp-jvp-adjoint']],
    ['a VJP off by a factor of 2', expVjpDouble, arbX as never, ['vjp-finite-difference', 'vjp-jvp-adjoint']],
    ['a JVP off by a factor of 2', sinJvpDouble, arbX as never, ['jvp-finite-difference', 'vjp-jvp-adjoint']],
  ]
  for (const [name, f, arb, laws] of cases) {
    it(name, () => {
      const failure = failureOf(() => checkGradsProperty(f, arb, opts))
      expect(laws).toContain(failure.law)
      expect(failure.seed).toBe(lawSeed())
      expect(failure.run?.numRuns).toBeGreaterThan(0)
      expect(failure.counterexample).toMatch(/^params/)
      expect(failure.message).toContain(`law '${failure.law}'`)
      // The shrunk point is itself a counterexample: replaying it fails the same law.
      const replay = verifyGrads(f as (p: unknown) => unknown, failure.args ?? [])
      expect(E.isLeft(replay) && replay.left.law).toBe(failure.law)
      // And verify* reports the same thing as a value.
      const r = verifyGradsProperty(f, arb, opts)
      expect(E.isLeft(r) && r.left.law).toBe(failure.law)
    })
  }

  it('shrinks toward the simplest failing point (a rule wrong everywhere shrinks to all zeros)', () => {
    const failure = failureOf(() => checkGradsProperty(expVjpDouble, arbX, opts))
    expect(values(failure.args?.[0])).toEqual([0, 0, 0, 0, 0, 0])
    const tanhFailure = failureOf(() => checkGradsProperty(tanhWrong, arbX, opts))
    expect(tanhFailure.run?.numShrinks).toBeGreaterThan(0) // 1 - y is right at 0, so it must shrink to a non-zero point
  })

  it('a rule right at first order only is caught at order 2, and by the Hessian-vector law', () => {
    expect(E.isRight(verifyGradsProperty(tanhFirstOrderOnly, arbX, { ...opts, order: 1 }))).toBe(true)
    const failure = failureOf(() => checkGradsProperty(tanhFirstOrderOnly, arbX, { ...opts, order: 2 }))
    expect(failure.stage).toMatch(/of VJP/)
    const hvp = verifyProperty(hvpProperty((x: Tensor) => sum(tanhFirstOrderOnly(x)), arbX), opts)
    expect(E.isLeft(hvp) && hvp.left.law).toBe('hvp-finite-difference')
  })

  it('the single-law properties name the law that broke', () => {
    const law = (r: E.Either<LawFailure, void>) => (E.isLeft(r) ? r.left.law : 'held')
    expect(law(verifyProperty(adjointProperty(tanhWrong, arbX), opts))).toBe('vjp-jvp-adjoint')
    expect(law(verifyProperty(gradMatchesJvpProperty((x: Tensor) => sum(tanhWrong(x)), arbX), opts))).toBe('grad-matches-jvp')
    expect(law(verifyProperty(customRuleProperty(tanhWrong, tanh, arbX), opts))).toBe('custom-rule-matches-reference')
    expect(law(verifyProperty(customRuleProperty(sinJvpDouble, sin, arbX), opts))).toBe('custom-rule-matches-reference')
    expect(law(verifyProperty(jvpLinearProperty(sinJvpNonlinear, arbX), opts))).toBe('jvp-linear')
  })

  it('verifyGrads at one point returns a Left with the law, the seed and the numbers', () => {
    const r = verifyGrads(expVjpDouble, [tensor([0.5, -1], { dtype: 'float64' })], { seed: 7 })
    if (E.isRight(r)) throw new Error('expected a Left')
    expect(r.left.seed).toBe(7)
    expect(r.left.law).toMatch(/^vjp-/)
    expect(Number.isFinite(r.left.measured) && Number.isFinite(r.left.expected)).toBe(true)
    expect(Math.abs(r.left.measured - r.left.expected)).toBeGreaterThan(r.left.allowed)
    expect(r.left.counterexample).toContain('args[0] [2] float64 = [0.5, -1]')
  })
})

describe('the correct versions pass', () => {
  const run = { numRuns: RUNS.grads }
  it('tanh with 1 - y^2, to order 2, and against autodiff of tanh', () => {
    checkGradsProperty(tanhRight, arbX, { ...run, order: 2 })
    checkProperty(customRuleProperty(tanhRight, tanh, arbX), run)
    checkProperty(hvpProperty((x: Tensor) => sum(tanhRight(x)), arbX), run)
  })
  it('broadcasting add with the gradient summed over the broadcast axis', () => {
    checkGradsProperty((p: Row) => addRight(p.x, p.b), arbRow, { ...run, order: 2 })
  })
  it('sin with its exact JVP rule, linear in the tangent', () => {
    checkGradsProperty(sinJvpRight, arbX, { ...run, order: 2 })
    checkProperty(jvpLinearProperty(sinJvpRight, arbX), run)
    checkProperty(customRuleProperty(sinJvpRight, sin, arbX), run)
  })
})
