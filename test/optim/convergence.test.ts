/**
 * Every optimizer converges on Rosenbrock's valley (from the classic start (-1.2, 1) to (1, 1))
 * and on a logistic regression (to the optimum Newton's method finds independently, in plain JS).
 * Hyperparameters are per optimizer, as one would tune them; the sign-based and RMS-scaled ones
 * take a cosine-decayed learning rate, without which they hover at a distance ~lr from the
 * minimum. The losses themselves are checked first, through the law kit (jax check_grads
 * semantics), since every run below trusts their gradients.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { tensor } from '../../src/index.js'
import { arbLike, checkGrads, checkGradsProperty, lawRuns } from '../../laws/index.js'
import {
  adagrad, adam, adamax, adamw, cosineDecaySchedule, lion, rmsprop, sgd, type GradientTransformation,
} from '../../src/optim/index.js'
import {
  LOGISTIC_START, ROSENBROCK_START, logisticData, logisticLoss, logisticOptimum, rosenbrock, train, type Logistic, type XY,
} from './problems.js'

const cosine = (init: number, decaySteps: number) => cosineDecaySchedule({ init, decaySteps })

describe('the test problems have correct gradients (law kit)', () => {
  it('Rosenbrock, at the start and at drawn points', () => {
    checkGrads(rosenbrock, [ROSENBROCK_START], { order: 2 })
    const scalar = fc.double({ min: -2, max: 2, noNaN: true }).map((v) => tensor(v, { dtype: 'float64' }))
    checkGradsProperty(rosenbrock, fc.record({ x: scalar, y: scalar }), { numRuns: lawRuns(10) })
  })

  it('the logistic loss, at the start, at the optimum and at drawn points', () => {
    const data = logisticData(40, 3)
    const loss = logisticLoss(data)
    checkGrads(loss, [LOGISTIC_START])
    const { theta } = logisticOptimum(data)
    checkGrads(loss, [{ w: tensor(theta.slice(0, 3), { dtype: 'float64' }), b: tensor(theta[3], { dtype: 'float64' }) }])
    checkGradsProperty(loss, arbLike<Logistic>(LOGISTIC_START, { min: -3, max: 3 }), { numRuns: lawRuns(10) })
  })
})

interface Run<P> {
  readonly name: string
  readonly opt: GradientTransformation<P, unknown>
  readonly steps: number
}

const ROSENBROCK: readonly Run<XY>[] = [
  { name: 'sgd', opt: sgd(2e-3), steps: 10_000 },
  { name: 'sgd momentum', opt: sgd(1e-3, { momentum: 0.9 }), steps: 3000 },
  { name: 'sgd nesterov', opt: sgd(1e-3, { momentum: 0.9, nesterov: true }), steps: 3000 },
  { name: 'adam', opt: adam(0.05), steps: 3000 },
  { name: 'adamw', opt: adamw(0.05), steps: 3000 },
  { name: 'adamax', opt: adamax(0.1), steps: 3000 },
  { name: 'adagrad', opt: adagrad(1.5), steps: 4000 },
  { name: 'rmsprop', opt: rmsprop(cosine(0.01, 4000)), steps: 4000 },
  { name: 'rmsprop centered', opt: rmsprop(cosine(0.01, 4000), { centered: true }), steps: 4000 },
  { name: 'lion', opt: lion(cosine(0.01, 3000), { weightDecay: 0 }), steps: 3000 },
]

describe('Rosenbrock: (1 - x)^2 + 100 (y - x^2)^2 from (-1.2, 1) to (1, 1)', () => {
  it.each(ROSENBROCK)('$name', ({ opt, steps }) => {
    const run = train(opt, rosenbrock, ROSENBROCK_START, steps)
    const x = run.params.x.item(), y = run.params.y.item()
    expect(Math.abs(x - 1), `x = ${x}`).toBeLessThan(1e-2)
    expect(Math.abs(y - 1), `y = ${y}`).toBeLessThan(2e-2)
    expect(rosenbrock(run.params).item()).toBeLessThan(1e-4)
    expect(run.losses[0]).toBeCloseTo(24.2, 10)
  })
})

const LOGISTIC: readonly Run<Logistic>[] = [
  { name: 'sgd', opt: sgd(1), steps: 300 },
  { name: 'sgd momentum', opt: sgd(0.3, { momentum: 0.9 }), steps: 300 },
  { name: 'sgd nesterov', opt: sgd(0.3, { momentum: 0.9, nesterov: true }), steps: 300 },
  { name: 'adam', opt: adam(0.1), steps: 300 },
  { name: 'adamw', opt: adamw(0.1), steps: 600 },
  { name: 'adamax', opt: adamax(0.1), steps: 600 },
  { name: 'adagrad', opt: adagrad(0.5), steps: 300 },
  { name: 'rmsprop', opt: rmsprop(cosine(0.05, 300)), steps: 300 },
  { name: 'rmsprop centered', opt: rmsprop(cosine(0.05, 300), { centered: true }), steps: 300 },
  { name: 'lion', opt: lion(cosine(0.05, 600)), steps: 600 },
]

describe('logistic regression: 200 points, 3 features and a bias, to the Newton optimum', () => {
  const data = logisticData()
  const loss = logisticLoss(data)
  const optimum = logisticOptimum(data)
  it('the reference optimum is a stationary point in the interior (the data are not separable)', () => {
    expect(optimum.loss).toBeGreaterThan(0.3)
    expect(Math.max(...optimum.theta.map(Math.abs))).toBeLessThan(5)
  })

  it.each(LOGISTIC)('$name', ({ opt, steps }) => {
    const run = train(opt, loss, LOGISTIC_START, steps)
    const theta = [...Array.from(run.params.w.dataSync()), run.params.b.item()]
    const worst = Math.max(...theta.map((t, i) => Math.abs(t - optimum.theta[i])))
    expect(worst, `theta = ${theta.join(', ')}; optimum ${optimum.theta.join(', ')}`).toBeLessThan(2e-3)
    expect(loss(run.params).item() - optimum.loss).toBeLessThan(1e-6)
    expect(run.losses[0]).toBeCloseTo(Math.LN2, 12)
  })
})
