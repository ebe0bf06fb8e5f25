/**
 * The IDX format of MNIST and Fashion-MNIST, browser-safe part: `parseIdx` checks and decodes the
 * bytes of an (uncompressed) IDX file into a typed array and a shape, and `idxToTensor` makes a
 * tensor of it. Reading files and gunzipping them is Node's job (`loadIdx` in ./files.ts).
 *
 * IDX: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64), the number of dimensions, that many big-endian uint32 sizes, then the data,
 * big-endian, row-major. Every check (magic, type, dimensions, data length, expected dtype and
 * shape) happens before anything is returned; a bad file is a Left naming the reason.
 */

import * as E from 'fp-ts/lib/Either.js'
import type { DType } from '../core/dtype.js'
import { allocTyped } from '../core/dtype.js'
import type { Tensor } from '../core/tensor.js'
import { fromTyped } from '../core/constructors.js'
import { PuregradError } from '../core/errors.js'
import { datasetError, type DatasetError } from './errors.js'

/** The element types an IDX file can declare (type codes 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E). */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'
/** The typed array holding an IDX file's values, by its dtype. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array

/** A decoded IDX file: its dtype, its shape and its values (row-major). */
export interface IdxArray {
  readonly dtype: IdxDType
  readonly shape: readonly number[]
  /** Row-major values in host byte order. */
  readonly data: IdxData
}

const TYPES: Readonly<Record<number, { readonly dtype: IdxDType; readonly bytes: number }>> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
}

/** Largest element count accepted (2^31 - 1: what a typed array and an int32 index can hold). */
export const IDX_MAX_ELEMENTS = 2 ** 31 - 1

/** What the caller expects of a file; a mismatch is a Left with reason 'magic' or 'dims'. */
export interface IdxExpect {
  readonly dtype?: IdxDType
  readonly rank?: number
  /** Expected sizes per dimension; null leaves one free (e.g. `[null, 28, 28]`). */
  readonly dims?: readonly (number | null)[]
}

/** Options of `parseIdx`. */
export interface ParseIdxOptions {
  /** Names the source in messages (the loaders pass the file path). */
  readonly file?: string
  /** What the file must hold; a mismatch is a Left. */
  readonly expect?: IdxExpect
}

/**
 * Whether the bytes start with gzip's magic number (1f 8b).
 *
 * @example
 * ```ts
 * import { isGzip } from 'puregrad/datasets'
 *
 * if (!isGzip(Uint8Array.of(0x1f, 0x8b, 8)) || isGzip(Uint8Array.of(0, 0, 8, 1))) throw new Error('isGzip')
 * ```
 */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

const hex = (b: Uint8Array, n: number): string =>
  Array.from(b.subarray(0, n), (v) => v.toString(16).padStart(2, '0')).join(' ')

/**
 * Decodes an IDX file's bytes. Left (nothing decoded) when the magic is wrong (including gzip
 * bytes: gunzip them first, or use `loadIdx`), the type code is unknown, the header is cut short,
 * the data holds fewer (reason 'truncated') or more ('trailing') bytes than the dimensions say,
 * or the file does not match `expect`.
 *
 * @example
 * ```ts
 * import { encodeIdx, parseIdx } from 'puregrad/datasets'
 *
 * const bytes = encodeIdx({ dtype: 'uint8', shape: [2, 2, 2], data: Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7) })
 * const ok = parseIdx(bytes, { expect: { dtype: 'uint8', dims: [null, 2, 2] } })
 * if (ok._tag !== 'Right' || ok.right.shape.join() !== '2,2,2' || ok.right.data[7] !== 7) throw new Error('parseIdx')
 * const cut = parseIdx(bytes.subarray(0, bytes.length - 1), { file: 'images.idx' })
 * if (cut._tag !== 'Left' || cut.left.reason !== 'truncated') throw new Error('a truncated file is a Left')
 * ```
 */
