/**
 * Parameter records ("pytrees"): any nesting of plain objects, arrays and tuples whose leaves are
 * tensors, plus user classes registered with `registerTreeNode`. `grad`, the layers and the
 * optimizers walk records through this module: flatten a record to its leaves and an opaque
 * `TreeDef`, rebuild it from new leaves, map over it, zip records of the same structure.
 *
 * Conventions:
 * - Leaf order is deterministic: object keys in sorted order (like JAX dicts), arrays by index,
 *   registered nodes in the order their `flatten` returns children. Rebuilt objects keep the
 *   key order of the record they were flattened from.
 * - `null` and `undefined` are empty subtrees: no leaves, rebuilt as themselves. They match each
 *   other when structures are compared.
 * - Anything else (numbers, strings, functions, instances of unregistered classes) is an
 *   INVALID_ARGUMENT error naming its path, e.g. `params.layers[1].w: expected a tensor, got number`.
 * - Paths start at a root name (default `params`): `[i]` for array elements and registered-node
 *   children, `.key` for identifier keys, `["a b"]` for other keys.
 *
 * The structures themselves (the `TreeDef` type, registered node classes, rendering and
 * comparison) live in ./tree-def.ts; this module walks records and re-exports that public part.
 */

import { PuregradError } from '../core/errors.js'
import {
  describeValue, className, difference, isTreeLeaf, keyPath, nodeOf, registrationOf, treeDefEquals, LEAF, NULL_DEF,
  TreeDefImpl, UNDEFINED_DEF, type DefNode, type TreeDef,
} from './tree-def.js'

export {
  isTreeLeaf, registerTreeNode, setLeafPredicate, treeDefEquals, treeDefToString, type Tree, type TreeDef,
} from './tree-def.js'

// ---------------------------------------------------------------------------------------------
// Flatten

const isSorted = (keys: readonly string[]): boolean => {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false
  return true
}

/**
 * Walk `x`, pushing its leaves (and, when `paths` is given, their paths) and returning its
 * structure. `ancestors` holds the containers on the current path, to report cycles.
 */
function flattenNode(
  x: unknown,
  path: string,
  leaves: unknown[],
  paths: string[] | null,
  ancestors: Set<object>,
): DefNode {
  if (x === null) return NULL_DEF
  if (x === undefined) return UNDEFINED_DEF
  if (isTreeLeaf(x)) {
    leaves.push(x)
    if (paths !== null) paths.push(path)
    return LEAF
  }
  if (typeof x !== 'object') {
    throw new PuregradError('INVALID_ARGUMENT', `${path}: expected a tensor, got ${describeValue(x)}`)
  }
  if (ancestors.has(x)) {
    throw new PuregradError('INVALID_ARGUMENT', `${path}: the record contains itself (a cycle)`)
  }
  ancestors.add(x)
  let def: DefNode
  if (Array.isArray(x)) {
    const children = new Array<DefNode>(x.length)
    for (let i = 0; i < x.length; i++) {
      children[i] = flattenNode(x[i], `${path}[${i}]`, leaves, paths, ancestors)
    }
    def = { kind: 'array', children }
  } else {
    const proto: object | null = Object.getPrototypeOf(x)
    if (proto === Object.prototype || proto === null) {
      const order = Object.keys(x)
      const keys = isSorted(order) ? order : [...order].sort()
      const children = new Array<DefNode>(keys.length)
      const rec = x as Record<string, unknown>
      for (let i = 0; i < keys.length; i++) {
        children[i] = flattenNode(rec[keys[i]], keyPath(path, keys[i]), leaves, paths, ancestors)
      }
      def = { kind: 'object', keys, order, children }
    } else {
      const reg = registrationOf(proto)
      if (reg === undefined) {
        throw new PuregradError('INVALID_ARGUMENT', `${path}: expected a tensor, got ${describeValue(x)}`)
      }
      const cls = (proto as { constructor: Function }).constructor
      const [kids, aux] = reg.flatten(x as never)
      if (!Array.isArray(kids)) {
        throw new PuregradError(
          'INVALID_ARGUMENT',
          `${path}: the flatten function registered for ${className(cls)} must return [children array, aux]`,
        )
      }
      const children = new Array<DefNode>(kids.length)
      for (let i = 0; i < kids.length; i++) {
        children[i] = flattenNode(kids[i], `${path}[${i}]`, leaves, paths, ancestors)
      }
      def = { kind: 'node', cls, reg, aux, children }
    }
  }
  ancestors.delete(x)
  return def
}

