/**
 * Creating tensors from host values: `tensor` (numbers, booleans, nested arrays, typed arrays),
 * `scalar`, `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`, `zerosLike`, `onesLike`.
 * Values are built on the host and uploaded once to the current backend.
 */

import { allocTyped, dtypeOfTyped, isDType, type DType, type TypedArray } from './dtype.js'
import { fail, fmtShape } from './errors.js'
import { checkInt, checkShape, checkSize, sizeOf, type Shape } from './shape.js'
import { flattenNested, inferShape, type Nested } from './nested.js'
import { Tensor } from './tensor.js'
import { getBackend } from '../backends/registry.js'
import { releaseScope, type Backend } from '../backends/backend.js'

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** The shape to give flat data (its size must equal the number of values). Default: the nesting of the data. */
  readonly shape?: readonly number[]
  /** The element type. Default: a typed array's own, else float32 (bool for booleans). */
  readonly dtype?: DType
}
/** The `dtype` option of the constructors other than {@link tensor}. */
export interface DTypeOption {
  /** The element type. Default float32 (bool for a boolean fill value). */
  readonly dtype?: DType
}

/**
 * What {@link tensor} accepts: a number or boolean (a scalar), nested arrays of them (rectangular),
 * or a Float32Array, Float64Array, Int32Array or Uint8Array (flat; its dtype is float32, float64,
 * int32 or bool).
 */
export type TensorData = Nested | TypedArray | readonly number[] | readonly boolean[]

const checkDType = (op: string, d: unknown): DType => {
  if (!isDType(d)) fail('INVALID_ARGUMENT', op, `unknown dtype ${String(d)} (expected float32, float64, int32 or bool)`)
  return d as DType
}

/** @internal Uploads host values to a backend as a tensor. */
export const fromTyped = (values: TypedArray, shape: Shape, dtype: DType, backend: Backend = getBackend()): Tensor => {
  if (!backend.dtypes.includes(dtype)) fail('UNSUPPORTED_DTYPE', 'tensor', `backend '${backend.name}' does not support ${dtype}`)
  const data = backend.upload(values, dtype)
  if (releaseScope.log !== null && backend.release !== undefined) releaseScope.log.push(backend, data)
  return new Tensor([...shape], dtype, backend, data, null)
}

const convert = (src: ArrayLike<number>, dtype: DType): TypedArray => {
  const out = allocTyped(dtype, src.length)
  if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0
  else out.set(src)
  return out
}

/**
 * A tensor from host data, uploaded once to the current backend.
 *
 * The dtype is `opts.dtype`, else a typed array's own, else float32 (bool when the first value is a
 * boolean); values are converted to it (truncated for int32, non-zero is true for bool). The shape is
 * the nesting of the arrays, or `opts.shape` to reshape flat data.
 * @throws PuregradError `RAGGED` for nested arrays of unequal lengths or holding non-numbers;
 * `SHAPE_MISMATCH` when `opts.shape` does not hold the values; `INVALID_ARGUMENT` for an unknown
 * dtype, a malformed shape or another kind of typed array; `UNSUPPORTED_DTYPE` when the current
 * backend lacks the dtype.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * tensor([[1, 2], [3, 4]]).shape // => [2, 2]
 * tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' }).arraySync() // => [[1, 2], [3, 4]]
 * tensor(new Int32Array([1, 2])).dtype // => 'int32'
 * tensor([true, false]).dtype // => 'bool'
 * tensor([[1, 2], [3]]) // throws RAGGED
 * ```
 */
export const tensor = (data: TensorData, opts: TensorOptions = {}): Tensor => {
  const dtype0 = opts.dtype === undefined ? undefined : checkDType('tensor', opts.dtype)
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfTyped(data)
    if (own === undefined) fail('INVALID_ARGUMENT', 'tensor', 'typed arrays must be Float32Array, Float64Array, Int32Array or Uint8Array')
    const dtype = dtype0 ?? (own as DType)
    const shape = opts.shape === undefined ? [data.length] : checkShape('tensor', opts.shape)
    if (sizeOf(shape) !== data.length) fail('SHAPE_MISMATCH', 'tensor', `${data.length} values do not fill shape ${fmtShape(shape)}`)
    return fromTyped(convert(data as TypedArray, dtype), shape, dtype)
  }
  const inferred = inferShape(data)
  const firstLeaf = leafOf(data)
  const dtype = dtype0 ?? (typeof firstLeaf === 'boolean' ? 'bool' : 'float32')
  const values = flattenNested(data, inferred, dtype)
  const shape = opts.shape === undefined ? inferred : checkShape('tensor', opts.shape)
  if (sizeOf(shape) !== values.length) fail('SHAPE_MISMATCH', 'tensor', `${values.length} values do not fill shape ${fmtShape(shape)}`)
  return fromTyped(values, shape, dtype)
}

