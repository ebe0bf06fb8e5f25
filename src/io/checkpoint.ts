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
import { FORMAT_VERSION, MAX_HEADER_BYTES, PREFIX_BYTES, alignUp, crc32, readValues, writePrefix, writeValues } from './format.js'
import { MetaCodec, decodeError, fromValidationErrors, type DecodeError, type Entry, type Header, type Meta } from './codecs.js'
import { parse, type Parsed } from './parse.js'

/** Options of the checkpoint encoders and decoders. */
export interface CheckpointOptions {
  /** The record's name at the start of paths in messages (default `params`). */
  readonly root?: string
}

/** A decoded checkpoint with its metadata. */
export interface Loaded<P> {
  /** The decoded record, shaped like the template. */
  readonly record: P
  /** The metadata saved with it (`{}` when none was). */
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
 * The bytes of a checkpoint holding every leaf of `record` (tensors of any dtype and shape, numbers
 * as described at the top of this file) and `meta`; reads tensors synchronously.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a record that is not a tree of tensors and numbers
 * (naming the path) or meta that is not a flat record of strings, finite numbers and booleans;
 * `SYNC_READ_UNAVAILABLE` for tensors on a backend that reads asynchronously.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { encodeCheckpoint, decodeCheckpointWithMeta } from 'puregrad/io'
 *
 * const params = { w: tensor([[1, 2], [3, 4]]), step: 10 }
 * const bytes = encodeCheckpoint(params, { epoch: 3 })
 * const back = decodeCheckpointWithMeta(bytes, params)
 * if (back._tag !== 'Right' || back.right.record.w.dataSync().join() !== '1,2,3,4' || back.right.meta.epoch !== 3) throw new Error('round trip')
 * ```
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

/**
 * `encodeCheckpoint` reading tensors asynchronously (for backends without synchronous reads: webgpu).
 *
 * @throws PuregradError `INVALID_ARGUMENT` (the promise rejects) as `encodeCheckpoint`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { encodeCheckpointAsync, inspectCheckpoint } from 'puregrad/io'
 *
 * const bytes = await encodeCheckpointAsync({ layers: [{ w: tensor([1, 2, 3]) }] })
 * const header = inspectCheckpoint(bytes)
 * if (header._tag !== 'Right' || header.right.entries[0].path !== '.layers[0].w') throw new Error('encodeCheckpointAsync')
 * ```
 */
export const encodeCheckpointAsync = async (record: unknown, meta?: Meta, options: CheckpointOptions = {}): Promise<Uint8Array> => {
  const m = checkMeta(meta)
  const flat = flatten(record, options.root ?? 'params')
  const values = await Promise.all(flat.leaves.map((t) => {
    const n = flat.numbers.get(t)
    return n === undefined ? t.data() : Promise.resolve(numberValues(n))
  }))
  return assemble(flat, values, m)
}

/**
 * Data-last `encodeCheckpoint`: `pipe(params, encode({ epoch: 3 }))`.
 *
 * @throws PuregradError as `encodeCheckpoint` (when the returned function runs).
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { encode, encodeCheckpoint } from 'puregrad/io'
 *
 * const params = { b: tensor([0.5]) }
 * if (encode({ epoch: 1 })(params).join() !== encodeCheckpoint(params, { epoch: 1 }).join()) throw new Error('encode')
 * ```
 */
export const encode = (meta?: Meta, options?: CheckpointOptions) => (record: unknown): Uint8Array =>
  encodeCheckpoint(record, meta, options)

// ---------------------------------------------------------------------------------------------
// Decode: the file alone (the checks live in parse.ts)

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
 * template: magic, version, sizes, both checksums, entry ranges. Left naming the first problem;
 * never throws.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { encodeCheckpoint, inspectCheckpoint } from 'puregrad/io'
 *
 * const bytes = encodeCheckpoint({ w: tensor([[1, 2]]) }, { note: 'best' })
 * const h = inspectCheckpoint(bytes)
 * if (h._tag !== 'Right' || h.right.entries[0].shape.join() !== '1,2' || h.right.meta.note !== 'best') throw new Error('inspect')
 * ```
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

/** A template flattened once, ready to receive a parsed file (see `prepareTemplate`). */
export interface PreparedTemplate {
  readonly flat: Flat
  readonly root: string
}

/** `template` flattened for decoding, or a Left when it is not a tree of tensors and numbers. */
export const prepareTemplate = (template: unknown, options: CheckpointOptions = {}): E.Either<DecodeError, PreparedTemplate> =>
  guarded(() => {
    const root = options.root ?? 'params'
    try {
      return E.right({ flat: flatten(template, root), root })
    } catch (e) {
      return E.left(decodeError(`invalid template: ${e instanceof Error ? e.message : String(e)}`))
    }
  })

/** A file that passed parse.ts's checks, matched against a prepared template and turned into tensors. */
export const fromParsed = <P>({ flat, root }: PreparedTemplate, { header, data }: Parsed): E.Either<DecodeError, Loaded<P>> =>
  guarded(() => {
    const paired = match(flat, header, root)
    if (E.isLeft(paired)) return paired
    const leaves = fromEntries(flat, paired.right, data, root)
    if (E.isLeft(leaves)) return leaves
    return E.right({ record: treeUnflatten<P>(flat.def, leaves.right), meta: header.meta })
  })

/**
 * `bytes` decoded against `template`: Right of a record with the template's structure (and key
 * order) holding the file's values, with the checkpoint's meta; Left naming the first problem,
 * e.g. `params.layers[1].w: expected shape [64,32] float32, got [32,64] float32`. Never throws.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from 'puregrad'
 * import { encodeCheckpoint, decodeCheckpointWithMeta } from 'puregrad/io'
 *
 * const bytes = encodeCheckpoint({ w: tensor([[1, 2, 3]]) }, { epoch: 7 })
 * const wrong = decodeCheckpointWithMeta(bytes, { w: zeros([3, 1]) })
 * if (wrong._tag !== 'Left' || !wrong.left.message.startsWith('params.w')) throw new Error('a shape mismatch is a Left')
 * const ok = decodeCheckpointWithMeta(bytes, { w: zeros([1, 3]) })
 * if (ok._tag !== 'Right' || ok.right.meta.epoch !== 7) throw new Error('decode')
 * ```
 */
export const decodeCheckpointWithMeta = <P>(
  bytes: Uint8Array,
  template: P,
  options: CheckpointOptions = {},
): E.Either<DecodeError, Loaded<P>> => {
  const prepared = prepareTemplate(template, options)
  if (E.isLeft(prepared)) return prepared
  const parsed = guarded(() => parse(bytes))
  return E.isLeft(parsed) ? parsed : fromParsed<P>(prepared.right, parsed.right)
}

/**
 * `decodeCheckpointWithMeta` without the meta: the record, or a Left naming the first problem.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from 'puregrad'
 * import { encodeCheckpoint, decodeCheckpoint } from 'puregrad/io'
 *
 * const template = { w: zeros([2]), b: zeros([1]) }
 * const r = decodeCheckpoint(encodeCheckpoint({ w: tensor([1, 2]), b: tensor([3]) }), template)
 * const damaged = encodeCheckpoint({ w: tensor([1, 2]), b: tensor([3]) }).map((x, i, a) => (i === a.length - 1 ? x ^ 1 : x))
 * if (r._tag !== 'Right' || r.right.b.item() !== 3 || decodeCheckpoint(damaged, template)._tag !== 'Left') throw new Error('decode')
 * ```
 */
export const decodeCheckpoint = <P>(bytes: Uint8Array, template: P, options?: CheckpointOptions): E.Either<DecodeError, P> =>
  E.map((l: Loaded<P>) => l.record)(decodeCheckpointWithMeta(bytes, template, options))

/**
 * Data-last `decodeCheckpoint`: `pipe(bytes, decode(template))`.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from 'puregrad'
 * import { encodeCheckpoint, decode } from 'puregrad/io'
 *
 * const r = decode({ w: zeros([2]) })(encodeCheckpoint({ w: tensor([5, 6]) }))
 * if (r._tag !== 'Right' || r.right.w.dataSync().join() !== '5,6') throw new Error('decode')
 * ```
 */
export const decode = <P>(template: P, options?: CheckpointOptions) => (bytes: Uint8Array): E.Either<DecodeError, P> =>
  decodeCheckpoint(bytes, template, options)

/**
 * Data-last `decodeCheckpointWithMeta`.
 *
 * @example
 * ```ts
 * import { tensor, zeros } from 'puregrad'
 * import { encodeCheckpoint, decodeWithMeta } from 'puregrad/io'
 *
 * const r = decodeWithMeta({ w: zeros([1]) })(encodeCheckpoint({ w: tensor([1]) }, { run: 'a' }))
 * if (r._tag !== 'Right' || r.right.meta.run !== 'a') throw new Error('decodeWithMeta')
 * ```
 */
export const decodeWithMeta = <P>(template: P, options?: CheckpointOptions) => (bytes: Uint8Array): E.Either<DecodeError, Loaded<P>> =>
  decodeCheckpointWithMeta(bytes, template, options)
