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

/** The parameters of a primitive that takes none. */
export type NoParams = Record<string, never>

/**
 * The resolved geometry of a 2-D convolution, as the `conv2d` primitive and its kernels receive it:
 * strides and dilations as [height, width], pads as [top, bottom, left, right] ('same' and
 * 'valid' are already resolved to numbers).
 */
export interface Conv2dParams {
  readonly strides: readonly [number, number]
  readonly dilations: readonly [number, number]
  readonly pads: readonly [number, number, number, number]
}

/**
 * The resolved geometry of a 2-D pooling primitive: window and strides as [height, width], pads as
 * [top, bottom, left, right].
 */
export interface Pool2dParams {
  readonly window: readonly [number, number]
  readonly strides: readonly [number, number]
  readonly pads: readonly [number, number, number, number]
}

/**
 * Each primitive's parameters, as its shape rule, derivative rules and backend kernels receive
 * them: plain data, already validated and normalised by the op layer (axes non-negative and
 * sorted, padding resolved to explicit pads). The keys are the closed set of primitives.
 */
export interface PrimitiveParams {
  // Unary elementwise, float in and out (abs, sign, neg also on int32).
  neg: NoParams; exp: NoParams; log: NoParams; sin: NoParams; cos: NoParams; sqrt: NoParams; tanh: NoParams
  abs: NoParams; sign: NoParams; floor: NoParams; ceil: NoParams; round: NoParams; erf: NoParams
  log1p: NoParams; expm1: NoParams
  // Binary elementwise with numpy broadcasting; operands share a dtype.
  add: NoParams; sub: NoParams; mul: NoParams; div: NoParams; pow: NoParams; maximum: NoParams; minimum: NoParams
  // Comparisons: broadcasting, bool output.
  equal: NoParams; notEqual: NoParams; less: NoParams; lessEqual: NoParams; greater: NoParams; greaterEqual: NoParams
  /** where(cond: bool, a, b), all three broadcast together. */
  where: NoParams
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
  stopGradient: NoParams
}

/**
 * The name of a primitive: every differentiable op is one of these or a composition of them, and a
 * backend implements one kernel per primitive.
 */
export type Primitive = keyof PrimitiveParams

/**
 * A table with one entry per primitive, of type `F[P]` for primitive `P`: the compiler refuses a
 * missing one. {@link Kernels} is such a table.
 */
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
