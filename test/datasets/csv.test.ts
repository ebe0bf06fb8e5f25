/**
 * Tests for the CSV parser (src/datasets/csv.ts) and loadCsv (src/datasets/files.ts): headers
 * (detected or forced), label columns by index or name, quotes, CRLF; every malformed row is a
 * Left naming the line and column and builds no tensor; the shipped digits CSV loads through
 * loadCsv exactly as the dedicated digits loader reads it, and damaged copies are rejected.
 */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv, splitCsvLine } from '../../src/datasets/index.js'
import { defaultDigitsPath, loadCsv, loadDigits } from '../../src/datasets/node.js'
import { countingUploads, leftOf, rightOf, tempDir } from './helpers.js'

describe('parseCsv', () => {
  it('reads features and int32 labels from the last column, detecting a header', () => {
    const t = rightOf(parseCsv('a,b,label\n1,2.5,0\n-3,4e-1,2\r\n\n'))
    expect(t.columns).toEqual(['a', 'b'])
    expect(t.x.shape).toEqual([2, 2])
    expect(Array.from(t.x.dataSync())).toEqual([1, 2.5, -3, 0.4].map(Math.fround))
    expect(t.y?.dtype).toBe('int32')
    expect(Array.from(t.y?.dataSync() ?? [])).toEqual([0, 2])
  })

  it('takes the label column by name or index, or none; float labels; scale; delimiter', () => {
    const text = 'y;f1;f2\n1;10;20\n0;30;40'
    const byName = rightOf(parseCsv(text, { delimiter: ';', label: 'y', scale: 0.1 }))
    expect(Array.from(byName.y?.dataSync() ?? [])).toEqual([1, 0])
    expect(Array.from(byName.x.dataSync())).toEqual([1, 2, 3, 4].map(Math.fround))
    expect(rightOf(parseCsv(text, { delimiter: ';', label: 0 })).columns).toEqual(['f1', 'f2'])
    const none = rightOf(parseCsv('1,2\n3,4', { label: null }))
    expect(none.y).toBeNull()
    expect(none.columns).toBeNull()
    expect(none.x.shape).toEqual([2, 2])
    expect(Array.from(rightOf(parseCsv('1,0.5\n2,1.5', { labelDtype: 'float32', header: false })).y?.dataSync() ?? [])).toEqual([0.5, 1.5])
  })

  it('honours double quotes within a line', () => {
    expect(splitCsvLine('"a,b",c,"say ""hi"""')).toEqual(['a,b', 'c', 'say "hi"'])
    expect(splitCsvLine('"open,b')).toBeNull()
    expect(rightOf(parseCsv('"x, mm","class"\n"1.5",3')).columns).toEqual(['x, mm'])
  })

  const bad: [string, string, object, RegExp][] = [
    ['a ragged row', '1,2,3\n4,5\n', {}, /^d\.csv: line 2: expected 3 fields \(as on line 1\), got 2$/],
    ['a non-number', 'a,b,y\n1,2,0\n1,x2,1\n', {}, /^d\.csv: line 3, column 2 \('b'\): expected a finite number, got 'x2'$/],
    ['an infinite value', '1,1e999,0\n', {}, /line 1, column 2: expected a finite number/],
    ['a fractional class label', '1,2,0.5\n', {}, /line 1, column 3: a class label must be a non-negative integer, got '0\.5'/],
    ['a negative class label', '1,2,-1\n', {}, /a class label must be a non-negative integer/],
    ['a label beyond numClasses', '1,2,3\n1,2,10\n', { numClasses: 10 }, /line 2, column 3: label 10 is outside 0\.\.9/],
    ['an empty row inside', '1,2,3\n\n4,5,6\n', {}, /line 2: empty row/],
    ['an open quote', '1,"2,3\n', {}, /line 1: a double quote is not closed/],
    ['no rows', '\n\n', {}, /holds no rows/],
    ['a header only', 'a,b\n', {}, /a header but no data rows/],
    ['an unknown label name', 'a,b\n1,2\n', { label: 'c' }, /no column named 'c' \(columns: a, b\)/],
    ['a label index out of range', '1,2\n', { label: 5 }, /label column 5 does not exist/],
  ]
  for (const [what, text, opts, message] of bad) {
    it(`rejects ${what}, building nothing`, () => {
      const { result, uploads } = countingUploads(() => parseCsv(text, { file: 'd.csv', ...opts }))
      expect(leftOf(result).message).toMatch(message)
      expect(uploads).toBe(0)
    })
  }
})

describe('loadCsv on files', () => {
  const { dir, cleanup } = tempDir('puregrad-csv-')
  afterAll(cleanup)

  it('loads the shipped digits CSV (gzipped, no header) exactly as loadDigits does', () => {
    const t = rightOf(loadCsv(defaultDigitsPath(), { header: false, numClasses: 10, scale: 1 / 16 }))
    const d = loadDigits()
    expect(t.x.shape).toEqual([1797, 64])
    expect(t.x.dataSync()).toEqual(d.images.dataSync())
    expect(t.y?.dataSync()).toEqual(d.labels.dataSync())
  })

  it('rejects a truncated gzip copy, a binary file and a damaged row, naming the file', () => {
    const gz = readFileSync(defaultDigitsPath())
    const cut = join(dir, 'cut.csv.gz')
    writeFileSync(cut, gz.subarray(0, gz.length - 200))
    expect(leftOf(loadCsv(cut))).toMatchObject({ reason: 'gzip', file: cut })
    const bin = join(dir, 'bin.csv')
    writeFileSync(bin, Uint8Array.from([0x31, 0x2c, 0xff, 0xfe, 0x0a]))
    expect(leftOf(loadCsv(bin))).toMatchObject({ reason: 'encoding', file: bin })
    const edited = join(dir, 'edited.csv')
    writeFileSync(edited, '1,2,3\n4,5,6\n7,8,nine\n')
    expect(leftOf(loadCsv(edited)).message).toBe(`${edited}: line 3, column 3: expected a finite number, got 'nine'`)
  })
})
