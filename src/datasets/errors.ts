/**
 * The error value of the data-set loaders. Loaders are boundaries, so (like checkpoint decoding)
 * they return `Either<DatasetError, A>` instead of throwing: a bad file is rejected whole, never
 * half-loaded. `orThrow` turns a Left into a PuregradError (INVALID_ARGUMENT) for scripts that
 * prefer exceptions.
 */

import * as E from 'fp-ts/lib/Either.js'
import { PuregradError } from '../core/errors.js'

/** Why a file was rejected. */
export type DatasetErrorReason =
  | 'io' // the file cannot be read
  | 'gzip' // gzip magic, but the stream is corrupted or truncated
  | 'magic' // not an IDX file (bad magic number or unknown type code)
  | 'dims' // the header's dimensions are malformed or do not fit what was expected
  | 'truncated' // fewer bytes than the header promises
  | 'trailing' // more bytes than the header promises
  | 'encoding' // the text is not valid UTF-8
  | 'parse' // a CSV field or row is malformed
  | 'value' // a value is out of its allowed range (a label outside the classes, a NaN feature)
  | 'mismatch' // files that belong together disagree (image and label counts)

/** Why a data file was rejected: the Left of every loader and parser in puregrad/datasets. */
export interface DatasetError {
  readonly _tag: 'DatasetError'
  readonly reason: DatasetErrorReason
  /** The file (or the name the bytes were given), when known. */
  readonly file?: string
  /** A full sentence, starting with the file when known. */
  readonly message: string
}

/**
 * A DatasetError; the message is prefixed with `file: ` when a file is given. For loaders of your
 * own that report like the built-in ones.
 *
 * @example
 * ```ts
 * import { datasetError } from 'puregrad/datasets'
 *
 * const e = datasetError('value', 'label 12 is outside 0..9', 'train.csv')
 * if (e.message !== 'train.csv: label 12 is outside 0..9' || e.reason !== 'value') throw new Error(e.message)
 * ```
 */
export const datasetError = (reason: DatasetErrorReason, message: string, file?: string): DatasetError =>
  file === undefined
    ? { _tag: 'DatasetError', reason, message }
    : { _tag: 'DatasetError', reason, file, message: `${file}: ${message}` }

/**
 * The Right value, or a PuregradError (INVALID_ARGUMENT, op `op`) carrying the Left's message and
 * reason: for scripts that prefer exceptions to Eithers.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a Left.
 * @example
 * ```ts
 * import { PuregradError } from 'puregrad'
 * import { parseCsv, orThrow } from 'puregrad/datasets'
 *
 * const table = orThrow(parseCsv('1,2,0\n3,4,1\n'))
 * if (table.x.shape.join() !== '2,2') throw new Error('parsed')
 * try {
 *   orThrow(parseCsv('1,2,0\n3,oops,1\n'), 'loadMyData')
 *   throw new Error('expected an error')
 * } catch (e) {
 *   if (!(e instanceof PuregradError) || e.code !== 'INVALID_ARGUMENT' || !e.message.includes('[parse]')) throw e
 * }
 * ```
 */
export const orThrow = <A>(r: E.Either<DatasetError, A>, op = 'datasets'): A => {
  if (E.isLeft(r)) throw new PuregradError('INVALID_ARGUMENT', `${r.left.message} [${r.left.reason}]`, op)
  return r.right
}
