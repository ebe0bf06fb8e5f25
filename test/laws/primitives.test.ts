/**
 * The law kit applied to every primitive and every differentiable op of puregrad. The lists are
 * not kept by hand: primitives are the keys of the JVP rule table, ops are the function exports
 * of src/index.ts, and a test fails when one of them has neither a law case in the registries
 * below nor a written exemption. Ops whose return type is a tensor must be in OPS (the compiler
 * enforces it too); every other function export must say what it is in NOT_OPS.
 *
 * Everything runs in float64 (PUREGRAD_LAW_DTYPE=float32 reruns it on float32 kernels), at order 2 (second derivatives by JAX's recursion, Hessian-vector
 * products against finite differences of grad, Hessian symmetry), with inputs kept away from kinks
 * (abs, relu, sign at 0; floor/ceil at integers; round at half-integers; ties of max, min, maximum,
 * minimum and max pooling). Each primitive also proves, through the backend's kernel counters, that
 * its law case really runs its kernel.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as api from '../../src/index.js'
import {
  Tensor, tensor, neg, exp, log, sin, cos, sqrt, tanh, abs, sign, floor, ceil, round, erf, log1p, expm1, add, sub, mul, div,
  pow, maximum, minimum, where, cast, stopGradient, square, reciprocal, sum, max, min, cumsum, mean, variance, std, matmul,
  dot, outer, reshape, transpose, broadcastTo, expandDims, squeeze, flatten, slice, concat, stack, split, pad, gather, take,
  scatterAdd, conv2d, maxPool2d, avgPool2d, relu, sigmoid, softmax, logSoftmax, logSumExp, clip, norm, getBackend,
} from '../../src/index.js'
import { jvpRules } from '../../src/diff/jvp-rules.js'
import { bind } from '../../src/diff/bind.js'
import type { Primitive } from '../../src/diff/primitives.js'
import {
  adjointProperty, arbTensor, checkGrads, checkGradsProperty, checkProperty, hessianSymmetricProperty, hvpProperty, jvpLinearProperty, lawSeed,
  stopGradientProperty, verifyGrads, type CheckDType, type GradCheckOptions, type TensorArbOptions,
} from '../../laws/index.js'
import { arbCells, arbDistinct, leafSize, project, RUNS } from './helpers.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
interface LawCase {
  readonly f: (p: Any) => unknown
  readonly arb: fc.Arbitrary<Any>
  readonly order: 1 | 2
  readonly opts?: GradCheckOptions
  /** 'grads' (default): checkGrads plus, at order 2, the HVP and Hessian laws; 'stop-gradient': that law. */
  readonly law?: 'grads' | 'stop-gradient'
}
interface Exempt { readonly exempt: string }
type Entry = LawCase | readonly LawCase[] | Exempt

type Api = typeof api
type FnName = { [K in keyof Api]: Api[K] extends (...a: never[]) => unknown ? K : never }[keyof Api]
type TensorOp = { [K in FnName]: Api[K] extends (...a: never[]) => infer R ? ([R] extends [Tensor | readonly Tensor[]] ? K : never) : never }[FnName]

const exempt = (reason: string): Exempt => ({ exempt: reason })
const t = (shape: number[], o: TensorArbOptions = {}) => arbTensor({ shape, ...o })
const unary = (f: (x: Tensor) => unknown, o: TensorArbOptions = {}, rest: Partial<LawCase> = {}): LawCase =>
  ({ f, arb: o.shape === undefined ? arbTensor({ maxRank: 3, maxDim: 3, ...o }) : t([...o.shape], o), order: 2, ...rest })
const on = (arb: fc.Arbitrary<Tensor>, f: (x: Tensor) => unknown): LawCase => ({ f, arb, order: 2 })
const binary = (f: (a: Tensor, b: Tensor) => unknown, a: fc.Arbitrary<Tensor>, b: fc.Arbitrary<Tensor>): LawCase =>
  ({ f: ([x, y]: [Tensor, Tensor]) => f(x, y), arb: fc.tuple(a, b), order: 2 })

