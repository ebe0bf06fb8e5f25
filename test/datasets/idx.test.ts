/**
 * Tests for the IDX parser (src/datasets/idx.ts) and its Node loader (loadIdx in
 * src/datasets/files.ts): every dtype round-trips through encodeIdx; malformed bytes (magic,
 * type code, dimensions, truncated header or data, trailing bytes, gzip given to the raw parser)
 * are Lefts naming the reason; the real Fashion-MNIST files load, and copies of them that are
 * corrupted or truncated, gzipped or not, are rejected with a clear reason.
 */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { PuregradError } from '../../src/index.js'
import { encodeIdx, idxToTensor, isGzip, orThrow, parseIdx, type IdxArray } from '../../src/datasets/index.js'
import { loadIdx, readDataFile } from '../../src/datasets/node.js'
import { FASHION_DIR, skipFashion, leftOf, rightOf, tempDir } from './helpers.js'

const u8 = (...b: number[]): Uint8Array => Uint8Array.from(b)

describe('parseIdx on constructed bytes', () => {
  const cases: IdxArray[] = [
    { dtype: 'uint8', shape: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) },
    { dtype: 'int8', shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
    { dtype: 'int16', shape: [3], data: Int16Array.from([-32768, 258, 32767]) },
    { dtype: 'int32', shape: [1, 2], data: Int32Array.from([-2147483648, 16909060]) },
    { dtype: 'float32', shape: [2], data: Float32Array.from([1.5, -0.25]) },
    { dtype: 'float64', shape: [2, 1, 1], data: Float64Array.from([Math.PI, -1e300]) },
  ]
  for (const c of cases) {
    it(`round-trips ${c.dtype} ${JSON.stringify(c.shape)} (big-endian on disk)`, () => {
      const bytes = encodeIdx(c)
      const back = rightOf(parseIdx(bytes))
      expect(back.dtype).toBe(c.dtype)
      expect(back.shape).toEqual(c.shape)
      expect(Array.from(back.data)).toEqual(Array.from(c.data))
    })
  }

  it('reads the MNIST header layout byte by byte', () => {
    // magic 0x00000801 (uint8, 1 dim), 3 items
    const r = rightOf(parseIdx(u8(0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9)))
    expect(r).toEqual({ dtype: 'uint8', shape: [3], data: Uint8Array.from([7, 8, 9]) })
  })

  it('rejects malformed bytes with the reason and the file name', () => {
    const file = { file: 'x.idx' }
    const l = (b: Uint8Array, o = file) => leftOf(parseIdx(b, o))
    expect(l(u8(0, 0, 8))).toMatchObject({ reason: 'truncated', file: 'x.idx' })
    expect(l(u8(1, 0, 8, 1, 0, 0, 0, 0)).reason).toBe('magic')
    expect(l(u8(1, 0, 8, 1, 0, 0, 0, 0)).message).toBe('x.idx: not an IDX file: the magic number must start with two zero bytes, got 01 00 08 01')
    expect(l(u8(0, 0, 7, 1, 0, 0, 0, 0)).message).toMatch(/^x\.idx: unknown IDX type code 0x07/)
    expect(l(u8(0, 0, 8, 0)).reason).toBe('dims')
    expect(l(u8(0, 0, 8, 2, 0, 0, 0, 1))).toMatchObject({ reason: 'truncated' })
    expect(l(u8(0, 0, 8, 1, 0, 0, 0, 3, 1, 2)).message).toMatch(/need 3 data bytes .* the file has 2 \(truncated\?\)/)
    expect(l(u8(0, 0, 8, 1, 0, 0, 0, 1, 1, 2)).reason).toBe('trailing')
    expect(l(u8(0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)).reason).toBe('dims')
    expect(l(gzipSync(u8(0, 0, 8, 1, 0, 0, 0, 0))).message).toMatch(/gzip-compressed .* loadIdx/)
  })

  it('checks what the caller expects before touching the data', () => {
    const bytes = encodeIdx({ dtype: 'uint8', shape: [2, 3, 3], data: new Uint8Array(18) })
    expect(leftOf(parseIdx(bytes, { expect: { dtype: 'int32' } })).message).toMatch(/expected int32 data, the magic number says uint8/)
    expect(leftOf(parseIdx(bytes, { expect: { rank: 1 } })).reason).toBe('dims')
    expect(leftOf(parseIdx(bytes, { expect: { dims: [null, 28, 28] } })).message).toMatch(/expected dimension 1 to be 28, the header says 3/)
    expect(rightOf(parseIdx(bytes, { expect: { dtype: 'uint8', dims: [null, 3, 3] } })).shape).toEqual([2, 3, 3])
  })

  it('turns an IDX array into a scaled, reshaped, limited tensor', () => {
    const a: IdxArray = { dtype: 'uint8', shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) }
    const t = idxToTensor(a, { scale: 1 / 255, rowShape: [4], limit: 2 })
    expect(t.shape).toEqual([2, 4])
    expect(t.dtype).toBe('float32')
    expect(t.dataSync()[7]).toBeCloseTo(140 / 255, 6)
    expect(idxToTensor(a).dtype).toBe('int32')
    expect(() => idxToTensor(a, { rowShape: [5] })).toThrow(PuregradError)
  })

  it('orThrow turns a Left into a PuregradError carrying the message and reason', () => {
    expect(() => orThrow(parseIdx(u8(1, 2, 3, 4), { file: 'f' }))).toThrow(/f: not an IDX file.*\[magic\]/)
  })
})