const leafOf = (x: unknown): unknown => {
  while (Array.isArray(x)) { if (x.length === 0) return undefined; x = x[0] }
  return x
}

/**
 * A rank-0 tensor holding `value`, of `dtype` (default float32, or bool for a boolean).
 * @throws PuregradError `INVALID_ARGUMENT` for an unknown dtype.
 * @example
 * ```ts
 * import { scalar } from 'puregrad'
 * scalar(3).shape // => []
 * scalar(3, 'int32').item() // => 3
 * scalar(true).dtype // => 'bool'
 * ```
 */
export const scalar = (value: number | boolean, dtype?: DType): Tensor =>
  tensor(value, dtype === undefined ? {} : { dtype })

/**
 * A tensor of `shape` with every element `value`, of `opts.dtype` (default float32, or bool for a
 * boolean value).
 * @throws PuregradError `INVALID_ARGUMENT` for a shape that is not an array of non-negative integers,
 * a value that is not a number or boolean, or an unknown dtype; `OUT_OF_MEMORY` for more than 2^31 - 1 elements.
 * @example
 * ```ts
 * import { full } from 'puregrad'
 * full([2, 2], 7).arraySync() // => [[7, 7], [7, 7]]
 * full([2], true).arraySync() // => [true, true]
 * ```
 */
export const full = (shape: readonly number[], value: number | boolean, opts: DTypeOption = {}): Tensor => fullAs('full', shape, value, opts)

/** `full`, with errors named as `op` (zeros and ones). */
const fullAs = (op: string, shape: readonly number[], value: number | boolean, opts: DTypeOption): Tensor => {
  const s = checkShape(op, shape)
  if (typeof value !== 'number' && typeof value !== 'boolean') fail('INVALID_ARGUMENT', op, `the fill value must be a number or a boolean, got ${value === null ? 'null' : typeof value}`)
  if (opts === null || typeof opts !== 'object') fail('INVALID_ARGUMENT', op, `options must be an object, got ${String(opts)}`)
  const dtype = checkDType(op, opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'))
  const v = allocTyped(dtype, sizeOf(s))
  v.fill(typeof value === 'boolean' ? (value ? 1 : 0) : value)
  return fromTyped(v, s, dtype)
}

/**
 * A tensor of zeros of `shape`, of `opts.dtype` (default float32).
 * @throws PuregradError `INVALID_ARGUMENT` for a shape that is not an array of non-negative integers
 * or an unknown dtype; `OUT_OF_MEMORY` for more than 2^31 - 1 elements.
 * @example
 * ```ts
 * import { zeros } from 'puregrad'
 * zeros([2, 3]).arraySync() // => [[0, 0, 0], [0, 0, 0]]
 * zeros([-1]) // throws INVALID_ARGUMENT
 * ```
 */
export const zeros = (shape: readonly number[], opts: DTypeOption = {}): Tensor => fullAs('zeros', shape, 0, opts)
/**
 * A tensor of ones of `shape`, of `opts.dtype` (default float32).
 * @throws PuregradError `INVALID_ARGUMENT` for a shape that is not an array of non-negative integers
 * or an unknown dtype; `OUT_OF_MEMORY` for more than 2^31 - 1 elements.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * ones([2], { dtype: 'int32' }).arraySync() // => [1, 1]
 * ```
 */
export const ones = (shape: readonly number[], opts: DTypeOption = {}): Tensor => fullAs('ones', shape, 1, opts)

/**
 * Zeros with `x`'s shape and dtype, on `x`'s backend (not necessarily the current one).
 * @throws PuregradError `INVALID_ARGUMENT` when `x` is not a tensor.
 * @example
 * ```ts
 * import { tensor, zerosLike } from 'puregrad'
 * const z = zerosLike(tensor([1, 2], { dtype: 'int32' }))
 * z.arraySync() // => [0, 0]
 * z.dtype // => 'int32'
 * ```
 */
export const zerosLike = (x: Tensor): Tensor => fillLike(x, 0)
/**
 * Ones with `x`'s shape and dtype, on `x`'s backend (not necessarily the current one).
 * @throws PuregradError `INVALID_ARGUMENT` when `x` is not a tensor.
 * @example
 * ```ts
 * import { onesLike, tensor } from 'puregrad'
 * onesLike(tensor([[5, 6]])).arraySync() // => [[1, 1]]
 * ```
 */
export const onesLike = (x: Tensor): Tensor => fillLike(x, 1)

const fillLike = (x: Tensor, v: number): Tensor => {
  if (!(x instanceof Tensor)) fail('INVALID_ARGUMENT', v === 0 ? 'zerosLike' : 'onesLike', `expected a Tensor, got ${x === null ? 'null' : typeof x}`)
  const c = x.concrete()
  const a = allocTyped(x.dtype, x.size)
  a.fill(v)
  return fromTyped(a, x.shape, x.dtype, c.backend as Backend)
}

/**
 * Values from `start` up to (not including) `stop` in steps of `step` (default 1), like numpy:
 * `arange(n)` is 0..n-1. A negative step counts down. 1-D, of `opts.dtype` (default float32).
 * @throws PuregradError `INVALID_ARGUMENT` for a zero or non-finite step, non-finite bounds or an
 * unknown dtype; `OUT_OF_MEMORY` for more than 2^31 - 1 elements.
 * @example
 * ```ts
 * import { arange } from 'puregrad'
 * arange(5).arraySync() // => [0, 1, 2, 3, 4]
 * arange(2, 10, 3).arraySync() // => [2, 5, 8]
 * arange(5, 0, -2).arraySync() // => [5, 3, 1]
 * arange(3, undefined, 1, { dtype: 'int32' }).dtype // => 'int32'
 * ```
 */
export const arange = (start: number, stop?: number, step = 1, opts: DTypeOption = {}): Tensor => {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop]
  if (step === 0 || !Number.isFinite(step)) fail('INVALID_ARGUMENT', 'arange', `step must be finite and non-zero, got ${step}`)
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) fail('INVALID_ARGUMENT', 'arange', `start and stop must be finite numbers, got ${lo} and ${hi}`)
  const n = Math.max(0, Math.ceil((hi - lo) / step))
  checkSize('arange', [n])
  const dtype = checkDType('arange', opts.dtype ?? 'float32')
  const v = allocTyped(dtype, n)
  for (let i = 0; i < n; i++) v[i] = lo + i * step
  return fromTyped(v, [n], dtype)
}