const INT = (xs: api.TensorData) => tensor(xs, { dtype: 'int32' })
const COND = tensor([[true, false, true], [false, false, true]])
const INTEGERS = [-2, -1, 0, 1, 2]
const HALVES = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
const CONSTRUCTOR = 'constructor: builds a constant from host values or a shape; no differentiable input'
const COMPARISON = 'comparison: bool output, which has no tangent space (its JVP and VJP rules are zero)'
const BOOLEAN = 'boolean logic: bool in, bool out; nothing to differentiate'
const INDEX = 'index output (int32): piecewise constant in its input, no tangent space'

const OPS = {
  tensor: exempt(CONSTRUCTOR), scalar: exempt(CONSTRUCTOR), zeros: exempt(CONSTRUCTOR), ones: exempt(CONSTRUCTOR),
  full: exempt(CONSTRUCTOR), arange: exempt(CONSTRUCTOR), linspace: exempt(CONSTRUCTOR), eye: exempt(CONSTRUCTOR),
  zerosLike: exempt('constructor: reads only the shape and dtype of its input, so the output is a constant'),
  onesLike: exempt('constructor: reads only the shape and dtype of its input, so the output is a constant'),
  neg: unary(neg), exp: unary(exp), log: unary(log, { min: 0.5, max: 3 }), sin: unary(sin), cos: unary(cos),
  sqrt: unary(sqrt, { min: 0.5, max: 3 }), tanh: unary(tanh), abs: unary(abs, { avoid: [0] }), sign: unary(sign, { avoid: [0] }),
  floor: unary(floor, { avoid: INTEGERS }), ceil: unary(ceil, { avoid: INTEGERS }), round: unary(round, { avoid: HALVES }),
  erf: unary(erf), log1p: unary(log1p, { min: -0.7, max: 2 }), expm1: unary(expm1),
  add: [binary(add, t([2, 1, 3]), t([4, 1])), binary(add, t([2, 3]), t([2, 3]))],
  sub: binary(sub, t([3]), t([2, 3])),
  mul: [binary(mul, t([2, 1, 3]), t([4, 1])), binary(mul, t([]), t([2, 2]))],
  div: [binary(div, t([2, 3]), t([3], { avoid: [0], margin: 0.5 })), binary(div, t([3]), t([2, 1], { avoid: [0], margin: 0.5 }))],
  pow: binary(pow, t([2, 3], { min: 0.5, max: 2 }), t([3], { min: -1.5, max: 1.5 })),
  maximum: [binary(maximum, arbCells([2, 3], 0), arbCells([3], 1)), binary(maximum, arbCells([3], 1), arbCells([2, 3], 0))],
  minimum: binary(minimum, arbCells([2, 1], 0), arbCells([2, 3], 1)),
  equal: exempt(COMPARISON), notEqual: exempt(COMPARISON), less: exempt(COMPARISON), lessEqual: exempt(COMPARISON),
  greater: exempt(COMPARISON), greaterEqual: exempt(COMPARISON),
  where: binary((a, b) => where(COND, a, b), t([2, 3]), t([3])),
  cast: { ...unary((x) => cast(cast(x, 'float32'), 'float64'), { shape: [2, 3] }), opts: { eps: 1e-2, atol: 1e-4, rtol: 1e-4, exactAtol: 1e-7, exactRtol: 1e-6 } },
  stopGradient: [
    { f: (x: Tensor) => x, arb: t([2, 3]), order: 2, law: 'stop-gradient' },
    { f: (x: Tensor) => tanh(mul(x, x)), arb: t([3]), order: 2, law: 'stop-gradient' },
  ],
  square: unary(square), reciprocal: unary(reciprocal, { avoid: [0], margin: 0.5 }),
  logicalNot: exempt(BOOLEAN), logicalAnd: exempt(BOOLEAN), logicalOr: exempt(BOOLEAN),
  isFinite: exempt('predicate: bool output, no tangent space'), isNaN: exempt('predicate: bool output, no tangent space'),
  sum: [unary((x) => sum(x)), on(t([2, 3, 2]), (x) => sum(x, { axis: [0, 2], keepDims: true }))],
  max: [on(arbDistinct([2, 3, 2]), (x) => max(x, { axis: 1 })), on(arbDistinct([2, 3]), (x) => max(x, { keepDims: true }))],
  min: on(arbDistinct([2, 3, 2]), (x) => min(x, { axis: [0, 2] })),
  argmax: exempt(INDEX), argmin: exempt(INDEX),
  cumsum: [on(t([3, 2]), (x) => cumsum(x, { axis: 0 })), on(t([2, 3]), (x) => cumsum(x, { reverse: true }))],
  mean: on(t([2, 3]), (x) => mean(x, { axis: -1 })),
  variance: on(t([3, 2]), (x) => variance(x, { axis: 0 })),
  std: on(arbDistinct([2, 3]), (x) => std(x, { axis: 1 })),
  matmul: [
    binary(matmul, t([2, 3]), t([3, 4])),
    binary((a, b) => matmul(a, b, { transposeA: true, transposeB: true }), t([3, 2]), t([4, 3])),
    binary(matmul, t([2, 2, 3]), t([3, 2])),
    binary(matmul, t([3]), t([3, 2])),
    binary(matmul, t([2, 3]), t([3])),
  ],
  dot: binary(dot, t([3]), t([3])), outer: binary(outer, t([2]), t([3])),
  reshape: on(t([2, 3]), (x) => reshape(x, [3, -1])),
  transpose: on(t([2, 3, 2]), (x) => transpose(x, [2, 0, 1])),
  broadcastTo: on(t([2, 1]), (x) => broadcastTo(x, [3, 2, 4])),
  expandDims: on(t([2, 3]), (x) => expandDims(x, 1)),
  squeeze: on(t([2, 1, 3]), (x) => squeeze(x)),
  flatten: on(t([2, 3]), (x) => flatten(x)),
  slice: on(t([3, 3]), (x) => slice(x, [1, 0], [2, -1])),
  concat: { f: ([a, b, c]: Tensor[]) => concat([a, b, c], 1), arb: fc.tuple(t([2, 1]), t([2, 3]), t([2, 2])), order: 2 },
  stack: binary((a, b) => stack([a, b], 1), t([2, 3]), t([2, 3])),
  split: on(t([2, 3]), (x) => split(x, [1, 2], 1)),
  pad: on(t([2, 3]), (x) => pad(x, [[1, 0], [0, 2]], 0.5)),
  gather: on(t([2, 3]), (x) => gather(x, INT([2, 0, 2, 1]), 1)),
  take: on(t([2, 3]), (x) => take(x, INT([[1, 0], [1, 1]]), 0)),
  scatterAdd: on(t([4, 2]), (u) => scatterAdd(u, INT([0, 2, 0, 1]), 0, 3)),
  oneHot: exempt('int32 indices in, a constant out: nothing differentiable'),
  conv2d: [
    binary((x, w) => conv2d(x, w), t([1, 4, 4, 2]), t([2, 2, 2, 3])),
    binary((x, w) => conv2d(x, w, { strides: 2, padding: 'same' }), t([1, 5, 5, 2]), t([3, 3, 2, 2])),
    binary((x, w) => conv2d(x, w, { dilations: 2, padding: [1, 0, 0, 1] }), t([2, 4, 4, 1]), t([2, 2, 1, 2])),
  ],
  maxPool2d: [
    on(arbDistinct([1, 4, 4, 2]), (x) => maxPool2d(x, { window: 2 })),
    on(arbDistinct([1, 3, 3, 1]), (x) => maxPool2d(x, { window: 3, strides: 1, padding: 'same' })),
  ],
  avgPool2d: on(t([1, 3, 3, 2]), (x) => avgPool2d(x, { window: 2, strides: 1, padding: 'same' })),
  relu: unary(relu, { avoid: [0] }), sigmoid: unary(sigmoid),
  softmax: on(t([2, 3]), (x) => softmax(x)), logSoftmax: on(t([3, 2]), (x) => logSoftmax(x, 0)),
  logSumExp: on(t([2, 3]), (x) => logSumExp(x, { axis: 1 })),
  clip: unary((x) => clip(x, -0.5, 0.7), { avoid: [-0.5, 0.7] }),
  norm: unary((x) => norm(x), { avoid: [0], margin: 0.1 }),
  toBackend: exempt('transfer between backends: refuses traced values by design, so it never appears inside a derivative'),
} satisfies Record<TensorOp, Entry>

