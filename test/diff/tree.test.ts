/**
 * Tests for parameter records (src/diff/tree.ts): flatten/unflatten, leaf order, paths,
 * registered node classes, structure-mismatch messages and the types of treeMap/treeZipWith.
 * Leaves are a fake `Leaf` class installed with setLeafPredicate, so no Tensor is needed.
 */

import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { PuregradError } from '../../src/core/errors.js'
import {
  registerTreeNode,
  setLeafPredicate,
  treeDefEquals,
  treeDefToString,
  treeFlatten,
  treeLeaves,
  treeLeavesWithPath,
  treeMap,
  treeStructure,
  treeStructureEquals,
  treeUnflatten,
  treeZipWith,
  treeZipWithN,
  type TreeDef,
} from '../../src/diff/tree.js'

class Leaf {
  constructor(readonly v: number) {}
}
const l = (v: number): Leaf => new Leaf(v)
const values = (leaves: readonly unknown[]): number[] => leaves.map((x) => (x as Leaf).v)

class Linear {
  constructor(
    readonly w: Leaf,
    readonly b: Leaf | null,
    readonly act: string,
  ) {}
}

abstract class Layer {
  abstract readonly weights: readonly Leaf[]
}
class Dense extends Layer {
  constructor(readonly weights: readonly Leaf[]) {
    super()
  }
}

class Unregistered {
  readonly w = l(1)
}

beforeAll(() => {
  setLeafPredicate((x) => x instanceof Leaf)
  registerTreeNode(
    Linear,
    (n) => [[n.w, n.b], n.act],
    (aux, [w, b]) => new Linear(w as Leaf, b as Leaf | null, aux as string),
  )
  registerTreeNode(
    Layer,
    (n) => [n.weights, { kind: 'dense' }],
    (_aux, children) => new Dense(children as Leaf[]),
  )
})

/** Run `f`, expecting a PuregradError; return it. */
const caught = (f: () => unknown): PuregradError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(PuregradError)
    return e as PuregradError
  }
  throw new Error('expected an error')
}

describe('treeFlatten / treeUnflatten', () => {
  it('round-trips nested objects, arrays and tuples', () => {
    const tuple: readonly [Leaf, Leaf] = [l(4), l(5)]
    const p = {
      layers: [
        { w: l(1), b: l(2) },
        { w: l(3), b: null },
      ],
      pair: tuple,
      empty: {},
      none: [],
    }
    const [leaves, def] = treeFlatten(p)
    expect(values(leaves)).toEqual([2, 1, 3, 4, 5])
    expect(def.numLeaves).toBe(5)
    const back = treeUnflatten<typeof p>(def, leaves)
    expect(back).toEqual(p)
    expect(back).not.toBe(p)
    expect(back.layers[0].w).toBe(p.layers[0].w) // leaves are reused, not copied
    expect(Array.isArray(back.pair)).toBe(true)
  })

  it('orders object keys sorted, arrays by index', () => {
    const p = { z: l(1), a: l(2), m: [l(3), { y: l(4), b: l(5) }], B: l(6) }
    expect(values(treeLeaves(p))).toEqual([6, 2, 3, 5, 4, 1])
  })

  it('keeps the original key order when rebuilding', () => {
    const p = { z: l(1), a: l(2) }
    const [leaves, def] = treeFlatten(p)
    expect(Object.keys(treeUnflatten(def, leaves) as object)).toEqual(['z', 'a'])
    expect(Object.keys(treeMap(p, (x: Leaf) => l(x.v + 1)))).toEqual(['z', 'a'])
  })

  it('rebuilds from new leaves', () => {
    const [, def] = treeFlatten({ b: l(0), a: [l(0)] })
    expect(treeUnflatten(def, [l(1), l(2)])).toEqual({ a: [l(1)], b: l(2) })
  })

  it('rejects a leaf count that does not fit', () => {
    const [, def] = treeFlatten({ a: l(0), b: l(0) })
    const e = caught(() => treeUnflatten(def, [l(1)]))
    expect(e.code).toBe('TREE_MISMATCH')
    expect(e.message).toBe('treeUnflatten: the structure has 2 leaves, got 1')
  })

  it('treats a bare leaf as a record with one leaf', () => {
    const [leaves, def] = treeFlatten(l(7))
    expect(values(leaves)).toEqual([7])
    expect(treeDefToString(def)).toBe('*')
    expect(treeUnflatten(def, [l(8)])).toEqual(l(8))
  })
})

