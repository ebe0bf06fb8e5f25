/**
 * Each optimizer against its published update equations, two ways:
 *
 * 1. 100 steps on the fixed problem of reference.ts in float64, puregrad's gradients and
 *    optimizer against the independent plain-JS reference (analytic gradient, the paper's
 *    equations), agreeing within 1e-9 at every step.
 * 2. The first three steps from x0 = 1 under the gradient sequence g = 1, -2, 0.5 (fed to
 *    `update` directly), against numbers derived by hand; each derivation is in the comment.
 *
 * RMSprop's reference run uses decay 0.99: with decay 0.9 and lr 0.01 its discrete dynamics near
 * the optimum amplify any rounding difference about 5x per step (both implementations agree to
 * 1e-16 for 90 steps, then part ways exponentially), which says nothing about either of them.
 */

import { describe, expect, it } from 'vitest'
import { tensor, type Tensor } from '../../src/index.js'
import {
  adagrad, adam, adamax, adamw, applyUpdates, lion, rmsprop, sgd, type GradientTransformation,
} from '../../src/optim/index.js'
import {
  refAdagrad, refAdam, refAdamax, refLion, refMomentum, refRmsprop, refSgd, refTrajectory, X0, type RefStep,
} from './reference.js'
import { fixedLoss, fixedParams, fixedVec, train, type Fixed } from './problems.js'

interface Case {
  readonly name: string
  readonly opt: GradientTransformation<Fixed, unknown>
  readonly ref: RefStep
}

const CASES: readonly Case[] = [
  { name: 'sgd', opt: sgd(0.05), ref: refSgd(0.05) },
  { name: 'sgd momentum', opt: sgd(0.05, { momentum: 0.9 }), ref: refMomentum(0.05, 0.9, false) },
  { name: 'sgd nesterov', opt: sgd(0.05, { momentum: 0.9, nesterov: true }), ref: refMomentum(0.05, 0.9, true) },
  { name: 'adam (defaults b1 0.9, b2 0.999, eps 1e-8)', opt: adam(0.05), ref: refAdam(0.05, 0.9, 0.999, 1e-8) },
  { name: 'adam (b1 0.8, b2 0.99, eps 1e-3)', opt: adam(0.05, { b1: 0.8, b2: 0.99, eps: 1e-3 }), ref: refAdam(0.05, 0.8, 0.99, 1e-3) },
  { name: 'adamw', opt: adamw(0.05, { weightDecay: 0.1 }), ref: refAdam(0.05, 0.9, 0.999, 1e-8, 0.1) },
  { name: 'adamax', opt: adamax(0.05), ref: refAdamax(0.05, 0.9, 0.999, 1e-8) },
  { name: 'adagrad', opt: adagrad(0.3), ref: refAdagrad(0.3, 0.1, 1e-7) },
  { name: 'rmsprop', opt: rmsprop(0.01, { decay: 0.99 }), ref: refRmsprop(0.01, 0.99, 1e-8, false) },
  { name: 'rmsprop centered', opt: rmsprop(0.01, { decay: 0.99, centered: true }), ref: refRmsprop(0.01, 0.99, 1e-8, true) },
  { name: 'lion', opt: lion(0.01, { weightDecay: 0.1 }), ref: refLion(0.01, 0.9, 0.99, 0.1) },
]

describe('100 float64 steps against the published equations (within 1e-9)', () => {
  it.each(CASES)('$name', ({ opt, ref }) => {
    const run = train(opt, fixedLoss, fixedParams(X0), 100, true)
    const want = refTrajectory(ref, 100)
    expect(run.path).toHaveLength(101)
    let worst = 0, at = -1
    run.path.forEach((p, t) => {
      const got = fixedVec(p)
      got.forEach((v, i) => {
        const d = Math.abs(v - want[t][i])
        if (!(d <= worst)) { worst = d; at = t }
      })
    })
    expect(worst, `worst difference at step ${at}`).toBeLessThanOrEqual(1e-9)
    // The run moved: the comparison is not between two stuck trajectories.
    expect(Math.abs(want[100][0] - X0[0]) + Math.abs(want[100][1] - X0[1])).toBeGreaterThan(0.1)
  })
})

// ---------------------------------------------------------------------------------------------
// Three steps by hand: x0 = 1, gradients 1, -2, 0.5, learning rate 0.1, eps 0 where there is one.

interface X { readonly x: Tensor }
const G = [1, -2, 0.5]
const one = (v: number): X => ({ x: tensor([v], { dtype: 'float64' }) })

