/**
 * puregrad/datasets/node: the Node-only part of the data sets (node:fs, node:zlib). Reading IDX
 * and CSV files, gzipped or not (`loadIdx`, `loadCsv`, `readDataFile`), Fashion-MNIST and other
 * MNIST-format pairs from a directory, and the digits set that ships with puregrad.
 *
 * @packageDocumentation
 */

export { readDataFile, loadIdx, loadCsv } from './files.js'
export {
  loadFashionMnist, loadImageLabelPair, FASHION_MNIST_CLASSES, MNIST_FILES,
  type FashionMnist, type FashionMnistOptions, type LabeledImages, type ImageLabelOptions,
} from './fashion-mnist.js'
export {
  loadDigits, defaultDigitsPath, trainTestSplit, DIGITS_PIXELS, DIGITS_CLASSES,
  type Digits, type SplitOptions, type Split,
} from './digits.js'
