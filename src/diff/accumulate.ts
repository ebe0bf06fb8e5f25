/**
 * Gradient accumulation as an fp-ts Monoid: records add leaf by leaf, and the identity is a
 * symbolic zero, so folding micro-batch gradients needs no zero-filled record to start from.
 */

import type { Monoid } from 'fp-ts/Monoid'
import type { Tensor } from '../core/tensor.js'
import { add } from '../ops/elementwise.js'
import { zerosLike } from '../core/constructors.js'
import { treeMap, treeZipWith } from './tree.js'

/**
 * The symbolic zero gradient, the identity of {@link getGradMonoid}: adding it costs nothing and
 * needs no record to take its shape from.
 * @example
 * ```ts
 * import { getGradMonoid, zeroGrad } from 'puregrad'
 * getGradMonoid().empty === zeroGrad // => true
 * ```
 */
export const zeroGrad: unique symbol = Symbol('puregrad.zeroGrad')
/** A gradient record being accumulated: a record `P`, or {@link zeroGrad} when nothing has been added yet. */
export type Accumulated<P> = P | typeof zeroGrad

/**
 * An fp-ts `Monoid` that adds gradient records leaf by leaf, with {@link zeroGrad} as its identity:
 * fold micro-batch gradients with `concat`, starting from `empty`, then {@link materialize} the
 * total. The records added must have one structure and matching shapes and dtypes.
 * @throws PuregradError from `concat`: `TREE_MISMATCH` when the records' structures differ, and the
 * errors of {@link add} (`BROADCAST`, `DTYPE_MISMATCH`) for leaves that do not add.
 * @example
 * ```ts
 * import { getGradMonoid, materialize, tensor, type Tensor } from 'puregrad'
 * type Grads = { w: Tensor }
 * const M = getGradMonoid<Grads>()
 * const total = [{ w: tensor([1, 2]) }, { w: tensor([3, 4]) }].reduce(M.concat, M.empty)
 * materialize(total, { w: tensor([0, 0]) }).w.arraySync() // => [4, 6]
 * ```
 */
export const getGradMonoid = <P>(): Monoid<Accumulated<P>> => ({
  empty: zeroGrad,
  concat: (a, b) => (a === zeroGrad ? b : b === zeroGrad ? a : treeZipWith(a as P, b as P, (x: Tensor, y: Tensor) => add(x, y))),
})

/**
 * A real record from an accumulation: `acc` itself, or, when it is {@link zeroGrad} (nothing was
 * added), zeros with the structure, shapes and dtypes of `like`.
 * @example
 * ```ts
 * import { getGradMonoid, materialize, tensor, type Tensor } from 'puregrad'
 * const M = getGradMonoid<{ w: Tensor }>()
 * materialize(M.empty, { w: tensor([5, 5]) }).w.arraySync() // => [0, 0]
 * ```
 */
export const materialize = <P>(acc: Accumulated<P>, like: P): P =>
  acc === zeroGrad ? treeMap(like, (x: Tensor) => zerosLike(x)) : acc
