/**
 * Nested transformations type-check without annotations: expectTypeOf checks that grad of grad is
 * (x: Tensor) => Tensor, and the type of valueAndGrad; the second derivative of sum(sin(x)) in
 * float64 equals Math.sin negated, exactly. Runs once per backend (js and wasm).
 */

import { describe, expect, expectTypeOf, it } from 'vitest'
import { grad, sin, sum, tensor, valueAndGrad, type Tensor } from '../../src/index.js'

describe('nested transformations type-check without annotations', () => {
  it('grad of grad is a Tensor -> Tensor function and gives -sin', () => {
    const f = (x: Tensor): Tensor => sum(sin(x))
    const d2 = grad((x: Tensor) => sum(grad(f)(x)))
    expectTypeOf(d2).toEqualTypeOf<(x: Tensor) => Tensor>()
    const v = d2(tensor([1, 2], { dtype: 'float64' }))
    expect(Array.from(v.dataSync())).toEqual([-Math.sin(1), -Math.sin(2)])
    expectTypeOf(valueAndGrad(f)).toEqualTypeOf<(x: Tensor) => [Tensor, Tensor]>()
  })
})
