/**
 * Node helpers: save a checkpoint to a path and load one from a path. The only module of src/io
 * that imports node:fs, so the rest of src/io works in browsers.
 *
 * Saving is atomic: the bytes go to `<path>.tmp-<random>` in the same directory, which is written
 * in full, fsynced and then renamed over `path` (and the directory fsynced, where the platform
 * allows). A failure at any step removes the temporary file and leaves an existing file at `path`
 * untouched, so a failed save never replaces a good checkpoint with a half-written one.
 */

import { open, readFile, rename, unlink } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { PuregradError } from '../core/errors.js'
import type { DecodeError, Meta } from './codecs.js'
import { decodeCheckpointWithMeta, encodeCheckpointAsync, type CheckpointOptions, type Loaded } from './checkpoint.js'

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

/** Writes `bytes` to `path` atomically (temporary file, fsync, rename). */
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
 * (the old file, if any, is untouched).
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

/** Loads the checkpoint at `path` against `template`, with its meta (see decodeCheckpointWithMeta). */
export const loadCheckpointWithMeta = async <P>(
  path: string,
  template: P,
  options?: CheckpointOptions,
): Promise<E.Either<DecodeError | IOError, Loaded<P>>> => {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (e) {
    return E.left(ioError(path, e))
  }
  return decodeCheckpointWithMeta(bytes, template, options)
}

/** Loads the checkpoint at `path` against `template`: Left IOError or DecodeError, or the record. */
export const loadCheckpoint = async <P>(
  path: string,
  template: P,
  options?: CheckpointOptions,
): Promise<E.Either<DecodeError | IOError, P>> =>
  E.map((l: Loaded<P>) => l.record)(await loadCheckpointWithMeta(path, template, options))
