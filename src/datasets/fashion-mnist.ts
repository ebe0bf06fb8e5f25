/**
 * Node only: Fashion-MNIST (and any MNIST-format image/label pair) from a directory of IDX files.
 * `loadFashionMnist(dir)` reads the four files of the original distribution (gzipped or not),
 * checks each one (magic, dimensions, length, labels in 0..9, image and label counts agree) and
 * only then builds the tensors, so a corrupted or truncated file yields a Left and nothing else.
 */

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Tensor } from '../core/tensor.js'
import { datasetError, type DatasetError } from './errors.js'
import { idxToTensor, type IdxArray } from './idx.js'
import { loadIdx } from './files.js'

/** The classes of Fashion-MNIST, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const

/** The file names of the original distribution (MNIST uses the same ones). */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const

/** Images and their labels, as tensors. */
export interface LabeledImages {
  /** float32 pixels scaled to [0, 1]: [n, rows, cols, 1] (NHWC) or [n, rows * cols] with layout 'flat'. */
  readonly x: Tensor
  /** int32 class labels [n]. */
  readonly y: Tensor
}

/** Options of `loadImageLabelPair`. */
export interface ImageLabelOptions {
  /** 'nhwc' (default): [n, rows, cols, 1] for convolutions; 'flat': [n, rows * cols] for MLPs. */
  readonly layout?: 'nhwc' | 'flat'
  /** Keep only the first `limit` examples (the whole files are still checked). */
  readonly limit?: number
  /** Labels must lie in 0..numClasses-1; default 10. */
  readonly numClasses?: number
}

/** Options of `loadFashionMnist`. */
export interface FashionMnistOptions {
  /** 'nhwc' (default): x [n, 28, 28, 1]; 'flat': x [n, 784]. */
  readonly layout?: 'nhwc' | 'flat'
  /** Keep only the first n training examples. */
  readonly trainLimit?: number
  /** Keep only the first n test examples. */
  readonly testLimit?: number
}

/** Fashion-MNIST as tensors: the training and the test split. */
export interface FashionMnist {
  readonly train: LabeledImages
  readonly test: LabeledImages
}

interface CheckedPair { readonly images: IdxArray; readonly labels: IdxArray }

/** Checks an image file and a label file together; Left on the first problem. */
const checkPair = (imagesPath: string, labelsPath: string, numClasses: number): E.Either<DatasetError, CheckedPair> => {
  const images = loadIdx(imagesPath, { dtype: 'uint8', rank: 3 })
  if (E.isLeft(images)) return images
  const labels = loadIdx(labelsPath, { dtype: 'uint8', rank: 1 })
  if (E.isLeft(labels)) return labels
  const n = images.right.shape[0]
  if (labels.right.shape[0] !== n) {
    return E.left(datasetError('mismatch', `${labels.right.shape[0]} labels for the ${n} images of ${imagesPath}`, labelsPath))
  }
  const l = labels.right.data
  for (let i = 0; i < l.length; i++) {
    if (l[i] >= numClasses) return E.left(datasetError('value', `label ${l[i]} of example ${i} is outside 0..${numClasses - 1}`, labelsPath))
  }
  return E.right({ images: images.right, labels: labels.right })
}

const toTensors = (p: CheckedPair, layout: 'nhwc' | 'flat', limit: number | undefined): LabeledImages => {
  const [, rows, cols] = p.images.shape
  return {
    x: idxToTensor(p.images, { dtype: 'float32', scale: 1 / 255, rowShape: layout === 'flat' ? [rows * cols] : [rows, cols, 1], limit }),
    y: idxToTensor(p.labels, { dtype: 'int32', limit }),
  }
}

