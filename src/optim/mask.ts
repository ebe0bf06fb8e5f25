/**
 * Masks: apply a transformation to part of the parameter record only (Optax masked). A mask is
 * either a record of booleans shaped like the parameters (a boolean may stand for a whole
 * subtree: `{ encoder: false, head: true }`), or a predicate of each leaf's path and tensor
 * (`(path) => path.endsWith('.w')`; paths as `treeLeavesWithPath` writes them, rooted at `params`).
 *
 * `masked(inner, mask)` gives `inner` the records with every masked-out leaf replaced by `null`
 * (an empty subtree), so its state holds nothing for those leaves, and passes the updates of
 * masked-out leaves through unchanged. Freeze leaves with `masked(setToZero(), frozen)`.
 */

import { Tensor } from '../core/tensor.js'
import { PuregradError } from '../core/errors.js'
import { treeFlatten, treeLeaves, treeLeavesWithPath, treeUnflatten } from '../diff/tree.js'
import type { GradientTransformation } from './transformation.js'
import { leafwise } from './tree-math.js'

/** Any record of booleans (the mask type when P is not known). */
export type MaskRecord = boolean | null | undefined | readonly MaskRecord[] | { readonly [k: string]: MaskRecord }

/** A record of booleans shaped like `P`; a boolean may stand for any subtree. */
export type MaskOf<P> = unknown extends P ? MaskRecord : boolean | (P extends Tensor
  ? boolean
  : P extends null | undefined
    ? P | boolean
    : P extends readonly unknown[]
      ? { readonly [K in keyof P]: MaskOf<P[K]> }
      : P extends object
        ? { readonly [K in keyof P]: MaskOf<P[K]> }
        : boolean)

/** Which leaves a masked transform applies to: a boolean record, or a predicate of (path, leaf). */
export type Mask<P> = MaskOf<P> | ((path: string, leaf: Tensor) => boolean)

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
const keyPath = (path: string, key: string): string =>
  IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`

const isPlainObject = (x: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(x)
  return proto === Object.prototype || proto === null
}

const maskError = (op: string, path: string, detail: string): never => {
  throw new PuregradError('INVALID_ARGUMENT', `mask at ${path}: ${detail}`, op)
}

/** Pushes one flag per leaf of `tree`, in treeFlatten order, read from the boolean record `mask`. */
const flagsFromRecord = (op: string, tree: unknown, mask: unknown, path: string, out: boolean[]): void => {
  if (typeof mask === 'boolean') {
    for (let i = treeLeaves(tree, path).length; i > 0; i--) out.push(mask)
    return
  }
  if (tree === null || tree === undefined) return
  if (tree instanceof Tensor) return maskError(op, path, `expected a boolean for a tensor, got ${mask === null ? 'null' : typeof mask}`)
  if (typeof mask !== 'object' || mask === null) return maskError(op, path, `expected a boolean or a record, got ${mask === null ? 'null' : typeof mask}`)
  if (Array.isArray(tree)) {
    if (!Array.isArray(mask) || mask.length !== tree.length) {
      return maskError(op, path, `expected a boolean or an array of ${tree.length} entries`)
    }
    tree.forEach((t, i) => flagsFromRecord(op, t, mask[i], `${path}[${i}]`, out))
    return
  }
  if (typeof tree !== 'object' || !isPlainObject(tree)) {
    return maskError(op, path, 'a boolean (or a predicate mask) is needed for registered nodes')
  }
  if (Array.isArray(mask)) return maskError(op, path, 'expected a boolean or an object, got an array')
  const rec = tree as Record<string, unknown>, m = mask as Record<string, unknown>
  for (const k of Object.keys(rec).sort()) {
    const p = keyPath(path, k)
    if (!Object.hasOwn(m, k)) {
      if (treeLeaves(rec[k], p).length > 0) maskError(op, p, 'missing (every leaf needs a boolean)')
      continue
    }
    flagsFromRecord(op, rec[k], m[k], p, out)
  }
}

/** One flag per leaf of `tree`, in treeFlatten order: whether the mask selects it. */
export const maskFlags = <P>(op: string, tree: P, mask: Mask<P>): boolean[] => {
  if (typeof mask === 'function') {
    return treeLeavesWithPath<Tensor>(tree).map(([path, leaf]) => {
      const keep: unknown = mask(path, leaf)
      if (typeof keep !== 'boolean') maskError(op, path, `the predicate returned ${typeof keep}, expected a boolean`)
      return keep as boolean
    })
  }
  const out: boolean[] = []
  flagsFromRecord(op, tree, mask, 'params', out)
  return out
}

/** The record with the unselected leaves replaced by null. */
export const hideLeaves = <P>(tree: P, flags: readonly boolean[]): P => {
  const [leaves, def] = treeFlatten<Tensor>(tree)
  return treeUnflatten<P>(def, leaves.map((l, i) => (flags[i] ? l : null)))
}

/** `full` with its selected leaves taken, in order, from the leaves of `part`. */
export const mergeLeaves = <P>(full: P, part: P, flags: readonly boolean[]): P => {
  const [leaves, def] = treeFlatten<Tensor>(full)
  const inner = treeLeaves<Tensor>(part, 'updates')
  const selected = flags.filter((f) => f).length
  if (inner.length !== selected) {
    throw new PuregradError('TREE_MISMATCH', `the masked transformation returned ${inner.length} leaves for ${selected} selected leaves`, 'masked')
  }
  let k = 0
  return treeUnflatten<P>(def, leaves.map((l, i) => (flags[i] ? inner[k++] : l)))
}

/**
 * `inner` on the leaves `mask` selects; the other updates pass through unchanged (Optax masked).
 * `inner` sees grads and params with the unselected leaves replaced by null, and its state is
 * built on that record (so it holds nothing for them). The state is the inner state.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a mask that does not fit the parameters (a missing
 * entry, a predicate returning a non-boolean); `TREE_MISMATCH` when `inner` returns updates for
 * another number of leaves.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { chain, masked, setToZero, sgd } from 'puregrad/optim'
 *
 * // Freeze the encoder: its updates become zero, the head trains.
 * const params = { encoder: { w: tensor([1]) }, head: { w: tensor([1]) } }
 * const opt = chain(sgd<typeof params>(0.5), masked(setToZero(), { encoder: true, head: false }))
 * const [u] = opt.update({ encoder: { w: tensor([1]) }, head: { w: tensor([1]) } }, opt.init(params), params)
 * if (u.encoder.w.item() !== 0 || u.head.w.item() !== -0.5) throw new Error('masked')
 * ```
 */
export const masked = <P, S>(inner: GradientTransformation<P, S>, mask: Mask<P>): GradientTransformation<P, S> => ({
  init: (params) => inner.init(hideLeaves(params, maskFlags('masked', params, mask))),
  update: (grads, state, params) => {
    const flags = maskFlags('masked', params, mask)
    const [u, next] = inner.update(hideLeaves(grads, flags), state, hideLeaves(params, flags))
    return [mergeLeaves(grads, u, flags), next]
  },
})

/**
 * `f(xs)` on the selected leaf positions of records of the same structure, the first record's
 * leaf elsewhere (for transforms with a `mask` option, like the weight decay of adamw).
 */
export const leafwiseSelected = <P>(trees: readonly P[], flags: readonly boolean[] | undefined, f: (xs: Tensor[]) => Tensor): P => {
  let i = 0
  return leafwise(trees, (xs) => (flags === undefined || flags[i++] ? f(xs) : xs[0]))
}