/** x1, x2, x3 and the final state under the gradient sequence G. */
const threeSteps = <S>(opt: GradientTransformation<X, S>): { xs: number[]; state: S } => {
  let p = one(1)
  let s = opt.init(p)
  const xs: number[] = []
  for (const g of G) {
    const [u, s1] = opt.update(one(g), s, p)
    p = applyUpdates(p, u)
    s = s1
    xs.push(p.x.item())
  }
  return { xs, state: s }
}

const expectSteps = (got: number[], want: number[]): void => {
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `x${i + 1}: got ${v}, want ${want[i]}`).toBeLessThanOrEqual(1e-14))
}

describe('the first three steps, derived by hand', () => {
  it('sgd: x <- x - 0.1 g', () => {
    // 1 - 0.1 = 0.9; 0.9 + 0.2 = 1.1; 1.1 - 0.05 = 1.05
    expectSteps(threeSteps(sgd<X>(0.1)).xs, [0.9, 1.1, 1.05])
  })

  it('sgd momentum 0.5: v <- g + 0.5 v, x <- x - 0.1 v', () => {
    // v1 = 1, x1 = 0.9; v2 = -2 + 0.5 = -1.5, x2 = 0.9 + 0.15 = 1.05; v3 = 0.5 - 0.75 = -0.25, x3 = 1.05 + 0.025 = 1.075
    const { xs, state } = threeSteps(sgd<X>(0.1, { momentum: 0.5 }))
    expectSteps(xs, [0.9, 1.05, 1.075])
    expect(state.count).toBe(3)
    expect(state.trace?.x.item()).toBe(-0.25)
  })

  it('sgd nesterov 0.5: v <- g + 0.5 v, x <- x - 0.1 (g + 0.5 v)', () => {
    // v1 = 1, step -0.1 (1 + 0.5) = -0.15, x1 = 0.85
    // v2 = -1.5, step -0.1 (-2 - 0.75) = 0.275, x2 = 1.125
    // v3 = -0.25, step -0.1 (0.5 - 0.125) = -0.0375, x3 = 1.0875
    expectSteps(threeSteps(sgd<X>(0.1, { momentum: 0.5, nesterov: true })).xs, [0.85, 1.125, 1.0875])
  })

  it('adam b1 0.5, b2 0.75, eps 0', () => {
    // t1: m = 0.5, v = 0.25, mhat = 0.5/0.5 = 1, vhat = 0.25/0.25 = 1, step -0.1, x1 = 0.9
    // t2: m = 0.25 - 1 = -0.75, v = 0.1875 + 1 = 19/16; mhat = -0.75/0.75 = -1,
    //     vhat = (19/16)/(7/16) = 19/7; step 0.1 sqrt(7/19) = 0.060697697866688394, x2 = 0.96069769786668846
    // t3: m = -0.375 + 0.25 = -1/8, v = 57/64 + 4/64 = 61/64; mhat = (-1/8)/(7/8) = -1/7,
    //     vhat = (61/64)/(37/64) = 61/37; step (0.1/7) sqrt(37/61) = 0.011125970510744452, x3 = 0.97182366837743295
    const { xs, state } = threeSteps(adam<X>(0.1, { b1: 0.5, b2: 0.75, eps: 0 }))
    expectSteps(xs, [0.9, 0.96069769786668846, 0.97182366837743295])
    expect([state.count, state.mu.x.item(), state.nu.x.item()]).toEqual([3, -0.125, 0.953125])
  })

  it('adamw b1 0.5, b2 0.75, eps 0, weight decay 0.5: x <- x - 0.1 (mhat / sqrt(vhat) + 0.5 x)', () => {
    // The Adam directions are those above: 1, -sqrt(7/19), -(1/7) sqrt(37/61).
    // x1 = 1 - 0.1 (1 + 0.5) = 0.85
    // x2 = 0.85 - 0.1 (-sqrt(7/19) + 0.425) = 0.8075 + 0.1 sqrt(7/19) = 0.86819769786668843
    // x3 = x2 - 0.1 (-(1/7) sqrt(37/61) + 0.5 x2) = 0.95 x2 + (0.1/7) sqrt(37/61) = 0.83591378348409850
    expectSteps(threeSteps(adamw<X>(0.1, { b1: 0.5, b2: 0.75, eps: 0, weightDecay: 0.5 })).xs, [0.85, 0.86819769786668843, 0.8359137834840985])
  })

  it('adamax b1 0.5, b2 0.75, eps 0: u <- max(0.75 u, |g|), x <- x - (0.1 / (1 - 0.5^t)) m / u', () => {
    // t1: m = 0.5, u = max(0, 1) = 1, step -(0.1/0.5)(0.5/1) = -0.1, x1 = 0.9
    // t2: m = -0.75, u = max(0.75, 2) = 2, step -(0.1/0.75)(-0.75/2) = 0.05, x2 = 0.95
    // t3: m = -0.125, u = max(1.5, 0.5) = 1.5, step -(0.1/0.875)(-0.125/1.5) = 1/105, x3 = 0.95952380952380945
    const { xs, state } = threeSteps(adamax<X>(0.1, { b1: 0.5, b2: 0.75, eps: 0 }))
    expectSteps(xs, [0.9, 0.95, 0.95952380952380945])
    expect(state.nu.x.item()).toBe(1.5)
  })

  it('adagrad G0 3, eps 0: G <- G + g^2, x <- x - 0.1 g / sqrt(G)', () => {
    // G = 4, step -0.1/2 = -0.05, x1 = 0.95
    // G = 8, step 0.2/sqrt(8) = 0.1/sqrt(2), x2 = 1.0207106781186548
    // G = 8.25 = 33/4, step -0.05/(sqrt(33)/2) = -0.1/sqrt(33), x3 = 1.003302912523085
    const { xs, state } = threeSteps(adagrad<X>(0.1, { initialAccumulatorValue: 3, eps: 0 }))
    expectSteps(xs, [0.95, 1.0207106781186548, 1.003302912523085])
    expect(state.sumOfSquares.x.item()).toBe(8.25)
  })

  it('rmsprop decay 0.75, eps 0: nu <- 0.75 nu + 0.25 g^2, x <- x - 0.1 g / sqrt(nu)', () => {
    // nu = 1/4, step -0.1/0.5 = -0.2, x1 = 0.8
    // nu = 3/16 + 1 = 19/16, step 0.2/(sqrt(19)/4) = 0.8/sqrt(19), x2 = 0.98353258709644942
    // nu = 57/64 + 4/64 = 61/64, step -0.05/(sqrt(61)/8) = -0.4/sqrt(61), x3 = 0.93231783512329103
    expectSteps(threeSteps(rmsprop<X>(0.1, { decay: 0.75, eps: 0 })).xs, [0.8, 0.98353258709644942, 0.93231783512329103])
  })

  it('rmsprop centered, decay 0.75, eps 0: x <- x - 0.1 g / sqrt(nu - mu^2)', () => {
    // mu = 1/4, nu = 1/4, nu - mu^2 = 3/16, step -0.1/(sqrt(3)/4) = -0.4/sqrt(3), x1 = 0.76905989232414962
    // mu = 3/16 - 1/2 = -5/16, nu = 19/16, nu - mu^2 = 279/256, step 0.2 * 16/sqrt(279) = 3.2/sqrt(279), x2 = 0.96063888115270957
    // mu = -15/64 + 8/64 = -7/64, nu = 61/64, nu - mu^2 = 3855/4096, step -0.05 * 64/sqrt(3855) = -3.2/sqrt(3855), x3 = 0.90909966761799488
    const { xs, state } = threeSteps(rmsprop<X>(0.1, { decay: 0.75, eps: 0, centered: true }))
    expectSteps(xs, [0.76905989232414962, 0.96063888115270957, 0.90909966761799488])
    expect(state.mu?.x.item()).toBe(-7 / 64)
  })

  it('lion b1 0.5, b2 0.75, weight decay 0.5: x <- x - 0.1 (sign(0.5 m + 0.5 g) + 0.5 x), m <- 0.75 m + 0.25 g', () => {
    // c = 0.5 > 0, step -0.1 (1 + 0.5) = -0.15, x1 = 0.85; m = 0.25
    // c = 0.125 - 1 = -0.875 < 0, step -0.1 (-1 + 0.425) = 0.0575, x2 = 0.9075; m = 0.1875 - 0.5 = -0.3125
    // c = -0.15625 + 0.25 = 0.09375 > 0, step -0.1 (1 + 0.45375) = -0.145375, x3 = 0.762125
    // (swapping b1 and b2 would give c < 0 at t3)
    const { xs, state } = threeSteps(lion<X>(0.1, { b1: 0.5, b2: 0.75, weightDecay: 0.5 }))
    expectSteps(xs, [0.85, 0.9075, 0.762125])
    expect(state.mu.x.item()).toBe(0.75 * -0.3125 + 0.25 * 0.5)
  })
})
