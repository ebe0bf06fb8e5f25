/**
 * The checkpoint byte layout, and the low-level pieces that read and write it: the fixed prefix,
 * CRC32, alignment and the copy of tensor values to and from little-endian bytes. Knows nothing
 * about parameter records or io-ts; checkpoint.ts puts the pieces together.
 *
 * Layout (every integer little-endian, whatever the platform):
 *
 *   offset  size  field
 *   0       4     magic "PGCK" (0x50 0x47 0x43 0x4B)
 *   4       4     u32 format version (FORMAT_VERSION)
 *   8       4     u32 header length H in bytes (at most MAX_HEADER_BYTES, checked before reading it)
 *   12      4     u32 CRC32 of the H header bytes
 *   16      8     reserved, must be zero
 *   24      H     header: UTF-8 JSON (see codecs.ts)
 *   24+H    ..    zero padding up to the next multiple of 8 (the data start D)
 *   D       N     data section: N = header.dataByteLength bytes, CRC32 = header.dataCrc32
 *
 * The file ends exactly at D + N. Each header entry names a byte range of the data section
 * (offset relative to D) holding one leaf's values row-major: float32 and int32 as 4-byte, float64
 * as 8-byte little-endian words, bool as one byte 0 or 1. Values are copied as raw bytes (swapped on
 * big-endian hosts), never through a number, so NaN payloads, infinities and -0 survive bit-exact.
 */

import type { DType, TypedArray } from '../core/dtype.js'
import { allocTyped, bytesPer } from '../core/dtype.js'

/** "PGCK". */
export const MAGIC: readonly number[] = [0x50, 0x47, 0x43, 0x4b]
/** The format version this code writes and the only one it reads. */
export const FORMAT_VERSION = 1
/** Bytes before the header: magic, version, header length, header CRC, reserved. */
export const PREFIX_BYTES = 24
/** Largest header accepted (16 MiB); a larger length field is rejected before anything is read. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024
/** The data section, and every entry in it, starts at a multiple of this many bytes. */
export const ALIGNMENT = 8

/** `n` rounded up to a multiple of ALIGNMENT. */
export const alignUp = (n: number): number => Math.ceil(n / ALIGNMENT) * ALIGNMENT

// ---------------------------------------------------------------------------------------------
// CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320, as in zip and PNG)

let crcTable: Uint32Array | undefined

const table = (): Uint32Array => {
  if (crcTable !== undefined) return crcTable
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  crcTable = t
  return t
}

/**
 * CRC32 (IEEE, as in zip and PNG) of `bytes[start, end)` as an unsigned 32-bit integer: the
 * checksum a checkpoint's header and data carry.
 *
 * @example
 * ```ts
 * import { crc32 } from 'puregrad/io'
 *
 * const check = crc32(new TextEncoder().encode('123456789'))
 * if (check !== 0xcbf43926) throw new Error(check.toString(16))
 * ```
 */
export const crc32 = (bytes: Uint8Array, start = 0, end = bytes.length): number => {
  const t = table()
  let c = 0xffffffff
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

// ---------------------------------------------------------------------------------------------
// Prefix

export interface Prefix {
  readonly version: number
  readonly headerLength: number
  readonly headerCrc32: number
}

/** Writes the 24-byte prefix at the start of `out`. */
export const writePrefix = (out: Uint8Array, p: Prefix): void => {
  const v = new DataView(out.buffer, out.byteOffset, PREFIX_BYTES)
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC[i]
  v.setUint32(4, p.version, true)
  v.setUint32(8, p.headerLength, true)
  v.setUint32(12, p.headerCrc32, true)
  v.setUint32(16, 0, true)
  v.setUint32(20, 0, true)
}

/** Problems with the prefix, in the order they are checked. */
export type PrefixProblem =
  | { readonly kind: 'short' }
  | { readonly kind: 'magic' }
  | { readonly kind: 'version'; readonly version: number }
  | { readonly kind: 'headerTooLarge'; readonly headerLength: number }
  | { readonly kind: 'reserved' }

/**
 * Reads the prefix of `bytes` (at least PREFIX_BYTES long) without trusting it: checks magic,
 * version, the header-length cap and the reserved bytes, and allocates nothing.
 */
export const readPrefix = (bytes: Uint8Array): Prefix | PrefixProblem => {
  if (bytes.length < PREFIX_BYTES) return { kind: 'short' }
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return { kind: 'magic' }
  const v = new DataView(bytes.buffer, bytes.byteOffset, PREFIX_BYTES)
  const version = v.getUint32(4, true)
  if (version !== FORMAT_VERSION) return { kind: 'version', version }
  const headerLength = v.getUint32(8, true)
  if (headerLength > MAX_HEADER_BYTES) return { kind: 'headerTooLarge', headerLength }
  if (v.getUint32(16, true) !== 0 || v.getUint32(20, true) !== 0) return { kind: 'reserved' }
  return { version, headerLength, headerCrc32: v.getUint32(12, true) }
}

export const isPrefixProblem = (p: Prefix | PrefixProblem): p is PrefixProblem => 'kind' in p

// ---------------------------------------------------------------------------------------------
// Values <-> little-endian bytes

const hostIsLittleEndian: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Reverses the byte order of each `width`-byte word of `b`, in place. */
const swapWords = (b: Uint8Array, width: number): void => {
  if (width === 1) return
  for (let i = 0; i + width <= b.length; i += width) {
    for (let lo = i, hi = i + width - 1; lo < hi; lo++, hi--) {
      const x = b[lo]
      b[lo] = b[hi]
      b[hi] = x
    }
  }
}

/** Copies `values` into `out` at `offset` as little-endian bytes (`values.byteLength` of them). */
export const writeValues = (out: Uint8Array, offset: number, values: TypedArray): void => {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  out.set(raw, offset)
  if (!hostIsLittleEndian) swapWords(out.subarray(offset, offset + raw.length), values.BYTES_PER_ELEMENT)
}

/**
 * A fresh typed array of `dtype` holding `byteLength` little-endian bytes of `bytes` from
 * `offset` (the caller has checked the range and that `byteLength` is a multiple of the width).
 */
export const readValues = (bytes: Uint8Array, offset: number, byteLength: number, dtype: DType): TypedArray => {
  const out = allocTyped(dtype, byteLength / bytesPer(dtype))
  const raw = new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  raw.set(bytes.subarray(offset, offset + byteLength))
  if (!hostIsLittleEndian) swapWords(raw, bytesPer(dtype))
  return out
}
