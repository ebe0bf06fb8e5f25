/**
 * Gradient accumulation as an fp-ts Monoid: records add leaf by leaf, and the identity is a
 * symbolic zero, so folding micro-batch gradients needs no zero-filled record to start from.
 */

import type { Monoid } from 'fp-ts/Monoid'
import type { Tensor } from '../core/tensor.js'
import { add } from '../ops/elementwise.js'
import { zerosLike } from '../core/constructors.js'
import { treeMap, treeZipWith } from './tree.js'

/** The symbolic zero gradient: adding it costs nothing. */
export const zeroGrad: unique symbol = Symbol('puregrad.zeroGrad')
export type Accumulated<P> = P | typeof zeroGrad

export const getGradMonoid = <P>(): Monoid<Accumulated<P>> => ({
  empty: zeroGrad,
  concat: (a, b) => (a === zeroGrad ? b : b === zeroGrad ? a : treeZipWith(a as P, b as P, (x: Tensor, y: Tensor) => add(x, y))),
})

/** A real record from an accumulation: zeros shaped like `like` when nothing was added. */
export const materialize = <P>(acc: Accumulated<P>, like: P): P =>
  acc === zeroGrad ? treeMap(like, (x: Tensor) => zerosLike(x)) : acc
