/**
 * Which primitives run in WebAssembly, and when. Every entry pairs a wasm kernel with the test
 * that it applies: float32 data (bool conditions and comparison outputs, int32 indices; gather,
 * transpose, broadcastTo and slice copy any 4-byte dtype), and enough work that the copies in and
 * out pay off (`minWork`: multiply-adds for matmul, elements read or written for the others).
 * Anything else runs the JS reference kernel: float64, int32 and bool arithmetic, and reshape,
 * concat, pad, cast and stopGradient, which are block copies (or no copy at all) that the JS
 * engine already does at memory speed.
 */

import type { TypedArray } from '../../core/dtype.js'
import { BINARY, COMPARE, UNARY, type Primitive } from '../../diff/primitives.js'
import type { Kernel, KernelInput, KernelOutput } from '../backend.js'
import { wasmConv2d, wasmConv2dBackFilter, wasmConv2dBackInput } from './conv.js'
import { wasmBinary, wasmCompare, wasmUnary, wasmWhere } from './elementwise.js'
import type { KernelContext } from './exports.js'
import type { GemmContext } from './gemm.js'
import { wasmGather, wasmScatterAdd } from './indexing.js'
import { wasmMatmul } from './matmul.js'
import { wasmBroadcastTo, wasmSlice, wasmTranspose } from './movement.js'
import { wasmAvgPool, wasmAvgPoolGrad, wasmMaxPool, wasmMaxPoolScatter, wasmMaxPoolSelect } from './pool.js'
import { wasmArgmax, wasmCumsum, wasmMax, wasmSum } from './reduce.js'

type AnyKernel = Kernel<Primitive, TypedArray>
type Inputs = readonly KernelInput<TypedArray>[]

export interface Native {
  /** Whether this call runs in WebAssembly; if not, the JS kernel runs it. */
  readonly accepts: (inputs: Inputs, params: never, out: KernelOutput) => boolean
  readonly run: AnyKernel
}

const allFinite = (a: TypedArray): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return false
  return true
}

/** Whether the call reads or writes at least `min` elements (tiny ops, as in W3, leave at once). */
const bigEnough = (inputs: Inputs, out: KernelOutput, min: number): boolean => {
  for (let i = 0; i < inputs.length; i++) if (inputs[i].data.length >= min) return true
  let n = 1
  for (let d = 0; d < out.shape.length; d++) n *= out.shape[d]
  return n >= min
}

export const nativeKernels = (gemmCtx: GemmContext, ctx: KernelContext, minWork: number): Partial<Record<Primitive, Native>> => {
  const native = (run: unknown, ...dtypes: (string | null)[]): Native => ({
    // dtypes[i] is operand i's dtype, null for any 4-byte one; the last entry is the output's.
    accepts: (inputs, _params, out) => {
      if (!bigEnough(inputs, out, minWork)) return false
      for (let i = 0; i < inputs.length; i++) {
        const want = dtypes[i]
        if (want === null ? inputs[i].data.BYTES_PER_ELEMENT !== 4 : inputs[i].dtype !== want) return false
      }
      const o = dtypes[dtypes.length - 1]
      return o === null || out.dtype === o
    },
    run: run as AnyKernel,
  })
  const table: Partial<Record<Primitive, Native>> = {
    matmul: {
      accepts: (inputs, params: { transposeA: boolean }, out) => {
        if (out.dtype !== 'float32') return false
        const a = inputs[0].shape, o = out.shape
        const k = params.transposeA ? a[a.length - 2] : a[a.length - 1]
        return o.reduce((x, d) => x * d, 1) * k >= minWork
      },
      run: wasmMatmul(gemmCtx) as AnyKernel,
    },
    conv2d: conv(wasmConv2d(gemmCtx), true),
    conv2dBackInput: conv(wasmConv2dBackInput(gemmCtx), false),
    conv2dBackFilter: conv(wasmConv2dBackFilter(gemmCtx), true),
    where: native(wasmWhere(ctx), 'bool', 'float32', 'float32', 'float32'),
    sum: native(wasmSum(ctx), 'float32', 'float32'),
    max: native(wasmMax(ctx), 'float32', 'float32'),
    argmax: native(wasmArgmax(ctx), 'float32', 'int32'),
    cumsum: native(wasmCumsum(ctx), 'float32', 'float32'),
    gather: native(wasmGather(ctx), null, 'int32', null),
    scatterAdd: native(wasmScatterAdd(ctx), 'float32', 'int32', 'float32'),
    maxPool: native(wasmMaxPool(ctx), 'float32', 'float32'),
    maxPoolSelect: native(wasmMaxPoolSelect(ctx), 'float32', 'float32', 'float32'),
    maxPoolScatter: native(wasmMaxPoolScatter(ctx), 'float32', 'float32', 'float32'),
    avgPool: native(wasmAvgPool(ctx), 'float32', 'float32'),
    avgPoolGrad: native(wasmAvgPoolGrad(ctx), 'float32', 'float32'),
    transpose: native(wasmTranspose(ctx), null, null),
    broadcastTo: native(wasmBroadcastTo(ctx), null, null),
    slice: native(wasmSlice(ctx), null, null),
  }
  for (const p of UNARY) table[p] = native(wasmUnary(ctx, p), 'float32', 'float32')
  for (const p of BINARY) table[p] = native(wasmBinary(ctx, p), 'float32', 'float32', 'float32')
  for (const p of COMPARE) table[p] = native(wasmCompare(ctx, p), 'float32', 'float32', 'bool')
  return table
}

/**
 * Convolutions run in wasm for float32 whatever their size. im2col multiplies the zeros of the
 * padding by the filter (conv2d) or the output gradient (conv2dBackFilter), where the reference
 * skips padded taps: with a NaN or an infinity in that operand, 0 * Inf would make NaNs the
 * reference does not have, so those calls run in JS.
 */
const conv = (run: unknown, padSensitive: boolean): Native => ({
  accepts: (inputs, params: { pads: readonly number[] }, out) =>
    out.dtype === 'float32' && !(padSensitive && params.pads.some((x) => x > 0) && !allFinite(inputs[1].data)),
  run: run as AnyKernel,
})
