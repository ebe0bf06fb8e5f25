/**
 * The fuzz table: one entry per tensor-returning export of src/index.ts, with an argument
 * generator that mixes valid and invalid calls (wrong ranks, shapes, dtypes, broadcasts, axes,
 * NaN/Inf, empty and zero-size dimensions, dimensions too large to allocate, junk arguments) and
 * the tolerance its float32 results get against the float64 reference. Exports that return no
 * tensor are in EXEMPT with the reason; fuzz-ops.test.ts fails when an export is in neither.
 */

import fc from 'fast-check'
import * as pg from '../../src/index.js'
import type { DType } from '../../src/index.js'
import {
  anyDtype, axesArb, axisArb, boolish, dtypeOpts, dtypeSpec, floatDtype, garbage, HUGE, L, lit, optsArb, POOL,
  relatedShape, shapeArb, shapeArgArb, tArb, tensorish, tOf, valueArb, type Spec,
} from './fuzz-support.js'

export interface OpCase {
  readonly args: fc.Arbitrary<Spec[]>
  /** How float32 results compare with the float64 reference (see tolFor). */
  readonly tol: 'exact' | 'close' | 'accum'
  /** What an error message may name besides the op: the primitives a composition is made of. */
  readonly alsoNames?: readonly string[]
}

const C = <T>(v: T): fc.Arbitrary<T> => fc.constant(v)
const numArg = lit(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: garbage }))
const boolDtype = fc.constantFrom<DType>('bool', 'bool', 'bool', 'float32', 'int32')

/** A tensor spec together with its shape, for generators whose other arguments depend on it. */
const withT = (dtypes: fc.Arbitrary<DType>, f: (t: Spec, s: number[]) => fc.Arbitrary<Spec[]>, shapes = shapeArb()): fc.Arbitrary<Spec[]> =>
  fc.tuple(dtypes, shapes).chain(([d, s]) => tOf(d, s).chain((t) => tensorish(C(t)).chain((x) => f(x, s))))

const unary = (dtypes: fc.Arbitrary<DType> = anyDtype): fc.Arbitrary<Spec[]> => tensorish(tArb(dtypes)).map((a) => [a])

const binary = (dtypes: fc.Arbitrary<DType> = anyDtype): fc.Arbitrary<Spec[]> =>
  fc.tuple(dtypes, shapeArb()).chain(([d, s]) => fc.tuple(
    tensorish(tOf(d, s)),
    tensorish(fc.oneof({ weight: 8, arbitrary: relatedShape(s).chain((r) => tOf(d, r)) }, { weight: 1, arbitrary: tArb() })),
  ))

const reduction = withT(anyDtype, (t, s) => optsArb({ axis: axesArb(s.length), keepDims: boolish }).map((o) => [t, o]))
const argReduction = withT(anyDtype, (t, s) => optsArb({ axis: axisArb(s.length), keepDims: boolish }).map((o) => [t, o]))
const axisOnly = withT(anyDtype, (t, s) => fc.oneof(C(L(undefined)), lit(axisArb(s.length))).map((a) => [t, a]))

const matmulArgs: fc.Arbitrary<Spec[]> = fc.oneof(
  { weight: 12, arbitrary: fc.record({
    d: anyDtype, ra: fc.integer({ min: 1, max: 3 }), rb: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 0, max: 4 }),
    k: fc.integer({ min: 0, max: 5 }), k2: fc.oneof({ weight: 6, arbitrary: C(-1) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }) }),
    n: fc.integer({ min: 0, max: 4 }), ba: fc.integer({ min: 1, max: 3 }), bb: fc.constantFrom(1, 1, 2, 3), ta: fc.boolean(), tb: fc.boolean(),
  }).chain(({ d, ra, rb, m, k, k2, n, ba, bb, ta, tb }) => {
    const kb = k2 < 0 ? k : k2
    const a = ra === 1 ? [k] : [...(ra === 3 ? [ba] : []), ...(ta ? [k, m] : [m, k])]
    const b = rb === 1 ? [kb] : [...(rb === 3 ? [bb] : []), ...(tb ? [n, kb] : [kb, n])]
    return fc.tuple(tensorish(tOf(d, a)), tensorish(tOf(d, b)), optsArb({ transposeA: C(ta), transposeB: C(tb) })).map((x) => [...x])
  }) },
  // An outer product whose result is far too large to allocate.
  { weight: 1, arbitrary: C<Spec[]>([{ k: 'Z', dtype: 'float32', shape: [2 ** 16, 1] }, { k: 'Z', dtype: 'float32', shape: [1, 2 ** 16] }]) },
)