export const parseIdx = (bytes: Uint8Array, opts: ParseIdxOptions = {}): E.Either<DatasetError, IdxArray> => {
  const file = opts.file
  const err = (reason: DatasetError['reason'], message: string): E.Either<DatasetError, IdxArray> =>
    E.left(datasetError(reason, message, file))
  if (!(bytes instanceof Uint8Array)) return err('magic', `expected the file's bytes as a Uint8Array, got ${typeof bytes}`)
  if (isGzip(bytes)) return err('magic', 'the bytes are gzip-compressed (magic 1f 8b): gunzip them first, or read the file with loadIdx, which does')
  if (bytes.length < 4) return err('truncated', `${bytes.length} bytes is shorter than the 4-byte IDX magic number`)
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    return err('magic', `not an IDX file: the magic number must start with two zero bytes, got ${hex(bytes, 4)}`)
  }
  const type = TYPES[bytes[2]]
  if (type === undefined) {
    return err('magic', `unknown IDX type code 0x${bytes[2].toString(16).padStart(2, '0')} (known: 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64)`)
  }
  const rank = bytes[3]
  if (rank === 0) return err('dims', 'the header declares 0 dimensions')
  const headerBytes = 4 + 4 * rank
  if (bytes.length < headerBytes) {
    return err('truncated', `the header declares ${rank} dimensions and needs ${headerBytes} bytes; the file has ${bytes.length}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const shape: number[] = []
  let count = 1
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false)
    shape.push(d)
    count *= d
  }
  if (count > IDX_MAX_ELEMENTS) return err('dims', `dimensions [${shape.join(', ')}] hold ${count} elements, more than ${IDX_MAX_ELEMENTS}`)
  const shapeError = checkExpected(type.dtype, shape, opts.expect)
  if (shapeError !== null) return err(shapeError[0], shapeError[1])
  const dataBytes = count * type.bytes
  const have = bytes.length - headerBytes
  if (have < dataBytes) {
    return err('truncated', `dimensions [${shape.join(', ')}] of ${type.dtype} need ${dataBytes} data bytes after the ${headerBytes}-byte header; the file has ${have} (truncated?)`)
  }
  if (have > dataBytes) {
    return err('trailing', `${have - dataBytes} unexpected bytes after the ${dataBytes} data bytes that dimensions [${shape.join(', ')}] of ${type.dtype} need`)
  }
  return E.right({ dtype: type.dtype, shape, data: decode(type.dtype, view, headerBytes, count) })
}

const checkExpected = (dtype: IdxDType, shape: readonly number[], expect: IdxExpect | undefined): [DatasetError['reason'], string] | null => {
  if (expect === undefined) return null
  if (expect.dtype !== undefined && expect.dtype !== dtype) return ['magic', `expected ${expect.dtype} data, the magic number says ${dtype}`]
  const rank = expect.rank ?? expect.dims?.length
  if (rank !== undefined && rank !== shape.length) {
    return ['dims', `expected ${rank} dimensions, the header declares ${shape.length} ([${shape.join(', ')}])`]
  }
  const dims = expect.dims ?? []
  for (let i = 0; i < dims.length; i++) {
    const want = dims[i]
    if (want !== null && want !== shape[i]) return ['dims', `expected dimension ${i} to be ${want}, the header says ${shape[i]} ([${shape.join(', ')}])`]
  }
  return null
}

const decode = (dtype: IdxDType, view: DataView, offset: number, count: number): IdxData => {
  const bytes = (): Uint8Array => new Uint8Array(view.buffer, view.byteOffset + offset, count).slice()
  switch (dtype) {
    case 'uint8': return bytes()
    case 'int8': return new Int8Array(bytes().buffer)
    case 'int16': { const a = new Int16Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt16(offset + 2 * i, false); return a }
    case 'int32': { const a = new Int32Array(count); for (let i = 0; i < count; i++) a[i] = view.getInt32(offset + 4 * i, false); return a }
    case 'float32': { const a = new Float32Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat32(offset + 4 * i, false); return a }
    case 'float64': { const a = new Float64Array(count); for (let i = 0; i < count; i++) a[i] = view.getFloat64(offset + 8 * i, false); return a }
  }
}

/**
 * Encodes a typed array as IDX bytes (big-endian): the inverse of `parseIdx`, for tests and exports.
 *
 * @throws TypeError for an unknown dtype.
 * @example
 * ```ts
 * import { encodeIdx } from 'puregrad/datasets'
 *
 * const bytes = encodeIdx({ dtype: 'int16', shape: [2], data: Int16Array.of(1, -1) })
 * if (bytes.join() !== '0,0,11,1,0,0,0,2,0,1,255,255') throw new Error(bytes.join())
 * ```
 */
export const encodeIdx = (a: IdxArray): Uint8Array => {
  const entry = Object.entries(TYPES).find(([, t]) => t.dtype === a.dtype)
  if (entry === undefined) throw new TypeError(`unknown IDX dtype ${String(a.dtype)}`)
  const code = Number(entry[0]), size = entry[1].bytes
  const header = 4 + 4 * a.shape.length
  const out = new Uint8Array(header + a.data.length * size)
  const view = new DataView(out.buffer)
  out[2] = code
  out[3] = a.shape.length
  a.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  for (let i = 0; i < a.data.length; i++) {
    const o = header + i * size, v = a.data[i]
    switch (a.dtype) {
      case 'uint8': view.setUint8(o, v); break
      case 'int8': view.setInt8(o, v); break
      case 'int16': view.setInt16(o, v, false); break
      case 'int32': view.setInt32(o, v, false); break
      case 'float32': view.setFloat32(o, v, false); break
      case 'float64': view.setFloat64(o, v, false); break
    }
  }
  return out
}

/** Options of `idxToTensor`. */
export interface IdxToTensorOptions {
  /** Default: float32 for float data or when `scale` is given, int32 otherwise. */
  readonly dtype?: DType
  /** Each value is multiplied by this (e.g. 1/255 for pixels); default 1. */
  readonly scale?: number
  /** The shape of one row (axis 0 excluded), same element count: [784] or [28, 28, 1]; default the file's. */
  readonly rowShape?: readonly number[]
  /** Keep only the first `limit` rows (axis 0). */
  readonly limit?: number
}

/**
 * A tensor of an IDX array's values (on the current backend): [limit, ...rowShape], each value
 * times `scale`, float32 for float data or a scale and int32 otherwise unless `dtype` says.
 *
 * @throws PuregradError `SHAPE_MISMATCH` when rowShape does not hold a row's values.
 * @example
 * ```ts
 * import { idxToTensor } from 'puregrad/datasets'
 *
 * const images = { dtype: 'uint8' as const, shape: [3, 2, 2], data: new Uint8Array(12).fill(255) }
 * const x = idxToTensor(images, { scale: 1 / 255, rowShape: [4], limit: 2 })
 * if (x.shape.join() !== '2,4' || x.dtype !== 'float32' || x.dataSync()[0] !== 1) throw new Error(`got ${x.shape}`)
 * ```
 */
export const idxToTensor = (a: IdxArray, opts: IdxToTensorOptions = {}): Tensor => {
  const dtype: DType = opts.dtype ?? (a.dtype === 'float32' || a.dtype === 'float64' || opts.scale !== undefined ? 'float32' : 'int32')
  const rows = a.shape[0]
  const limit = Math.max(0, Math.min(rows, opts.limit ?? rows))
  const rowSize = rows === 0 ? 0 : a.data.length / rows
  const n = limit * rowSize
  const out = allocTyped(dtype, n)
  const scale = opts.scale ?? 1
  if (scale === 1) for (let i = 0; i < n; i++) out[i] = a.data[i]
  else for (let i = 0; i < n; i++) out[i] = a.data[i] * scale
  const shape = [limit, ...(opts.rowShape ?? a.shape.slice(1))]
  if (shape.reduce((p, d) => p * d, 1) !== n) {
    throw new PuregradError('SHAPE_MISMATCH', `rowShape [${opts.rowShape?.join(', ')}] does not hold the ${rowSize} values of a row of [${a.shape.join(', ')}]`, 'idxToTensor')
  }
  return fromTyped(out, shape, dtype)
}
