/**
 * The optimizer as a value: a `GradientTransformation<P, S>` is a pair of pure functions, `init`
 * (parameters to a fresh state) and `update` (gradients, state, parameters to updates and the next
 * state), over parameter records `P` (any tree of tensors). Nothing is mutated: a training step is
 *
 *   const [updates, state1] = opt.update(grads, state0, params0)
 *   const params1 = applyUpdates(params0, updates)
 *
 * This file holds the types, `chain` (composition; its state is the tuple of the parts' states),
 * `applyUpdates`, and the small stateless or count-only transforms the optimizers are built from:
 * `identity`, `setToZero`, `scale`, `scaleByLearningRate` and `withLearningRate`.
 *
 * Step counts are plain host numbers in the states (not tensors): schedules are JS functions of
 * the count, evaluated on the host at each update, and the state stays a plain value.
 */

import type { Tensor } from '../core/tensor.js'
import { cast } from '../ops/elementwise.js'
import { treeLeavesWithPath, treeZipWith } from '../diff/tree.js'
import { releasing } from '../diff/transforms.js'
import { PuregradError, fmtShape } from '../core/errors.js'
import { shapesEqual } from '../core/shape.js'
import { checkHyper, hyperAt, type Hyper } from './schedules.js'
import { scaleTree, zerosTree } from './tree-math.js'

/**
 * An optimizer or a gradient transform, as a value. `P` is the parameter record type (its
 * gradients and updates have the same type), `S` the state. Both functions are pure: they never
 * mutate their arguments, and the same arguments give the same results.
 */
export interface GradientTransformation<P, S> {
  /** A fresh state for `params` (moments start at zero, counts at 0). */
  init(params: P): S
  /** The updates to add to `params` (see applyUpdates) and the next state. */
  update(grads: P, state: S, params: P): [updates: P, state: S]
}

/** The state of stateless transforms (Optax's EmptyState). */
export type EmptyState = Readonly<Record<string, never>>

/** The state of transforms whose only state is the number of updates made (for schedules). */
export interface CountState {
  readonly count: number
}

/** What every transformation is assignable to, whatever its P and S (the bound of `chain`'s parts). */
export interface AnyTransformation {
  /** `GradientTransformation.init`, with its parameter type erased. */
  init(params: never): unknown
  /** `GradientTransformation.update`, with its types erased. */
  update(grads: never, state: never, params: never): [unknown, unknown]
}

/** The parameter type of a transformation. */
export type ParamsOf<T> = T extends GradientTransformation<infer P, infer _S> ? P : never
/** The state type of a transformation. */
export type StateOf<T> = T extends GradientTransformation<infer _P, infer S> ? S : never

/** The parameter type shared by all parts: the intersection of theirs (a part typed `unknown` adapts). */
export type ChainParams<Ts extends readonly unknown[]> = Ts extends readonly [infer H, ...infer R]
  ? ParamsOf<H> & ChainParams<R>
  : unknown

/** The state of `chain(...ts)`: the tuple of the parts' states, in order. */
export type ChainState<Ts extends readonly unknown[]> = { -readonly [K in keyof Ts]: StateOf<Ts[K]> }

const EMPTY: EmptyState = Object.freeze({})

/**
 * Composition, left to right: each part transforms the updates of the one before (Optax chain).
 * The state is the tuple of the parts' states. Give the parameter type on one part at least
 * (`chain(clipByGlobalNorm(1), adam<Params>(1e-3))`); the chain's P is the intersection of the
 * parts' P, so parts left generic (`unknown`) adapt to it.
 *
 * @throws PuregradError `INVALID_ARGUMENT` from update when the state is not a tuple with one
 * entry per part; the parts' own errors otherwise.
 * @example
 * ```ts
 * import { tensor, type Tensor } from 'puregrad'
 * import { chain, clipByValue, sgd, applyUpdates } from 'puregrad/optim'
 *
 * type Params = { w: Tensor }
 * const opt = chain(clipByValue(1), sgd<Params>(0.5))      // clip each gradient to [-1, 1], then descend
 * const params: Params = { w: tensor([0, 0]) }
 * const [updates, state] = opt.update({ w: tensor([4, -0.5]) }, opt.init(params), params)
 * if (applyUpdates(params, updates).w.dataSync().join() !== '-0.5,0.25' || state.length !== 2) throw new Error('chain')
 * ```
 */