const TRANSFORM = 'transformation: the laws are stated with it; its own laws are in test/laws/transformations.test.ts'
const TREE = 'parameter-record utility: no tensor arithmetic (tested in test/diff/tree.test.ts)'
const BACKEND = 'backend management: no tensor arithmetic'

/** Function exports that are not tensor ops, and what they are. */
const NOT_OPS = {
  isTensor: 'type guard: returns a boolean', setDebugNans: 'configuration switch',
  grad: TRANSFORM, valueAndGrad: TRANSFORM, vjp: TRANSFORM, jvp: TRANSFORM, jacfwd: TRANSFORM, jacrev: TRANSFORM,
  hessian: TRANSFORM, customVjp: TRANSFORM, customJvp: TRANSFORM,
  registerTreeNode: TREE, treeFlatten: TREE, treeUnflatten: TREE, treeLeaves: TREE, treeLeavesWithPath: TREE,
  treeMap: TREE, treeZipWith: TREE, treeZipWithN: TREE, treeStructureEquals: TREE,
  getGradMonoid: 'gradient accumulation monoid over records (adds leaves)', materialize: 'fills a symbolic zero gradient with zeros',
  registerBackend: BACKEND, setBackend: BACKEND, getBackend: BACKEND, listBackends: BACKEND, withBackend: BACKEND, createJsBackend: BACKEND,
  toBackendAsync: 'asynchronous transfer between backends (returns a Promise); refuses traced values',
} satisfies Record<Exclude<FnName, TensorOp>, string>