describe.skipIf(skipFashion)('loadIdx on the real Fashion-MNIST files', () => {
  const { dir, cleanup } = tempDir('puregrad-idx-')
  afterAll(cleanup)
  const labelsGz = join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz')
  const imagesGz = join(FASHION_DIR, 't10k-images-idx3-ubyte.gz')

  it('loads the gzipped test labels and images: 10,000 of each, 1,000 per class', () => {
    const labels = rightOf(loadIdx(labelsGz, { dtype: 'uint8', rank: 1 }))
    expect(labels.shape).toEqual([10000])
    const counts = new Array<number>(10).fill(0)
    for (const v of labels.data) counts[v]++
    expect(counts).toEqual(new Array(10).fill(1000))
    const images = rightOf(loadIdx(imagesGz, { dims: [null, 28, 28] }))
    expect(images.shape).toEqual([10000, 28, 28])
    expect(Math.max(...images.data.subarray(0, 784))).toBeGreaterThan(200)
  })

  it('gunzips by magic number, so a plain file loads the same way whatever its name', () => {
    const raw = join(dir, 'labels.gz') // misleading name, uncompressed content
    writeFileSync(raw, gunzipSync(readFileSync(labelsGz)))
    expect(isGzip(readFileSync(raw))).toBe(false)
    expect(rightOf(loadIdx(raw)).data).toEqual(rightOf(loadIdx(labelsGz)).data)
  })

  it('rejects a truncated gzip file, a corrupted one, and truncated or padded raw data', () => {
    const gz = readFileSync(imagesGz)
    const cut = join(dir, 'cut.gz')
    writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)))
    const e1 = leftOf(loadIdx(cut))
    expect(e1).toMatchObject({ reason: 'gzip', file: cut })
    expect(e1.message).toMatch(/corrupted or truncated/)

    const bad = Buffer.from(gz)
    for (let i = 1000; i < 1064; i++) bad[i] ^= 0x5a
    const flipped = join(dir, 'flipped.gz')
    writeFileSync(flipped, bad)
    expect(leftOf(loadIdx(flipped)).reason).toBe('gzip')

    const raw = gunzipSync(gz)
    const short = join(dir, 'short.idx')
    writeFileSync(short, raw.subarray(0, raw.length - 100))
    const e3 = leftOf(loadIdx(short))
    expect(e3.reason).toBe('truncated')
    expect(e3.message).toContain(`need 7840000 data bytes after the 16-byte header; the file has 7839900`)
    const long = join(dir, 'long.idx')
    writeFileSync(long, Buffer.concat([raw, Buffer.alloc(3)]))
    expect(leftOf(loadIdx(long)).reason).toBe('trailing')
  })

  it('reports a missing file as an io error naming it', () => {
    const missing = join(dir, 'nope.idx')
    expect(leftOf(loadIdx(missing))).toMatchObject({ reason: 'io', file: missing })
    expect(leftOf(readDataFile(missing)).message).toMatch(/nope\.idx: cannot read the file/)
  })
})
