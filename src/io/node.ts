/**
 * Node helpers: save a checkpoint to a path and load one from a path. The only module of src/io
 * that imports node:fs, so the rest of src/io works in browsers.
 *
 * Saving is atomic: the bytes go to `<path>.tmp-<random>` in the same directory, which is written
 * in full, fsynced and then renamed over `path` (and the directory fsynced, where the platform
 * allows). A failure at any step removes the temporary file and leaves an existing file at `path`
 * untouched, so a failed save never replaces a good checkpoint with a half-written one.
 *
 * Loading reads the file in the stages of parse.ts through one file handle: the 24-byte prefix
 * first, then the header it announces (only if its length is under the cap and fits the file),
 * then the rest (only if the header's sizes add up to the file's length). A hostile length field
 * therefore costs a 24-byte read, never an allocation of the size it claims.
 *
 * @packageDocumentation
 */

import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { PuregradError } from '../core/errors.js'
import { decodeError, type DecodeError, type Meta } from './codecs.js'
import { PREFIX_BYTES } from './format.js'
import { encodeCheckpointAsync, fromParsed, prepareTemplate, type CheckpointOptions, type Loaded } from './checkpoint.js'
import { expectedFileLength, headerEnd, parseData, parseHeader, parsePrefix, type Parsed } from './parse.js'

/** A file-system failure: the path involved, the message and Node's error code (`ENOENT`, ...). */
export interface IOError {
  readonly _tag: 'IOError'
  readonly path: string
  readonly message: string
  readonly code?: string
}

/** The record or meta could not be encoded (not a tree of tensors and numbers, bad meta). */
export interface EncodeError {
  readonly _tag: 'EncodeError'
  readonly message: string
}

const ioError = (path: string, e: unknown): IOError => {
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined
  const message = `${path}: ${e instanceof Error ? e.message : String(e)}`
  return code === undefined ? { _tag: 'IOError', path, message } : { _tag: 'IOError', path, message, code }
}

/** fsync a directory so a rename in it is durable; not possible everywhere (Windows), so best effort. */
const syncDir = async (dir: string): Promise<void> => {
  try {
    const h = await open(dir, 'r')
    try {
      await h.sync()
    } finally {
      await h.close()
    }
  } catch {
    // best effort
  }
}

/**
 * Writes `bytes` to `path` atomically (temporary file, fsync, rename): Right when done, Left
 * IOError (the old file, if any, untouched) when the file system fails.
 *
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { writeFileAtomic } from 'puregrad/io/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * const ok = await writeFileAtomic(join(dir, 'a.bin'), Uint8Array.of(1, 2))
 * const bad = await writeFileAtomic(join(dir, 'missing', 'a.bin'), Uint8Array.of(1))
 * const written = readFileSync(join(dir, 'a.bin')).join()
 * rmSync(dir, { recursive: true })
 * if (ok._tag !== 'Right' || written !== '1,2' || bad._tag !== 'Left' || bad.left.code !== 'ENOENT') throw new Error('writeFileAtomic')
 * ```
 */
export const writeFileAtomic = async (path: string, bytes: Uint8Array): Promise<E.Either<IOError, void>> => {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`
  let created = false
  try {
    const h = await open(tmp, 'wx', 0o644)
    created = true
    try {
      let written = 0
      while (written < bytes.length) {
        const { bytesWritten } = await h.write(bytes, written, bytes.length - written)
        if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${written} of ${bytes.length}`)
        written += bytesWritten
      }
      await h.sync()
    } finally {
      await h.close()
    }
    await rename(tmp, path)
    created = false
    await syncDir(dirname(path))
    return E.right(undefined)
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined)
    return E.left(ioError(path, e))
  }
}

/**
 * Saves `record` (and `meta`) as a checkpoint at `path`, atomically. Left EncodeError for a record
 * or meta that cannot be encoded (nothing is written), Left IOError when the file system fails
 * (the old file, if any, is untouched). Tensors are read asynchronously, so any backend works.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { tensor } from 'puregrad'
 * import { saveCheckpoint, loadCheckpointWithMeta } from 'puregrad/io/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * const params = { w: tensor([[0.5, -1]]), b: tensor([0]) }
 * const saved = await saveCheckpoint(join(dir, 'model.ckpt'), params, { epoch: 12 })
 * const loaded = await loadCheckpointWithMeta(join(dir, 'model.ckpt'), params)
 * rmSync(dir, { recursive: true })
 * if (saved._tag !== 'Right' || loaded._tag !== 'Right' || loaded.right.meta.epoch !== 12) throw new Error('save and load')
 * ```
 */
