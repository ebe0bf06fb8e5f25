/**
 * Numeric CSV tables, browser-safe part: `parseCsv` checks every row of a CSV text (field count,
 * numbers, labels) and returns the features as a [rows, columns] float tensor and, optionally, one
 * column as labels. Nothing is built until every row has passed, so a bad file yields a Left
 * naming the line and column, never a half-filled tensor. Reading (and gunzipping) files is
 * Node's job (`loadCsv` in ./files.ts).
 *
 * Fields are split on the delimiter, with RFC 4180 double quotes ("a,b", "say ""hi""") within a
 * line; a field may not span lines. Blank lines at the end are ignored, elsewhere they are errors.
 */

import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/tensor.js'
import { fromTyped } from '../core/constructors.js'
import { datasetError, type DatasetError } from './errors.js'

/** Options of `parseCsv` and `loadCsv`. */
export interface CsvOptions {
  /** Names the source in messages (the loaders pass the file path). */
  readonly file?: string
  /** One character; default ','. */
  readonly delimiter?: string
  /** Whether the first row names the columns; 'auto' (default): when any of its fields is not a number. */
  readonly header?: boolean | 'auto'
  /**
   * The label column: an index (negative counts from the end), a header name, or null for none.
   * Default -1, the last column.
   */
  readonly label?: number | string | null
  /** int32 (default): labels must be integers >= 0 (class indices). float32: any finite number. */
  readonly labelDtype?: 'int32' | 'float32'
  /** With int32 labels, each must be below this. */
  readonly numClasses?: number
  /** The features' dtype; default float32. */
  readonly dtype?: 'float32' | 'float64'
  /** Each feature is multiplied by this; default 1. */
  readonly scale?: number
}

/** A parsed CSV table: features, labels and column names. */
export interface CsvTable {
  /** [rows, features]. */
  readonly x: Tensor
  /** [rows] labels, or null without a label column. */
  readonly y: Tensor | null
  /** The feature columns' names when the file has a header, else null. */
  readonly columns: readonly string[] | null
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * Splits one line into fields, honouring RFC 4180 double quotes; null when a quote is left open.
 *
 * @example
 * ```ts
 * import { splitCsvLine } from 'puregrad/datasets'
 *
 * const f = splitCsvLine('1,"a,b","x""y"')
 * if (f === null || f.length !== 3 || f[1] !== 'a,b' || f[2] !== 'x"y' || splitCsvLine('"open') !== null) throw new Error(`${f}`)
 * ```
 */
export const splitCsvLine = (line: string, delimiter = ','): string[] | null => {
  if (!line.includes('"')) return line.split(delimiter)
  const fields: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++ }
      else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === delimiter) { fields.push(cur); cur = '' }
    else cur += ch
  }
  if (quoted) return null
  fields.push(cur)
  return fields
}

const isNumber = (s: string): boolean => NUMBER.test(s.trim())

/**
 * Parses a numeric CSV text into features x [rows, features] (float32 unless `dtype`) and labels y
 * [rows] (int32 class indices unless `labelDtype`). Left when a row has the wrong number of fields,
 * a field is not a finite number, a quote is left open, a label is not a valid class index (int32)
 * or out of `numClasses`, the label column does not exist, or there are no data rows.
 *
 * @example
 * ```ts
 * import { parseCsv } from 'puregrad/datasets'
 *
 * const r = parseCsv('a,b,class\n1,2,0\n3,4,2\n', { label: 'class', numClasses: 3 })
 * if (r._tag !== 'Right') throw new Error(r.left.message)
 * const { x, y, columns } = r.right
 * if (x.shape.join() !== '2,2' || y?.dataSync().join() !== '0,2' || columns?.join() !== 'a,b') throw new Error('parseCsv')
 * const bad = parseCsv('1,2,0\n3,4,7\n', { numClasses: 3 })
 * if (bad._tag !== 'Left' || !bad.left.message.startsWith('line 2')) throw new Error('label 7 is a Left')
 * ```
 */
