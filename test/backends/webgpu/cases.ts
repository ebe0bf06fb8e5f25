/**
 * The conformance cases for the webgpu backend: for every primitive, one or more calls (operand
 * shapes, dtypes, value ranges and params) that the conformance test runs through `bind` on
 * WebGPU in float32 and on the JS backend in float64. The table is typed per primitive, so a new
 * primitive without a case does not compile; the test also checks it against jvpRules at run time.
 * Shapes are chosen to hit broadcasting, several reduced axes, strides, dilations, padding on
 * every side, tile remainders in matmul, and duplicate indices.
 */

import type { PrimitiveParams, PrimitiveTable, Primitive } from '../../../src/diff/primitives.js'

export interface Operand {
  readonly shape: readonly number[]
  readonly dtype?: 'float' | 'int32' | 'bool'
  /** Uniform range of the values (default [-2, 2]); ints are drawn from [lo, hi). */
  readonly range?: readonly [number, number]
  /** Round values to integers (so comparisons see ties). */
  readonly integers?: boolean
}

export interface Case<P extends Primitive> {
  readonly inputs: readonly Operand[]
  readonly params: PrimitiveParams[P]
  readonly label?: string
}

type Cases = PrimitiveTable<{ [P in Primitive]: readonly Case<P>[] }>

const f = (...shape: number[]): Operand => ({ shape })
const fr = (range: readonly [number, number], ...shape: number[]): Operand => ({ shape, range })
const pos = (...shape: number[]): Operand => fr([0.2, 3], ...shape)
const unary = (x: Operand = f(3, 5)): readonly Case<never>[] => [{ inputs: [x], params: {} as never }]
const binary = (a: Operand = f(2, 3, 4), b: Operand = f(3, 1)): readonly Case<never>[] => [
  { inputs: [a, b], params: {} as never, label: 'broadcast' },
  { inputs: [f(4, 6), f(4, 6)], params: {} as never, label: 'same shape' },
]
const ties = (...shape: number[]): Operand => ({ shape, range: [-2, 2], integers: true })
const compare = (): readonly Case<never>[] => [
  { inputs: [ties(2, 3, 4), ties(3, 1)], params: {} as never, label: 'broadcast, ties' },
  { inputs: [ties(5), ties(5)], params: {} as never, label: 'same shape' },
]
const int = (range: readonly [number, number], ...shape: number[]): Operand => ({ shape, dtype: 'int32', range })
const bool = (...shape: number[]): Operand => ({ shape, dtype: 'bool' })

const conv = { strides: [2, 1], dilations: [1, 2], pads: [1, 1, 0, 2] } as const
const pool = { window: [2, 3], strides: [2, 2], pads: [1, 0, 1, 1] } as const

