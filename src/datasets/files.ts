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

/**
 * The file's bytes, gunzipped when they are gzip (detected by magic number, not by name). Left
 * with reason 'io' when the file cannot be read, 'gzip' for a corrupted or truncated stream.
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { gzipSync } from 'node:zlib'
 * import { readDataFile } from 'puregrad/datasets/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * writeFileSync(join(dir, 'data.bin'), gzipSync(Uint8Array.of(1, 2, 3)))   // gzip, whatever the name
 * const r = readDataFile(join(dir, 'data.bin'))
 * const missing = readDataFile(join(dir, 'nope'))
 * rmSync(dir, { recursive: true })
 * if (r._tag !== 'Right' || r.right.join() !== '1,2,3' || missing._tag !== 'Left' || missing.left.reason !== 'io') throw new Error('readDataFile')
 * ```
 */
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

/**
 * Reads an IDX file, gzipped or not, and decodes it (see `parseIdx`), checking it against `expect`.
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { encodeIdx } from 'puregrad/datasets'
 * import { loadIdx } from 'puregrad/datasets/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * const file = join(dir, 'labels-idx1-ubyte')
 * writeFileSync(file, encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(7, 2, 1) }))
 * const ok = loadIdx(file, { dtype: 'uint8', rank: 1 })
 * const wrong = loadIdx(file, { rank: 3 })
 * rmSync(dir, { recursive: true })
 * if (ok._tag !== 'Right' || ok.right.data.join() !== '7,2,1' || wrong._tag !== 'Left' || wrong.left.reason !== 'dims') throw new Error('loadIdx')
 * ```
 */
export const loadIdx = (path: string, expect?: IdxExpect): E.Either<DatasetError, IdxArray> =>
  E.chain((bytes: Uint8Array) => parseIdx(bytes, { file: path, expect }))(readDataFile(path))

/**
 * Reads a CSV file, gzipped or not, as UTF-8, and parses it (see `parseCsv`); Left with reason
 * 'encoding' for a file that is not UTF-8.
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { loadCsv } from 'puregrad/datasets/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * writeFileSync(join(dir, 'iris.csv'), 'sepal,petal,species\n5.1,1.4,0\n6.3,6.0,2\n')
 * const r = loadCsv(join(dir, 'iris.csv'), { numClasses: 3 })
 * rmSync(dir, { recursive: true })
 * if (r._tag !== 'Right' || r.right.x.shape.join() !== '2,2' || r.right.y?.dataSync().join() !== '0,2') throw new Error('loadCsv')
 * ```
 */
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
