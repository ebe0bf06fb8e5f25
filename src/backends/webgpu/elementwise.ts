/**
 * Elementwise kernels of the webgpu backend: the unary maths, broadcasting binary ops and
 * comparisons, `where`, `cast` and `stopGradient`. One WGSL template serves them all: each
 * operand is read in one of three modes (same layout as the output, a single value, or strided
 * through the output's multi-index), chosen per call and passed in the meta block, so one
 * pipeline per op and dtype covers every shape.
 */

import type { DType } from '../../core/dtype.js'
import type { BinaryPrimitive, ComparePrimitive, Primitive, UnaryPrimitive } from '../../diff/primitives.js'
import type { Kernel, KernelInput } from '../backend.js'
import { broadcastStrides, sameShape, sizeOf } from '../js/strides.js'
import type { GpuData, Runtime } from './runtime.js'
import { io, MAIN_1D, MATH, PRELUDE } from './wgsl-math.js'

export const wgslType = (d: DType): string => (d === 'float32' ? 'f32' : d === 'int32' ? 'i32' : 'u32')

/**
 * Drops axes of length 1 and merges neighbouring axes that every operand walks as one, so the
 * shader's index arithmetic runs over as few axes as possible.
 */
export const coalesce = (shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] => {
  const cShape: number[] = []
  const cStrides: number[][] = strides.map(() => [])
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue
    const top = cShape.length - 1
    const merge = top >= 0 && strides.every((s, k) => s[d] === cStrides[k][top] * cShape[top])
    if (merge) cShape[top] *= shape[d]
    else { cShape.push(shape[d]); strides.forEach((s, k) => cStrides[k].push(s[d])) }
  }
  return [cShape.reverse(), cStrides.map((s) => s.reverse())]
}

const OFFSET_FN = /* wgsl */ `
fn off(k: u32, i: u32) -> u32 {
  let mode = pm[2u + k];
  if (mode == 0u) { return i; }
  if (mode == 1u) { return 0u; }
  let rank = pm[1u];
  var rem = i;
  var o = 0u;
  for (var d = rank; d > 0u; d = d - 1u) {
    let dim = pm[4u + d];
    o = o + (rem % dim) * pm[4u + rank * (1u + k) + d];
    rem = rem / dim;
  }
  return o;
}`

/** Shader for `y[i] = expr` over operands a, b, c (as many as `types`). */
const naryShader = (types: readonly string[], outType: string, expr: string, math: boolean) => (chunks: number): string => {
  const names = ['a', 'b', 'c']
  const loads = types.map((_, k) => `  let ${names[k]} = x${k}(off(${k}u, i));`).join('\n')
  return `${PRELUDE}${math ? MATH : ''}${CAST_FNS}${OFFSET_FN}
${io(types, outType, chunks)}
${MAIN_1D}
${loads}
  sty(i, ${expr});
}`
}

/** meta: [n, rank, mode0, mode1, mode2, shape..., strides of each operand...]. */
const naryMeta = (inputs: readonly KernelInput<GpuData>[], outShape: readonly number[]): number[] => {
  const n = sizeOf(outShape)
  const modes = inputs.map((x) => (sameShape(x.shape, outShape) ? 0 : sizeOf(x.shape) === 1 ? 1 : 2))
  const [shape, strides] = coalesce(outShape, inputs.map((x) => broadcastStrides(x.shape, outShape)))
  while (modes.length < 3) modes.push(0)
  return [n, shape.length, ...modes, ...shape, ...strides.flat()]
}

const FLOAT_UNARY: { readonly [P in UnaryPrimitive]: string } = {
  neg: '-a', exp: 'm_exp(a)', log: 'm_log(a)', sin: 'm_sin(a)', cos: 'm_cos(a)', sqrt: 'm_sqrt(a)',
  tanh: 'm_tanh(a)', abs: 'abs(a)', sign: 'm_sign(a)', floor: 'floor(a)', ceil: 'ceil(a)', round: 'round(a)',
  erf: 'm_erf(a)', log1p: 'm_log1p(a)', expm1: 'm_expm1(a)',
}
const INT_UNARY: { readonly [P in UnaryPrimitive]?: string } = {
  neg: '-a', abs: 'abs(a)', sign: 'select(select(0, -1, a < 0), 1, a > 0)',
}

const FLOAT_BINARY: { readonly [P in BinaryPrimitive]: string } = {
  add: 'a + b', sub: 'a - b', mul: 'a * b', div: 'a / b', pow: 'm_pow(a, b)',
  maximum: 'select(b, a, a > b || is_nan(a))', minimum: 'select(b, a, a < b || is_nan(a))',
}
const INT_BINARY: { readonly [P in BinaryPrimitive]?: string } = {
  add: 'a + b', sub: 'a - b', mul: 'a * b', maximum: 'select(b, a, a > b)', minimum: 'select(b, a, a < b)',
}
const CMP: { readonly [P in ComparePrimitive]: string } = {
  equal: '==', notEqual: '!=', less: '<', lessEqual: '<=', greater: '>', greaterEqual: '>=',
}

