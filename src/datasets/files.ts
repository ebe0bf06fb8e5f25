/**
 * Node only (node:fs, node:zlib): reading data-set files. `readDataFile` reads a file and gunzips
 * it when its first bytes are gzip's magic number (whatever the file is called); `loadIdx` and
 * `loadCsv` then hand the bytes to the browser-safe parsers. Every failure, from a missing file
 * to a truncated gzip stream, is a Left naming the file and the reason.
 */

import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { datasetError, type DatasetError } from './errors.js'
import { isGzip, parseIdx, type IdxArray, type IdxExpect } from './idx.js'
import { parseCsv, type CsvOptions, type CsvTable } from './csv.js'

/** The file's bytes, gunzipped when they are gzip (detected by magic number, not by name). */
export const readDataFile = (path: string): E.Either<DatasetError, Uint8Array> => {
  let raw: Uint8Array
  try {
    raw = readFileSync(path)
  } catch (e) {
    return E.left(datasetError('io', `cannot read the file: ${e instanceof Error ? e.message : String(e)}`, path))
  }
  if (!isGzip(raw)) return E.right(raw)
  try {
    return E.right(gunzipSync(raw))
  } catch (e) {
    return E.left(datasetError('gzip', `gzip magic number, but the stream is corrupted or truncated (${e instanceof Error ? e.message : String(e)})`, path))
  }
}

/** Reads an IDX file, gzipped or not, and decodes it (see `parseIdx`). */
export const loadIdx = (path: string, expect?: IdxExpect): E.Either<DatasetError, IdxArray> =>
  E.chain((bytes: Uint8Array) => parseIdx(bytes, { file: path, expect }))(readDataFile(path))

/** Reads a CSV file, gzipped or not, as UTF-8, and parses it (see `parseCsv`). */
export const loadCsv = (path: string, opts: Omit<CsvOptions, 'file'> = {}): E.Either<DatasetError, CsvTable> =>
  E.chain((bytes: Uint8Array) => {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return E.left(datasetError('encoding', 'the file is not valid UTF-8 text (a binary or corrupted file?)', path))
    }
    return parseCsv(text, { ...opts, file: path })
  })(readDataFile(path))