export function chain<const Ts extends readonly AnyTransformation[]>(
  ...parts: Ts
): GradientTransformation<ChainParams<Ts>, ChainState<Ts>>
export function chain(...parts: readonly GradientTransformation<unknown, unknown>[]): GradientTransformation<unknown, unknown[]> {
  const ts = [...parts]
  return {
    init: (params) => ts.map((t) => t.init(params)),
    update: (grads, state, params) => {
      if (!Array.isArray(state) || state.length !== ts.length) {
        throw new PuregradError('INVALID_ARGUMENT', `expected a state tuple of ${ts.length} parts, got ${Array.isArray(state) ? `${state.length} parts` : typeof state}`, 'chain')
      }
      // The updates passed between parts are temporaries: released as the chain returns.
      return releasing(() => {
        let updates = grads
        const next = new Array<unknown>(ts.length)
        for (let i = 0; i < ts.length; i++) [updates, next[i]] = ts[i].update(updates, state[i], params)
        return [updates, next]
      })
    },
  }
}

/**
 * params + updates, leaf by leaf (each update cast to its parameter's dtype), as a new record.
 *
 * @throws PuregradError `TREE_MISMATCH` (naming the first difference) when the records differ in
 * structure; `SHAPE_MISMATCH` naming the leaf (`updates.layers[0].w: expected shape [64,32] (as
 * params.layers[0].w), got [32,64]`) when an update's shape is not its parameter's.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { applyUpdates } from 'puregrad/optim'
 *
 * const params = { w: tensor([1, 2]), b: tensor([0]) }
 * const next = applyUpdates(params, { w: tensor([0.5, -0.5]), b: tensor([1]) })
 * if (next.w.dataSync().join() !== '1.5,1.5' || params.w.dataSync().join() !== '1,2') throw new Error('applyUpdates')
 * ```
 */
export const applyUpdates = <P>(params: P, updates: NoInfer<P>): P => {
  checkShapesLike('applyUpdates', 'updates', updates, params)
  return treeZipWith(params, updates, (p: Tensor, u: Tensor) => p.add(cast(u, p.dtype)), 'params')
}

/**
 * Checks that `tree` (called `name` in errors: grads, updates) has the structure of `params` and
 * each leaf its parameter's shape, before any op runs: a transposed or mis-sized leaf would
 * otherwise broadcast silently (an update of shape [1] added to every element of a [64]
 * parameter) or fail in some elementwise op that cannot say which leaf it was.
 */
export const checkShapesLike = (op: string, name: string, tree: unknown, params: unknown): void => {
  try {
    treeZipWith(params, tree, (p: Tensor, x: Tensor, path: string) => {
      if (!shapesEqual(p.shape, x.shape)) {
        throw new PuregradError('SHAPE_MISMATCH', `${path}: expected shape ${fmtShape(p.shape)} (as params${path.slice(name.length)}), got ${fmtShape(x.shape)}`, op)
      }
      return p
    }, name)
  } catch (e) {
    if (e instanceof PuregradError && e.code === 'TREE_MISMATCH') throw new PuregradError('TREE_MISMATCH', `${e.detail} (compared with params)`, op)
    throw e
  }
}

/**
 * Passes the updates through unchanged; empty state. The neutral part of a chain (and what
 * `masked` applies to frozen leaves when given nothing else).
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { identity } from 'puregrad/optim'
 *
 * const g = { w: tensor([1, 2]) }
 * const opt = identity<typeof g>()
 * const [updates] = opt.update(g, opt.init(g), g)
 * if (updates !== g) throw new Error('identity')
 * ```
 */
export const identity = <P>(): GradientTransformation<P, EmptyState> => ({
  init: () => EMPTY,
  update: (grads, state) => [grads, state],
})

/**
 * Replaces every update by zeros of the same shape and dtype (mask it onto the leaves to freeze;
 * Optax set_to_zero); empty state.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { setToZero } from 'puregrad/optim'
 *
 * const g = { w: tensor([1, 2]) }
 * const opt = setToZero<typeof g>()
 * const [updates] = opt.update(g, opt.init(g), g)
 * if (updates.w.dataSync().join() !== '0,0') throw new Error('setToZero')
 * ```
 */
export const setToZero = <P>(): GradientTransformation<P, EmptyState> => ({
  init: () => EMPTY,
  update: (grads, state) => [zerosTree(grads), state],
})

