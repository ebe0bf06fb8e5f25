/**
 * Leafwise arithmetic over parameter records, the vocabulary the transformations are written in:
 * `leafwise` (zip any number of records of the same structure with a tensor function), zeros and
 * scaling of a record, and the global reductions (squared norm, finiteness) over all leaves.
 * Global reductions stay on the device as one scalar tensor; leaves of different float dtypes
 * are summed in the widest of them.
 */

import type { Tensor } from '../core/tensor.js'
import { scalar, zerosLike } from '../core/constructors.js'
import { add, cast, mul, sqrt } from '../ops/elementwise.js'
import { sum } from '../ops/reduce.js'
import { treeLeaves, treeMap, treeZipWithN } from '../diff/tree.js'

/**
 * Combines records of the same structure leaf by leaf: `f([x0, x1, ...])` for the leaves at each
 * position (the first record's structure is expected; TREE_MISMATCH names a difference).
 */
export const leafwise = <P>(trees: readonly P[], f: (xs: Tensor[]) => Tensor): P =>
  trees.length === 1 ? treeMap(trees[0], (x: Tensor) => f([x])) : treeZipWithN(trees, (xs: Tensor[]) => f(xs))

/** Zeros shaped like each leaf. */
export const zerosTree = <P>(tree: P): P => treeMap(tree, (x: Tensor) => zerosLike(x))

/** a * tree, leaf by leaf (the same record when a is 1). */
export const scaleTree = <P>(tree: P, a: number): P => (a === 1 ? tree : treeMap(tree, (x: Tensor) => mul(x, a)))

/** The sum of scalar tensors, in float64 when any of them is float64; undefined for none. */
const total = (scalars: readonly Tensor[]): Tensor | undefined => {
  if (scalars.length === 0) return undefined
  const wide = scalars.some((s) => s.dtype === 'float64') ? 'float64' : scalars[0].dtype
  return scalars.map((s) => cast(s, wide)).reduce((a, b) => add(a, b))
}

/** The squared L2 norm of all leaves together, as a scalar tensor (undefined for a record without leaves). */
export const squaredNorm = (tree: unknown): Tensor | undefined =>
  total(treeLeaves<Tensor>(tree).map((x) => sum(mul(x, x))))

/**
 * The L2 norm of all leaves together (Optax global_norm), as a scalar tensor: float64 when any
 * leaf is float64, else the leaves' dtype; a float32 zero for a record without leaves.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { globalNorm } from 'puregrad/optim'
 *
 * const n = globalNorm({ w: tensor([[3, 0]]), b: tensor([4]) })
 * if (n.item() !== 5 || n.rank !== 0) throw new Error(`got ${n}`)
 * ```
 */
export const globalNorm = (tree: unknown): Tensor => {
  const s = squaredNorm(tree)
  return s === undefined ? scalar(0) : sqrt(s)
}

/**
 * Whether every element of every leaf is finite. One host read: the sum of x * 0 over all leaves
 * is 0 exactly when no element is NaN or infinite (those give NaN).
 */
export const allFinite = (tree: unknown): boolean => {
  const s = total(treeLeaves<Tensor>(tree).map((x) => sum(mul(x, 0))))
  return s === undefined || Number.isFinite(s.item())
}
