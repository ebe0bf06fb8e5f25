/**
 * gather and scatterAdd on the wasm kernels (assembly/indexing.ts). Indices are range-checked
 * here first, as the JS reference does, since only the data reveals an index outside its axis.
 * gather copies any 4-byte dtype (float32, int32); scatterAdd sums in float64 in the reference's
 * order, so duplicates give the reference's float32 result bit for bit.
 */

import type { TypedArray } from '../../core/dtype.js'
import { PuregradError } from '../../core/errors.js'
import type { Kernel } from '../backend.js'
import { sizeOf, spanSize } from '../js/strides.js'
import { need } from './arena.js'
import type { KernelContext } from './exports.js'

const checkIndices = (idx: TypedArray, axis: number, length: number, op: string): void => {
  for (let j = 0; j < idx.length; j++) {
    const v = idx[j]
    if (!(v >= 0 && v < length)) throw new PuregradError('INDEX_OUT_OF_RANGE', `index ${v} outside axis ${axis} of length ${length}`, op)
  }
}

export const wasmGather = (ctx: KernelContext): Kernel<'gather', TypedArray> => ([x, indices], { axis }, out) => {
  const { arena, wasm } = ctx
  const n = x.shape[axis]
  checkIndices(indices.data, axis, n, 'gather')
  const outer = spanSize(x.shape, 0, axis), inner = spanSize(x.shape, axis + 1, x.shape.length)
  const size = sizeOf(out.shape)
  arena.begin('gather', need(x.data.byteLength, indices.data.byteLength, size * 4))
  const px = arena.copyIn(x.data), pi = arena.copyIn(indices.data), py = arena.alloc(size * 4)
  wasm.gather(px, pi, py, outer, n, indices.data.length, inner)
  return arena.copyOut(py, size, out.dtype)
}

export const wasmScatterAdd = (ctx: KernelContext): Kernel<'scatterAdd', TypedArray> => ([u, indices], { axis, size }, out) => {
  const { arena, wasm } = ctx
  checkIndices(indices.data, axis, size, 'scatterAdd')
  const outer = spanSize(out.shape, 0, axis), inner = spanSize(out.shape, axis + 1, out.shape.length)
  const total = sizeOf(out.shape)
  arena.begin('scatterAdd', need(u.data.byteLength, indices.data.byteLength, total * 8, total * 4))
  const pu = arena.copyIn(u.data), pi = arena.copyIn(indices.data), acc = arena.alloc(total * 8), py = arena.alloc(total * 4)
  wasm.scatterAdd(pu, pi, acc, outer, size, indices.data.length, inner)
  wasm.demote(acc, py, total)
  return arena.copyOut(py, total, 'float32')
}