/**
 * Multiplies the updates by `factor` (a constant or a schedule of the step count); the state
 * counts the updates.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant factor that is not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { scale } from 'puregrad/optim'
 *
 * const g = { w: tensor([1, 2]) }
 * const opt = scale<typeof g>((step) => (step === 0 ? 2 : 1))
 * const [updates, state] = opt.update(g, opt.init(g), g)
 * if (updates.w.dataSync().join() !== '2,4' || state.count !== 1) throw new Error('scale')
 * ```
 */
export const scale = <P>(factor: Hyper): GradientTransformation<P, CountState> => {
  checkHyper('scale', 'factor', factor, Number.isFinite, 'a finite number')
  return {
    init: () => ({ count: 0 }),
    update: (grads, state) => [scaleTree(grads, hyperAt(factor, state.count)), { count: state.count + 1 }],
  }
}

/**
 * Multiplies the updates by -learningRate (descent), as the last step of an optimizer chain; the
 * learning rate may be a schedule of the step count.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a constant learning rate that is negative or not finite.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { chain, scaleByAdam, scaleByLearningRate } from 'puregrad/optim'
 *
 * const params = { w: tensor([1]) }
 * const adam = chain(scaleByAdam<typeof params>(), scaleByLearningRate(0.5))   // adam(0.5) as a chain
 * const [updates] = adam.update({ w: tensor([3]) }, adam.init(params), params)
 * if (Math.abs(updates.w.item() + 0.5) > 1e-6) throw new Error(`got ${updates.w}`)  // Adam's first step is lr sign(g)
 * ```
 */
export const scaleByLearningRate = <P>(learningRate: Hyper): GradientTransformation<P, CountState> => {
  checkLearningRate('scaleByLearningRate', learningRate)
  return scale(typeof learningRate === 'number' ? -learningRate : (step: number) => -learningRate(step))
}

/** Learning rates must be finite and >= 0 (descent); use `scale` for anything else. */
export const checkLearningRate = (op: string, lr: Hyper): void =>
  checkHyper(op, 'the learning rate', lr, (v) => Number.isFinite(v) && v >= 0, 'a finite number >= 0')

/** Optimizers move float tensors only: an integer or bool leaf is a DTYPE_MISMATCH naming its path. */
export const checkFloatLeaves = (op: string, params: unknown): void => {
  for (const [path, leaf] of treeLeavesWithPath<Tensor>(params)) {
    if (leaf.dtype !== 'float32' && leaf.dtype !== 'float64') {
      throw new PuregradError('DTYPE_MISMATCH', `${path} is ${leaf.dtype === 'int32' ? 'an' : 'a'} ${leaf.dtype} tensor; optimizers update float tensors only (keep integer data out of the parameter record)`, op)
    }
  }
}

/**
 * @internal A transformation that can multiply its updates by a constant within its own update,
 * where a fused kernel does it in the same pass (scaleByAdam): `updateScaled(g, s, p, a)` equals
 * `update(g, s, p)` with the updates multiplied by `a`, bit for bit.
 */
export interface ScalingTransformation<P, S> extends GradientTransformation<P, S> {
  readonly updateScaled: (grads: P, state: S, params: P, a: number) => [updates: P, state: S]
}

const scales = <P, S>(t: GradientTransformation<P, S>): t is ScalingTransformation<P, S> => 'updateScaled' in t

/**
 * `inner` followed by multiplication by -learningRate(step), where step is the inner state's
 * count before the update: the learning rate shares the inner transformation's count, so the
 * state stays the inner state (how adam's state is `{ count, mu, nu }`, not a tuple). An inner
 * transformation that scales its own updates (ScalingTransformation) does it in its update.
 */
export const withLearningRate = <P, S extends CountState>(
  op: string,
  inner: GradientTransformation<P, S>,
  learningRate: Hyper,
): GradientTransformation<P, S> => {
  checkLearningRate(op, learningRate)
  return {
    init: (params) => {
      checkFloatLeaves(op, params)
      return inner.init(params)
    },
    // The temporaries of a step (moments' products, square roots...) are released as it returns.
    update: (grads, state, params) => releasing(() => {
      checkShapesLike(op, 'grads', grads, params)
      const a = -hyperAt(learningRate, state.count)
      if (scales(inner)) return inner.updateScaled(grads, state, params, a)
      const [u, next] = inner.update(grads, state, params)
      return [scaleTree(u, a), next]
    }),
  }
}
