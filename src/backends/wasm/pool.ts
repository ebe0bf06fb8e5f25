/**
 * 2-D pooling (NHWC, float32) on the wasm kernels (assembly/pool.ts), and the linear maps its
 * derivatives need. Max pooling is computed once as "which input element won each window", so
 * maxPool, maxPoolSelect and maxPoolScatter agree on the winner by construction; windows are
 * visited in the JS reference's order and sums run in float64, so results match it bit for bit.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { Pool2dParams } from '../../diff/primitives.js'
import type { Kernel } from '../backend.js'
import { sizeOf } from '../js/strides.js'
import { need } from './arena.js'
import type { KernelContext } from './exports.js'

/** The geometry block of assembly/pool.ts: [N, H, W, C, OH, OW, window, strides, pad top, left]. */
const geometry = (x: readonly number[], y: readonly number[], p: Pool2dParams): number[] =>
  [x[0], x[1], x[2], x[3], y[1], y[2], p.window[0], p.window[1], p.strides[0], p.strides[1], p.pads[0], p.pads[2]]
const GEOMETRY_BYTES = 12 * 4

export const wasmMaxPool = (ctx: KernelContext): Kernel<'maxPool', TypedArray> => ([x], p, out) => {
  const { arena, wasm } = ctx
  const n = sizeOf(out.shape)
  arena.begin('maxPool', need(x.data.byteLength, GEOMETRY_BYTES, n * 4, n * 4))
  const px = arena.copyIn(x.data), g = arena.ints(geometry(x.shape, out.shape, p)), py = arena.alloc(n * 4), arg = arena.alloc(n * 4)
  wasm.maxPoolArg(px, g, py, arg)
  return arena.copyOut(py, n, 'float32')
}

/** y[o] = t[argmax of window o] (0 for an empty window): the tangent of max pooling. */
export const wasmMaxPoolSelect = (ctx: KernelContext): Kernel<'maxPoolSelect', TypedArray> => ([x, t], p, out) => {
  const { arena, wasm } = ctx
  const n = sizeOf(out.shape)
  arena.begin('maxPoolSelect', need(x.data.byteLength, t.data.byteLength, GEOMETRY_BYTES, n * 4, n * 4, n * 4))
  const px = arena.copyIn(x.data), pt = arena.copyIn(t.data), g = arena.ints(geometry(x.shape, out.shape, p))
  const best = arena.alloc(n * 4), arg = arena.alloc(n * 4), py = arena.alloc(n * 4)
  wasm.maxPoolArg(px, g, best, arg)
  wasm.selectArg(pt, arg, py, n)
  return arena.copyOut(py, n, 'float32')
}

/** dx[argmax of window o] += g[o]: the transpose of maxPoolSelect. */
export const wasmMaxPoolScatter = (ctx: KernelContext): Kernel<'maxPoolScatter', TypedArray> => ([x, gr], p) => {
  const { arena, wasm } = ctx
  const n = gr.data.length, size = x.data.length
  arena.begin('maxPoolScatter', need(x.data.byteLength, gr.data.byteLength, GEOMETRY_BYTES, n * 4, n * 4, size * 8, size * 4))
  const px = arena.copyIn(x.data), pg = arena.copyIn(gr.data), g = arena.ints(geometry(x.shape, gr.shape, p))
  const best = arena.alloc(n * 4), arg = arena.alloc(n * 4), acc = arena.alloc(size * 8), py = arena.alloc(size * 4)
  wasm.maxPoolArg(px, g, best, arg)
  wasm.scatterArg(pg, arg, acc, n, size)
  wasm.demote(acc, py, size)
  return arena.copyOut(py, size, 'float32')
}

export const wasmAvgPool = (ctx: KernelContext): Kernel<'avgPool', TypedArray> => ([x], p, out) => {
  const { arena, wasm } = ctx
  const n = sizeOf(out.shape)
  arena.begin('avgPool', need(x.data.byteLength, GEOMETRY_BYTES, n * 4, x.shape[3] * 8))
  const px = arena.copyIn(x.data), g = arena.ints(geometry(x.shape, out.shape, p)), py = arena.alloc(n * 4), acc = arena.alloc(x.shape[3] * 8)
  wasm.avgPool(px, g, py, acc)
  return arena.copyOut(py, n, 'float32')
}

/** dx[window positions of o] += g[o] / count(o): the transpose of avgPool. */
export const wasmAvgPoolGrad = (ctx: KernelContext): Kernel<'avgPoolGrad', TypedArray> => ([gr], p) => {
  const { arena, wasm } = ctx
  const size = sizeOf(p.inputShape)
  arena.begin('avgPoolGrad', need(gr.data.byteLength, GEOMETRY_BYTES, size * 8, size * 4))
  const pg = arena.copyIn(gr.data), g = arena.ints(geometry(p.inputShape, gr.shape, p)), acc = arena.alloc(size * 8), py = arena.alloc(size * 4)
  wasm.avgPoolGrad(pg, g, acc)
  wasm.demote(acc, py, size)
  return arena.copyOut(py, size, 'float32')
}
