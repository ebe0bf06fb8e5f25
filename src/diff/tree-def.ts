/**
 * The structures of parameter records (see ./tree.ts for the records themselves): the leaf test,
 * the registry of user classes that are tree nodes, the opaque `TreeDef` that `treeFlatten`
 * returns, its rendering, and structure comparison with a message naming the first difference.
 * ./tree.ts walks records and builds these; everything else imports the public part through it.
 *
 * This module does not import the Tensor class (that would be an import cycle): the tensor
 * module installs the leaf test with `setLeafPredicate`.
 */

import { PuregradError } from '../core/errors.js'

/**
 * The shape of a parameter record with leaves of type `L`: a leaf, null or undefined (an empty
 * subtree), or arrays and plain objects of records. Instances of classes registered with
 * {@link registerTreeNode} are records too. Documentation: the tree functions are generic.
 */
export type Tree<L> =
  | L
  | null
  | undefined
  | readonly Tree<L>[]
  | { readonly [k: string]: Tree<L> }

// ---------------------------------------------------------------------------------------------
// Leaves

let isLeaf: (x: unknown) => boolean = () => false

/** Install the test that recognises leaves (the tensor module installs `x instanceof Tensor`). */
export const setLeafPredicate = (p: (x: unknown) => boolean): void => {
  isLeaf = p
}

/** Whether `x` is a leaf under the installed predicate. */
export const isTreeLeaf = (x: unknown): boolean => isLeaf(x)

// ---------------------------------------------------------------------------------------------
// Registered node classes

export interface Registration {
  readonly ctor: abstract new (...args: never[]) => unknown
  readonly flatten: (node: never) => readonly [children: readonly unknown[], aux: unknown]
  readonly unflatten: (aux: unknown, children: readonly unknown[]) => unknown
}

/** Keyed by the registered class's prototype; instances of subclasses match too. */
const registry = new Map<object, Registration>()

/**
 * Make instances of `ctor` (and of its subclasses) tree nodes, so that {@link grad}, the tree
 * functions, layers and optimizers walk into them. `flatten` returns the node's children (subtrees,
 * in a fixed order) and `aux`, static data that is not traversed; `unflatten(aux, children)`
 * rebuilds a node from them. Two nodes have the same structure when they are instances of the same
 * class, their `aux` values are equal (`Object.is`, or structurally for plain arrays and objects)
 * and their children have the same structure. Registering a class again replaces its previous
 * registration. Paths name children by index: `params.net[0]`.
 * @throws PuregradError `INVALID_ARGUMENT` when `ctor` is not a class, or is Object or Array.
 * @example
 * ```ts
 * import { add, registerTreeNode, tensor, treeMap, type Tensor } from 'puregrad'
 * class Linear { constructor(readonly w: Tensor, readonly act: string) {} }
 * registerTreeNode(Linear, (l) => [[l.w], l.act], (act, [w]) => new Linear(w as Tensor, act as string))
 * const next = treeMap(new Linear(tensor([1]), 'relu'), (w: Tensor) => add(w, 1))
 * next instanceof Linear // => true
 * next.w.item() // => 2
 * next.act // => 'relu'
 * ```
 */
export function registerTreeNode<T>(
  ctor: abstract new (...args: never[]) => T,
  flatten: (node: T) => readonly [children: readonly unknown[], aux: unknown],
  unflatten: (aux: unknown, children: readonly unknown[]) => T,
): void {
  const proto: unknown = typeof ctor === 'function' ? ctor.prototype : undefined
  if (typeof proto !== 'object' || proto === null || proto === Object.prototype || proto === Array.prototype) {
    throw new PuregradError(
      'INVALID_ARGUMENT',
      'expected a class other than Object and Array',
      'registerTreeNode',
    )
  }
  registry.set(proto, { ctor, flatten, unflatten })
}

