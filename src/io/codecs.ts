/**
 * The checkpoint header: its io-ts codecs, the checks io-ts cannot express (sizes, ranges,
 * overlaps, unique paths) and the error type every checkpoint decoder returns. The header is the
 * only thing in a checkpoint that is parsed as JSON; nothing read from a file is ever executed.
 *
 * Header JSON (closed: unknown fields are rejected):
 *   {
 *     "version": 1,                       // equals the version in the prefix
 *     "dataByteLength": 48,               // length N of the data section
 *     "dataCrc32": 123456789,             // CRC32 of the data section
 *     "entries": [                        // one per leaf, in the record's leaf order
 *       { "path": ".layers[0].w",         // leaf path relative to the record's root ("" = root)
 *         "kind": "tensor",               // or "number": a plain number leaf, stored as float64 []
 *         "dtype": "float32", "shape": [2, 3],
 *         "offset": 0, "byteLength": 24 } // byte range in the data section
 *     ],
 *     "meta": { "epoch": 3 }              // strings, finite numbers and booleans
 *   }
 */

import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { bytesPer, type DType } from '../core/dtype.js'

/** Why a checkpoint was rejected: `path` is the offending leaf or header field, when there is one. */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly path?: string
  readonly message: string
}

/** A DecodeError; `message` is prefixed with `path:` when a path is given. */
export const decodeError = (message: string, path?: string): DecodeError =>
  path === undefined ? { _tag: 'DecodeError', message } : { _tag: 'DecodeError', path, message: `${path}: ${message}` }

/** Longest shape accepted in a header. */
export const MAX_RANK = 64

// ---------------------------------------------------------------------------------------------
// Codecs

const isNat = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0

const refined = <A>(name: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), t.identity)

/** A non-negative safe integer. */
export const Nat = refined('a non-negative safe integer', isNat)

/** An unsigned 32-bit integer (a CRC). */
export const U32 = refined('an unsigned 32-bit integer', (u): u is number => isNat(u) && u <= 0xffffffff)

export const DTypeCodec: t.Type<DType, DType, unknown> = t.keyof(
  { float32: null, float64: null, int32: null, bool: null },
  'one of float32, float64, int32, bool',
)

export const KindCodec = t.keyof({ tensor: null, number: null }, 'one of tensor, number')

export const ShapeCodec = new t.Type<readonly number[], readonly number[], unknown>(
  `an array of at most ${MAX_RANK} non-negative safe integers`,
  (u): u is readonly number[] => Array.isArray(u) && u.length <= MAX_RANK && u.every(isNat),
  (u, c) => {
    if (!Array.isArray(u) || u.length > MAX_RANK) return t.failure(u, c)
    return t.array(Nat).validate(u, c)
  },
  t.identity,
)

export const MetaValueCodec = t.union(
  [t.string, refined('a finite number', (u): u is number => typeof u === 'number' && Number.isFinite(u)), t.boolean],
  'a string, finite number or boolean',
)

/** Metadata stored with a checkpoint: a flat record of strings, finite numbers and booleans. */
export type Meta = Readonly<Record<string, string | number | boolean>>

export const MetaCodec = t.record(t.string, MetaValueCodec, 'an object of strings, finite numbers and booleans')

/** Like `t.type(props)`, but a field not in `props` is an error naming it. */
const closed = <P extends t.Props>(props: P, name: string): t.Type<t.TypeOf<t.TypeC<P>>, t.TypeOf<t.TypeC<P>>, unknown> => {
  const open = t.type(props, name)
  return new t.Type<t.TypeOf<t.TypeC<P>>, t.TypeOf<t.TypeC<P>>, unknown>(
    name,
    (u): u is t.TypeOf<t.TypeC<P>> => open.is(u) && Object.keys(u).every((k) => Object.hasOwn(props, k)),
    (u, c) => {
      if (typeof u === 'object' && u !== null && !Array.isArray(u)) {
        const extra = Object.keys(u).find((k) => !Object.hasOwn(props, k))
        if (extra !== undefined) {
          return t.failure((u as Record<string, unknown>)[extra], [...c, { key: extra, type: t.never, actual: u }], `unknown field`)
        }
      }
      return open.validate(u, c)
    },
    t.identity,
  )
}

/** One leaf of a checkpoint, as the header describes it (exported as `CheckpointEntry`). */
export interface Entry {
  /** The leaf's path relative to the record's root (`.layers[0].w`; '' for the root itself). */
  readonly path: string
  /** 'tensor', or 'number' for a plain number leaf (stored as a float64 scalar). */
  readonly kind: 'tensor' | 'number'
  readonly dtype: DType
  readonly shape: readonly number[]
  /** Where the leaf's bytes start in the data section. */
  readonly offset: number
  /** How many bytes it takes: elements times the dtype's width. */
  readonly byteLength: number
}

export const EntryCodec: t.Type<Entry, Entry, unknown> = closed(
  { path: t.string, kind: KindCodec, dtype: DTypeCodec, shape: ShapeCodec, offset: Nat, byteLength: Nat },
  'an entry',
)

/** A checkpoint's validated header (exported as `CheckpointHeader`; `inspectCheckpoint` returns it). */
export interface Header {
  /** The format version (`FORMAT_VERSION`). */
  readonly version: number
  /** The length of the data section in bytes. */
  readonly dataByteLength: number
  /** The CRC32 of the data section. */
  readonly dataCrc32: number
  /** One entry per leaf, in the record's leaf order. */
  readonly entries: Entry[]
  /** The metadata stored with the checkpoint. */
  readonly meta: Meta
}