const vectors = fc.tuple(floatDtype, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), fc.boolean())
  .chain(([d, n, n2, same]) => fc.tuple(tensorish(tOf(d, [n])), tensorish(tOf(d, [same ? n : n2]))).map((x) => [...x]))

const reshapeTarget = (s: number[]): fc.Arbitrary<unknown> => {
  const n = s.reduce((a, b) => a * b, 1)
  return fc.oneof(C([n]), C([-1]), C([...s].reverse()), C([1, ...s, 1]), C([-1, s.at(-1) ?? 1]), C([-1, -1]), C([0, -1]), shapeArgArb)
}

const broadcastTarget = (s: number[]): fc.Arbitrary<unknown> =>
  fc.oneof(C([2, ...s]), C(s.map((d) => (d === 1 ? 3 : d))), C([...s, 2]), shapeArgArb)

const permArb = (r: number): fc.Arbitrary<unknown> => fc.oneof(
  C(undefined),
  fc.shuffledSubarray([...Array(r).keys()], { minLength: r, maxLength: r }),
  fc.shuffledSubarray([...Array(r).keys()], { minLength: r, maxLength: r }).map((p) => p.map((a) => a - r)),
  fc.array(fc.integer({ min: -r - 1, max: r }), { maxLength: r + 1 }),
)

const sliceArgs = withT(anyDtype, (t, s) => fc.tuple(
  fc.oneof({ weight: 6, arbitrary: fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d }))) }, { weight: 1, arbitrary: fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>([0.5], [NaN], null) }),
  fc.oneof(C(undefined), fc.tuple(...s.map((d) => fc.integer({ min: -1, max: d }))), fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }), fc.constantFrom<unknown>([HUGE[2]], null)),
).map(([b, z]) => [t, L(b), L(z)]))

/** 1 to 3 tensors that agree except along `axis` (most of the time), and the axis. */
const joinArgs = (stack: boolean): fc.Arbitrary<Spec[]> => fc.tuple(anyDtype, shapeArb(0, 3), fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: C(0) })).chain(([d, s, count]) => {
  const axis = axisArb(s.length + (stack ? 1 : 0))
  const part = fc.oneof({ weight: 6, arbitrary: C(s) }, { weight: 2, arbitrary: stack ? C(s) : C(s.map((x, i) => (i === 0 ? x + 1 : x))) }, { weight: 1, arbitrary: shapeArb() })
    .chain((ps) => fc.oneof({ weight: 6, arbitrary: tOf(d, ps) }, { weight: 1, arbitrary: tArb() }))
  return fc.tuple(fc.array(tensorish(part), { minLength: count, maxLength: count }), lit(axis)).map(([items, a]) => [{ k: 'A', items }, a])
})

const splitArgs = withT(anyDtype, (t, s) => fc.tuple(
  fc.oneof(fc.integer({ min: 0, max: 4 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), C(s.slice(0, 1)), fc.constantFrom<unknown>(1.5, -1, null, [NaN])),
  fc.oneof(C(undefined), axisArb(s.length)),
).map(([z, a]) => [t, L(z), L(a)]))

const padArgs = withT(anyDtype, (t, s) => fc.tuple(
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(...s.map(() => fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })))) },
    { weight: 1, arbitrary: fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.constantFrom(0, 1, 1.5, HUGE[2])), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, [[1]], [null], 'x') },
  ),
  fc.oneof(C(undefined), valueArb),
).map(([w, v]) => [t, L(w), L(v)]))

/** int32 indices, mostly inside [0, n) (sometimes anything in [-4, 5]). */
const indicesOf = (shape: readonly number[], n: number): fc.Arbitrary<Spec> => fc.tuple(tOf('int32', shape), fc.nat(5))
  .map(([x, raw]) => (x.k === 'T' && raw > 0 ? { ...x, values: x.values.map((v) => Math.abs(v) % Math.max(n, 1)) } : x))