export const registrationOf = (proto: object): Registration | undefined => {
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const r = registry.get(p)
    if (r !== undefined) return r
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Structure descriptions

export interface LeafDef { readonly kind: 'leaf' }
export interface NoneDef { readonly kind: 'none'; readonly value: null | undefined }
export interface ArrayDef { readonly kind: 'array'; readonly children: readonly DefNode[] }
export interface ObjectDef {
  readonly kind: 'object'
  /** Keys in sorted order; `children` follow this order. */
  readonly keys: readonly string[]
  /** Keys in the original insertion order, used when rebuilding. */
  readonly order: readonly string[]
  readonly children: readonly DefNode[]
}
export interface NodeDef {
  readonly kind: 'node'
  /** The instance's own class (may be a subclass of the registered one). */
  readonly cls: Function
  readonly reg: Registration
  readonly aux: unknown
  readonly children: readonly DefNode[]
}
export type DefNode = LeafDef | NoneDef | ArrayDef | ObjectDef | NodeDef

export const LEAF: LeafDef = { kind: 'leaf' }
export const NULL_DEF: NoneDef = { kind: 'none', value: null }
export const UNDEFINED_DEF: NoneDef = { kind: 'none', value: undefined }

declare const opaque: unique symbol

/**
 * The structure of a parameter record with its leaves taken out, from {@link treeFlatten}. Opaque:
 * rebuild a record with {@link treeUnflatten}; `String(def)` renders it, `{b: [*, null], w: *}`.
 */
export interface TreeDef {
  /** How many leaves a record of this structure has. */
  readonly numLeaves: number
  readonly [opaque]: 'TreeDef'
}

export class TreeDefImpl {
  declare readonly [opaque]: 'TreeDef'
  constructor(
    readonly numLeaves: number,
    readonly node: DefNode,
  ) {}

  toString(): string {
    return render(this.node)
  }
}

export const nodeOf = (def: TreeDef, op: string): DefNode => {
  if (!(def instanceof TreeDefImpl)) {
    throw new PuregradError('INVALID_ARGUMENT', 'expected a TreeDef made by treeFlatten', op)
  }
  return def.node
}

// ---------------------------------------------------------------------------------------------
// Paths and descriptions

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

export const keyPath = (path: string, key: string): string =>
  IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`

export const describeValue = (x: unknown): string => {
  if (typeof x !== 'object') return typeof x
  const proto: unknown = Object.getPrototypeOf(x)
  const ctor: unknown = typeof proto === 'object' && proto !== null ? (proto as { constructor?: unknown }).constructor : undefined
  const name = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'an anonymous class'
  return `an instance of ${name} (only plain objects, arrays and classes registered with registerTreeNode are tree nodes)`
}

export const className = (f: Function): string => (f.name !== '' ? f.name : 'anonymous class')

const describeDef = (d: DefNode): string => {
  switch (d.kind) {
    case 'leaf': return 'a tensor'
    case 'none': return d.value === null ? 'null' : 'undefined'
    case 'array': return 'an array'
    case 'object': return 'an object'
    case 'node': return `a ${className(d.cls)} node`
  }
}

const showAux = (aux: unknown): string => {
  if (typeof aux === 'function') return `[function ${aux.name}]`
  try {
    const s = JSON.stringify(aux)
    if (s !== undefined) return s
  } catch {
    // cyclic or bigint: fall through
  }
  return String(aux)
}

const render = (d: DefNode): string => {
  switch (d.kind) {
    case 'leaf': return '*'
    case 'none': return d.value === null ? 'null' : 'undefined'
    case 'array': return `[${d.children.map(render).join(', ')}]`
    case 'object':
      return `{${d.keys
        .map((k, i) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${render(d.children[i])}`)
        .join(', ')}}`
    case 'node': {
      const aux = d.aux === undefined ? '' : `<${showAux(d.aux)}>`
      return `${className(d.cls)}${aux}(${d.children.map(render).join(', ')})`
    }
  }
}

/** A readable rendering of a structure: `{b: [*, null], w: *, layer: Linear<{"act":"relu"}>(*, *)}`. */
export const treeDefToString = (def: TreeDef): string => render(nodeOf(def, 'treeDefToString'))

// ---------------------------------------------------------------------------------------------
// Structure comparison

const auxEquals = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!auxEquals(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const pa: unknown = Object.getPrototypeOf(a)
  const pb: unknown = Object.getPrototypeOf(b)
  const plain = (p: unknown): boolean => p === Object.prototype || p === null
  if (!plain(pa) || !plain(pb)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  const rb = b as Record<string, unknown>
  const ra = a as Record<string, unknown>
  for (const k of ka) if (!Object.hasOwn(rb, k) || !auxEquals(ra[k], rb[k])) return false
  return true
}

/**
 * The first place where `b`'s structure differs from `a`'s (which is the expected one), as a
 * message `path: what differs`, or undefined when they match. Visits in leaf order.
 */
export function difference(a: DefNode, b: DefNode, path: string): string | undefined {
  if (a === b) return undefined
  if (a.kind !== b.kind) return `${path}: expected ${describeDef(a)}, got ${describeDef(b)}`
  switch (a.kind) {
    case 'leaf':
    case 'none':
      return undefined
    case 'array': {
      const bc = (b as ArrayDef).children
      if (a.children.length !== bc.length) {
        return `${path}: expected an array of length ${a.children.length}, got ${bc.length}`
      }
      for (let i = 0; i < bc.length; i++) {
        const d = difference(a.children[i], bc[i], `${path}[${i}]`)
        if (d !== undefined) return d
      }
      return undefined
    }
    case 'object': {
      const bo = b as ObjectDef
      // Both key lists are sorted: merge them to find the first key only one side has.
      let i = 0
      let j = 0
      while (i < a.keys.length || j < bo.keys.length) {
        const ka = a.keys[i]
        const kb = bo.keys[j]
        if (ka === kb) { i++; j++; continue }
        if (kb === undefined || (ka !== undefined && ka < kb)) return `${path}: missing key ${JSON.stringify(ka)}`
        return `${path}: extra key ${JSON.stringify(kb)}`
      }
      for (let k = 0; k < a.keys.length; k++) {
        const d = difference(a.children[k], bo.children[k], keyPath(path, a.keys[k]))
        if (d !== undefined) return d
      }
      return undefined
    }
    case 'node': {
      const bn = b as NodeDef
      if (a.cls !== bn.cls) return `${path}: expected ${describeDef(a)}, got ${describeDef(bn)}`
      if (!auxEquals(a.aux, bn.aux)) {
        return `${path}: ${className(a.cls)} nodes differ in their static data: expected ${showAux(a.aux)}, got ${showAux(bn.aux)}`
      }
      if (a.children.length !== bn.children.length) {
        return `${path}: expected ${describeDef(a)} with ${a.children.length} children, got ${bn.children.length}`
      }
      for (let i = 0; i < bn.children.length; i++) {
        const d = difference(a.children[i], bn.children[i], `${path}[${i}]`)
        if (d !== undefined) return d
      }
      return undefined
    }
  }
}

/** Whether two structures are the same (null and undefined subtrees count as the same). */
export const treeDefEquals = (a: TreeDef, b: TreeDef): boolean => {
  const na = nodeOf(a, 'treeDefEquals')
  const nb = nodeOf(b, 'treeDefEquals')
  return a === b || (a.numLeaves === b.numLeaves && difference(na, nb, '') === undefined)
}