const CONV = { strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] } as const
const POOL = { window: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0] } as const
const via = (op: keyof typeof OPS) => ({ via: op })

/** Every primitive: the op whose law case exercises it, its own law case (through bind), or an exemption. */
const PRIMITIVES: Record<Primitive, { via: keyof typeof OPS } | Entry> = {
  neg: via('neg'), exp: via('exp'), log: via('log'), sin: via('sin'), cos: via('cos'), sqrt: via('sqrt'), tanh: via('tanh'),
  abs: via('abs'), sign: via('sign'), floor: via('floor'), ceil: via('ceil'), round: via('round'), erf: via('erf'),
  log1p: via('log1p'), expm1: via('expm1'), add: via('add'), sub: via('sub'), mul: via('mul'), div: via('div'),
  pow: via('pow'), maximum: via('maximum'), minimum: via('minimum'),
  equal: exempt(COMPARISON), notEqual: exempt(COMPARISON), less: exempt(COMPARISON), lessEqual: exempt(COMPARISON),
  greater: exempt(COMPARISON), greaterEqual: exempt(COMPARISON),
  where: via('where'), sum: via('sum'), max: via('max'), argmax: exempt(INDEX), cumsum: via('cumsum'), matmul: via('matmul'),
  reshape: via('reshape'), transpose: via('transpose'), broadcastTo: via('broadcastTo'), slice: via('slice'),
  concat: via('concat'), pad: via('pad'), gather: via('gather'), scatterAdd: via('scatterAdd'), conv2d: via('conv2d'),
  conv2dBackInput: {
    f: ([dy, w]: Tensor[]) => bind('conv2dBackInput', [dy, w], { ...CONV, inputShape: [1, 4, 4, 2] }),
    arb: fc.tuple(t([1, 3, 3, 3]), t([2, 2, 2, 3])), order: 2,
  },
  conv2dBackFilter: {
    f: ([x, dy]: Tensor[]) => bind('conv2dBackFilter', [x, dy], { ...CONV, filterShape: [2, 2, 2, 3] }),
    arb: fc.tuple(t([1, 4, 4, 2]), t([1, 3, 3, 3])), order: 2,
  },
  maxPool: via('maxPool2d'),
  maxPoolSelect: { f: ([x, d]: Tensor[]) => bind('maxPoolSelect', [x, d], POOL), arb: fc.tuple(arbDistinct([1, 4, 4, 2]), t([1, 4, 4, 2])), order: 2 },
  maxPoolScatter: { f: ([x, g]: Tensor[]) => bind('maxPoolScatter', [x, g], POOL), arb: fc.tuple(arbDistinct([1, 4, 4, 2]), t([1, 2, 2, 2])), order: 2 },
  avgPool: via('avgPool2d'),
  avgPoolGrad: {
    f: (g: Tensor) => bind('avgPoolGrad', [g], { window: [2, 2], strides: [1, 1], pads: [0, 1, 0, 1], inputShape: [1, 3, 3, 2] }),
    arb: t([1, 3, 3, 2]), order: 2,
  },
  cast: via('cast'), stopGradient: via('stopGradient'),
}