/** @internal 0..n-1 as int32 on the backend of `like`. */
export const iotaLike = (n: number, like: Tensor): Tensor => {
  const v = allocTyped('int32', n)
  for (let i = 0; i < n; i++) v[i] = i
  return fromTyped(v, [n], 'int32', like.concrete().backend as Backend)
}

/**
 * `num` evenly spaced values from `start` to `stop`, both included (the last is exactly `stop`).
 * 1-D, of `opts.dtype` (default float32).
 * @throws PuregradError `INVALID_ARGUMENT` for a negative or non-integer `num` or an unknown dtype.
 * @example
 * ```ts
 * import { linspace } from 'puregrad'
 * linspace(0, 1, 5).arraySync() // => [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export const linspace = (start: number, stop: number, num: number, opts: DTypeOption = {}): Tensor => {
  checkInt('linspace', 'num', num)
  if (num < 0) fail('INVALID_ARGUMENT', 'linspace', `num must be non-negative, got ${num}`)
  checkSize('linspace', [num])
  const dtype = checkDType('linspace', opts.dtype ?? 'float32')
  const v = allocTyped(dtype, num)
  const step = num > 1 ? (stop - start) / (num - 1) : 0
  for (let i = 0; i < num; i++) v[i] = start + i * step
  if (num > 1) v[num - 1] = stop
  return fromTyped(v, [num], dtype)
}

/**
 * An n x m matrix (m defaults to n) with ones on the main diagonal and zeros elsewhere, of
 * `opts.dtype` (default float32).
 * @throws PuregradError `INVALID_ARGUMENT` for a negative or non-integer size or an unknown dtype.
 * @example
 * ```ts
 * import { eye } from 'puregrad'
 * eye(2).arraySync() // => [[1, 0], [0, 1]]
 * eye(2, 3).arraySync() // => [[1, 0, 0], [0, 1, 0]]
 * ```
 */
export const eye = (n: number, m: number = n, opts: DTypeOption = {}): Tensor => {
  checkShape('eye', [n, m])
  const dtype = checkDType('eye', opts.dtype ?? 'float32')
  const v = allocTyped(dtype, n * m)
  for (let i = 0; i < Math.min(n, m); i++) v[i * m + i] = 1
  return fromTyped(v, [n, m], dtype)
}
