/**
 * The laws applied to the transformations themselves: jacfwd and jacrev agree and can be
 * differentiated again, hessian is symmetric and equals jacrev of grad, valueAndGrad agrees with f
 * and grad, gradients of nested records (arrays, objects, null subtrees, several arguments) keep
 * their structure, and correct customVjp / customJvp rules match autodiff of their reference.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  Tensor, add, customJvp, customVjp, exp, grad, hessian, jacfwd, jacrev, log, log1p, logSumExp, matmul, mul, sigmoid,
  softmax, sub, sum, tanh, valueAndGrad, zeros,
} from '../../src/index.js'
import {
  arbLike, arbTensor, checkGrads, checkGradsProperty, checkProperty, customRuleProperty, gradMatchesJvpProperty,
  hessianSymmetricProperty, jvpLinearProperty, lawProperties,
} from '../../laws/index.js'
import { RUNS } from './helpers.js'

const f64 = (shape: number[]) => zeros(shape, { dtype: 'float64' })
const arb3 = arbTensor({ shape: [3] })
const vec = (x: Tensor) => tanh(matmul(x.reshape([1, 3]), x.reshape([3, 1]).mul(x.reshape([1, 3]))).reshape([3]))
const run = { numRuns: RUNS.grads }

const closeProperty = (f: (x: Tensor) => [Tensor, Tensor], tol = 1e-12) => fc.property(arb3, (x) => {
  const [a, b] = f(x)
  const va = a.dataSync(), vb = b.dataSync()
  expect(a.shape).toEqual(b.shape)
  va.forEach((v, i) => expect(Math.abs(v - vb[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(vb[i]))))
})

describe('jacobians and hessians', () => {
  it('jacfwd and jacrev agree', () => {
    fc.assert(closeProperty((x) => [jacfwd(vec)(x), jacrev(vec)(x)]), run)
  })

  it('jacrev and jacfwd are differentiable (their own gradients pass checkGrads)', () => {
    checkGradsProperty((x: Tensor) => jacrev(vec)(x), arb3, run)
    checkGradsProperty((x: Tensor) => jacfwd(vec)(x), arb3, run)
  })

  it('hessian is symmetric and equals jacrev of grad', () => {
    const s = (x: Tensor) => logSumExp(mul(x, tanh(x)))
    checkProperty(hessianSymmetricProperty(s, arb3), run)
    fc.assert(closeProperty((x) => [hessian(s)(x), jacrev((y: Tensor) => grad(s)(y))(x)]), run)
  })

  it('valueAndGrad agrees with f and grad', () => {
    const s = (x: Tensor) => sum(softmax(x).mul(x))
    fc.assert(fc.property(arb3, (x) => {
      const [v, g] = valueAndGrad(s)(x)
      expect(v.item()).toBe(s(x).item())
      expect(Array.from(g.dataSync())).toEqual(Array.from(grad(s)(x).dataSync()))
    }), run)
  })
})

describe('records of parameters', () => {
  type Net = { layers: [{ w: Tensor; b: Tensor }, { w: Tensor; b: null }]; scale: Tensor }
  const template: Net = { layers: [{ w: f64([3, 4]), b: f64([4]) }, { w: f64([4, 2]), b: null }], scale: f64([]) }
  const net = (p: Net, x: Tensor) => {
    const h = tanh(add(matmul(x, p.layers[0].w), p.layers[0].b))
    return mul(sigmoid(matmul(h, p.layers[1].w)), p.scale)
  }
  const x0 = arbTensor({ shape: [5, 3] })

  it('a nested record with a null subtree, and a second argument, obey every law to order 2', () => {
    checkGradsProperty(([p, x]: [Net, Tensor]) => net(p, x), fc.tuple(arbLike(template), x0), { ...run, order: 2 })
    for (const prop of Object.values(lawProperties(([p, x]: [Net, Tensor]) => net(p, x), fc.tuple(arbLike(template), x0)))) {
      checkProperty(prop, { numRuns: RUNS.second })
    }
  })

  it('scalar losses over the record: grad matches jvp, jvp is linear', () => {
    const loss = ([p, x]: [Net, Tensor]) => sum(mul(net(p, x), net(p, x)))
    checkProperty(gradMatchesJvpProperty(loss, fc.tuple(arbLike(template), x0)), run)
    checkProperty(jvpLinearProperty(loss, fc.tuple(arbLike(template), x0)), run)
  })

  it('checkGrads takes several arguments, as jax.test_util.check_grads', () => {
    const [p] = fc.sample(arbLike(template), { seed: 1, numRuns: 1 })
    const [x] = fc.sample(x0, { seed: 2, numRuns: 1 })
    checkGrads(net, [p, x], { order: 2 })
    checkGrads(net, [p, x], { order: 2, modes: ['rev'] })
    checkGrads(net, [p, x], { order: 2, modes: ['fwd'] })
  })
})

describe('custom rules that are right', () => {
  // softplus(x) = log(1 + e^x), derivative sigmoid(x), written as a forward rule.
  const softplus = customJvp((x: Tensor) => log1p(exp(x)), ([x], [t]) => [log1p(exp(x)), mul(t, sigmoid(x))] as const)
  // logSumExp over the last axis with its reverse rule: the gradient is softmax times the cotangent.
  const lse = customVjp(
    (x: Tensor) => logSumExp(x, { axis: -1 }),
    (x: Tensor) => [logSumExp(x, { axis: -1 }), x] as const,
    (x: Tensor, ct: Tensor) => [mul(softmax(x), ct.reshape([...ct.shape, 1]))],
  )
  const arb23 = arbTensor({ shape: [2, 3] })

  it('customJvp softplus matches autodiff of log(1 + e^x) and passes checkGrads to order 2', () => {
    checkProperty(customRuleProperty(softplus, (x: Tensor) => log(add(exp(x), 1)), arb23), run)
    checkGradsProperty(softplus, arb23, { ...run, order: 2 })
  })

  it('customVjp logSumExp matches autodiff of the op and passes checkGrads to order 2', () => {
    checkProperty(customRuleProperty(lse, (x: Tensor) => logSumExp(x, { axis: -1 }), arb23), run)
    checkGradsProperty(lse, arb23, { ...run, order: 2 })
    checkGradsProperty((x: Tensor) => sub(lse(x), 1), arb23, run)
  })
})