export const saveCheckpoint = async (
  path: string,
  record: unknown,
  meta?: Meta,
  options?: CheckpointOptions,
): Promise<E.Either<EncodeError | IOError, void>> => {
  let bytes: Uint8Array
  try {
    bytes = await encodeCheckpointAsync(record, meta, options)
  } catch (e) {
    const message = e instanceof PuregradError ? e.detail : e instanceof Error ? e.message : String(e)
    return E.left({ _tag: 'EncodeError', message })
  }
  return writeFileAtomic(path, bytes)
}

/**
 * `length` bytes of `h` from `position`; a Left when the file ends first (it shrank after the
 * size was taken: another process truncating it in place).
 */
const readExactly = async (h: FileHandle, size: number, position: number, length: number): Promise<E.Either<DecodeError, Uint8Array>> => {
  const buf = new Uint8Array(length)
  let got = 0
  while (got < length) {
    const { bytesRead } = await h.read(buf, got, length - got, position + got)
    if (bytesRead === 0) {
      return E.left(decodeError(`truncated: the file ended at byte ${position + got} while it was read (it had ${size} bytes when opened)`))
    }
    got += bytesRead
  }
  return E.right(buf)
}

/** The file at `path` through parse.ts's stages, reading each piece only once the earlier ones vouch for its size. */
const readParsed = async (h: FileHandle): Promise<E.Either<DecodeError, Parsed>> => {
  const size = (await h.stat()).size
  const head = await readExactly(h, size, 0, Math.min(size, PREFIX_BYTES))
  if (E.isLeft(head)) return head
  const prefix = parsePrefix(head.right, size)
  if (E.isLeft(prefix)) return prefix
  const headerBytes = await readExactly(h, size, PREFIX_BYTES, prefix.right.headerLength)
  if (E.isLeft(headerBytes)) return headerBytes
  const header = parseHeader(prefix.right, headerBytes.right, size)
  if (E.isLeft(header)) return header
  const end = headerEnd(prefix.right)
  const rest = await readExactly(h, size, end, expectedFileLength(prefix.right, header.right) - end)
  if (E.isLeft(rest)) return rest
  const data = parseData(prefix.right, header.right, rest.right)
  return E.isLeft(data) ? data : E.right({ header: header.right, data: data.right })
}

/**
 * Loads the checkpoint at `path` against `template`, with its meta: the same checks and the same
 * Left as decodeCheckpointWithMeta on the file's bytes, or an IOError when the file cannot be read.
 * Never throws.
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { tensor, zeros } from 'puregrad'
 * import { encodeCheckpoint } from 'puregrad/io'
 * import { loadCheckpointWithMeta } from 'puregrad/io/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * writeFileSync(join(dir, 'run.ckpt'), encodeCheckpoint({ w: tensor([1, 2]) }, { step: 100 }))
 * const r = await loadCheckpointWithMeta(join(dir, 'run.ckpt'), { w: zeros([2]) })
 * const missing = await loadCheckpointWithMeta(join(dir, 'nope.ckpt'), { w: zeros([2]) })
 * rmSync(dir, { recursive: true })
 * if (r._tag !== 'Right' || r.right.meta.step !== 100 || missing._tag !== 'Left') throw new Error('load')
 * ```
 */
export const loadCheckpointWithMeta = async <P>(
  path: string,
  template: P,
  options?: CheckpointOptions,
): Promise<E.Either<DecodeError | IOError, Loaded<P>>> => {
  const prepared = prepareTemplate(template, options)
  if (E.isLeft(prepared)) return prepared
  let parsed: E.Either<DecodeError, Parsed>
  try {
    const h = await open(path, 'r')
    try {
      parsed = await readParsed(h)
    } finally {
      await h.close()
    }
  } catch (e) {
    return E.left(ioError(path, e))
  }
  return E.isLeft(parsed) ? parsed : fromParsed<P>(prepared.right, parsed.right)
}

/**
 * Loads the checkpoint at `path` against `template`: Left IOError or DecodeError, or the record.
 * Never throws.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { tensor, zeros } from 'puregrad'
 * import { saveCheckpoint, loadCheckpoint } from 'puregrad/io/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * await saveCheckpoint(join(dir, 'm.ckpt'), { w: tensor([[1, 2], [3, 4]]) })
 * const wrongShape = await loadCheckpoint(join(dir, 'm.ckpt'), { w: zeros([4]) })
 * const ok = await loadCheckpoint(join(dir, 'm.ckpt'), { w: zeros([2, 2]) })
 * rmSync(dir, { recursive: true })
 * if (wrongShape._tag !== 'Left' || wrongShape.left._tag !== 'DecodeError' || ok._tag !== 'Right') throw new Error('loadCheckpoint')
 * ```
 */
export const loadCheckpoint = async <P>(
  path: string,
  template: P,
  options?: CheckpointOptions,
): Promise<E.Either<DecodeError | IOError, P>> =>
  E.map((l: Loaded<P>) => l.record)(await loadCheckpointWithMeta(path, template, options))