export const parseCsv = (text: string, opts: CsvOptions = {}): E.Either<DatasetError, CsvTable> => {
  const file = opts.file
  const fail = (reason: DatasetError['reason'], message: string): E.Either<DatasetError, CsvTable> =>
    E.left(datasetError(reason, message, file))
  const delimiter = opts.delimiter ?? ','
  if (delimiter.length !== 1 || delimiter === '"') return fail('parse', `the delimiter must be one character other than '"', got '${delimiter}'`)
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop()
  if (lines.length === 0) return fail('parse', 'the file holds no rows')

  const first = splitCsvLine(lines[0], delimiter)
  if (first === null) return fail('parse', 'line 1: a double quote is not closed')
  const hasHeader = opts.header === 'auto' || opts.header === undefined ? first.some((f) => !isNumber(f)) : opts.header
  const names = hasHeader ? first.map((f) => f.trim()) : null
  const width = first.length
  const start = hasHeader ? 1 : 0
  const n = lines.length - start
  if (n === 0) return fail('parse', 'the file holds a header but no data rows')

  const labelSpec = opts.label === undefined ? -1 : opts.label
  let labelCol = -1
  if (typeof labelSpec === 'string') {
    if (names === null) return fail('parse', `label column '${labelSpec}' is named but the file has no header`)
    labelCol = names.indexOf(labelSpec)
    if (labelCol < 0) return fail('parse', `no column named '${labelSpec}' (columns: ${names.join(', ')})`)
  } else if (typeof labelSpec === 'number') {
    labelCol = labelSpec < 0 ? width + labelSpec : labelSpec
    if (!Number.isInteger(labelSpec) || labelCol < 0 || labelCol >= width) return fail('parse', `label column ${labelSpec} does not exist in rows of ${width} fields`)
  }
  const features = labelCol >= 0 ? width - 1 : width
  const labelDtype = opts.labelDtype ?? 'int32'
  const numClasses = opts.numClasses
  const scale = opts.scale ?? 1
  const dtype = opts.dtype ?? 'float32'
  const x = dtype === 'float64' ? new Float64Array(n * features) : new Float32Array(n * features)
  const y = labelCol < 0 ? null : labelDtype === 'int32' ? new Int32Array(n) : new Float32Array(n)
  const colName = (c: number): string => (names === null ? `column ${c + 1}` : `column ${c + 1} ('${names[c]}')`)

  for (let r = 0; r < n; r++) {
    const lineNo = start + r + 1
    const fields = splitCsvLine(lines[start + r], delimiter)
    if (fields === null) return fail('parse', `line ${lineNo}: a double quote is not closed`)
    if (fields.length === 1 && fields[0].trim() === '') return fail('parse', `line ${lineNo}: empty row`)
    if (fields.length !== width) return fail('parse', `line ${lineNo}: expected ${width} fields (as on line 1), got ${fields.length}`)
    let k = 0
    for (let c = 0; c < width; c++) {
      const f = fields[c].trim()
      const v = isNumber(f) ? Number(f) : Number.NaN
      if (!Number.isFinite(v)) return fail('parse', `line ${lineNo}, ${colName(c)}: expected a finite number, got '${fields[c]}'`)
      if (c === labelCol && y !== null) {
        if (labelDtype === 'int32' && (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1)) {
          return fail('value', `line ${lineNo}, ${colName(c)}: a class label must be a non-negative integer, got '${f}'`)
        }
        if (labelDtype === 'int32' && numClasses !== undefined && v >= numClasses) {
          return fail('value', `line ${lineNo}, ${colName(c)}: label ${v} is outside 0..${numClasses - 1}`)
        }
        y[r] = v
      } else {
        x[r * features + k++] = v * scale
      }
    }
  }
  return E.right({
    x: fromTyped(x, [n, features], dtype),
    y: y === null ? null : fromTyped(y, [n], labelDtype),
    columns: names === null ? null : names.filter((_, c) => c !== labelCol),
  })
}