const flattenWith = (tree: unknown, root: string, paths: string[] | null): [unknown[], TreeDefImpl] => {
  const leaves: unknown[] = []
  const node = flattenNode(tree, root, leaves, paths, new Set())
  return [leaves, new TreeDefImpl(leaves.length, node)]
}

/**
 * The leaves of `tree` in deterministic order (sorted object keys, arrays by index, registered
 * nodes in their `flatten` order) and its structure. `null` and `undefined` are empty subtrees.
 * `root` names the record in error messages (default `params`).
 * @throws PuregradError `INVALID_ARGUMENT` for a value that is neither a tensor nor a record node
 * (a number, a string, an instance of an unregistered class), naming its path, or for a cycle.
 * @example
 * ```ts
 * import { tensor, treeFlatten, type Tensor } from 'puregrad'
 * const [leaves, def] = treeFlatten<Tensor>({ w: tensor([1, 2]), layers: [{ b: tensor(3) }, null] })
 * leaves.map((x) => x.arraySync()) // => [3, [1, 2]]
 * def.numLeaves // => 2
 * String(def) // => '{layers: [{b: *}, null], w: *}'
 * treeFlatten({ w: 3 }) // throws INVALID_ARGUMENT
 * ```
 */
export const treeFlatten = <L = unknown>(tree: unknown, root = 'params'): [leaves: L[], def: TreeDef] =>
  flattenWith(tree, root, null) as [L[], TreeDef]

/** The structure of `tree` alone. */
export const treeStructure = (tree: unknown, root = 'params'): TreeDef => flattenWith(tree, root, null)[1]

/**
 * The leaves of `tree`, in {@link treeFlatten} order (sorted object keys, arrays by index).
 * @throws PuregradError `INVALID_ARGUMENT` for a value that is neither a tensor nor a record node, naming its path.
 * @example
 * ```ts
 * import { tensor, treeLeaves, type Tensor } from 'puregrad'
 * treeLeaves<Tensor>({ b: tensor(1), a: [tensor(2), tensor(3)] }).map((x) => x.item()) // => [2, 3, 1]
 * ```
 */
export const treeLeaves = <L = unknown>(tree: unknown, root = 'params'): L[] =>
  flattenWith(tree, root, null)[0] as L[]

/**
 * The leaves of `tree` with their paths (`params.layers[1].w`; `root` replaces `params`), in
 * {@link treeFlatten} order: `[path, leaf]` pairs.
 * @throws PuregradError `INVALID_ARGUMENT` for a value that is neither a tensor nor a record node, naming its path.
 * @example
 * ```ts
 * import { tensor, treeLeavesWithPath } from 'puregrad'
 * const params = { w: tensor([1, 2]), layers: [{ b: tensor(3) }] }
 * treeLeavesWithPath(params).map(([path]) => path) // => ['params.layers[0].b', 'params.w']
 * ```
 */
export const treeLeavesWithPath = <L = unknown>(tree: unknown, root = 'params'): [path: string, leaf: L][] => {
  const paths: string[] = []
  const [leaves] = flattenWith(tree, root, paths)
  return leaves.map((leaf, i) => [paths[i], leaf as L])
}

// ---------------------------------------------------------------------------------------------
// Unflatten

const setKey = (o: Record<string, unknown>, k: string, v: unknown): void => {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true })
  else o[k] = v
}

function build(d: DefNode, leaves: readonly unknown[], cursor: { i: number }): unknown {
  switch (d.kind) {
    case 'leaf': return leaves[cursor.i++]
    case 'none': return d.value
    case 'array': {
      const out = new Array<unknown>(d.children.length)
      for (let i = 0; i < out.length; i++) out[i] = build(d.children[i], leaves, cursor)
      return out
    }
    case 'object': {
      const out: Record<string, unknown> = {}
      if (d.order !== d.keys) for (const k of d.order) setKey(out, k, undefined) // fix key order
      for (let i = 0; i < d.keys.length; i++) setKey(out, d.keys[i], build(d.children[i], leaves, cursor))
      return out
    }
    case 'node': {
      const children = d.children.map((c) => build(c, leaves, cursor))
      return d.reg.unflatten(d.aux, children)
    }
  }
}