const gatherArgs = withT(anyDtype, (t, s) => fc.tuple(
  tensorish(fc.oneof({ weight: 6, arbitrary: shapeArb(0, 2).chain((is) => indicesOf(is, Math.min(...s.map((d) => d || 1), 4))) }, { weight: 1, arbitrary: tArb() })),
  fc.oneof(C(undefined), axisArb(s.length)),
).map(([ix, a]) => [t, ix, L(a)]))

const scatterArgs = fc.record({ d: anyDtype, pre: shapeArb(0, 1), ix: shapeArb(0, 2), post: shapeArb(0, 1), size: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, HUGE[1], null) }), bad: fc.nat(15) })
  .chain(({ d, pre, ix, post, size, bad }) => fc.tuple(
    tensorish(tOf(d, bad === 0 ? [...pre, 2, ...post] : [...pre, ...ix, ...post])),
    tensorish(bad === 1 ? tOf('float32', ix) : bad === 2 ? tOf('int32', ix) : indicesOf(ix, typeof size === 'number' ? size : 1)),
  ).map(([u, i]) => [u, i, L(bad === 3 ? 7 : pre.length), L(size)]))

const convArgs = fc.record({
  d: floatDtype, n: fc.integer({ min: 0, max: 2 }), h: fc.integer({ min: 1, max: 5 }), w: fc.integer({ min: 1, max: 5 }), ci: fc.integer({ min: 1, max: 3 }),
  kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), co: fc.integer({ min: 1, max: 3 }), wrong: fc.nat(7),
}).chain(({ d, n, h, w, ci, kh, kw, co, wrong }) => fc.tuple(
  tensorish(tOf(d, wrong === 0 ? [h, w, ci] : [n, h, w, ci])),
  tensorish(tOf(d, [kh, kw, wrong === 1 ? ci + 1 : ci, co])),
  optsArb({
    strides: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(1, 2, [1, 2]) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 1.5, [1]) }),
    dilations: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(1, 2, [2, 1]) }, { weight: 1, arbitrary: C(-1) }),
    padding: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>('same', 'same', 'valid', [0, 1, 1, 0]) }, { weight: 1, arbitrary: fc.constantFrom<unknown>([-1, 0, 0, 0], 'full', [1, 1]) }),
  }),
).map((x) => [...x]))

const poolArgs = fc.record({ d: floatDtype, s: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 })), rank3: fc.nat(9) })
  .chain(({ d, s, rank3 }) => fc.tuple(
    tensorish(tOf(d, rank3 === 0 ? s.slice(1) : s)),
    optsArb({
      window: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(1, 2, 3, [2, 1]) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0, 9, 1.5, [2]) }),
      strides: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(1, 2, [1, 2]) }, { weight: 1, arbitrary: C(0) }),
      padding: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>('same', 'valid', [1, 0, 0, 1]) }, { weight: 1, arbitrary: C('x') }),
    }),
  ).map((x) => [...x]))

const nestedData: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(shapeArb(), fc.boolean()).chain(([s, bools]) => {
    const n = s.reduce((a, b) => a * b, 1)
    return fc.array<unknown>(bools ? fc.boolean() : valueArb, { minLength: n, maxLength: n }).map((vals): Spec => {
      let i = 0
      const nest = (k: number): unknown => (k === s.length ? vals[i++] : Array.from({ length: s[k] }, () => nest(k + 1)))
      return L(nest(0))
    })
  }) },
  { weight: 1, arbitrary: lit(fc.constantFrom<unknown>([[1, 2], [3]], [[1], 2], [1, 'a'], [[true, 1]], [], [[]], 'abc', null, { a: 1 })) },
  { weight: 1, arbitrary: lit(fc.constantFrom<unknown>(new Float32Array([1, 2, 3, 4]), new Int32Array([1, -2]), new Uint16Array([1]))) },
)

const numberish = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -3, max: 6 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>(0.5, NaN, Infinity, 1e12, -1e12, undefined, '3') })

