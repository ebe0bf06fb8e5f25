/**
 * Tests for loadFashionMnist (src/datasets/fashion-mnist.ts) on the shared Fashion-MNIST files
 * (../shared/data/fashion-mnist; skipped when absent): the whole set loads with the right shapes,
 * scaling and labels; a directory with one corrupted, truncated, mismatched or missing file is a
 * Left naming that file, and builds no tensor at all (counted on a backend that counts uploads).
 */

import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeIdx } from '../../src/datasets/index.js'
import { FASHION_MNIST_CLASSES, MNIST_FILES, loadFashionMnist, loadImageLabelPair } from '../../src/datasets/node.js'
import { FASHION_DIR, countingUploads, skipFashion, leftOf, rightOf, tempDir } from './helpers.js'

const NAMES = Object.values(MNIST_FILES)

/** A directory with the four real files linked in, except `replace`d ones written from bytes. */
const fixture = (root: string, name: string, replace: Partial<Record<string, Uint8Array | null>>): string => {
  const dir = join(root, name)
  mkdirSync(dir)
  for (const f of NAMES) {
    const r = replace[f]
    if (r === null) continue
    if (r === undefined) symlinkSync(join(FASHION_DIR, `${f}.gz`), join(dir, `${f}.gz`))
    else writeFileSync(join(dir, `${f}.gz`), r)
  }
  return dir
}

describe.skipIf(skipFashion)('loadFashionMnist', () => {
  const { dir: root, cleanup } = tempDir('puregrad-fashion-')
  afterAll(cleanup)

  it('loads 60,000 + 10,000 images, NHWC in [0, 1], with int32 labels', () => {
    const d = rightOf(loadFashionMnist(FASHION_DIR))
    expect(d.train.x.shape).toEqual([60000, 28, 28, 1])
    expect(d.train.y.shape).toEqual([60000])
    expect(d.test.x.shape).toEqual([10000, 28, 28, 1])
    expect(d.test.x.dtype).toBe('float32')
    expect(d.test.y.dtype).toBe('int32')
    const px = d.test.x.dataSync()
    let lo = Infinity, hi = -Infinity
    for (let i = 0; i < 784 * 100; i++) { lo = Math.min(lo, px[i]); hi = Math.max(hi, px[i]) }
    expect(lo).toBe(0)
    expect(hi).toBe(1)
    // The first test image is an ankle boot, the first training image too (the data set's README).
    expect(FASHION_MNIST_CLASSES[d.test.y.dataSync()[0]]).toBe('Ankle boot')
    expect(FASHION_MNIST_CLASSES[d.train.y.dataSync()[0]]).toBe('Ankle boot')
    const counts = new Array<number>(10).fill(0)
    for (const v of d.train.y.dataSync()) counts[v]++
    expect(counts).toEqual(new Array(10).fill(6000))
  })

  it('gives the flat layout and the first-n subsets on request', () => {
    const d = rightOf(loadFashionMnist(FASHION_DIR, { layout: 'flat', trainLimit: 100, testLimit: 50 }))
    expect(d.train.x.shape).toEqual([100, 784])
    expect(d.test.x.shape).toEqual([50, 784])
    const pair = rightOf(loadImageLabelPair(join(FASHION_DIR, 't10k-images-idx3-ubyte.gz'), join(FASHION_DIR, 't10k-labels-idx1-ubyte.gz'), { limit: 3 }))
    expect(pair.x.shape).toEqual([3, 28, 28, 1])
    expect(Array.from(pair.y.dataSync())).toEqual(Array.from(d.test.y.dataSync().slice(0, 3)))
  })

  const testImagesGz = (): Buffer => readFileSync(join(FASHION_DIR, `${MNIST_FILES.testImages}.gz`))
  const broken: [string, () => Partial<Record<string, Uint8Array | null>>, string, RegExp][] = [
    ['truncated', () => ({ [MNIST_FILES.testImages]: testImagesGz().subarray(0, 100_000) }), 'gzip', /corrupted or truncated/],
    ['corrupted', () => {
      const b = Buffer.from(testImagesGz())
      for (let i = 500_000; i < 500_100; i++) b[i] = 255 - b[i]
      return { [MNIST_FILES.testImages]: b }
    }, 'gzip', /corrupted or truncated/],
    ['uncompressed-truncated', () => ({ [MNIST_FILES.testImages]: gunzipSync(testImagesGz()).subarray(0, 5_000_016) }), 'truncated', /need 7840000 data bytes/],
    ['labels-mismatch', () => ({ [MNIST_FILES.testLabels]: encodeIdx({ dtype: 'uint8', shape: [9999], data: new Uint8Array(9999) }) }), 'mismatch', /9999 labels for the 10000 images/],
    ['label-out-of-range', () => ({ [MNIST_FILES.testLabels]: encodeIdx({ dtype: 'uint8', shape: [10000], data: new Uint8Array(10000).fill(10, 1234, 1235) }) }), 'value', /label 10 of example 1234 is outside 0\.\.9/],
    ['wrong-size-images', () => ({ [MNIST_FILES.testImages]: encodeIdx({ dtype: 'uint8', shape: [10000, 27, 29], data: new Uint8Array(10000 * 27 * 29) }) }), 'dims', /28x28, the header says 27x29/],
    ['labels-as-images', () => ({ [MNIST_FILES.testImages]: readFileSync(join(FASHION_DIR, `${MNIST_FILES.testLabels}.gz`)) }), 'dims', /expected 3 dimensions/],
    ['missing', () => ({ [MNIST_FILES.testLabels]: null }), 'io', /cannot read the file/],
  ]
  for (const [name, make, reason, message] of broken) {
    it(`rejects a directory with a ${name} file, naming it, and builds no tensor`, () => {
      const dir = fixture(root, name, make())
      const { result, uploads } = countingUploads(() => loadFashionMnist(dir))
      const e = leftOf(result)
      expect(e.reason).toBe(reason)
      expect(e.message).toMatch(message)
      expect(e.file).toMatch(/t10k-(images|labels)-idx[13]-ubyte/)
      expect(e.message.startsWith(e.file as string)).toBe(true)
      expect(E.isLeft(result)).toBe(true)
      expect(uploads).toBe(0)
    })
  }

  it('builds tensors (uploads) only when every file has passed', () => {
    const dir = join(root, 'copy')
    mkdirSync(dir)
    for (const f of NAMES) copyFileSync(join(FASHION_DIR, `${f}.gz`), join(dir, `${f}.gz`))
    const { result, uploads } = countingUploads(() => loadFashionMnist(dir, { trainLimit: 10, testLimit: 10 }))
    expect(E.isRight(result)).toBe(true)
    expect(uploads).toBe(4)
  })
})
