/**
 * Tests for the shipped digits data set and its loader (src/datasets/digits.ts): the real file
 * loads whole and sane, damaged files (corrupted or truncated gzip, bad rows) fail with an
 * INVALID_ARGUMENT error that names the file and the line, and the seeded split is a
 * deterministic partition.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { PuregradError, tensor } from '../../src/index.js'
import { defaultDigitsPath, loadDigits, mulberry32, permutation, trainTestSplit } from '../../src/datasets/digits.js'

const dir = mkdtempSync(join(tmpdir(), 'puregrad-digits-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let fileNo = 0
const writeGz = (content: string): string => {
  const p = join(dir, `d${fileNo++}.csv.gz`)
  writeFileSync(p, gzipSync(Buffer.from(content, 'utf8')))
  return p
}

const row = (pixels: number | readonly (number | string)[], label: number | string): string =>
  [...(typeof pixels === 'number' ? new Array<number>(64).fill(pixels) : pixels), label].join(',')

/** Runs `f`, expecting a PuregradError; returns it. */
const caught = (f: () => unknown): PuregradError => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(PuregradError)
    return e as PuregradError
  }
  return expect.fail('expected a PuregradError')
}

describe('loadDigits on the shipped file', () => {
  const d = loadDigits()

  it('finds data/digits/digits.csv.gz and loads all 1797 images', () => {
    expect(defaultDigitsPath()).toMatch(/data[\\/]digits[\\/]digits\.csv\.gz$/)
    expect(d.images.shape).toEqual([1797, 64])
    expect(d.images.dtype).toBe('float32')
    expect(d.labels.shape).toEqual([1797])
    expect(d.labels.dtype).toBe('int32')
  })

  it('scales pixels 0..16 to [0, 1] and keeps the first row as in the CSV', () => {
    const px = d.images.dataSync()
    let lo = Infinity, hi = -Infinity
    for (const v of px) { lo = Math.min(lo, v); hi = Math.max(hi, v) }
    expect(lo).toBe(0)
    expect(hi).toBe(1)
    // first CSV row: 0,0,5,13,9,1,0,0,... label 0
    expect(Array.from(px.slice(0, 6))).toEqual([0, 0, 5 / 16, 13 / 16, 9 / 16, 1 / 16].map(Math.fround))
    expect(d.labels.dataSync()[0]).toBe(0)
  })

  it('has the known label histogram (about 180 of each digit)', () => {
    const counts = new Array<number>(10).fill(0)
    for (const l of d.labels.dataSync()) counts[l]++
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
  })
})

describe('loadDigits on damaged files', () => {
  const good = readFileSync(defaultDigitsPath())

  it('rejects a truncated gzip file, naming it', () => {
    const p = join(dir, 'truncated.csv.gz')
    writeFileSync(p, good.subarray(0, Math.floor(good.length / 2)))
    const e = caught(() => loadDigits(p))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toContain(p)
    expect(e.message).toMatch(/not a valid gzip file/)
  })

  it('rejects a corrupted gzip file (flipped bytes)', () => {
    const bytes = Buffer.from(good)
    for (let i = 1000; i < 1100; i++) bytes[i] ^= 0xff
    const p = join(dir, 'corrupt.csv.gz')
    writeFileSync(p, bytes)
    const e = caught(() => loadDigits(p))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toMatch(/not a valid gzip file/)
  })

  it('rejects a file that is not gzip at all, and a missing file', () => {
    const p = join(dir, 'plain.csv.gz')
    writeFileSync(p, row(0, 1) + '\n')
    expect(caught(() => loadDigits(p)).message).toMatch(/not a valid gzip file/)
    const missing = join(dir, 'nope.csv.gz')
    const e = caught(() => loadDigits(missing))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.message).toContain(`cannot read ${missing}`)
  })

  it('loads a small valid file (CRLF line ends and no final newline too)', () => {
    const d = loadDigits(writeGz([row(16, 3), row(0, 9)].join('\r\n')))
    expect(d.images.shape).toEqual([2, 64])
    expect(Array.from(d.labels.dataSync())).toEqual([3, 9])
    expect(d.images.dataSync()[0]).toBe(1)
  })

  it.each([
    ['a row with too few fields', [row(0, 1), row(0, 2), row(new Array(63).fill(0), 3)], /line 3: expected 65 comma-separated fields .* got 64/],
    ['a row with too many fields', [row(0, 1), row(0, 2) + ',0'], /line 2: expected 65 comma-separated fields .* got 66/],
    ['a pixel above 16', [row([17, ...new Array(63).fill(0)], 1)], /line 1, field 1: pixel value 17 is outside 0\.\.16/],
    ['a negative pixel', [row(0, 0), row([...new Array(10).fill(0), -1, ...new Array(53).fill(0)], 1)], /line 2, field 11: pixel value -1 is outside 0\.\.16/],
    ['a label above 9', [row(0, 10)], /line 1, field 65: label 10 is outside 0\.\.9/],
    ['a non-integer pixel', [row(0, 1), row(0, 1), row(0, 1), row([1.5, ...new Array(63).fill(0)], 1)], /line 4, field 1: expected an integer, got '1\.5'/],
    ['an empty field', [row(['', ...new Array(63).fill(0)], 1)], /line 1, field 1: expected an integer, got ''/],
    ['a text label', [row(0, 'seven')], /line 1, field 65: expected an integer, got 'seven'/],
    ['a blank line in the middle', [row(0, 1), '', row(0, 1)], /line 2: expected 65 comma-separated fields/],
  ])('rejects %s, naming the line', (_what, rows, pattern) => {
    const p = writeGz(rows.join('\n') + '\n')
    const e = caught(() => loadDigits(p))
    expect(e.code).toBe('INVALID_ARGUMENT')
    expect(e.op).toBe('loadDigits')
    expect(e.message).toContain(p)
    expect(e.message).toMatch(pattern)
  })

  it('rejects an empty file', () => {
    expect(caught(() => loadDigits(writeGz(''))).message).toMatch(/holds no rows/)
  })
})