export const CASES: Cases = {
  neg: [...unary(), { inputs: [int([-9, 9], 7)], params: {}, label: 'int32' }],
  exp: unary(fr([-5, 5], 3, 5)),
  log: unary(pos(3, 5)),
  sin: unary(fr([-20, 20], 3, 5)),
  cos: unary(fr([-20, 20], 3, 5)),
  sqrt: unary(pos(3, 5)),
  tanh: unary(fr([-4, 4], 3, 5)),
  abs: [...unary(), { inputs: [int([-9, 9], 7)], params: {}, label: 'int32' }],
  sign: [...unary(), { inputs: [int([-2, 3], 7)], params: {}, label: 'int32' }],
  floor: unary(fr([-4, 4], 3, 5)),
  ceil: unary(fr([-4, 4], 3, 5)),
  round: unary(fr([-4, 4], 3, 5)),
  erf: unary(fr([-3, 3], 4, 5)),
  log1p: unary(fr([-0.6, 3], 3, 5)),
  expm1: unary(fr([-2, 2], 3, 5)),
  add: [...binary(), { inputs: [f(3, 4), f()], params: {}, label: 'scalar' }, { inputs: [int([-50, 50], 2, 3), int([-50, 50], 3)], params: {}, label: 'int32' }],
  sub: [...binary(), { inputs: [int([-50, 50], 4), int([-50, 50], 4)], params: {}, label: 'int32' }],
  mul: [...binary(), { inputs: [int([-50, 50], 4), int([-50, 50], 1)], params: {}, label: 'int32' }],
  div: binary(f(2, 3, 4), fr([0.5, 2], 3, 1)),
  pow: binary(pos(2, 3, 4), fr([-2, 2], 3, 1)),
  maximum: [...binary(), { inputs: [int([-5, 5], 6), int([-5, 5], 6)], params: {}, label: 'int32' }],
  minimum: binary(),
  equal: [...compare(), { inputs: [bool(6), bool(6)], params: {}, label: 'bool' }],
  notEqual: compare(),
  less: [...compare(), { inputs: [int([-3, 3], 8), int([-3, 3], 8)], params: {}, label: 'int32' }],
  lessEqual: compare(),
  greater: compare(),
  greaterEqual: compare(),
  where: [
    { inputs: [bool(2, 1, 4), f(3, 4), f(2, 3, 1)], params: {}, label: 'three-way broadcast' },
    { inputs: [bool(5), int([-9, 9], 5), int([-9, 9], 1)], params: {}, label: 'int32' },
  ],
  sum: [
    { inputs: [f(3, 4, 5)], params: { axes: [0, 2], keepDims: false } },
    { inputs: [f(3, 4, 5)], params: { axes: [1], keepDims: true } },
    { inputs: [f(200, 30)], params: { axes: [0, 1], keepDims: false }, label: 'all of 6000' },
    { inputs: [int([-9, 9], 4, 6)], params: { axes: [1], keepDims: false }, label: 'int32' },
  ],
  max: [
    { inputs: [f(3, 4, 5)], params: { axes: [1], keepDims: false } },
    { inputs: [f(3, 4, 5)], params: { axes: [0, 2], keepDims: true } },
    { inputs: [int([-9, 9], 4, 6)], params: { axes: [0], keepDims: false }, label: 'int32' },
  ],
  argmax: [
    { inputs: [f(3, 4, 5)], params: { axis: 1, keepDims: false } },
    { inputs: [ties(6, 4)], params: { axis: 0, keepDims: true }, label: 'ties: first wins' },
    { inputs: [int([-9, 9], 4, 6)], params: { axis: 1, keepDims: false }, label: 'int32' },
  ],
  cumsum: [
    { inputs: [f(3, 4, 5)], params: { axis: 1, reverse: false } },
    { inputs: [f(3, 4, 5)], params: { axis: 2, reverse: true } },
    { inputs: [int([-9, 9], 10)], params: { axis: 0, reverse: false }, label: 'int32' },
  ],
  matmul: [
    { inputs: [f(2, 1, 3, 4), f(3, 4, 5)], params: { transposeA: false, transposeB: false }, label: 'batch broadcast' },
    { inputs: [f(4, 3), f(5, 4)], params: { transposeA: true, transposeB: true }, label: 'both transposed' },
    { inputs: [f(33, 40), f(17, 40)], params: { transposeA: false, transposeB: true }, label: 'tile remainders' },
    { inputs: [f(2, 40, 18), f(40, 21)], params: { transposeA: true, transposeB: false }, label: 'a transposed' },
    { inputs: [int([-5, 5], 3, 4), int([-5, 5], 4, 2)], params: { transposeA: false, transposeB: false }, label: 'int32' },
  ],
  reshape: [{ inputs: [f(3, 4)], params: { shape: [2, 6] } }],
  transpose: [
    { inputs: [f(2, 3, 4)], params: { perm: [2, 0, 1] } },
    { inputs: [bool(3, 2)], params: { perm: [1, 0] }, label: 'bool' },
  ],
  broadcastTo: [{ inputs: [f(3, 1)], params: { shape: [2, 3, 4] } }],
  slice: [{ inputs: [f(4, 5, 6)], params: { begin: [1, 0, 2], size: [2, 5, 3] } }],
  concat: [
    { inputs: [f(2, 1, 3), f(2, 2, 3), f(2, 3, 3)], params: { axis: 1 } },
    { inputs: [int([0, 9], 2), int([0, 9], 3)], params: { axis: 0 }, label: 'int32' },
  ],
  pad: [
    { inputs: [f(2, 3)], params: { widths: [[1, 2], [0, 1]], value: 0.5 } },
    { inputs: [int([0, 9], 3)], params: { widths: [[2, 1]], value: -7 }, label: 'int32' },
  ],
  gather: [
    { inputs: [f(4, 5, 3), int([0, 5], 2, 3)], params: { axis: 1 } },
    { inputs: [int([-9, 9], 6), int([0, 6], 4)], params: { axis: 0 }, label: 'int32' },
  ],
  scatterAdd: [{ inputs: [f(4, 6, 3), int([0, 5], 6)], params: { axis: 1, size: 5 } }],
  conv2d: [
    { inputs: [f(2, 7, 6, 3), f(3, 2, 3, 4)], params: conv },
    { inputs: [f(1, 5, 5, 2), f(3, 3, 2, 3)], params: { strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] }, label: 'same padding' },
  ],
  conv2dBackInput: [{ inputs: [f(2, 4, 6, 4), f(3, 2, 3, 4)], params: { ...conv, inputShape: [2, 7, 6, 3] } }],
  conv2dBackFilter: [{ inputs: [f(2, 7, 6, 3), f(2, 4, 6, 4)], params: { ...conv, filterShape: [3, 2, 3, 4] } }],
  maxPool: [{ inputs: [f(2, 5, 6, 3)], params: pool }],
  maxPoolSelect: [{ inputs: [f(2, 5, 6, 3), f(2, 5, 6, 3)], params: pool }],
  maxPoolScatter: [{ inputs: [f(2, 5, 6, 3), f(2, 3, 3, 3)], params: pool }],
  avgPool: [{ inputs: [f(2, 5, 6, 3)], params: pool }],
  avgPoolGrad: [{ inputs: [f(2, 3, 3, 3)], params: { ...pool, inputShape: [2, 5, 6, 3] } }],
  cast: [
    { inputs: [fr([-5, 5], 9)], params: { dtype: 'int32' }, label: 'float to int32' },
    { inputs: [ties(9)], params: { dtype: 'bool' }, label: 'float to bool' },
    { inputs: [int([-9, 9], 9)], params: { dtype: 'float32' }, label: 'int32 to float' },
    { inputs: [bool(9)], params: { dtype: 'int32' }, label: 'bool to int32' },
    { inputs: [f(9)], params: { dtype: 'float32' }, label: 'float to float' },
  ],
  stopGradient: [{ inputs: [f(3, 4)], params: {} }],
}
