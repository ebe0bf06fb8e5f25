/**
 * transpose, broadcastTo and slice of 4-byte data (float32, int32) on the wasm kernels: each is a
 * strided view of the input read row-major into the output (assembly/movement.ts), with the
 * view's axes coalesced first (walk.ts), so a per-channel broadcast [N,1,1,C] -> [N,H,W,C] is
 * N*H*W splats of C values rather than that many JS row copies.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { Kernel, KernelInput, KernelOutput } from '../backend.js'
import { broadcastStrides, sizeOf, stridesOf } from '../js/strides.js'
import { need } from './arena.js'
import type { KernelContext } from './exports.js'
import { walk } from './walk.js'

/** y = the view (shape, strides, start) of x, row-major. */
const view = (ctx: KernelContext, op: string, x: KernelInput<TypedArray>, out: KernelOutput, strides: readonly number[], start: number): TypedArray => {
  const { arena, wasm } = ctx
  const n = sizeOf(out.shape)
  const w = walk(out.shape, [strides])
  arena.begin(op, need(x.data.byteLength, n * 4, w.block.length * 4))
  const px = arena.copyIn(x.data), py = arena.alloc(n * 4)
  wasm.copyRows(px + start * 4, py, arena.ints(w.block), 0, w.rows)
  return arena.copyOut(py, n, out.dtype)
}

export const wasmTranspose = (ctx: KernelContext): Kernel<'transpose', TypedArray> => ([x], { perm }, out) => {
  const xs = stridesOf(x.shape)
  return view(ctx, 'transpose', x, out, perm.map((p) => xs[p]), 0)
}

export const wasmBroadcastTo = (ctx: KernelContext): Kernel<'broadcastTo', TypedArray> => ([x], { shape }, out) =>
  view(ctx, 'broadcastTo', x, out, broadcastStrides(x.shape, shape), 0)

export const wasmSlice = (ctx: KernelContext): Kernel<'slice', TypedArray> => ([x], { begin }, out) => {
  const xs = stridesOf(x.shape)
  let start = 0
  for (let d = 0; d < xs.length; d++) start += begin[d] * xs[d]
  return view(ctx, 'slice', x, out, xs, start)
}