const unflattenImpl = (def: TreeDefImpl, leaves: readonly unknown[], op: string): unknown => {
  if (leaves.length !== def.numLeaves) {
    throw new PuregradError(
      'TREE_MISMATCH',
      `the structure has ${def.numLeaves} leaves, got ${leaves.length}`,
      op,
    )
  }
  return build(def.node, leaves, { i: 0 })
}

/**
 * Rebuild a record of structure `def` from `leaves` (in {@link treeFlatten} order), keeping the
 * original key order and rebuilding registered nodes with their `unflatten`.
 * @throws PuregradError `TREE_MISMATCH` when the number of leaves differs from `def.numLeaves`;
 * `INVALID_ARGUMENT` when `def` was not made by treeFlatten.
 * @example
 * ```ts
 * import { mul, tensor, treeFlatten, treeUnflatten, type Tensor } from 'puregrad'
 * const params = { w: tensor([1, 2]), b: tensor(3) }
 * const [leaves, def] = treeFlatten<Tensor>(params)
 * const doubled = treeUnflatten<typeof params>(def, leaves.map((x) => mul(x, 2)))
 * doubled.w.arraySync() // => [2, 4]
 * treeUnflatten(def, [tensor(1)]) // throws TREE_MISMATCH
 * ```
 */
export const treeUnflatten = <T = unknown>(def: TreeDef, leaves: readonly unknown[]): T => {
  nodeOf(def, 'treeUnflatten')
  return unflattenImpl(def as unknown as TreeDefImpl, leaves, 'treeUnflatten') as T
}

/**
 * Whether two records have the same structure: the same keys, array lengths, registered node
 * classes and `aux` data (null and undefined subtrees count as the same). The leaves' shapes and
 * dtypes are not compared.
 * @throws PuregradError `INVALID_ARGUMENT` for a value that is neither a tensor nor a record node.
 * @example
 * ```ts
 * import { tensor, treeStructureEquals } from 'puregrad'
 * treeStructureEquals({ a: tensor(1), b: [tensor(1)] }, { b: [tensor([5, 6])], a: tensor(0) }) // => true
 * treeStructureEquals({ a: tensor(1) }, { a: [tensor(1)] }) // => false
 * ```
 */
export const treeStructureEquals = (a: unknown, b: unknown): boolean =>
  treeDefEquals(treeStructure(a), treeStructure(b))

// ---------------------------------------------------------------------------------------------
// Map and zip

const mapImpl = (tree: unknown, f: (leaf: never, path: string) => unknown, root: string): unknown => {
  const paths: string[] = []
  const [leaves, def] = flattenWith(tree, root, paths)
  for (let i = 0; i < leaves.length; i++) leaves[i] = f(leaves[i] as never, paths[i])
  return unflattenImpl(def, leaves, 'treeMap')
}

/**
 * The record with every leaf replaced by `f(leaf, path)`; same structure, same key order. Data
 * first, `treeMap(params, f)`, or data last, `treeMap(f)(params)` for pipelines. `f` is called in
 * {@link treeFlatten} order; `root` replaces `params` in the paths.
 * @throws PuregradError `INVALID_ARGUMENT` for a value that is neither a tensor nor a record node, naming its path.
 * @example
 * ```ts
 * import { mul, neg, tensor, treeMap, type Tensor } from 'puregrad'
 * const params = { w: tensor([1, 2]), b: tensor(3) }
 * treeMap(params, (x: Tensor) => mul(x, 2)).w.arraySync() // => [2, 4]
 * const negate = treeMap((x: Tensor) => neg(x))
 * negate(params).b.item() // => -3
 * ```
 */
export function treeMap<T, L = unknown>(tree: T, f: (leaf: L, path: string) => L, root?: string): T
export function treeMap<L = unknown>(f: (leaf: L, path: string) => L, root?: string): <T>(tree: T) => T
export function treeMap(...args: unknown[]): unknown {
  if (typeof args[0] === 'function') {
    const f = args[0] as (leaf: never, path: string) => unknown
    const root = (args[1] as string | undefined) ?? 'params'
    return (tree: unknown) => mapImpl(tree, f, root)
  }
  return mapImpl(args[0], args[1] as (leaf: never, path: string) => unknown, (args[2] as string | undefined) ?? 'params')
}