/** Comparisons on floats test NaN from the bits: the drivers fold NaN comparisons away. */
const compareExpr = (op: ComparePrimitive, dtype: DType): string => {
  const c = `a ${CMP[op]} b`
  if (dtype !== 'float32') return `select(0u, 1u, ${c})`
  const nan = 'is_nan(a) || is_nan(b)'
  return op === 'notEqual' ? `select(0u, 1u, ${nan} || ${c})` : `select(0u, 1u, !(${nan}) && ${c})`
}

/** float32 to int32 as JavaScript stores it: truncate, wrap modulo 2^32, NaN and infinities to 0. */
const CAST_FNS = /* wgsl */ `
fn f2i(x: f32) -> i32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) >= 0x7f800000u) { return 0; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  let e = i32((b >> 23u) & 0xffu) - 150;
  if (e >= 32) { return 0; }
  let u = bitcast<i32>(((b & 0x007fffffu) | 0x00800000u) << u32(e));
  return select(u, -u, t < 0.0);
}`

const castExpr = (from: DType, to: DType): string => {
  if (to === 'bool') return from === 'float32' ? 'select(0u, 1u, (bitcast<u32>(a) & 0x7fffffffu) != 0u)' : 'select(0u, 1u, a != 0)'
  if (to === 'int32') return from === 'float32' ? 'f2i(a)' : 'i32(a)'
  return 'f32(a)'
}

type Ops = UnaryPrimitive | BinaryPrimitive | ComparePrimitive | 'where' | 'cast' | 'stopGradient'
type Table = { [P in Ops]?: Kernel<P, GpuData> }

export const elementwiseKernels = (rt: Runtime): { [P in Ops]: Kernel<P, GpuData> } => {
  /** Runs `expr` over the inputs (broadcast to out.shape) into a fresh buffer. */
  const run = (op: Primitive, key: string, inputs: readonly KernelInput<GpuData>[], outShape: readonly number[], outDtype: DType, expr: string, math: boolean): GpuData => {
    const n = sizeOf(outShape)
    const y = rt.alloc(n)
    if (n === 0) return y
    const types = inputs.map((x) => wgslType(x.dtype))
    rt.dispatch(op, key, naryShader(types, wgslType(outDtype), expr, math), naryMeta(inputs, outShape), inputs.map((x) => x.data), y)
    return y
  }

  const unary = <P extends UnaryPrimitive>(op: P): Kernel<P, GpuData> => (inputs, _p, out) => {
    const x = inputs[0]
    const expr = x.dtype === 'float32' ? FLOAT_UNARY[op] : INT_UNARY[op]
    if (expr === undefined) throw new Error(`webgpu: ${op} has no ${x.dtype} kernel`)
    return run(op, `${op}:${x.dtype}`, inputs, out.shape, out.dtype, expr, x.dtype === 'float32')
  }

  const binary = <P extends BinaryPrimitive>(op: P): Kernel<P, GpuData> => (inputs, _p, out) => {
    const dt = inputs[0].dtype
    const expr = dt === 'float32' ? FLOAT_BINARY[op] : INT_BINARY[op]
    if (expr === undefined) throw new Error(`webgpu: ${op} has no ${dt} kernel`)
    return run(op, `${op}:${dt}`, inputs, out.shape, out.dtype, expr, dt === 'float32')
  }

  const compare = <P extends ComparePrimitive>(op: P): Kernel<P, GpuData> => (inputs, _p, out) => {
    const dt = inputs[0].dtype
    return run(op, `${op}:${dt}`, inputs, out.shape, out.dtype, compareExpr(op, dt), false)
  }

  const table: Table = {
    where: (inputs, _p, out) => run('where', `where:${out.dtype}`, inputs, out.shape, out.dtype, 'select(c, b, a != 0u)', false),
    cast: (inputs, params, out) => {
      const x = inputs[0]
      if (x.dtype === params.dtype) return rt.share(x.data, 'cast')
      return run('cast', `cast:${x.dtype}:${params.dtype}`, inputs, out.shape, out.dtype, castExpr(x.dtype, params.dtype), false)
    },
    stopGradient: (inputs) => rt.share(inputs[0].data, 'stopGradient'),
  }
  const t = table as Record<string, unknown>
  for (const op of Object.keys(FLOAT_UNARY) as UnaryPrimitive[]) t[op] = unary(op)
  for (const op of Object.keys(FLOAT_BINARY) as BinaryPrimitive[]) t[op] = binary(op)
  for (const op of Object.keys(CMP) as ComparePrimitive[]) t[op] = compare(op)
  return table as { [P in Ops]: Kernel<P, GpuData> }
}