export const HeaderCodec: t.Type<Header, Header, unknown> = closed(
  { version: Nat, dataByteLength: Nat, dataCrc32: U32, entries: t.array(EntryCodec), meta: MetaCodec },
  'a header',
)

// ---------------------------------------------------------------------------------------------
// io-ts errors -> a readable message

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  let s: string
  try {
    s = JSON.stringify(u) ?? String(u)
  } catch {
    s = String(u)
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/** The context up to and including its first union (a union's members are not fields). */
const untilUnion = (c: t.Context): t.Context => {
  const i = c.findIndex((e) => (e.type as { _tag?: string })._tag === 'UnionType')
  return i < 0 ? c : c.slice(0, i + 1)
}

/** `header.entries[3].shape[1]` from an io-ts context. */
const contextPath = (c: t.Context, root: string): string => {
  let p = root
  for (let i = 1; i < c.length; i++) {
    const parent = c[i - 1].type as { _tag?: string }
    const key = c[i].key
    if (key === '') continue
    p += parent._tag === 'ArrayType' || (/^\d+$/.test(key) && parent._tag !== 'DictionaryType')
      ? `[${key}]`
      : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
  }
  return p
}

/**
 * The first io-ts error as a DecodeError naming the field (under `root`), what was expected and
 * what was found, e.g. `header.entries[0].dtype: expected one of float32, float64, int32, bool, got "f16"`.
 */
export const fromValidationErrors = (errors: t.Errors, root = 'header'): DecodeError => {
  const e = errors[0]
  if (e === undefined) return decodeError('invalid header')
  const context = untilUnion(e.context)
  const path = contextPath(context, root)
  const last = context[context.length - 1]
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''
  if (e.message !== undefined) return decodeError(`${e.message}${more}`, path)
  const expected = last === undefined ? 'a header' : last.type.name
  return decodeError(`expected ${expected}, got ${show(e.value)}${more}`, path)
}

// ---------------------------------------------------------------------------------------------
// Checks beyond the codecs

/** The element count of `shape`, or undefined when it exceeds `limit` (no overflow). */
const sizeWithin = (shape: readonly number[], limit: number): number | undefined => {
  if (shape.includes(0)) return 0
  let n = 1
  for (const d of shape) {
    n *= d
    if (n > limit) return undefined
  }
  return n
}

/**
 * Checks a decoded header against itself and the prefix: its version, every entry's byte length
 * (= elements x dtype width), number entries (float64 scalars), ranges inside the data section,
 * unique paths and no overlapping ranges. `Right` carries the header back.
 */
export const checkHeader = (h: Header, prefixVersion: number): E.Either<DecodeError, Header> => {
  if (h.version !== prefixVersion) {
    return E.left(decodeError(`version ${h.version} does not match the prefix's version ${prefixVersion}`, 'header.version'))
  }
  const seen = new Set<string>()
  for (let i = 0; i < h.entries.length; i++) {
    const e = h.entries[i]
    const at = `header.entries[${i}]`
    const size = sizeWithin(e.shape, h.dataByteLength)
    if (size === undefined || size * bytesPer(e.dtype) !== e.byteLength) {
      const want = size === undefined ? 'more bytes than the data section holds' : `${size * bytesPer(e.dtype)} bytes`
      return E.left(decodeError(`byteLength ${e.byteLength} does not fit shape [${e.shape.join(',')}] ${e.dtype} (${want})`, at))
    }
    if (e.kind === 'number' && (e.dtype !== 'float64' || e.shape.length !== 0)) {
      return E.left(decodeError(`a number entry must be a float64 scalar, got shape [${e.shape.join(',')}] ${e.dtype}`, at))
    }
    if (e.offset > h.dataByteLength || e.byteLength > h.dataByteLength - e.offset) {
      return E.left(decodeError(
        `bytes [${e.offset}, ${e.offset + e.byteLength}) lie outside the data section of ${h.dataByteLength} bytes`, at,
      ))
    }
    if (seen.has(e.path)) return E.left(decodeError(`duplicate path ${JSON.stringify(e.path)}`, at))
    seen.add(e.path)
  }
  const ranges = h.entries
    .map((e, i) => ({ i, start: e.offset, end: e.offset + e.byteLength }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start)
  for (let k = 1; k < ranges.length; k++) {
    const a = ranges[k - 1]
    const b = ranges[k]
    if (b.start < a.end) {
      return E.left(decodeError(`bytes [${b.start}, ${b.end}) overlap entry ${a.i}'s bytes [${a.start}, ${a.end})`, `header.entries[${b.i}]`))
    }
  }
  return E.right(h)
}

/** Validates parsed header JSON with the codecs, then `checkHeader`. */
export const decodeHeader = (json: unknown, prefixVersion: number): E.Either<DecodeError, Header> => {
  const r = HeaderCodec.decode(json)
  if (E.isLeft(r)) return E.left(fromValidationErrors(r.left))
  // Rebuild meta with data properties only (a "__proto__" key stays an ordinary key).
  const meta: Meta = Object.fromEntries(Object.entries(r.right.meta))
  return checkHeader({ ...r.right, meta }, prefixVersion)
}
