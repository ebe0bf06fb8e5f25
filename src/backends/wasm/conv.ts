/**
 * float32 convolution on the wasm kernels as im2col + GEMM. The forward pass multiplies the
 * patch matrix [N*OH*OW, KH*KW*Ci] by the filter [KH*KW*Ci, Co]; the filter gradient is the
 * transposed product patchesᵀ dY; the input gradient is dY Wᵀ scattered back by col2im.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { Conv2dParams } from '../../diff/primitives.js'
import type { Kernel } from '../backend.js'
import type { Arena } from './arena.js'
import { gemm, gemmScratch, type GemmContext } from './gemm.js'

interface Geometry { readonly ptr: number; readonly m: number; readonly kdim: number }

/** Writes the geometry block im2col/col2im read (layout fixed in assembly/im2col.ts). */
const geometry = (arena: Arena, x: readonly number[], w: readonly number[], out: readonly number[], p: Conv2dParams): Geometry => ({
  ptr: arena.ints([
    x[0], x[1], x[2], x[3], out[1], out[2], w[0], w[1],
    p.strides[0], p.strides[1], p.dilations[0], p.dilations[1], p.pads[0], p.pads[2],
  ]),
  m: out[0] * out[1] * out[2],
  kdim: w[0] * w[1] * w[2],
})

export const wasmConv2d = (ctx: GemmContext): Kernel<'conv2d', TypedArray> =>
  ([x, w], p, out) => {
    const { arena, wasm } = ctx
    arena.reset('conv2d')
    const px = arena.copyIn(x.data), pw = arena.copyIn(w.data)
    const g = geometry(arena, x.shape, w.shape, out.shape, p)
    const co = w.shape[3]
    const cols = arena.alloc(g.m * g.kdim * 4)
    wasm.im2col(px, g.ptr, cols)
    const pOut = arena.alloc(g.m * co * 4)
    gemm(ctx, { ptr: cols, rs: g.kdim, cs: 1 }, { ptr: pw, rs: co, cs: 1 }, pOut, g.m, co, g.kdim, gemmScratch(ctx, co, g.kdim))
    return arena.copyOut(pOut, g.m * co, 'float32')
  }

export const wasmConv2dBackInput = (ctx: GemmContext): Kernel<'conv2dBackInput', TypedArray> =>
  ([dy, w], p, out) => {
    const { arena, wasm } = ctx
    arena.reset('conv2dBackInput')
    const pdy = arena.copyIn(dy.data), pw = arena.copyIn(w.data)
    const g = geometry(arena, out.shape, w.shape, dy.shape, p)
    const co = w.shape[3]
    const dcols = arena.alloc(g.m * g.kdim * 4)
    // dcols [M, K] = dY [M, Co] x Wᵀ, with W stored [K, Co].
    gemm(ctx, { ptr: pdy, rs: co, cs: 1 }, { ptr: pw, rs: 1, cs: co }, dcols, g.m, g.kdim, co, gemmScratch(ctx, g.kdim, co))
    const size = out.shape.reduce((a, d) => a * d, 1)
    const dx = arena.alloc(size * 4)
    wasm.col2im(dcols, g.ptr, dx)
    return arena.copyOut(dx, size, 'float32')
  }

export const wasmConv2dBackFilter = (ctx: GemmContext): Kernel<'conv2dBackFilter', TypedArray> =>
  ([x, dy], p, out) => {
    const { arena, wasm } = ctx
    arena.reset('conv2dBackFilter')
    const px = arena.copyIn(x.data), pdy = arena.copyIn(dy.data)
    const g = geometry(arena, x.shape, out.shape, dy.shape, p)
    const co = out.shape[3]
    const cols = arena.alloc(g.m * g.kdim * 4)
    wasm.im2col(px, g.ptr, cols)
    const dw = arena.alloc(g.kdim * co * 4)
    // dW [K, Co] = colsᵀ dY, with cols stored [M, K].
    gemm(ctx, { ptr: cols, rs: 1, cs: g.kdim }, { ptr: pdy, rs: co, cs: 1 }, dw, g.kdim, co, g.m, gemmScratch(ctx, co, g.m))
    return arena.copyOut(dw, g.kdim * co, 'float32')
  }
