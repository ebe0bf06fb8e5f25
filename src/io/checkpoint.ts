/**
 * Checkpoints: a parameter record (or optimizer state, or any tree of tensors) to bytes and back.
 * Encoding flattens the record in treeFlatten order and writes the format of format.ts; decoding
 * reads against a template record, whose structure, shapes and dtypes the file must match leaf by
 * leaf, and returns `Either<DecodeError, P>`: a bad file is rejected whole, never half-loaded, and
 * decoding never throws.
 *
 * Number leaves: records may hold plain numbers next to tensors (an optimizer's step count).
 * A number inside plain objects and arrays is stored as a float64 scalar entry of kind "number"
 * (bit-exact, NaN and -0 included) and comes back as a number; the template must hold a number
 * there too. Numbers inside registered tree-node classes are not supported (the record is then
 * invalid, as it is for treeFlatten).
 *
 * Decoded tensors are created on the backend of the corresponding template leaf.
 */

import * as E from 'fp-ts/lib/Either.js'
import { Tensor } from '../core/tensor.js'
import type { TypedArray } from '../core/dtype.js'
import { PuregradError, fmtShape } from '../core/errors.js'
import { fromTyped } from '../core/constructors.js'
import { getBackend } from '../backends/registry.js'
import { treeFlatten, treeLeavesWithPath, treeUnflatten, type TreeDef } from '../diff/tree.js'
import {
  ALIGNMENT, FORMAT_VERSION, MAGIC, MAX_HEADER_BYTES, PREFIX_BYTES,
  alignUp, crc32, isPrefixProblem, readPrefix, readValues, writePrefix, writeValues,
} from './format.js'
import {
  MetaCodec, decodeError, decodeHeader, fromValidationErrors,
  type DecodeError, type Entry, type Header, type Meta,
} from './codecs.js'

export interface CheckpointOptions {
  /** The record's name at the start of paths in messages (default `params`). */
  readonly root?: string
}

/** A decoded checkpoint with its metadata. */
export interface Loaded<P> {
  readonly record: P
  readonly meta: Meta
}

// ---------------------------------------------------------------------------------------------
// Leaves (with number leaves)

interface Flat {
  /** Leaf paths relative to the root (`.layers[0].w`, `[2]`, `` for a root leaf). */
  readonly paths: string[]
  readonly leaves: Tensor[]
  /** Placeholder tensors standing for number leaves, with the numbers. */
  readonly numbers: Map<Tensor, number>
  readonly def: TreeDef
}

const setKey = (o: Record<string, unknown>, k: string, v: unknown): void => {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true })
}

/** A copy of the plain containers of `x` with each number replaced by a placeholder tensor. */
const liftNumbers = (x: unknown, numbers: Map<Tensor, number>, ancestors: Set<object>): unknown => {
  if (typeof x === 'number') {
    const t = new Tensor([], 'float64', null, null, null)
    numbers.set(t, x)
    return t
  }
  if (typeof x !== 'object' || x === null || ancestors.has(x)) return x // cycles: left for treeFlatten to report
  const proto: unknown = Object.getPrototypeOf(x)
  if (Array.isArray(x)) {
    ancestors.add(x)
    const out = x.map((c: unknown) => liftNumbers(c, numbers, ancestors))
    ancestors.delete(x)
    return out
  }
  if (proto !== Object.prototype && proto !== null) return x // tensors and registered nodes
  ancestors.add(x)
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(x)) setKey(out, k, liftNumbers((x as Record<string, unknown>)[k], numbers, ancestors))
  ancestors.delete(x)
  return out
}

/** Flattens `tree` (throws PuregradError INVALID_ARGUMENT naming the path of a bad leaf). */
const flatten = (tree: unknown, root: string): Flat => {
  const numbers = new Map<Tensor, number>()
  const lifted = liftNumbers(tree, numbers, new Set())
  const withPaths = treeLeavesWithPath<Tensor>(lifted, root)
  const [, def] = treeFlatten<Tensor>(lifted, root)
  return {
    paths: withPaths.map(([p]) => p.slice(root.length)),
    leaves: withPaths.map(([, l]) => l),
    numbers,
    def,
  }
}

// ---------------------------------------------------------------------------------------------
// Encode

const textEncoder = new TextEncoder()

