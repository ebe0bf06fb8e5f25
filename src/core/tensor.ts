/**
 * The immutable Tensor. A tensor is a shape, a dtype and either a backend buffer (concrete) or a
 * tracer (a value being differentiated by an active transformation). Nothing mutates a tensor and
 * users never free one: buffers are owned by the tensor and reclaimed with it.
 *
 * Functions (`add(a, b)`) are the canonical API; the fluent methods here forward to them.
 */

import type { Backend } from '../backends/backend.js'
import { type DType, type TypedArray } from './dtype.js'
import { sizeOf, type Shape } from './shape.js'
import type { Tracer } from '../diff/tracer.js'
import { formatTensor } from './format.js'
import { toNested, type Nested } from './nested.js'
import { fail } from './errors.js'
import * as el from '../ops/elementwise.js'
import * as red from '../ops/reduce.js'
import * as mv from '../ops/movement.js'
import { matmul, type MatmulOptions } from '../ops/linalg.js'
import { setLeafPredicate } from '../diff/tree.js'

export type TensorLike = Tensor | number

export interface AxisOptions { readonly axis?: number | readonly number[]; readonly keepDims?: boolean }

export class Tensor {
  /** @internal Use the constructors (`tensor`, `zeros`, ...); tensors are never built by hand. */
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    /** @internal */ readonly backend: Backend | null,
    /** @internal */ readonly buffer: unknown,
    /** @internal */ readonly tracer: Tracer | null,
  ) {}

  get size(): number { return sizeOf(this.shape) }
  get rank(): number { return this.shape.length }

  /** @internal The concrete tensor under any tracers (reading a traced value reads its primal). */
  concrete(): Tensor {
    let t: Tensor = this
    while (t.tracer !== null) t = t.tracer.primal
    return t
  }

  /** A copy of the values, row-major, as the dtype's typed array. */
  dataSync(): TypedArray {
    const c = this.concrete()
    return (c.backend as Backend).readSync(c.buffer, c.dtype, c.size)
  }

  data(): Promise<TypedArray> {
    const c = this.concrete()
    return (c.backend as Backend).read(c.buffer, c.dtype, c.size)
  }

  /** Nested arrays of numbers (booleans for bool tensors), or a number/boolean for a scalar. */
  arraySync(): Nested {
    return toNested(this.dataSync(), this.shape, this.dtype)
  }

  async array(): Promise<Nested> {
    return toNested(await this.data(), this.shape, this.dtype)
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) fail('SHAPE_MISMATCH', 'item', `needs a tensor with one element, got shape [${this.shape.join(',')}]`)
    return this.dataSync()[0]
  }

  toString(): string {
    return formatTensor(this.dataSync(), this.shape, this.dtype)
  }

  add(b: TensorLike): Tensor { return el.add(this, b) }
  sub(b: TensorLike): Tensor { return el.sub(this, b) }
  mul(b: TensorLike): Tensor { return el.mul(this, b) }
  div(b: TensorLike): Tensor { return el.div(this, b) }
  pow(b: TensorLike): Tensor { return el.pow(this, b) }
  neg(): Tensor { return el.neg(this) }
  exp(): Tensor { return el.exp(this) }
  log(): Tensor { return el.log(this) }
  sqrt(): Tensor { return el.sqrt(this) }
  tanh(): Tensor { return el.tanh(this) }
  abs(): Tensor { return el.abs(this) }
  square(): Tensor { return el.square(this) }
  matmul(b: Tensor, opts?: MatmulOptions): Tensor { return matmul(this, b, opts) }
  sum(opts?: AxisOptions): Tensor { return red.sum(this, opts) }
  mean(opts?: AxisOptions): Tensor { return red.mean(this, opts) }
  max(opts?: AxisOptions): Tensor { return red.max(this, opts) }
  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape) }
  transpose(perm?: readonly number[]): Tensor { return mv.transpose(this, perm) }
  cast(dtype: DType): Tensor { return el.cast(this, dtype) }
}

export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor

setLeafPredicate(isTensor)