const isExempt = (e: unknown): e is Exempt => typeof e === 'object' && e !== null && 'exempt' in e
const casesOf = (e: Entry): readonly LawCase[] => (isExempt(e) ? [] : Array.isArray(e) ? e : [e as LawCase])
const SEED = lawSeed()
/**
 * float64 by default; PUREGRAD_LAW_DTYPE=float32 reruns the registry on the float32 kernels, with
 * finite-difference tolerances of 1e-2 (second-order checks of bilinear ops sum many rounded terms;
 * JAX's own float32 op tests loosen further, to 1.5e-1).
 */
const DTYPE: CheckDType = process.env.PUREGRAD_LAW_DTYPE === 'float32' ? 'float32' : 'float64'
const optsOf = (c: LawCase): GradCheckOptions =>
  (DTYPE === 'float32' ? { dtype: DTYPE, atol: 1e-2, rtol: 1e-2, ...c.opts } : { dtype: DTYPE, ...c.opts })
/** Full Hessians are n x n jvp-of-vjp sweeps: keep them to small parameter records. */
const HESSIAN_MAX = 40

const runCase = (c: LawCase): void => {
  if (c.law === 'stop-gradient') {
    checkProperty(stopGradientProperty(c.f, c.arb, optsOf(c)), { numRuns: RUNS.grads })
    return
  }
  checkGradsProperty(c.f, c.arb, { order: c.order, numRuns: RUNS.grads, ...optsOf(c) })
  if (c.order < 2) return
  const s = project(c.f, SEED)
  checkProperty(hvpProperty(s, c.arb, optsOf(c)), { numRuns: RUNS.second })
  const small = c.arb.filter((p) => leafSize(p) <= HESSIAN_MAX)
  if (leafSize(fc.sample(c.arb, { seed: SEED, numRuns: 1 })[0]) <= HESSIAN_MAX) {
    checkProperty(hessianSymmetricProperty(s, small, optsOf(c)), { numRuns: RUNS.second })
  }
}

/** The kernels one point of a case runs (the backend counts calls per primitive). */
const kernelsRun = (cases: readonly LawCase[]): Set<string> => {
  const stats = getBackend().stats
  stats.reset()
  for (const c of cases) {
    const p = fc.sample(c.arb, { seed: SEED, numRuns: 1 })[0]
    if (c.law === 'stop-gradient') checkProperty(stopGradientProperty(c.f, fc.constant(p), optsOf(c)), { numRuns: 1 })
    else checkGrads(c.f, [p], { order: c.order, ...optsOf(c) })
  }
  return new Set(Object.entries(stats.kernelCalls).filter(([, n]) => (n ?? 0) > 0).map(([k]) => k))
}

const isClass = (v: unknown): boolean => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v))

