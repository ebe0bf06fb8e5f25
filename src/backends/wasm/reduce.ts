/**
 * float32 reductions and scans of the wasm backend: sum and max over axes, argmax and cumsum along
 * one axis (assembly/reduce.ts). They fold in the JS reference's order, sums in float64, so they
 * return the reference's values bit for bit; the input is walked row-major and each row folds
 * into its output slots, vectorised across the slots when the innermost axis is kept.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { Kernel } from '../backend.js'
import { sizeOf, spanSize, stridesOf } from '../js/strides.js'
import { need } from './arena.js'
import type { KernelContext } from './exports.js'
import { walk } from './walk.js'

/** Strides over the input's shape into the reduced output: 0 along reduced axes. */
const reducedStrides = (shape: readonly number[], axes: readonly number[]): number[] => {
  const kept = stridesOf(shape.filter((_, d) => !axes.includes(d)))
  let k = 0
  return shape.map((_, d) => (axes.includes(d) ? 0 : kept[k++]))
}

export const wasmSum = (ctx: KernelContext): Kernel<'sum', TypedArray> => ([x], { axes }, out) => {
  const { arena, wasm } = ctx
  const n = sizeOf(out.shape)
  const w = walk(x.shape, [reducedStrides(x.shape, axes)])
  arena.begin('sum', need(x.data.byteLength, n * 8, n * 4, w.block.length * 4))
  const px = arena.copyIn(x.data), acc = arena.zeros(n * 8), py = arena.alloc(n * 4)
  wasm.sumInto(px, acc, arena.ints(w.block), w.rows)
  wasm.demote(acc, py, n)
  return arena.copyOut(py, n, 'float32')
}

export const wasmMax = (ctx: KernelContext): Kernel<'max', TypedArray> => ([x], { axes }, out) => {
  const { arena, wasm } = ctx
  const n = sizeOf(out.shape)
  const w = walk(x.shape, [reducedStrides(x.shape, axes)])
  arena.begin('max', need(x.data.byteLength, n * 4, w.block.length * 4))
  const px = arena.copyIn(x.data), py = arena.alloc(n * 4)
  wasm.fillF32(py, n, -Infinity)
  wasm.maxInto(px, py, arena.ints(w.block), w.rows)
  return arena.copyOut(py, n, 'float32')
}

export const wasmArgmax = (ctx: KernelContext): Kernel<'argmax', TypedArray> => ([x], { axis }) => {
  const { arena, wasm } = ctx
  const outer = spanSize(x.shape, 0, axis), n = x.shape[axis], inner = spanSize(x.shape, axis + 1, x.shape.length)
  arena.begin('argmax', need(x.data.byteLength, outer * inner * 4, inner * 4))
  const px = arena.copyIn(x.data), py = arena.alloc(outer * inner * 4), best = arena.alloc(inner * 4)
  wasm.argmax(px, py, best, outer, n, inner)
  return arena.copyOut(py, outer * inner, 'int32')
}

export const wasmCumsum = (ctx: KernelContext): Kernel<'cumsum', TypedArray> => ([x], { axis, reverse }) => {
  const { arena, wasm } = ctx
  const outer = spanSize(x.shape, 0, axis), n = x.shape[axis], inner = spanSize(x.shape, axis + 1, x.shape.length)
  const size = x.data.length
  arena.begin('cumsum', need(size * 4, size * 4, inner * 8))
  const px = arena.copyIn(x.data), py = arena.alloc(size * 4), acc = arena.alloc(inner * 8)
  wasm.cumsum(px, py, acc, outer, n, inner, reverse ? 1 : 0)
  return arena.copyOut(py, size, 'float32')
}
