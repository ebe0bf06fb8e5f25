/**
 * puregrad/datasets: data loading and evaluation, browser-safe part. IDX (MNIST format) and CSV
 * parsers over bytes and text that check everything before building tensors and return an fp-ts
 * `Either<DatasetError, A>`; shuffled mini-batches keyed by the functional PRNG; accuracy and
 * confusion matrices. Reading files (gzipped or not), Fashion-MNIST and the shipped digits live in
 * `puregrad/datasets/node` (./node.ts), which imports node:fs and node:zlib.
 *
 * @packageDocumentation
 */

export { datasetError, orThrow, type DatasetError, type DatasetErrorReason } from './errors.js'
export {
  parseIdx, encodeIdx, idxToTensor, isGzip, IDX_MAX_ELEMENTS,
  type IdxArray, type IdxData, type IdxDType, type IdxExpect, type ParseIdxOptions, type IdxToTensorOptions,
} from './idx.js'
export { parseCsv, splitCsvLine, type CsvOptions, type CsvTable } from './csv.js'
export { batches, gatherRows, numBatches, rowCount, type Batches, type BatchOptions } from './batches.js'
export { accuracy, confusionMatrix, predictClasses, toClasses, formatConfusionMatrix } from './metrics.js'
