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

/** One operand of a kernel: the backend's buffer `D` with the operand's shape and dtype. */
export interface KernelInput<D> {
  readonly data: D
  readonly shape: readonly number[]
  readonly dtype: DType
}

/** The shape and dtype a kernel must produce, as the primitive's shape rule computed them. */
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

/** A backend's kernels: one {@link Kernel} per primitive, keyed by {@link Primitive}. */
export type Kernels<D> = PrimitiveTable<{ [P in Primitive]: Kernel<P, D> }>

/** A backend's counters, for tests and for choosing a backend. */
export interface BackendStats {
  /** Kernel executions per primitive since creation or the last reset: tests assert which backend ran. */
  readonly kernelCalls: Partial<Record<Primitive, number>>
  /** Bytes this backend holds for live tensors, as it counts them. */
  liveBytes(): number
  /** Clears `kernelCalls`. */
  reset(): void
}

/**
 * The interface every backend implements, with its buffers of type `D` opaque to everything
 * above it: upload host values, read them back, and one kernel per primitive. Differentiation
 * happens above the backend, so a backend that implements the kernels gets every derivative.
 * Register one with {@link registerBackend}; {@link createJsBackend} makes the reference backend.
 */
export interface Backend<D = unknown> {
  /** The name it is registered and chosen by (`'js'`, `'wasm'`, `'webgpu'`). */
  readonly name: string
  /** The dtypes it can hold; creating or computing another is `UNSUPPORTED_DTYPE`. */
  readonly dtypes: readonly DType[]
  /** Copies host values into a new buffer. `values` has exactly `size` elements of `dtype`. */
  upload(values: TypedArray, dtype: DType): D
  /** Host copy of a buffer's values; throws SYNC_READ_UNAVAILABLE where reads must be async. */
  readSync(data: D, dtype: DType, size: number): TypedArray
  /** Host copy of a buffer's values, asynchronously; works on every backend. */
  read(data: D, dtype: DType, size: number): Promise<TypedArray>
  /** One kernel per primitive. */
  readonly kernels: Kernels<D>
  /** Kernel-call and memory counters. */
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
  /**
   * Optional: one step of Adam's moment updates on float32 buffers of `size` elements, in one pass
   * (the optimizers call it for concrete float32 leaves outside any transformation, and compose
   * differentiable ops otherwise). With the float32 constants `h`, per element:
   * `mu = m * b1 + g * omb1`, `nu = v * b2 + (g * g) * omb2`,
   * `update = ((mu / c1) / (sqrt(nu / c2) + eps)) * scale`, each operation rounded to float32 in
   * that order, so the results equal the composite ops' bit for bit (`scale` is -lr for `adam`,
   * whose learning rate then costs no pass of its own, and 1 for the bare direction). Returns
   * fresh buffers, or undefined to decline (the caller then composes ops).
   */
  fusedAdam?(
    g: D, m: D, v: D, size: number,
    h: {
      readonly b1: number; readonly omb1: number; readonly b2: number; readonly omb2: number
      readonly c1: number; readonly c2: number; readonly eps: number; readonly scale: number
    },
  ): { readonly mu: D; readonly nu: D; readonly update: D } | undefined
}

/**
 * @internal Buffers created while a releasing transformation runs (src/diff/transforms.ts), as
 * flat pairs [backend, data, backend, data, ...]. `log` is null when none runs, and only
 * backends with `release` are logged, so the others pay one null check per op.
 */
export const releaseScope: { depth: number; log: unknown[] | null } = { depth: 0, log: null }
