/**
 * Optimizers are built from puregrad ops, so an unrolled optimization is itself differentiable:
 * the loss after three optimizer steps, as a function of the initial parameters (the inner
 * gradients are second derivatives of the loss), passes the law kit's checkGrads (forward mode
 * against finite differences, reverse mode by the dot-product identity, reverse against forward).
 * This is what meta-learning and hyperparameter gradients need, and it exercises the transforms
 * on traced values (clipByGlobalNorm's where, skipNonFinite's host read of a traced value).
 */

import { describe, it } from 'vitest'
import { grad, type Tensor } from '../../src/index.js'
import { checkGrads } from '../../laws/index.js'
import {
  adagrad, adam, applyUpdates, chain, clipByGlobalNorm, rmsprop, sgd, skipNonFinite, type GradientTransformation,
} from '../../src/optim/index.js'
import { fixedLoss, fixedParams, type Fixed } from './problems.js'
import { X0 } from './reference.js'

const unrolled = <S>(opt: GradientTransformation<Fixed, S>, steps = 3) => (p0: Fixed): Tensor => {
  let p = p0
  let s = opt.init(p0)
  for (let i = 0; i < steps; i++) {
    const [u, s1] = opt.update(grad(fixedLoss)(p), s, p)
    p = applyUpdates(p, u)
    s = s1
  }
  return fixedLoss(p)
}

const CASES: readonly [string, GradientTransformation<Fixed, unknown>][] = [
  ['sgd nesterov', sgd(0.05, { momentum: 0.9, nesterov: true })],
  ['adam', adam(0.05)],
  ['clipByGlobalNorm then adam', chain(clipByGlobalNorm(1), adam<Fixed>(0.05))],
  ['adagrad', adagrad(0.1)],
  ['skipNonFinite(rmsprop centered)', skipNonFinite(rmsprop(0.01, { centered: true }))],
]

describe('the loss after three optimizer steps is differentiable in the initial parameters', () => {
  it.each(CASES)('%s', (_, opt) => {
    checkGrads(unrolled(opt), [fixedParams(X0)])
  })
})