const checkMeta = (meta: unknown): Meta => {
  if (meta === undefined) return {}
  const r = MetaCodec.decode(meta)
  if (E.isLeft(r)) throw new PuregradError('INVALID_ARGUMENT', fromValidationErrors(r.left, 'meta').message, 'encodeCheckpoint')
  return Object.fromEntries(Object.entries(r.right))
}

const assemble = (flat: Flat, values: readonly TypedArray[], meta: Meta): Uint8Array => {
  let end = 0
  const entries: Entry[] = flat.leaves.map((leaf, i) => {
    const offset = alignUp(end)
    end = offset + values[i].byteLength
    const kind = flat.numbers.has(leaf) ? 'number' : 'tensor'
    return { path: flat.paths[i], kind, dtype: leaf.dtype, shape: [...leaf.shape], offset, byteLength: values[i].byteLength }
  })
  const data = new Uint8Array(end)
  entries.forEach((e, i) => writeValues(data, e.offset, values[i]))
  const header: Header = { version: FORMAT_VERSION, dataByteLength: end, dataCrc32: crc32(data), entries, meta }
  const headerBytes = textEncoder.encode(JSON.stringify(header))
  if (headerBytes.length > MAX_HEADER_BYTES) {
    throw new PuregradError(
      'INVALID_ARGUMENT',
      `the header would take ${headerBytes.length} bytes, more than the limit of ${MAX_HEADER_BYTES} (too many leaves or too much meta)`,
      'encodeCheckpoint',
    )
  }
  const dataStart = alignUp(PREFIX_BYTES + headerBytes.length)
  const out = new Uint8Array(dataStart + end)
  writePrefix(out, { version: FORMAT_VERSION, headerLength: headerBytes.length, headerCrc32: crc32(headerBytes) })
  out.set(headerBytes, PREFIX_BYTES)
  out.set(data, dataStart)
  return out
}

const numberValues = (n: number): Float64Array => Float64Array.of(n)

/**
 * The bytes of a checkpoint holding every leaf of `record` (tensors, and numbers as described at
 * the top of this file) and `meta`. Throws PuregradError INVALID_ARGUMENT for a record that is not
 * a tree of tensors and numbers (naming the path) or meta that is not a flat record of strings,
 * finite numbers and booleans; reads tensors synchronously (see `encodeCheckpointAsync`).
 */
export const encodeCheckpoint = (record: unknown, meta?: Meta, options: CheckpointOptions = {}): Uint8Array => {
  const m = checkMeta(meta)
  const flat = flatten(record, options.root ?? 'params')
  const values = flat.leaves.map((t) => {
    const n = flat.numbers.get(t)
    return n === undefined ? t.dataSync() : numberValues(n)
  })
  return assemble(flat, values, m)
}

/** `encodeCheckpoint` reading tensors asynchronously (for backends without synchronous reads). */
export const encodeCheckpointAsync = async (record: unknown, meta?: Meta, options: CheckpointOptions = {}): Promise<Uint8Array> => {
  const m = checkMeta(meta)
  const flat = flatten(record, options.root ?? 'params')
  const values = await Promise.all(flat.leaves.map((t) => {
    const n = flat.numbers.get(t)
    return n === undefined ? t.data() : Promise.resolve(numberValues(n))
  }))
  return assemble(flat, values, m)
}

/** Data-last `encodeCheckpoint`: `pipe(params, encode({ epoch: 3 }))`. */
export const encode = (meta?: Meta, options?: CheckpointOptions) => (record: unknown): Uint8Array =>
  encodeCheckpoint(record, meta, options)

// ---------------------------------------------------------------------------------------------
// Decode: the file alone

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

interface Parsed {
  readonly header: Header
  readonly data: Uint8Array
}