/**
 * Loads one MNIST-format pair: uint8 images [n, rows, cols] and uint8 labels [n], gzipped or not,
 * as float32 pixels in [0, 1] and int32 labels. Left when either file is bad, the counts differ
 * ('mismatch') or a label is outside 0..numClasses-1 ('value').
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { encodeIdx } from 'puregrad/datasets'
 * import { loadImageLabelPair } from 'puregrad/datasets/node'
 *
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * writeFileSync(join(dir, 'img'), encodeIdx({ dtype: 'uint8', shape: [2, 3, 3], data: new Uint8Array(18).fill(255) }))
 * writeFileSync(join(dir, 'lbl'), encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(1, 0) }))
 * const r = loadImageLabelPair(join(dir, 'img'), join(dir, 'lbl'), { layout: 'flat', numClasses: 2 })
 * rmSync(dir, { recursive: true })
 * if (r._tag !== 'Right' || r.right.x.shape.join() !== '2,9' || r.right.x.dataSync()[0] !== 1) throw new Error('loadImageLabelPair')
 * ```
 */
export const loadImageLabelPair = (imagesPath: string, labelsPath: string, opts: ImageLabelOptions = {}): E.Either<DatasetError, LabeledImages> =>
  E.map((p: CheckedPair) => toTensors(p, opts.layout ?? 'nhwc', opts.limit))(checkPair(imagesPath, labelsPath, opts.numClasses ?? 10))

/** `dir/name.gz` when it exists, else `dir/name` (which may not exist: loadIdx then reports it). */
const locate = (dir: string, name: string): string => {
  const gz = join(dir, `${name}.gz`)
  return existsSync(gz) ? gz : join(dir, name)
}

/**
 * Loads Fashion-MNIST (60,000 training and 10,000 test 28x28 images) from `dir`, which holds the
 * four IDX files of the original distribution, each gzipped (`*.gz`) or not. All four are checked,
 * including that the images are 28x28, before any tensor is built. x is float32 in [0, 1]
 * ([n, 28, 28, 1], or [n, 784] with layout 'flat'), y int32 [n].
 *
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
 * import { tmpdir } from 'node:os'
 * import { join } from 'node:path'
 * import { gzipSync } from 'node:zlib'
 * import { encodeIdx } from 'puregrad/datasets'
 * import { loadFashionMnist, MNIST_FILES } from 'puregrad/datasets/node'
 *
 * // A stand-in for the real download: 2 training and 1 test image, gzipped like the originals.
 * const dir = mkdtempSync(join(tmpdir(), 'puregrad-'))
 * const put = (name: string, shape: number[], data: Uint8Array) => writeFileSync(join(dir, `${name}.gz`), gzipSync(encodeIdx({ dtype: 'uint8', shape, data })))
 * put(MNIST_FILES.trainImages, [2, 28, 28], new Uint8Array(2 * 784))
 * put(MNIST_FILES.trainLabels, [2], Uint8Array.of(9, 0))
 * put(MNIST_FILES.testImages, [1, 28, 28], new Uint8Array(784))
 * put(MNIST_FILES.testLabels, [1], Uint8Array.of(3))
 * const r = loadFashionMnist(dir, { layout: 'flat' })
 * rmSync(dir, { recursive: true })
 * if (r._tag !== 'Right') throw new Error(r.left.message)
 * if (r.right.train.x.shape.join() !== '2,784' || r.right.test.y.dataSync().join() !== '3') throw new Error('loadFashionMnist')
 * ```
 */
export const loadFashionMnist = (dir: string, opts: FashionMnistOptions = {}): E.Either<DatasetError, FashionMnist> => {
  const layout = opts.layout ?? 'nhwc'
  // The small test files first: a damaged download fails fast.
  const test = checkPair(locate(dir, MNIST_FILES.testImages), locate(dir, MNIST_FILES.testLabels), 10)
  if (E.isLeft(test)) return test
  const train = checkPair(locate(dir, MNIST_FILES.trainImages), locate(dir, MNIST_FILES.trainLabels), 10)
  if (E.isLeft(train)) return train
  for (const [p, file] of [[train.right, MNIST_FILES.trainImages], [test.right, MNIST_FILES.testImages]] as const) {
    if (p.images.shape[1] !== 28 || p.images.shape[2] !== 28) {
      return E.left(datasetError('dims', `Fashion-MNIST images are 28x28, the header says ${p.images.shape[1]}x${p.images.shape[2]}`, locate(dir, file)))
    }
  }
  return E.right({ train: toTensors(train.right, layout, opts.trainLimit), test: toTensors(test.right, layout, opts.testLimit) })
}
