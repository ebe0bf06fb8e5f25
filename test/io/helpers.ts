/**
 * Test helpers for checkpoints: fast-check arbitraries for random records (every dtype, special
 * float bit patterns, number leaves), a bit-exact record comparison, and tools to take a valid
 * file apart and craft files with chosen headers but correct checksums, and random byte-level
 * mutations of a file.
 */

import { expect } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, tensor, type DType } from '../../src/index.js'
import { crc32 } from '../../src/io/format.js'
import type { DecodeError } from '../../src/io/index.js'

// ---------------------------------------------------------------------------------------------
// Arbitraries

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })

/** float32 bit patterns: specials (NaN, signalling and payload NaNs, +-Infinity, +-0) and anything. */
const f32Bits = fc.oneof(
  fc.constantFrom(0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0x7f800000, 0xff800000, 0x80000000, 0, 0x00000001),
  fc.integer({ min: 0, max: 0xffffffff }),
)

/** float64 bit patterns as [low, high] words. */
const f64Bits = fc.oneof(
  fc.constantFrom<[number, number]>([0, 0x7ff80000], [1, 0x7ff00000], [0, 0xfff80000], [0, 0x7ff00000], [0, 0xfff00000], [0, 0x80000000], [0, 0], [1, 0]),
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
)

const valuesArb = (dtype: DType, n: number): fc.Arbitrary<Float32Array | Float64Array | Int32Array | Uint8Array> => {
  switch (dtype) {
    case 'float32':
      return fc.array(f32Bits, { minLength: n, maxLength: n }).map((b) => new Float32Array(Uint32Array.from(b).buffer))
    case 'float64':
      return fc.array(f64Bits, { minLength: n, maxLength: n }).map((b) => new Float64Array(Uint32Array.from(b.flat()).buffer))
    case 'int32':
      return fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: n, maxLength: n }).map((v) => Int32Array.from(v))
    case 'bool':
      return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((v) => Uint8Array.from(v, Number))
  }
}

/** A tensor of random dtype and shape (empty and scalar shapes included) with random bits. */
export const tensorArb: fc.Arbitrary<Tensor> = fc
  .tuple(fc.constantFrom<DType>('float32', 'float64', 'int32', 'bool'), shapeArb)
  .chain(([dtype, shape]) =>
    valuesArb(dtype, shape.reduce((a, b) => a * b, 1)).map((values) => tensor(values, { shape, dtype })),
  )

/** Number leaves, specials included. */
export const numberArb = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, -0, 0), fc.double())

const keyArb = fc.oneof(fc.constantFrom('w', 'b', 'layers', 'step', 'a b', '0', '__proto__', 'x.y', '"q"'), fc.string({ maxLength: 4 }))

/** Random records: nested plain objects and arrays of tensors, numbers and nulls. */
export const recordArb: fc.Arbitrary<unknown> = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { arbitrary: tensorArb, weight: 4 },
    { arbitrary: numberArb, weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.array(tie('tree'), { maxLength: 3 }), weight: 2 },
    { arbitrary: fc.dictionary(keyArb, tie('tree'), { maxKeys: 4 }), weight: 3 },
  ),
})).tree

export const metaArb = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.oneof(fc.string({ maxLength: 8 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
  { maxKeys: 4, noNullPrototype: true },
)

// ---------------------------------------------------------------------------------------------
// Byte mutations of a file

/** Edits applied to a copy of a file. */
export type Mutation =
  | { op: 'set'; at: number; byte: number }
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }), weight: 1 },
)