const parse = (bytes: unknown): E.Either<DecodeError, Parsed> => {
  if (!(bytes instanceof Uint8Array)) {
    return E.left(decodeError(`expected the checkpoint as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`))
  }
  const prefix = readPrefix(bytes)
  if (isPrefixProblem(prefix)) {
    switch (prefix.kind) {
      case 'short':
        return E.left(decodeError(`truncated: ${bytes.length} bytes is shorter than the ${PREFIX_BYTES}-byte prefix`, 'prefix'))
      case 'magic':
        return E.left(decodeError(
          `not a puregrad checkpoint: expected the magic bytes "PGCK", got ${[...bytes.subarray(0, MAGIC.length)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
          'magic',
        ))
      case 'version':
        return E.left(decodeError(`unsupported format version ${prefix.version} (this puregrad reads version ${FORMAT_VERSION})`, 'version'))
      case 'headerTooLarge':
        return E.left(decodeError(`header length ${prefix.headerLength} exceeds the limit of ${MAX_HEADER_BYTES} bytes`, 'headerLength'))
      case 'reserved':
        return E.left(decodeError('reserved bytes 16-23 must be zero', 'reserved'))
    }
  }
  const headerEnd = PREFIX_BYTES + prefix.headerLength
  if (bytes.length < headerEnd) {
    return E.left(decodeError(`truncated: the header needs bytes [${PREFIX_BYTES}, ${headerEnd}), the file has ${bytes.length} bytes`, 'header'))
  }
  const headerCrc = crc32(bytes, PREFIX_BYTES, headerEnd)
  if (headerCrc !== prefix.headerCrc32) {
    return E.left(decodeError(`checksum mismatch: expected ${hex(prefix.headerCrc32)}, computed ${hex(headerCrc)} (the header is corrupted)`, 'header'))
  }
  let text: string
  try {
    text = utf8.decode(bytes.subarray(PREFIX_BYTES, headerEnd))
  } catch {
    return E.left(decodeError('not valid UTF-8', 'header'))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(decodeError(`not valid JSON (${e instanceof Error ? e.message : String(e)})`, 'header'))
  }
  const decoded = decodeHeader(json, prefix.version)
  if (E.isLeft(decoded)) return decoded
  const header = decoded.right
  const dataStart = alignUp(headerEnd)
  const expected = dataStart + header.dataByteLength
  if (bytes.length < expected) {
    return E.left(decodeError(`truncated: the file should have ${expected} bytes, it has ${bytes.length}`, 'data'))
  }
  if (bytes.length > expected) {
    return E.left(decodeError(`${bytes.length - expected} unexpected bytes after the data section (the file should have ${expected} bytes)`, 'data'))
  }
  for (let i = headerEnd; i < dataStart; i++) {
    if (bytes[i] !== 0) return E.left(decodeError(`the ${dataStart - headerEnd} bytes before the data section (${ALIGNMENT}-byte alignment) must be zero`, 'padding'))
  }
  const data = bytes.subarray(dataStart, expected)
  const dataCrc = crc32(data)
  if (dataCrc !== header.dataCrc32) {
    return E.left(decodeError(`checksum mismatch: expected ${hex(header.dataCrc32)}, computed ${hex(dataCrc)} (the data is corrupted)`, 'data'))
  }
  return E.right({ header, data })
}

/** Runs `f`, turning anything it throws into a Left (decoding promises never to throw). */
const guarded = <A>(f: () => E.Either<DecodeError, A>): E.Either<DecodeError, A> => {
  try {
    return f()
  } catch (e) {
    return E.left(decodeError(`unexpected failure while decoding: ${e instanceof Error ? e.message : String(e)}`))
  }
}

/**
 * The validated header of a checkpoint (entries, meta, version), after every check that needs no
 * template: magic, version, sizes, both checksums, entry ranges.
 */
export const inspectCheckpoint = (bytes: Uint8Array): E.Either<DecodeError, Header> =>
  guarded(() => E.map((p: Parsed) => p.header)(parse(bytes)))

// ---------------------------------------------------------------------------------------------
// Decode: against a template

const describe = (e: Entry): string =>
  e.kind === 'number' ? 'a number' : `shape ${fmtShape(e.shape)} ${e.dtype}`
const describeLeaf = (t: Tensor, isNumber: boolean): string =>
  isNumber ? 'a number' : `shape ${fmtShape(t.shape)} ${t.dtype}`

const leafPath = (root: string, p: string): string =>
  p === '' || p.startsWith('.') || p.startsWith('[') ? `${root}${p}` : `${root}[entry ${JSON.stringify(p)}]`

const sameLayout = (e: Entry, t: Tensor, isNumber: boolean): boolean =>
  isNumber
    ? e.kind === 'number'
    : e.kind === 'tensor' && e.dtype === t.dtype && e.shape.length === t.shape.length && e.shape.every((d, i) => d === t.shape[i])

/** Pairs the template's leaves with the header's entries, or names every difference. */
const match = (flat: Flat, header: Header, root: string): E.Either<DecodeError, Entry[]> => {
  const byPath = new Map(header.entries.map((e) => [e.path, e]))
  const problems: DecodeError[] = []
  const paired: Entry[] = []
  flat.leaves.forEach((leaf, i) => {
    const p = flat.paths[i]
    const isNumber = flat.numbers.has(leaf)
    const e = byPath.get(p)
    if (e === undefined) {
      problems.push(decodeError(`missing from the checkpoint (expected ${describeLeaf(leaf, isNumber)})`, leafPath(root, p)))
      return
    }
    byPath.delete(p)
    if (!sameLayout(e, leaf, isNumber)) {
      const exp = describeLeaf(leaf, isNumber)
      const got = describe(e)
      problems.push(decodeError(`expected ${exp}, got ${got.startsWith('shape ') && exp.startsWith('shape ') ? got.slice(6) : got}`, leafPath(root, p)))
    }
    paired.push(e)
  })
  for (const [p, e] of byPath) {
    problems.push(decodeError(`in the checkpoint but not in the template (${describe(e)})`, leafPath(root, p)))
  }
  if (problems.length === 0) return E.right(paired)
  const first = problems[0]
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more difference${problems.length > 2 ? 's' : ''})` : ''
  return E.left({ ...first, message: `${first.message}${more}` })
}

const fromEntries = (flat: Flat, entries: readonly Entry[], data: Uint8Array, root: string): E.Either<DecodeError, unknown[]> => {
  const out = new Array<unknown>(entries.length)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    const values = readValues(data, e.offset, e.byteLength, e.dtype)
    if (e.kind === 'number') {
      out[i] = values[0]
      continue
    }
    if (e.dtype === 'bool') {
      const bad = values.findIndex((v) => v !== 0 && v !== 1)
      if (bad >= 0) return E.left(decodeError(`bool value ${values[bad]} at index ${bad} is not 0 or 1`, leafPath(root, e.path)))
    }
    const backend = flat.leaves[i].concrete().backend ?? getBackend()
    out[i] = fromTyped(values, e.shape, e.dtype, backend)
  }
  return E.right(out)
}

/**
 * `bytes` decoded against `template`: Right of a record with the template's structure (and key
 * order) holding the file's values, with the checkpoint's meta; Left naming the first problem,
 * e.g. `params.layers[1].w: expected shape [64,32] float32, got [32,64] float32`. Never throws.
 */
export const decodeCheckpointWithMeta = <P>(
  bytes: Uint8Array,
  template: P,
  options: CheckpointOptions = {},
): E.Either<DecodeError, Loaded<P>> =>
  guarded(() => {
    const root = options.root ?? 'params'
    let flat: Flat
    try {
      flat = flatten(template, root)
    } catch (e) {
      return E.left(decodeError(`invalid template: ${e instanceof Error ? e.message : String(e)}`))
    }
    const parsed = parse(bytes)
    if (E.isLeft(parsed)) return parsed
    const { header, data } = parsed.right
    const paired = match(flat, header, root)
    if (E.isLeft(paired)) return paired
    const leaves = fromEntries(flat, paired.right, data, root)
    if (E.isLeft(leaves)) return leaves
    return E.right({ record: treeUnflatten<P>(flat.def, leaves.right), meta: header.meta })
  })

/** `decodeCheckpointWithMeta` without the meta. */
export const decodeCheckpoint = <P>(bytes: Uint8Array, template: P, options?: CheckpointOptions): E.Either<DecodeError, P> =>
  E.map((l: Loaded<P>) => l.record)(decodeCheckpointWithMeta(bytes, template, options))

/** Data-last `decodeCheckpoint`: `pipe(bytes, decode(template))`. */
export const decode = <P>(template: P, options?: CheckpointOptions) => (bytes: Uint8Array): E.Either<DecodeError, P> =>
  decodeCheckpoint(bytes, template, options)

/** Data-last `decodeCheckpointWithMeta`. */
export const decodeWithMeta = <P>(template: P, options?: CheckpointOptions) => (bytes: Uint8Array): E.Either<DecodeError, Loaded<P>> =>
  decodeCheckpointWithMeta(bytes, template, options)