describe('null and undefined subtrees', () => {
  it('have no leaves and round-trip as themselves', () => {
    const p = { a: null, b: undefined, c: [null, l(1), undefined], d: { e: null } }
    const [leaves, def] = treeFlatten(p)
    expect(values(leaves)).toEqual([1])
    const back = treeUnflatten<typeof p>(def, leaves)
    expect(back.a).toBeNull()
    expect('b' in back).toBe(true)
    expect(back.b).toBeUndefined()
    expect(back.c[0]).toBeNull()
    expect(back.c[2]).toBeUndefined()
    expect(back.d.e).toBeNull()
    expect(treeFlatten(null)[0]).toEqual([])
    expect(treeUnflatten(treeFlatten(null)[1], [])).toBeNull()
    expect(treeUnflatten(treeFlatten(undefined)[1], [])).toBeUndefined()
  })

  it('are kept by treeMap and match each other in zips', () => {
    const a = { w: l(1), b: null as Leaf | null | undefined }
    const b = { w: l(2), b: undefined as Leaf | null | undefined }
    expect(treeMap(a, (x: Leaf) => l(x.v * 10))).toEqual({ w: l(10), b: null })
    expect(treeZipWith(a, b, (x: Leaf, y: Leaf) => l(x.v + y.v))).toEqual({ w: l(3), b: null })
    expect(treeStructureEquals(a, b)).toBe(true)
  })
})

describe('paths', () => {
  it('formats indices, identifier keys and other keys', () => {
    const p = { layers: [{ w: l(1) }, { w: l(2), 'a b': l(3) }], $x_1: [[l(4)]], '0': l(5) }
    expect(treeLeavesWithPath(p).map(([path, x]) => [path, (x as Leaf).v])).toEqual([
      ['params.$x_1[0][0]', 4],
      ['params["0"]', 5],
      ['params.layers[0].w', 1],
      ['params.layers[1]["a b"]', 3],
      ['params.layers[1].w', 2],
    ])
  })

  it('uses the given root and passes paths to treeMap', () => {
    expect(treeLeavesWithPath({ m: [l(1)] }, 'state').map(([path]) => path)).toEqual(['state.m[0]'])
    const seen: string[] = []
    treeMap({ b: l(1), a: [l(2)] }, (x: Leaf, path) => {
      seen.push(path)
      return x
    })
    expect(seen).toEqual(['params.a[0]', 'params.b'])
  })

  it('indexes registered-node children', () => {
    const p = { fc: new Linear(l(1), l(2), 'relu') }
    expect(treeLeavesWithPath(p).map(([path]) => path)).toEqual(['params.fc[0]', 'params.fc[1]'])
  })
})

describe('registered nodes', () => {
  it('round-trip with their aux data', () => {
    const p = { fc: [new Linear(l(1), l(2), 'relu'), new Linear(l(3), null, 'tanh')] }
    const [leaves, def] = treeFlatten(p)
    expect(values(leaves)).toEqual([1, 2, 3])
    expect(treeDefToString(def)).toBe('{fc: [Linear<"relu">(*, *), Linear<"tanh">(*, null)]}')
    const back = treeUnflatten<typeof p>(def, [l(10), l(20), l(30)])
    expect(back.fc[0]).toBeInstanceOf(Linear)
    expect(back.fc[0]).toEqual(new Linear(l(10), l(20), 'relu'))
    expect(back.fc[1]).toEqual(new Linear(l(30), null, 'tanh'))
    const doubled = treeMap(p, (x: Leaf) => l(2 * x.v))
    expect(doubled.fc[1]).toBeInstanceOf(Linear)
    expect(doubled.fc[1].act).toBe('tanh')
  })

  it('match subclasses of a registered (abstract) class', () => {
    const p = [new Dense([l(1), l(2)])]
    const back = treeMap(p, (x: Leaf) => l(x.v + 1))
    expect(back[0]).toBeInstanceOf(Dense)
    expect(values(back[0].weights)).toEqual([2, 3])
    expect(treeDefToString(treeStructure(p))).toBe('[Dense<{"kind":"dense"}>(*, *)]')
  })

  it('compare by class and aux', () => {
    const a = new Linear(l(1), l(2), 'relu')
    expect(treeStructureEquals(a, new Linear(l(3), l(4), 'relu'))).toBe(true)
    expect(treeStructureEquals(a, new Linear(l(3), l(4), 'tanh'))).toBe(false)
    expect(treeStructureEquals(a, new Linear(l(3), null, 'relu'))).toBe(false)
    expect(treeStructureEquals(a, [l(1), l(2)])).toBe(false)
  })
})

