/**
 * What a traced value carries. A tensor is either concrete (a backend buffer) or a tracer owned
 * by one active transformation (a `Trace`). Traces are numbered by level in the order they start,
 * and an op is processed by the highest-level trace among its operands; values of lower levels
 * are constants to it. That ordering is what keeps nested derivatives apart (no perturbation
 * confusion) and lets modes mix (jvp of grad, grad of grad).
 */

import type { Tensor } from '../core/tensor.js'
import type { Primitive, PrimitiveParams } from './primitives.js'
import type { DType } from '../core/dtype.js'

export abstract class Trace {
  active = true
  constructor(readonly level: number) {}
  /** Runs `prim` on operands of which at least one is this trace's tracer. */
  abstract process<P extends Primitive>(
    prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], shape: readonly number[], dtype: DType,
  ): Tensor
}

export interface Tracer {
  readonly trace: Trace
  /** The value one level down (concrete, or a tracer of an outer transformation). */
  readonly primal: Tensor
  /** Where the value came from in the caller's parameter record, for error messages. */
  readonly path: string | undefined
}

let levelCounter = 0
export const nextLevel = (): number => ++levelCounter

/** The value of `x` one level below `trace`, or `x` itself when `trace` does not own it. */
export const primalAt = (x: Tensor, trace: Trace): Tensor =>
  x.tracer !== null && x.tracer.trace === trace ? x.tracer.primal : x
