/**
 * The one interface every backend implements. A backend owns opaque buffers (`D`), moves values
 * between the host and those buffers, and runs one kernel per primitive. It never sees tracers or
 * gradient rules: differentiation happens above it, so every backend gets every derivative for free.
 *
 * Ownership: a tensor holds its buffer; the buffer lives as long as the tensor is reachable.
 * Backends whose memory the JS garbage collector cannot see (wasm linear memory, GPU buffers)
 * must stay flat in synchronous loops too (finalizers never run inside one), for instance by
 * keeping storage on the JS heap and using their own memory as a bounded scratch area.
 */

import type { DType, TypedArray } from '../core/dtype.js'
import type { Primitive, PrimitiveParams, PrimitiveTable } from '../diff/primitives.js'

export interface KernelInput<D> {
  readonly data: D
  readonly shape: readonly number[]
  readonly dtype: DType
}

export interface KernelOutput {
  readonly shape: readonly number[]
  readonly dtype: DType
}

/**
 * A kernel receives inputs whose shapes and dtypes the shape rules already validated, and
 * returns a fresh buffer of the output's shape and dtype (or an input's buffer when the value is
 * unchanged, e.g. reshape: buffers are immutable).
 */
export type Kernel<P extends Primitive, D> = (
  inputs: readonly KernelInput<D>[],
  params: PrimitiveParams[P],
  out: KernelOutput,
) => D

export type Kernels<D> = PrimitiveTable<{ [P in Primitive]: Kernel<P, D> }>

export interface BackendStats {
  /** Kernel executions per primitive since creation or the last reset: tests assert which backend ran. */
  readonly kernelCalls: Partial<Record<Primitive, number>>
  /** Bytes this backend holds for live tensors, as it counts them. */
  liveBytes(): number
  reset(): void
}

export interface Backend<D = unknown> {
  readonly name: string
  readonly dtypes: readonly DType[]
  /** Copies host values into a new buffer. `values` has exactly `size` elements of `dtype`. */
  upload(values: TypedArray, dtype: DType): D
  /** Host copy of a buffer's values; throws SYNC_READ_UNAVAILABLE where reads must be async. */
  readSync(data: D, dtype: DType, size: number): TypedArray
  read(data: D, dtype: DType, size: number): Promise<TypedArray>
  readonly kernels: Kernels<D>
  readonly stats: BackendStats
  /** What this backend can do, for users choosing one and for tests. */
  readonly capabilities: { readonly syncRead: boolean; readonly threads: number; readonly simd: boolean }
  /**
   * Optional: frees `data` now. The core calls it for buffers it knows are dead: when the
   * outermost grad / valueAndGrad / jvp returns, every buffer created during it (kernel outputs
   * and uploads) that its result does not reach. That keeps loops that never yield flat where
   * finalizers cannot run (GPU memory). A backend with `release` must hand out a fresh D from
   * every kernel and upload (sharing storage underneath by reference count if it likes), and must
   * throw INVALID_ARGUMENT, never touch freed memory, when a released D is used again.
   */
  release?(data: D): void
}

/**
 * @internal Buffers created while a releasing transformation runs (src/diff/transforms.ts), as
 * flat pairs [backend, data, backend, data, ...]. `log` is null when none runs, and only
 * backends with `release` are logged, so the others pay one null check per op.
 */
export const releaseScope: { depth: number; log: unknown[] | null } = { depth: 0, log: null }