describe('treeStructureEquals / treeDefEquals', () => {
  it('ignores key insertion order and leaf values', () => {
    expect(treeStructureEquals({ a: l(1), b: [l(2)] }, { b: [l(3)], a: l(4) })).toBe(true)
    const d1: TreeDef = treeStructure({ a: l(1) })
    expect(treeDefEquals(d1, d1)).toBe(true)
    expect(treeDefEquals(d1, treeStructure({ a: l(2) }))).toBe(true)
  })

  it('sees differing keys, lengths and kinds', () => {
    expect(treeStructureEquals({ a: l(1) }, { b: l(1) })).toBe(false)
    expect(treeStructureEquals([l(1)], [l(1), l(2)])).toBe(false)
    expect(treeStructureEquals({ a: [l(1)] }, { a: { 0: l(1) } })).toBe(false)
    expect(treeStructureEquals({ a: l(1) }, { a: [l(1)] })).toBe(false)
  })
})

describe('treeZipWith mismatch messages', () => {
  const mismatch = (a: unknown, b: unknown): string => {
    const e = caught(() => treeZipWith(a, b, (x) => x))
    expect(e.code).toBe('TREE_MISMATCH')
    return e.message
  }

  it('names a missing key', () => {
    const a = { layers: [{ w: l(1), b: l(2) }, { w: l(3), b: l(4) }] }
    const b = { layers: [{ w: l(1), b: l(2) }, { w: l(3) }] }
    expect(mismatch(a, b)).toBe('params.layers[1]: missing key "b"')
  })

  it('names an extra key', () => {
    expect(mismatch({ w: l(1) }, { w: l(1), v: l(2) })).toBe('params: extra key "v"')
    expect(mismatch({ m: { w: l(1) } }, { m: { w: l(1), 'a b': l(2) } })).toBe('params.m: extra key "a b"')
  })

  it('names an array length', () => {
    expect(mismatch({ layers: [l(1), l(2), l(3)] }, { layers: [l(1), l(2)] })).toBe(
      'params.layers: expected an array of length 3, got 2',
    )
  })

  it('names a node kind', () => {
    expect(mismatch({ w: l(1) }, { w: [l(1)] })).toBe('params.w: expected a tensor, got an array')
    expect(mismatch({ w: { a: l(1) } }, { w: [l(1)] })).toBe('params.w: expected an object, got an array')
    expect(mismatch({ w: l(1) }, { w: null })).toBe('params.w: expected a tensor, got null')
    expect(mismatch([new Linear(l(1), l(2), 'relu')], [[l(1), l(2)]])).toBe(
      'params[0]: expected a Linear node, got an array',
    )
    expect(mismatch([new Linear(l(1), l(2), 'relu')], [new Dense([l(1), l(2)])])).toBe(
      'params[0]: expected a Linear node, got a Dense node',
    )
  })

  it('names differing aux data and child counts', () => {
    expect(mismatch({ fc: new Linear(l(1), l(2), 'relu') }, { fc: new Linear(l(1), l(2), 'tanh') })).toBe(
      'params.fc: Linear nodes differ in their static data: expected "relu", got "tanh"',
    )
    expect(mismatch(new Dense([l(1)]), new Dense([l(1), l(2)]))).toBe(
      'params: expected a Dense node with 1 children, got 2',
    )
  })

  it('reports the first difference in leaf order', () => {
    expect(mismatch({ a: [l(1)], b: [l(1)] }, { a: [l(1), l(2)], b: l(1) })).toBe(
      'params.a: expected an array of length 1, got 2',
    )
  })

  it('uses the given root', () => {
    const e = caught(() => treeZipWith<unknown>({ w: l(1) }, {}, (x) => x, 'grads'))
    expect(e.message).toBe('grads: missing key "w"')
  })
})

describe('treeZipWith / treeZipWithN', () => {
  it('combines leaves with paths', () => {
    const a = { w: [l(1), l(2)], b: l(3) }
    const b = { b: l(30), w: [l(10), l(20)] }
    const paths: string[] = []
    const out = treeZipWith(a, b, (x: Leaf, y: Leaf, path) => {
      paths.push(path)
      return l(x.v + y.v)
    })
    expect(out).toEqual({ w: [l(11), l(22)], b: l(33) })
    expect(Object.keys(out)).toEqual(['w', 'b'])
    expect(paths).toEqual(['params.b', 'params.w[0]', 'params.w[1]'])
  })

  it('zips any number of records', () => {
    const t = (v: number) => ({ m: [l(v)], v: l(v * 10) })
    expect(treeZipWithN([t(1), t(2), t(3)], (xs: Leaf[]) => l(xs.reduce((s, x) => s + x.v, 0)))).toEqual(t(6))
    expect(treeZipWithN([t(1)], (xs: Leaf[]) => l(-xs[0].v))).toEqual(t(-1))
    const e = caught(() => treeZipWithN([t(1), t(2), { m: [l(1)] }], (xs) => xs[0]))
    expect(e.code).toBe('TREE_MISMATCH')
    expect(e.message).toBe('params: missing key "v" (record 2 compared with record 0)')
    expect(caught(() => treeZipWithN([], (xs) => xs[0])).code).toBe('INVALID_ARGUMENT')
  })

  it('has data-last forms', () => {
    const double = treeMap((x: Leaf) => l(2 * x.v))
    expect(double({ a: [l(1)] })).toEqual({ a: [l(2)] })
    const add = treeZipWith((x: Leaf, y: Leaf) => l(x.v + y.v))
    expect(add([l(1)], [l(2)])).toEqual([l(3)])
    const sum = treeZipWithN((xs: Leaf[]) => l(xs[0].v + xs[1].v))
    expect(sum([{ a: l(1) }, { a: l(2) }])).toEqual({ a: l(3) })
  })
})

