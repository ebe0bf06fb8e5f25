/**
 * Type tests (checked by tsc; vitest runs them as no-ops): states derive from the parameter
 * record type P, chain's state is the tuple of its parts' states, and mismatched records or
 * states do not compile.
 */

import { describe, expectTypeOf, it } from 'vitest'
import { tensor, type Tensor } from '../../src/index.js'
import {
  adam, adamw, applyUpdates, chain, clipByGlobalNorm, masked, multiSteps, sgd, skipNonFinite,
  type AdamState, type CountState, type GradientTransformation, type MultiStepsState, type SgdState,
  type SkipNonFiniteState, type StateOf,
} from '../../src/optim/index.js'

interface Params {
  readonly dense: { readonly w: Tensor; readonly b: Tensor }
  readonly layers: readonly Tensor[]
}

const params: Params = { dense: { w: tensor([[1]]), b: tensor([0]) }, layers: [tensor([1, 2])] }

describe('optimizer types', () => {
  it('adam: state { count: number; mu: P; nu: P }', () => {
    const opt = adam<Params>(1e-3)
    expectTypeOf(opt).toEqualTypeOf<GradientTransformation<Params, AdamState<Params>>>()
    const s = opt.init(params)
    expectTypeOf(s).toEqualTypeOf<AdamState<Params>>()
    expectTypeOf(s.count).toEqualTypeOf<number>()
    expectTypeOf(s.mu).toEqualTypeOf<Params>()
    expectTypeOf(s.nu.dense.w).toEqualTypeOf<Tensor>()
  })

  it('chain(clipByGlobalNorm(1), adam(...)) over a record P: state [CountState, AdamState<P>]', () => {
    const opt = chain(clipByGlobalNorm(1), adam<Params>(1e-3))
    expectTypeOf(opt).toEqualTypeOf<GradientTransformation<Params, [CountState, AdamState<Params>]>>()
    const s = opt.init(params)
    expectTypeOf(s).toEqualTypeOf<[CountState, AdamState<Params>]>()
    expectTypeOf(s[1].mu).toEqualTypeOf<Params>()
    const [updates, next] = opt.update(params, s, params)
    expectTypeOf(updates).toEqualTypeOf<Params>()
    expectTypeOf(next).toEqualTypeOf<[CountState, AdamState<Params>]>()
    expectTypeOf(applyUpdates(params, updates)).toEqualTypeOf<Params>()
    // P on the stateless part is optional: the chain's P is the intersection of the parts'.
    expectTypeOf(chain(clipByGlobalNorm<Params>(1), adam<Params>(1e-3))).toEqualTypeOf<typeof opt>()
    // Left off a stateful part, its state is typed over unknown, which the chain keeps.
    expectTypeOf(chain(clipByGlobalNorm<Params>(1), adam(1e-3)).init(params)[1].mu).toBeUnknown()
  })

  it('chains nest and flatten as tuples, and wrappers derive their states', () => {
    const nested = chain(chain(clipByGlobalNorm(1), sgd<Params>(0.1, { momentum: 0.9 })), adamw<Params>(1e-3))
    expectTypeOf<StateOf<typeof nested>>().toEqualTypeOf<[[CountState, SgdState<Params>], AdamState<Params>]>()
    expectTypeOf(skipNonFinite(adam<Params>(1e-3)).init(params)).toEqualTypeOf<SkipNonFiniteState<AdamState<Params>>>()
    expectTypeOf(multiSteps(adam<Params>(1e-3), 4).init(params)).toEqualTypeOf<MultiStepsState<Params, AdamState<Params>>>()
    expectTypeOf(masked(adam<Params>(1e-3), { dense: true, layers: false }).init(params)).toEqualTypeOf<AdamState<Params>>()
  })

  it('rejects mismatched records, states and masks', () => {
    const opt = chain(clipByGlobalNorm(1), adam<Params>(1e-3))
    const s = opt.init(params)
    expectTypeOf(s).not.toBeAny()
    // Compiled, never run: each line below must fail to type-check.
    const typeErrors = (): void => {
      // @ts-expect-error the state of another optimizer
      opt.update(params, adam<Params>(1e-3).init(params), params)
      // @ts-expect-error a record of another type
      opt.init({ w: tensor([1]) })
      // @ts-expect-error updates of another type
      applyUpdates(params, { w: tensor([1]) })
      // @ts-expect-error a mask key that the record does not have
      masked(adam<Params>(1e-3), { dense: true, layers: false, head: true })
      // @ts-expect-error a number where the mask needs a boolean
      masked(adam<Params>(1e-3), { dense: 1, layers: false })
    }
    expectTypeOf(typeErrors).toBeFunction()
  })
})
