/**
 * The closed set of primitives. Every differentiable op in puregrad is either one of these or a
 * composition of them. Each primitive has, in typed tables keyed by this set, a shape rule
 * (src/diff/shape-rules.ts), a JVP rule (jvp-rules.ts), a VJP rule (vjp-rules.ts) and a kernel in
 * every backend (src/backends/*): adding a name here without all of them does not compile.
 *
 * Parameters are plain data, already validated and normalised by the op layer (axes positive and
 * sorted, 'same' padding resolved to explicit pads), so kernels and rules never re-derive them.
 */

import type { DType } from '../core/dtype.js'

type Empty = Record<string, never>

/** Resolved 2-D window geometry shared by convolution and pooling. Pads: [top, bottom, left, right]. */
export interface Conv2dParams {
  readonly strides: readonly [number, number]
  readonly dilations: readonly [number, number]
  readonly pads: readonly [number, number, number, number]
}

export interface Pool2dParams {
  readonly window: readonly [number, number]
  readonly strides: readonly [number, number]
  readonly pads: readonly [number, number, number, number]
}

export interface PrimitiveParams {
  // Unary elementwise, float in and out (abs, sign, neg also on int32).
  neg: Empty; exp: Empty; log: Empty; sin: Empty; cos: Empty; sqrt: Empty; tanh: Empty
  abs: Empty; sign: Empty; floor: Empty; ceil: Empty; round: Empty; erf: Empty
  log1p: Empty; expm1: Empty
  // Binary elementwise with numpy broadcasting; operands share a dtype.
  add: Empty; sub: Empty; mul: Empty; div: Empty; pow: Empty; maximum: Empty; minimum: Empty
  // Comparisons: broadcasting, bool output.
  equal: Empty; notEqual: Empty; less: Empty; lessEqual: Empty; greater: Empty; greaterEqual: Empty
  /** where(cond: bool, a, b), all three broadcast together. */
  where: Empty
  // Reductions over sorted, distinct, non-negative axes.
  sum: { readonly axes: readonly number[]; readonly keepDims: boolean }
  max: { readonly axes: readonly number[]; readonly keepDims: boolean }
  argmax: { readonly axis: number; readonly keepDims: boolean }
  cumsum: { readonly axis: number; readonly reverse: boolean }
  /** Batched matmul [..., m, k] x [..., k, n]; batch dims broadcast; both operands rank >= 2. */
  matmul: { readonly transposeA: boolean; readonly transposeB: boolean }
  // Movement.
  reshape: { readonly shape: readonly number[] }
  transpose: { readonly perm: readonly number[] }
  broadcastTo: { readonly shape: readonly number[] }
  slice: { readonly begin: readonly number[]; readonly size: readonly number[] }
  concat: { readonly axis: number }
  pad: { readonly widths: readonly (readonly [number, number])[]; readonly value: number }
  /** gather(x, indices: int32): out = x.shape[:axis] ++ indices.shape ++ x.shape[axis+1:]. */
  gather: { readonly axis: number }
  /** scatterAdd(updates, indices: int32): the transpose of gather; `size` is the output's axis length. */
  scatterAdd: { readonly axis: number; readonly size: number }
  // Convolution: NHWC input, HWIO filter. The two transposes are primitives of their own.
  conv2d: Conv2dParams
  conv2dBackInput: Conv2dParams & { readonly inputShape: readonly number[] }
  conv2dBackFilter: Conv2dParams & { readonly filterShape: readonly number[] }
  // Pooling, NHWC. maxPoolSelect / maxPoolScatter are the linear maps that max pooling's
  // derivatives need (pick the tangent at each window's argmax, and its transpose).
  maxPool: Pool2dParams
  maxPoolSelect: Pool2dParams
  maxPoolScatter: Pool2dParams
  avgPool: Pool2dParams
  avgPoolGrad: Pool2dParams & { readonly inputShape: readonly number[] }
  cast: { readonly dtype: DType }
  /** Identity whose derivative is zero. */
  stopGradient: Empty
}

export type Primitive = keyof PrimitiveParams

/** A table that must hold one entry per primitive: the compiler refuses a missing one. */
export type PrimitiveTable<F extends { [P in Primitive]: unknown }> = { readonly [P in Primitive]: F[P] }

export const UNARY = [
  'neg', 'exp', 'log', 'sin', 'cos', 'sqrt', 'tanh', 'abs', 'sign', 'floor', 'ceil', 'round', 'erf',
  'log1p', 'expm1',
] as const satisfies readonly Primitive[]
export type UnaryPrimitive = (typeof UNARY)[number]

export const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const satisfies readonly Primitive[]
export type BinaryPrimitive = (typeof BINARY)[number]

export const COMPARE = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'] as const satisfies readonly Primitive[]
export type ComparePrimitive = (typeof COMPARE)[number]