export const TABLE: Readonly<Record<string, OpCase>> = {
  // Constructors
  tensor: { args: fc.tuple(nestedData, fc.oneof(C(L(undefined)), fc.record({ shape: lit(shapeArgArb), dtype: dtypeSpec }, { requiredKeys: [] }).map((f): Spec => ({ k: 'O', fields: f })))).map((x) => [...x]), tol: 'exact' },
  scalar: { args: fc.tuple(lit(fc.oneof(valueArb, fc.boolean(), garbage)), fc.oneof(C(L(undefined)), dtypeSpec)).map((x) => [...x]), tol: 'exact', alsoNames: ['tensor'] },
  zeros: { args: fc.tuple(lit(shapeArgArb), dtypeOpts).map((x) => [...x]), tol: 'exact' },
  ones: { args: fc.tuple(lit(shapeArgArb), dtypeOpts).map((x) => [...x]), tol: 'exact' },
  full: { args: fc.tuple(lit(shapeArgArb), lit(fc.oneof(valueArb, fc.boolean(), garbage)), dtypeOpts).map((x) => [...x]), tol: 'exact' },
  arange: { args: fc.tuple(lit(numberish), lit(numberish), lit(fc.oneof(fc.constantFrom(1, 2, -1, 0.5), fc.constantFrom<unknown>(undefined, 0, NaN, Infinity))), dtypeOpts).map((x) => [...x]), tol: 'exact' },
  linspace: { args: fc.tuple(lit(numberish), lit(numberish), lit(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom<unknown>(-1, 1.5, HUGE[2], undefined))), dtypeOpts).map((x) => [...x]), tol: 'exact' },
  eye: { args: fc.tuple(lit(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom<unknown>(...HUGE, -1, 1.5, null))), lit(fc.oneof(C(undefined), fc.integer({ min: 0, max: 4 }))), dtypeOpts).map((x) => [...x]), tol: 'exact' },
  zerosLike: { args: unary(), tol: 'exact' },
  onesLike: { args: unary(), tol: 'exact' },

  // Elementwise, unary
  neg: { args: unary(), tol: 'exact' }, exp: { args: unary(), tol: 'exact' }, log: { args: unary(), tol: 'exact' },
  sin: { args: unary(), tol: 'exact' }, cos: { args: unary(), tol: 'exact' }, sqrt: { args: unary(), tol: 'exact' },
  tanh: { args: unary(), tol: 'exact' }, abs: { args: unary(), tol: 'exact' }, sign: { args: unary(), tol: 'exact' },
  floor: { args: unary(), tol: 'exact' }, ceil: { args: unary(), tol: 'exact' }, round: { args: unary(), tol: 'exact' },
  erf: { args: unary(), tol: 'exact' }, log1p: { args: unary(), tol: 'exact' }, expm1: { args: unary(), tol: 'exact' },
  square: { args: unary(), tol: 'exact', alsoNames: ['mul'] },
  reciprocal: { args: unary(), tol: 'exact', alsoNames: ['div'] },
  stopGradient: { args: unary(), tol: 'exact' },
  isFinite: { args: unary(), tol: 'exact', alsoNames: ['abs', 'less'] },
  isNaN: { args: unary(), tol: 'exact', alsoNames: ['notEqual'] },
  logicalNot: { args: unary(boolDtype), tol: 'exact', alsoNames: ['equal'] },
  cast: { args: fc.tuple(tensorish(tArb()), dtypeSpec).map((x) => [...x]), tol: 'exact' },

  // Elementwise, binary
  add: { args: binary(), tol: 'exact' }, sub: { args: binary(), tol: 'exact' }, mul: { args: binary(), tol: 'exact' },
  div: { args: binary(), tol: 'exact' }, pow: { args: binary(), tol: 'exact' },
  maximum: { args: binary(), tol: 'exact' }, minimum: { args: binary(), tol: 'exact' },
  equal: { args: binary(), tol: 'exact' }, notEqual: { args: binary(), tol: 'exact' }, less: { args: binary(), tol: 'exact' },
  lessEqual: { args: binary(), tol: 'exact' }, greater: { args: binary(), tol: 'exact' }, greaterEqual: { args: binary(), tol: 'exact' },
  logicalAnd: { args: binary(boolDtype), tol: 'exact', alsoNames: ['where'] },
  logicalOr: { args: binary(boolDtype), tol: 'exact', alsoNames: ['where'] },
  where: {
    args: fc.tuple(anyDtype, shapeArb()).chain(([d, s]) => fc.tuple(
      tensorish(fc.oneof({ weight: 8, arbitrary: relatedShape(s).chain((r) => tOf('bool', r)) }, { weight: 1, arbitrary: tArb() })),
      tensorish(tOf(d, s)),
      tensorish(relatedShape(s).chain((r) => tOf(d, r))),
    )).map((x) => [...x]),
    tol: 'exact',
  },

  // Reductions
  sum: { args: reduction, tol: 'exact' }, max: { args: reduction, tol: 'exact' },
  min: { args: reduction, tol: 'exact', alsoNames: ['max', 'neg'] },
  mean: { args: reduction, tol: 'close', alsoNames: ['sum', 'div'] },
  variance: { args: reduction, tol: 'accum', alsoNames: ['sum', 'sub', 'mul', 'div'] },
  std: { args: reduction, tol: 'accum', alsoNames: ['sum', 'sub', 'mul', 'div', 'sqrt'] },
  argmax: { args: argReduction, tol: 'exact' },
  argmin: { args: argReduction, tol: 'exact', alsoNames: ['argmax', 'neg'] },
  cumsum: { args: withT(anyDtype, (t, s) => optsArb({ axis: axisArb(s.length), reverse: boolish }).map((o) => [t, o])), tol: 'exact' },

  // Linear algebra
  matmul: { args: matmulArgs, tol: 'accum', alsoNames: ['reshape'] },
  dot: { args: vectors, tol: 'accum', alsoNames: ['mul', 'sum'] },
  outer: { args: fc.oneof(vectors, binary(floatDtype)), tol: 'exact', alsoNames: ['mul', 'reshape'] },

  // Movement
  reshape: { args: withT(anyDtype, (t, s) => lit(reshapeTarget(s)).map((z) => [t, z])), tol: 'exact' },
  transpose: { args: withT(anyDtype, (t, s) => lit(permArb(s.length)).map((p) => [t, p])), tol: 'exact' },
  broadcastTo: { args: withT(anyDtype, (t, s) => lit(broadcastTarget(s)).map((z) => [t, z])), tol: 'exact' },
  expandDims: { args: withT(anyDtype, (t, s) => lit(axisArb(s.length + 1)).map((a) => [t, a])), tol: 'exact', alsoNames: ['reshape'] },
  squeeze: { args: withT(anyDtype, (t, s) => lit(fc.oneof(C(undefined), axisArb(s.length), fc.array(axisArb(s.length), { maxLength: 2 }))).map((a) => [t, a])), tol: 'exact', alsoNames: ['reshape'] },
  flatten: { args: unary(), tol: 'exact', alsoNames: ['reshape'] },
  slice: { args: sliceArgs, tol: 'exact' },
  concat: { args: joinArgs(false), tol: 'exact' },
  stack: { args: joinArgs(true), tol: 'exact', alsoNames: ['concat', 'expandDims', 'reshape'] },
  split: { args: splitArgs, tol: 'exact', alsoNames: ['slice'] },
  pad: { args: padArgs, tol: 'exact' },

  // Indexing
  gather: { args: gatherArgs, tol: 'exact' },
  take: { args: gatherArgs, tol: 'exact', alsoNames: ['gather'] },
  scatterAdd: { args: scatterArgs, tol: 'exact' },
  oneHot: {
    args: fc.tuple(tensorish(fc.oneof({ weight: 6, arbitrary: shapeArb(0, 2).chain((s) => tOf('int32', s)) }, { weight: 1, arbitrary: tArb() })), lit(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom<unknown>(-1, 1.5, HUGE[2], null))), fc.oneof(C(L(undefined)), dtypeSpec)).map((x) => [...x]),
    tol: 'exact', alsoNames: ['equal', 'cast'],
  },

  // Convolution and pooling
  conv2d: { args: convArgs, tol: 'accum' },
  maxPool2d: { args: poolArgs, tol: 'exact', alsoNames: ['maxPool'] },
  avgPool2d: { args: poolArgs, tol: 'exact', alsoNames: ['avgPool'] },

  // Neural-network functions
  relu: { args: unary(), tol: 'exact', alsoNames: ['where', 'greater'] },
  sigmoid: { args: unary(), tol: 'close', alsoNames: ['mul', 'tanh', 'add'] },
  softmax: { args: axisOnly, tol: 'close', alsoNames: ['max', 'exp', 'sub', 'sum', 'div'] },
  logSoftmax: { args: axisOnly, tol: 'accum', alsoNames: ['max', 'exp', 'sub', 'sum', 'log'] },
  logSumExp: { args: reduction, tol: 'accum', alsoNames: ['max', 'exp', 'sub', 'sum', 'log', 'add'] },
  clip: { args: withT(anyDtype, (t) => fc.tuple(numArg, numArg).map(([lo, hi]) => [t, lo, hi])), tol: 'exact', alsoNames: ['maximum', 'minimum'] },
  norm: { args: reduction, tol: 'accum', alsoNames: ['mul', 'sum', 'sqrt'] },
}