const zipImpl = (
  trees: readonly unknown[],
  f: (leaves: never[], path: string) => unknown,
  root: string,
  op: string,
): unknown => {
  if (trees.length === 0) throw new PuregradError('INVALID_ARGUMENT', 'expected at least one record', op)
  const paths: string[] = []
  const [first, def] = flattenWith(trees[0], root, paths)
  const all: unknown[][] = [first]
  for (let t = 1; t < trees.length; t++) {
    const [leaves, other] = flattenWith(trees[t], root, null)
    const d = difference(def.node, other.node, root)
    if (d !== undefined) {
      throw new PuregradError('TREE_MISMATCH', trees.length === 2 ? d : `${d} (record ${t} compared with record 0)`)
    }
    all.push(leaves)
  }
  const out = new Array<unknown>(first.length)
  for (let i = 0; i < first.length; i++) out[i] = f(all.map((ls) => ls[i]) as never[], paths[i])
  return unflattenImpl(def, out, op)
}

/**
 * Combine two records of exactly the same structure leaf by leaf: `f(x, y, path)`. A structure
 * difference is a TREE_MISMATCH error naming the first differing path, e.g.
 * `params.layers[1]: missing key "b"` (`a` is the expected structure). Data first,
 * `treeZipWith(a, b, f)`, or data last, `treeZipWith(f)(a, b)`.
 * @throws PuregradError `TREE_MISMATCH` when the structures differ; `INVALID_ARGUMENT` for a value
 * that is neither a tensor nor a record node.
 * @example
 * ```ts
 * import { add, tensor, treeZipWith, type Tensor } from 'puregrad'
 * const sum = treeZipWith({ a: tensor(1) }, { a: tensor(2) }, (x: Tensor, y: Tensor) => add(x, y))
 * sum.a.item() // => 3
 * ```
 */
export function treeZipWith<T, L = unknown>(
  a: T,
  b: NoInfer<T>,
  f: (x: L, y: L, path: string) => L,
  root?: string,
): T
export function treeZipWith<L = unknown>(
  f: (x: L, y: L, path: string) => L,
  root?: string,
): <T>(a: T, b: NoInfer<T>) => T
export function treeZipWith(...args: unknown[]): unknown {
  if (typeof args[0] === 'function') {
    const f = args[0] as (x: never, y: never, path: string) => unknown
    const root = (args[1] as string | undefined) ?? 'params'
    return (a: unknown, b: unknown) => zipImpl([a, b], (ls, p) => f(ls[0], ls[1], p), root, 'treeZipWith')
  }
  const f = args[2] as (x: never, y: never, path: string) => unknown
  const root = (args[3] as string | undefined) ?? 'params'
  return zipImpl([args[0], args[1]], (ls, p) => f(ls[0], ls[1], p), root, 'treeZipWith')
}

/**
 * Combine any number (at least one) of records of the same structure leaf by leaf:
 * `f([x0, x1, ...], path)`; the first record is the expected structure. Data first,
 * `treeZipWithN(trees, f)`, or data last, `treeZipWithN(f)(trees)`.
 * @throws PuregradError `TREE_MISMATCH` when a structure differs from the first record's (the
 * message names the record and the path); `INVALID_ARGUMENT` for an empty list or a value that is
 * neither a tensor nor a record node.
 * @example
 * ```ts
 * import { mean, stack, tensor, treeZipWithN, type Tensor } from 'puregrad'
 * const records = [{ a: tensor(1) }, { a: tensor(2) }, { a: tensor(6) }]
 * treeZipWithN(records, (xs: Tensor[]) => mean(stack(xs))).a.item() // => 3
 * ```
 */
export function treeZipWithN<T, L = unknown>(
  trees: readonly T[],
  f: (leaves: L[], path: string) => L,
  root?: string,
): T
export function treeZipWithN<L = unknown>(
  f: (leaves: L[], path: string) => L,
  root?: string,
): <T>(trees: readonly T[]) => T
export function treeZipWithN(...args: unknown[]): unknown {
  if (typeof args[0] === 'function') {
    const f = args[0] as (leaves: never[], path: string) => unknown
    const root = (args[1] as string | undefined) ?? 'params'
    return (trees: readonly unknown[]) => zipImpl(trees, f, root, 'treeZipWithN')
  }
  const f = args[1] as (leaves: never[], path: string) => unknown
  return zipImpl(args[0] as readonly unknown[], f, (args[2] as string | undefined) ?? 'params', 'treeZipWithN')
}
