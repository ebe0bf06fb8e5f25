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
import { square } from '../ops/elementwise-derived.js'
import * as red from '../ops/reduce.js'
import * as mv from '../ops/movement.js'
import { matmul, type MatmulOptions } from '../ops/linalg.js'
import { setLeafPredicate } from '../diff/tree.js'

/**
 * An operand of the binary ops: a tensor, or a JS number, which becomes a scalar of the other
 * operand's dtype on its backend (a "weak" scalar, as in JAX): the only implicit conversion.
 */
export type TensorLike = Tensor | number

/** Which axes a reduction runs over, and whether it keeps them as axes of size 1. */
export interface AxisOptions {
  /** One axis or several (negative counts from the end); all axes when omitted. */
  readonly axis?: number | readonly number[]
  /** Keep each reduced axis as an axis of size 1, so the result broadcasts against the input. Default false. */
  readonly keepDims?: boolean
}

/**
 * An immutable n-dimensional array: a shape, a dtype and values on a backend. Nothing changes a
 * tensor after it is made; every op returns a new one, and buffers are reclaimed with the tensor
 * (there is nothing to dispose). Make tensors with {@link tensor}, {@link zeros} and the other
 * constructors, never with `new`.
 *
 * The functions (`add(a, b)`) are the canonical API; the methods here are fluent forms of the
 * common ones. Inside {@link grad} and the other transformations a tensor may be traced; reading
 * its values then reads the value being differentiated.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * const x = tensor([[1, 2], [3, 4]])
 * x.shape // => [2, 2]
 * x.dtype // => 'float32'
 * x.add(1).mul(2).sum().item() // => 28
 * x.transpose().arraySync() // => [[1, 3], [2, 4]]
 * String(x) // => '[[1. 2.]\n [3. 4.]]'
 * ```
 */
export class Tensor {
  /** @internal Use the constructors (`tensor`, `zeros`, ...); tensors are never built by hand. */
  constructor(
    /** The size of each axis, outermost first; `[]` for a scalar. */
    readonly shape: Shape,
    /** The element type. */
    readonly dtype: DType,
    /** @internal */ readonly backend: Backend | null,
    /** @internal */ readonly buffer: unknown,
    /** @internal */ readonly tracer: Tracer | null,
  ) {}

  /** The number of elements: the product of the shape (1 for a scalar). */
  get size(): number { return sizeOf(this.shape) }
  /** The number of axes: 0 for a scalar. */
  get rank(): number { return this.shape.length }

  /** @internal The concrete tensor under any tracers (reading a traced value reads its primal). */
  concrete(): Tensor {
    let t: Tensor = this
    while (t.tracer !== null) t = t.tracer.primal
    return t
  }

  /**
   * A copy of the values, row-major, as the dtype's typed array (Uint8Array of 0 and 1 for bool).
   * @throws PuregradError `SYNC_READ_UNAVAILABLE` on a backend that reads asynchronously (WebGPU): use {@link Tensor.data}.
   */
  dataSync(): TypedArray {
    const c = this.concrete()
    return (c.backend as Backend).readSync(c.buffer, c.dtype, c.size)
  }

  /** A copy of the values, row-major, as the dtype's typed array, read asynchronously (works on every backend). */
  data(): Promise<TypedArray> {
    const c = this.concrete()
    return (c.backend as Backend).read(c.buffer, c.dtype, c.size)
  }

  /**
   * The values as nested arrays of numbers (booleans for bool tensors), or a number or boolean for
   * a scalar.
   * @throws PuregradError `SYNC_READ_UNAVAILABLE` on a backend that reads asynchronously: use {@link Tensor.array}.
   */
  arraySync(): Nested {
    return toNested(this.dataSync(), this.shape, this.dtype)
  }

  /** {@link Tensor.arraySync}, read asynchronously (works on every backend). */
  async array(): Promise<Nested> {
    return toNested(await this.data(), this.shape, this.dtype)
  }

  /**
   * The single value of a one-element tensor (of any shape), as a number (1 or 0 for bool).
   * @throws PuregradError `SHAPE_MISMATCH` when the tensor has more or fewer than one element.
   */
  item(): number {
    if (this.size !== 1) fail('SHAPE_MISMATCH', 'item', `needs a tensor with one element, got shape [${this.shape.join(',')}]`)
    return this.dataSync()[0]
  }

  /** The values printed as numpy prints arrays: `[[1. 2.]\n [3. 4.]]`, summarised past 1000 elements. */
  toString(): string {
    return formatTensor(this.dataSync(), this.shape, this.dtype)
  }

  /** The method form of `add(this, b)`. */
  add(b: TensorLike): Tensor { return el.add(this, b) }
  /** The method form of `sub(this, b)`. */
  sub(b: TensorLike): Tensor { return el.sub(this, b) }
  /** The method form of `mul(this, b)`. */
  mul(b: TensorLike): Tensor { return el.mul(this, b) }
  /** The method form of `div(this, b)`. */
  div(b: TensorLike): Tensor { return el.div(this, b) }
  /** The method form of `pow(this, b)`. */
  pow(b: TensorLike): Tensor { return el.pow(this, b) }
  /** The method form of `neg(this)`. */
  neg(): Tensor { return el.neg(this) }
  /** The method form of `exp(this)`. */
  exp(): Tensor { return el.exp(this) }
  /** The method form of `log(this)`. */
  log(): Tensor { return el.log(this) }
  /** The method form of `sqrt(this)`. */
  sqrt(): Tensor { return el.sqrt(this) }
  /** The method form of `tanh(this)`. */
  tanh(): Tensor { return el.tanh(this) }
  /** The method form of `abs(this)`. */
  abs(): Tensor { return el.abs(this) }
  /** The method form of `square(this)`. */
  square(): Tensor { return square(this) }
  /** The method form of `matmul(this, b, opts)`. */
  matmul(b: Tensor, opts?: MatmulOptions): Tensor { return matmul(this, b, opts) }
  /** The method form of `sum(this, opts)`. */
  sum(opts?: AxisOptions): Tensor { return red.sum(this, opts) }
  /** The method form of `mean(this, opts)`. */
  mean(opts?: AxisOptions): Tensor { return red.mean(this, opts) }
  /** The method form of `max(this, opts)`. */
  max(opts?: AxisOptions): Tensor { return red.max(this, opts) }
  /** The method form of `reshape(this, shape)`. */
  reshape(shape: readonly number[]): Tensor { return mv.reshape(this, shape) }
  /** The method form of `transpose(this, perm)`. */
  transpose(perm?: readonly number[]): Tensor { return mv.transpose(this, perm) }
  /** The method form of `cast(this, dtype)`. */
  cast(dtype: DType): Tensor { return el.cast(this, dtype) }
}

/**
 * Whether `x` is a {@link Tensor} (traced tensors included): the test that tells the leaves of a
 * parameter record from its structure.
 * @example
 * ```ts
 * import { isTensor, tensor } from 'puregrad'
 * isTensor(tensor([1])) // => true
 * isTensor([1]) // => false
 * ```
 */
export const isTensor = (x: unknown): x is Tensor => x instanceof Tensor

setLeafPredicate(isTensor)
