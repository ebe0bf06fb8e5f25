/**
 * The exports of the non-GEMM kernels (assembly/elementwise.ts, reduce.ts, indexing.ts,
 * pool.ts), typed for the JS wrappers. Pointers are byte offsets into the module's memory.
 * Elementwise ops have one export each, named after the primitive (`binary_add`).
 */

import type { BinaryPrimitive, ComparePrimitive, UnaryPrimitive } from '../../diff/primitives.js'
import type { Arena } from './arena.js'
import type { WasmInstance } from './module.js'
import type { ThreadPool } from './threads.js'

/** y[i] = op(x[i]) for i in [start, end). */
export type UnaryExport = (x: number, y: number, start: number, end: number) => void
/** Output rows [r0, r1) of a broadcasting op over a walk block (walk.ts). */
export type RowsExport = (a: number, b: number, y: number, walk: number, r0: number, r1: number) => void

export type KernelExports = { readonly [P in UnaryPrimitive as `unary_${P}`]: UnaryExport } &
  { readonly [P in BinaryPrimitive as `binary_${P}`]: RowsExport } &
  { readonly [P in ComparePrimitive as `compare_${P}`]: RowsExport } &
  OtherExports

interface OtherExports {
  where(c: number, a: number, b: number, y: number, walk: number, r0: number, r1: number): void
  sumInto(x: number, acc: number, walk: number, rows: number): void
  maxInto(x: number, acc: number, walk: number, rows: number): void
  demote(acc: number, y: number, n: number): void
  fillF32(p: number, n: number, v: number): void
  argmax(x: number, y: number, best: number, outer: number, n: number, inner: number): void
  cumsum(x: number, y: number, acc: number, outer: number, n: number, inner: number, reverse: number): void
  gather(x: number, idx: number, y: number, outer: number, n: number, m: number, inner: number): void
  scatterAdd(u: number, idx: number, acc: number, outer: number, size: number, m: number, inner: number): void
  maxPoolArg(x: number, geometry: number, y: number, arg: number): void
  selectArg(t: number, arg: number, y: number, n: number): void
  scatterArg(g: number, arg: number, acc: number, n: number, size: number): void
  avgPool(x: number, geometry: number, y: number, acc: number): void
  avgPoolGrad(g: number, geometry: number, acc: number): void
  copyRows(x: number, y: number, walk: number, r0: number, r1: number): void
}

/** The module's exports seen as the non-GEMM kernels (module.ts types the GEMM ones). */
export const kernelExports = (inst: WasmInstance): KernelExports => inst.exports as unknown as KernelExports

/** What the non-GEMM kernel wrappers run with. */
export interface KernelContext {
  readonly wasm: KernelExports
  readonly arena: Arena
  readonly pool: ThreadPool | undefined
}