describe('trainTestSplit', () => {
  /** n rows whose first pixel is the row index, labels row % 10. */
  const tagged = (n: number) => ({
    images: tensor(Float32Array.from({ length: n * 64 }, (_, i) => (i % 64 === 0 ? i / 64 : 0)), { shape: [n, 64] }),
    labels: tensor(Int32Array.from({ length: n }, (_, i) => i % 10)),
  })
  const ids = (images: { dataSync(): ArrayLike<number> }, n: number): number[] =>
    Array.from({ length: n }, (_, r) => images.dataSync()[r * 64])

  it('splits the digits 80/20 and keeps images and labels together', () => {
    const { train, test } = trainTestSplit(loadDigits(), { seed: 0 })
    expect(train.images.shape).toEqual([1438, 64])
    expect(train.labels.shape).toEqual([1438])
    expect(test.images.shape).toEqual([359, 64])
    expect(test.labels.shape).toEqual([359])
  })

  it('is a deterministic partition for a seed, and another seed shuffles otherwise', () => {
    const data = tagged(50)
    const a = trainTestSplit(data, { testFraction: 0.3, seed: 7 })
    const b = trainTestSplit(data, { testFraction: 0.3, seed: 7 })
    const c = trainTestSplit(data, { testFraction: 0.3, seed: 8 })
    const aTest = ids(a.test.images, 15), aTrain = ids(a.train.images, 35)
    expect(ids(b.test.images, 15)).toEqual(aTest)
    expect(ids(c.test.images, 15)).not.toEqual(aTest)
    expect([...aTest, ...aTrain].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(Array.from(a.test.labels.dataSync())).toEqual(aTest.map((i) => i % 10))
  })

  it('rejects fractions outside (0, 1), empty sides and mismatched rows', () => {
    const data = tagged(10)
    for (const f of [0, 1, -0.1, 1.5, Number.NaN]) expect(caught(() => trainTestSplit(data, { testFraction: f })).code).toBe('INVALID_ARGUMENT')
    expect(caught(() => trainTestSplit(data, { testFraction: 0.01 })).message).toMatch(/empty side/)
    expect(caught(() => trainTestSplit(data, { seed: 1.5 })).message).toMatch(/seed must be an integer/)
    const bad = { images: data.images, labels: tensor(new Int32Array(9)) }
    expect(caught(() => trainTestSplit(bad)).code).toBe('SHAPE_MISMATCH')
  })
})

describe('mulberry32 and permutation', () => {
  it('repeat for a seed and stay in range', () => {
    const a = mulberry32(42), b = mulberry32(42)
    const xs = Array.from({ length: 1000 }, () => a())
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    const m = xs.reduce((s, x) => s + x, 0) / xs.length
    expect(Math.abs(m - 0.5)).toBeLessThan(0.05)
    const p = permutation(100, mulberry32(1))
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(Array.from(p)).not.toEqual(Array.from({ length: 100 }, (_, i) => i))
  })
})