/** Exports that return no tensor of their own, and where they are exercised instead. */
export const EXEMPT: Readonly<Record<string, string>> = {
  Tensor: 'the class; its fluent methods forward to the ops in TABLE',
  isTensor: 'a predicate, returns a boolean',
  PuregradError: 'the error class itself',
  ERROR_CODES: 'a constant (each thrown code is checked against it)',
  setDebugNans: 'a switch, covered by test/diff; the edge-semantics suite checks it with where',
  grad: 'a transformation: fuzz-ops.test.ts differentiates every successful float call; fuzz-records.test.ts fuzzes records',
  valueAndGrad: 'a transformation, fuzzed with records in fuzz-records.test.ts',
  vjp: 'a transformation, covered by test/diff and test/laws',
  jvp: 'a transformation, fuzzed with records in fuzz-records.test.ts',
  jacfwd: 'a transformation, covered by test/diff and test/laws',
  jacrev: 'a transformation, covered by test/diff and test/laws',
  hessian: 'a transformation, covered by test/diff and test/laws',
  customVjp: 'wraps a user function, covered by test/diff and test/laws',
  customJvp: 'wraps a user function, covered by test/diff and test/laws',
  registerTreeNode: 'record machinery, covered by test/diff/tree.test.ts',
  treeFlatten: 'record machinery, fuzzed with records in fuzz-records.test.ts',
  treeUnflatten: 'record machinery, covered by test/diff/tree.test.ts',
  treeLeaves: 'record machinery, covered by test/diff/tree.test.ts',
  treeLeavesWithPath: 'record machinery, covered by test/diff/tree.test.ts',
  treeMap: 'record machinery, covered by test/diff/tree.test.ts',
  treeZipWith: 'record machinery, fuzzed with records in fuzz-records.test.ts',
  treeZipWithN: 'record machinery, fuzzed through the optimizers in fuzz-records.test.ts',
  treeStructureEquals: 'returns a boolean',
  getGradMonoid: 'record machinery, covered by test/diff/accumulate.test.ts',
  materialize: 'record machinery, covered by test/diff/accumulate.test.ts',
  zeroGrad: 'a constant',
  registerBackend: 'backend registry, covered by test/backends/registry.test.ts',
  setBackend: 'backend registry (BACKEND_UNAVAILABLE), covered by test/backends/registry.test.ts',
  getBackend: 'backend registry',
  listBackends: 'backend registry',
  withBackend: 'backend registry; every fuzz call runs inside it',
  createJsBackend: 'creates a backend; the fuzz uses two of them',
  toBackend: 'a copy between backends, covered by test/backends/registry.test.ts',
  toBackendAsync: 'a copy between backends, covered by test/backends/registry.test.ts',
}

/** Every tensor-returning function the table exercises, by name. */
export const fnOf = (name: string): ((...a: never[]) => unknown) => (pg as unknown as Record<string, (...a: never[]) => unknown>)[name]