describe('coverage: nothing differentiable escapes the law suite', () => {
  it('every primitive of the JVP table has a law case, an op that exercises it, or an exemption', () => {
    expect(Object.keys(PRIMITIVES).sort()).toEqual(Object.keys(jvpRules).sort())
  })

  it('every function exported by src/index.ts is a registered op (law case or exemption) or a classified non-op', async () => {
    const exported = Object.entries(await import('../../src/index.js'))
      .filter(([, v]) => typeof v === 'function' && !isClass(v)).map(([k]) => k)
    expect(exported.filter((n) => !(n in OPS) && !(n in NOT_OPS)), 'exports with no law case and no exemption').toEqual([])
    expect([...Object.keys(OPS), ...Object.keys(NOT_OPS)].filter((n) => !exported.includes(n)), 'registry entries for names no longer exported').toEqual([])
  })

  it('every exemption gives a reason, and most differentiable ops have a law case', () => {
    const all = [...Object.values(OPS), ...Object.values(PRIMITIVES)] as unknown[]
    for (const e of all) if (isExempt(e)) expect(e.exempt.length).toBeGreaterThan(10)
    expect(Object.values(OPS).filter((e) => !isExempt(e)).length).toBeGreaterThanOrEqual(60)
  })
})

describe(`ops obey the laws (${DTYPE}, order 2)`, () => {
  for (const [name, entry] of Object.entries(OPS) as [string, Entry][]) {
    if (isExempt(entry)) continue
    it(name, () => {
      for (const c of casesOf(entry)) runCase(c)
    })
  }
})

describe('each primitive is exercised by its law case', () => {
  for (const [prim, entry] of Object.entries(PRIMITIVES) as [Primitive, { via: keyof typeof OPS } | Entry][]) {
    if (isExempt(entry)) continue
    const own = !('via' in entry)
    const cases = 'via' in entry ? casesOf(OPS[entry.via] as Entry) : casesOf(entry)
    it(own ? `${prim} (through bind)` : `${prim} (through ${String((entry as { via: string }).via)})`, () => {
      if (own) for (const c of cases) runCase(c)
      expect([...kernelsRun(cases)]).toContain(prim)
    })
  }
})

describe('at kinks and ties, where finite differences mean nothing, the two modes still agree exactly', () => {
  // Values on a grid of step 0.5 hit the kinks (0, the integers, the clip bounds) and ties often.
  const grid = (shape: number[]) => fc.array(fc.integer({ min: -2, max: 2 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((v) => tensor(Float64Array.from(v, (k) => k * 0.5), { shape, dtype: 'float64' }))
  const KINKED: [string, (p: Any) => unknown, fc.Arbitrary<Any>][] = [
    ['relu', relu, grid([2, 3])], ['abs', abs, grid([2, 3])], ['sign', sign, grid([2, 3])], ['floor', floor, grid([2, 3])],
    ['maximum', ([a, b]: Tensor[]) => maximum(a, b), fc.tuple(grid([2, 3]), grid([3]))],
    ['minimum', ([a, b]: Tensor[]) => minimum(a, b), fc.tuple(grid([2, 3]), grid([2, 3]))],
    ['max', (x: Tensor) => max(x, { axis: 1 }), grid([2, 3])], ['min', (x: Tensor) => min(x), grid([2, 3])],
    ['maxPool2d', (x: Tensor) => maxPool2d(x, { window: 2, strides: 1 }), grid([1, 3, 3, 1])],
    ['clip', (x: Tensor) => clip(x, -0.5, 0.5), grid([2, 3])],
  ]
  for (const [name, f, arb] of KINKED) {
    it(name, () => {
      checkProperty(adjointProperty(f, arb), { numRuns: RUNS.grads })
      checkProperty(jvpLinearProperty(f, arb), { numRuns: RUNS.second })
    })
  }
})

describe('sanity: a case with an input on a kink is caught', () => {
  it('relu at 0 fails the finite-difference law (so the margins above matter)', () => {
    const r = verifyGrads((x: Tensor) => relu(x), [tensor([0, 1], { dtype: 'float64' })])
    expect(r._tag === 'Left' && r.left.law).toBe('jvp-finite-difference')
  })
})