describe('values that are not records', () => {
  it('names the path of a number or string', () => {
    const p = { layers: [{ w: l(1) }, { w: 3 }] }
    const e = caught(() => treeFlatten(p))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toBe('params.layers[1].w: expected a tensor, got number')
    expect(caught(() => treeMap({ a: ['x'] }, (x) => x)).message).toBe('params.a[0]: expected a tensor, got string')
    expect(caught(() => treeLeaves(5, 'grads')).message).toBe('grads: expected a tensor, got number')
  })

  it('rejects instances of unregistered classes, naming the class', () => {
    const e = caught(() => treeLeaves({ opt: new Unregistered() }))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toMatch(/^params\.opt: expected a tensor, got an instance of Unregistered \(/)
    expect(caught(() => treeLeaves([new Map()])).message).toMatch(/^params\[0\]: expected a tensor, got an instance of Map/)
  })

  it('rejects cycles', () => {
    const p: { a: unknown[] } = { a: [] }
    p.a.push(p)
    const e = caught(() => treeLeaves(p))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toBe('params.a[0]: the record contains itself (a cycle)')
  })

  it('accepts shared subtrees that are not cycles', () => {
    const shared = { w: l(1) }
    expect(values(treeLeaves({ a: shared, b: shared }))).toEqual([1, 1])
  })

  it('rejects registering Object or Array', () => {
    expect(caught(() => registerTreeNode(Object, () => [[], null], () => ({}))).code).toBe('INVALID_ARGUMENT')
    expect(caught(() => registerTreeNode(Array, () => [[], null], () => [])).code).toBe('INVALID_ARGUMENT')
  })
})

describe('treeDefToString', () => {
  it('renders structures', () => {
    const def = treeStructure({ w: l(1), b: [l(2), null], 'a b': { c: undefined } })
    expect(treeDefToString(def)).toBe('{"a b": {c: undefined}, b: [*, null], w: *}')
    expect(String(def)).toBe(treeDefToString(def))
  })
})

describe('types', () => {
  it('treeMap and treeZipWith preserve the record type', () => {
    interface Params {
      readonly layers: readonly { readonly w: Leaf; readonly b: Leaf | null }[]
      readonly pair: readonly [Leaf, Leaf]
    }
    const p: Params = { layers: [{ w: l(1), b: null }], pair: [l(2), l(3)] }
    const mapped = treeMap(p, (x: Leaf, path: string) => l(x.v + path.length))
    expectTypeOf(mapped).toEqualTypeOf<Params>()
    expectTypeOf(treeMap(p, (x) => x)).toEqualTypeOf<Params>()
    expectTypeOf(treeMap((x: Leaf) => x)(p)).toEqualTypeOf<Params>()
    expectTypeOf(treeZipWith(p, p, (x: Leaf, y: Leaf) => l(x.v + y.v))).toEqualTypeOf<Params>()
    expectTypeOf(treeZipWithN([p, p], (xs: Leaf[]) => xs[0])).toEqualTypeOf<Params>()
    expectTypeOf(treeLeaves<Leaf>(p)).toEqualTypeOf<Leaf[]>()
    expectTypeOf(treeFlatten<Leaf>(p)).toEqualTypeOf<[leaves: Leaf[], def: TreeDef]>()
    expectTypeOf(treeUnflatten<Params>(treeStructure(p), treeLeaves(p))).toEqualTypeOf<Params>()
    // The leaf callback's parameter follows the declared leaf type.
    treeMap(p, (x: Leaf) => {
      expectTypeOf(x).toEqualTypeOf<Leaf>()
      return x
    })
    // A second record of another type is rejected (type-level only; not run).
    // @ts-expect-error b must have a's type
    const _bad = (): Params => treeZipWith(p, { other: l(1) }, (x: Leaf) => x)
    expectTypeOf(_bad).returns.toEqualTypeOf<Params>()
  })
})