/** `bytes` with `m` applied, at a position folded into [lo, hi). */
export const apply = (bytes: Uint8Array, m: Mutation, lo = 0, hi = bytes.length): Uint8Array => {
  const span = Math.max(1, hi - lo)
  const at = lo + (m.at % span)
  switch (m.op) {
    case 'set': { const b = bytes.slice(); if (at < b.length) b[at] = m.byte; return b }
    case 'flip': { const b = bytes.slice(); if (at < b.length) b[at] ^= 1 << m.bit; return b }
    case 'truncate': return bytes.slice(0, at)
    case 'insert': {
      const b = new Uint8Array(bytes.length + m.bytes.length)
      b.set(bytes.subarray(0, at)); b.set(m.bytes, at); b.set(bytes.subarray(at), at + m.bytes.length)
      return b
    }
    case 'delete': {
      const removed = Math.min(m.count, bytes.length - at)
      const b = new Uint8Array(bytes.length - removed)
      b.set(bytes.subarray(0, at)); b.set(bytes.subarray(at + removed), at)
      return b
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison

const bytesOf = (t: Tensor): number[] => {
  const v = t.dataSync()
  return [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]
}

/** Whether `a` and `b` are the same record: same keys in the same order, leaves bit-exact. */
export const sameRecord = (a: unknown, b: unknown, path = 'params'): string | undefined => {
  if (a instanceof Tensor || b instanceof Tensor) {
    if (!(a instanceof Tensor && b instanceof Tensor)) return `${path}: one is not a tensor`
    if (a.dtype !== b.dtype || a.shape.join(',') !== b.shape.join(',')) return `${path}: shape or dtype differ`
    return bytesOf(a).join(',') === bytesOf(b).join(',') ? undefined : `${path}: bytes differ`
  }
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`
  if (a === null || a === undefined || b === null || b === undefined) return a === b ? undefined : `${path}: ${String(a)} vs ${String(b)}`
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return `${path}: arrays differ`
    for (let i = 0; i < a.length; i++) {
      const d = sameRecord(a[i], b[i], `${path}[${i}]`)
      if (d !== undefined) return d
    }
    return undefined
  }
  const ka = Object.keys(a as object)
  const kb = Object.keys(b as object)
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys ${JSON.stringify(ka)} vs ${JSON.stringify(kb)}`
  for (const k of ka) {
    const d = sameRecord((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}[${JSON.stringify(k)}]`)
    if (d !== undefined) return d
  }
  return undefined
}

export const expectSameRecord = (a: unknown, b: unknown): void => {
  expect(sameRecord(a, b)).toBeUndefined()
}

/** The DecodeError of a Left (fails the test on a Right). */
export const leftOf = <A>(r: E.Either<DecodeError, A>): DecodeError => {
  if (E.isRight(r)) throw new Error('expected a Left, got a Right')
  expect(r.left._tag).toBe('DecodeError')
  return r.left
}

/** The value of a Right (fails the test, showing the error, on a Left). */
export const rightOf = <A, L>(r: E.Either<L, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected a Right, got ${JSON.stringify(r.left)}`)
  return r.right
}

// ---------------------------------------------------------------------------------------------
// Taking files apart and crafting new ones

export interface FileParts {
  header: Record<string, unknown>
  data: Uint8Array
}

/** The header JSON and data section of a valid file. */
export const split = (bytes: Uint8Array): FileParts => {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const h = v.getUint32(8, true)
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(24, 24 + h))) as Record<string, unknown>
  const start = Math.ceil((24 + h) / 8) * 8
  return { header, data: bytes.slice(start) }
}

export interface CraftOptions {
  readonly version?: number
  /** Override the header length field (the real header bytes are still written). */
  readonly headerLength?: number
  /** Recompute dataCrc32 and dataByteLength from `data` (default true). */
  readonly fixData?: boolean
}

/** A file with the given header (object or raw text) and data, with correct checksums. */
export const craft = (header: Record<string, unknown> | string, data: Uint8Array, opts: CraftOptions = {}): Uint8Array => {
  const h = typeof header === 'string' || opts.fixData === false
    ? header
    : { ...header, dataByteLength: data.length, dataCrc32: crc32(data) }
  const hb = typeof h === 'string' ? new TextEncoder().encode(h) : new TextEncoder().encode(JSON.stringify(h))
  const start = Math.ceil((24 + hb.length) / 8) * 8
  const out = new Uint8Array(start + data.length)
  out.set([0x50, 0x47, 0x43, 0x4b])
  const v = new DataView(out.buffer)
  v.setUint32(4, opts.version ?? 1, true)
  v.setUint32(8, opts.headerLength ?? hb.length, true)
  v.setUint32(12, crc32(hb), true)
  out.set(hb, 24)
  out.set(data, start)
  return out
}
