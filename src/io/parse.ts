/**
 * Checking a checkpoint file on its own (no template), in three stages that each need only part
 * of the file: the fixed prefix, then the header, then the padding and data section. Each stage
 * is told the file's total length, so a reader that pulls the file in piece by piece (the Node
 * loader in node.ts) can stop before allocating anything the earlier pieces do not vouch for: an
 * oversized header length is rejected after reading 24 bytes, a data section longer than the
 * file after reading the header. `parse` runs the stages over bytes already in memory; both paths
 * check the same things in the same order, so they return the same Left for the same bytes.
 */

import * as E from 'fp-ts/lib/Either.js'
import {
  ALIGNMENT, FORMAT_VERSION, MAGIC, MAX_HEADER_BYTES, PREFIX_BYTES,
  alignUp, crc32, isPrefixProblem, readPrefix, type Prefix,
} from './format.js'
import { decodeError, decodeHeader, type DecodeError, type Header } from './codecs.js'

/** A file that passed every check that needs no template. */
export interface Parsed {
  readonly header: Header
  readonly data: Uint8Array
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Where the header ends (and the padding before the data section starts). */
export const headerEnd = (prefix: Prefix): number => PREFIX_BYTES + prefix.headerLength

/** The length the whole file must have, from its prefix and header. */
export const expectedFileLength = (prefix: Prefix, header: Header): number =>
  alignUp(headerEnd(prefix)) + header.dataByteLength

/**
 * Stage 1: the first `min(fileLength, PREFIX_BYTES)` bytes of a file of `fileLength` bytes. Checks
 * magic, version, the header-length cap and the reserved bytes, and that the file is long enough
 * to hold the header it announces.
 */
export const parsePrefix = (bytes: Uint8Array, fileLength: number): E.Either<DecodeError, Prefix> => {
  if (fileLength < PREFIX_BYTES) {
    return E.left(decodeError(`truncated: ${fileLength} bytes is shorter than the ${PREFIX_BYTES}-byte prefix`, 'prefix'))
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
  const end = headerEnd(prefix)
  if (fileLength < end) {
    return E.left(decodeError(`truncated: the header needs bytes [${PREFIX_BYTES}, ${end}), the file has ${fileLength} bytes`, 'header'))
  }
  return E.right(prefix)
}

/**
 * Stage 2: the `prefix.headerLength` header bytes. Checks their CRC, UTF-8, JSON and the codecs,
 * then that the file has exactly the length the header implies.
 */
export const parseHeader = (prefix: Prefix, bytes: Uint8Array, fileLength: number): E.Either<DecodeError, Header> => {
  const crc = crc32(bytes)
  if (crc !== prefix.headerCrc32) {
    return E.left(decodeError(`checksum mismatch: expected ${hex(prefix.headerCrc32)}, computed ${hex(crc)} (the header is corrupted)`, 'header'))
  }
  let text: string
  try {
    text = utf8.decode(bytes)
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
  const expected = expectedFileLength(prefix, decoded.right)
  if (fileLength < expected) {
    return E.left(decodeError(`truncated: the file should have ${expected} bytes, it has ${fileLength}`, 'data'))
  }
  if (fileLength > expected) {
    return E.left(decodeError(`${fileLength - expected} unexpected bytes after the data section (the file should have ${expected} bytes)`, 'data'))
  }
  return decoded
}

/**
 * Stage 3: the bytes after the header to the end of the file (alignment padding, then the data
 * section; the caller has checked the length). Checks the padding is zero and the data's CRC.
 */
export const parseData = (prefix: Prefix, header: Header, rest: Uint8Array): E.Either<DecodeError, Uint8Array> => {
  const padding = alignUp(headerEnd(prefix)) - headerEnd(prefix)
  for (let i = 0; i < padding; i++) {
    if (rest[i] !== 0) return E.left(decodeError(`the ${padding} bytes before the data section (${ALIGNMENT}-byte alignment) must be zero`, 'padding'))
  }
  const data = rest.subarray(padding)
  const crc = crc32(data)
  if (crc !== header.dataCrc32) {
    return E.left(decodeError(`checksum mismatch: expected ${hex(header.dataCrc32)}, computed ${hex(crc)} (the data is corrupted)`, 'data'))
  }
  return E.right(data)
}

/** The three stages over a whole file in memory. */
export const parse = (bytes: unknown): E.Either<DecodeError, Parsed> => {
  if (!(bytes instanceof Uint8Array)) {
    return E.left(decodeError(`expected the checkpoint as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`))
  }
  const prefix = parsePrefix(bytes, bytes.length)
  if (E.isLeft(prefix)) return prefix
  const end = headerEnd(prefix.right)
  const header = parseHeader(prefix.right, bytes.subarray(PREFIX_BYTES, end), bytes.length)
  if (E.isLeft(header)) return header
  const data = parseData(prefix.right, header.right, bytes.subarray(end))
  if (E.isLeft(data)) return data
  return E.right({ header: header.right, data: data.right })
}
