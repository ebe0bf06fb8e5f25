/**
 * float32 elementwise kernels of the wasm backend: unary maths, broadcasting binary ops,
 * comparisons (bool output) and where. Operands are copied into the arena (or found resident
 * there), the broadcast geometry is coalesced on the JS side (walk.ts), and the SIMD loops of
 * assembly/elementwise.ts run over the output rows.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { BinaryPrimitive, ComparePrimitive, UnaryPrimitive } from '../../diff/primitives.js'
import type { Kernel, KernelInput } from '../backend.js'
import { broadcastStrides, sizeOf } from '../js/strides.js'
import { need } from './arena.js'
import type { KernelContext } from './exports.js'
import { walk } from './walk.js'

type In = KernelInput<TypedArray>

export const wasmUnary = <P extends UnaryPrimitive>(ctx: KernelContext, op: P): Kernel<P, TypedArray> => {
  const run = ctx.wasm[`unary_${op}`]
  return ([x]) => {
    const { arena } = ctx
    const n = x.data.length
    arena.begin(op, need(n * 4, n * 4))
    const px = arena.copyIn(x.data), py = arena.alloc(n * 4)
    run(px, py, 0, n)
    return arena.copyOut(py, n, 'float32')
  }
}

/** Copies the operands in and walks the output rows with `run(pointers..., y, walk, r0, r1)`. */
const broadcasting = (
  ctx: KernelContext, op: string, inputs: readonly In[], shape: readonly number[], outBytes: number,
  run: (ptrs: readonly number[], y: number, walkPtr: number, rows: number) => void,
): number => {
  const { arena } = ctx
  const w = walk(shape, inputs.map((x) => broadcastStrides(x.shape, shape)))
  arena.begin(op, need(...inputs.map((x) => x.data.byteLength), outBytes, w.block.length * 4))
  const ptrs = inputs.map((x) => arena.copyIn(x.data))
  const y = arena.alloc(outBytes)
  run(ptrs, y, arena.ints(w.block), w.rows)
  return y
}

export const wasmBinary = <P extends BinaryPrimitive>(ctx: KernelContext, op: P): Kernel<P, TypedArray> => {
  const run = ctx.wasm[`binary_${op}`]
  return (inputs, _params, out) => {
    const n = sizeOf(out.shape)
    const y = broadcasting(ctx, op, inputs, out.shape, n * 4, ([a, b], py, g, rows) => run(a, b, py, g, 0, rows))
    return ctx.arena.copyOut(y, n, 'float32')
  }
}

export const wasmCompare = <P extends ComparePrimitive>(ctx: KernelContext, op: P): Kernel<P, TypedArray> => {
  const run = ctx.wasm[`compare_${op}`]
  return (inputs, _params, out) => {
    const n = sizeOf(out.shape)
    const y = broadcasting(ctx, op, inputs, out.shape, n, ([a, b], py, g, rows) => run(a, b, py, g, 0, rows))
    return ctx.arena.copyOut(y, n, 'bool')
  }
}

export const wasmWhere = (ctx: KernelContext): Kernel<'where', TypedArray> => (inputs, _params, out) => {
  const n = sizeOf(out.shape)
  const y = broadcasting(ctx, 'where', inputs, out.shape, n * 4, ([c, a, b], py, g, rows) => ctx.wasm.where(c, a, b, py, g, 0, rows))
  return ctx.arena.copyOut(y, n, 'float32')
}
