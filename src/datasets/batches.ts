/**
 * Mini-batches over a data record: `batches(key, { x, y }, batchSize)` is an iterable of records
 * of the same structure whose leaves hold `batchSize` rows (axis 0) each, in an order shuffled by
 * `random.permutation` under the given key (the same key, the same order; pass `foldIn(key,
 * epoch)` for a new order each epoch, or null for the stored order). `gatherRows` picks rows of
 * every leaf at once. Nothing is mutated; iterating twice gives the same batches.
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { fromTyped } from '../core/constructors.js'
import { gather } from '../ops/indexing.js'
import { treeLeavesWithPath, treeMap } from '../diff/tree.js'
import type { Key } from '../random/key.js'
import { permutation } from '../random/distributions.js'

/** Options of `batches`. */
export interface BatchOptions {
  /** Drop the last batch when it holds fewer than `batchSize` rows; default false. */
  readonly dropRemainder?: boolean
}

/** An iterable of batches that also knows how many it yields. */
export interface Batches<D> extends Iterable<D> {
  readonly length: number
  /** The number of rows in the data. */
  readonly rows: number
}

const OP = 'batches'

/**
 * The common axis-0 length of every leaf of `data`; an error names a leaf that disagrees.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a record without tensors; `SHAPE_MISMATCH` for a
 * scalar leaf or leaves of different lengths.
 * @example
 * ```ts
 * import { zeros } from 'puregrad'
 * import { rowCount } from 'puregrad/datasets'
 *
 * if (rowCount({ x: zeros([5, 3]), y: zeros([5]) }) !== 5) throw new Error('rowCount')
 * ```
 */
export const rowCount = (data: unknown, op = OP): number => {
  const leaves = treeLeavesWithPath<Tensor>(data, 'data')
  if (leaves.length === 0) throw new PuregradError('INVALID_ARGUMENT', 'the data record holds no tensors', op)
  let n = -1
  let first = ''
  for (const [path, t] of leaves) {
    if (t.rank === 0) throw new PuregradError('SHAPE_MISMATCH', `${path} is a scalar; every leaf needs a row axis (axis 0)`, op)
    if (n < 0) { n = t.shape[0]; first = `${path} ${fmtShape(t.shape)}` }
    else if (t.shape[0] !== n) throw new PuregradError('SHAPE_MISMATCH', `${path} ${fmtShape(t.shape)} has ${t.shape[0]} rows but ${first} has ${n}`, op)
  }
  return n
}

/**
 * The rows at `indices` of every leaf of `data` (int32 indices, in that order), as a record of
 * the same structure.
 *
 * @throws PuregradError `INDEX_OUT_OF_RANGE` for an index outside a leaf's rows.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { gatherRows } from 'puregrad/datasets'
 *
 * const data = { x: tensor([[1, 1], [2, 2], [3, 3]]), y: tensor([0, 1, 2], { dtype: 'int32' }) }
 * const picked = gatherRows(data, [2, 0])
 * if (picked.x.dataSync().join() !== '3,3,1,1' || picked.y.dataSync().join() !== '2,0') throw new Error('gatherRows')
 * ```
 */
export const gatherRows = <D>(data: D, indices: Tensor | Int32Array | readonly number[]): D => {
  const ix = Array.isArray(indices) || indices instanceof Int32Array
    ? fromTyped(Int32Array.from(indices as ArrayLike<number>), [indices.length], 'int32')
    : (indices as Tensor)
  return treeMap(data, (t: Tensor) => gather(t, ix, 0), 'data')
}

/**
 * How many batches `batches` yields for n rows.
 *
 * @example
 * ```ts
 * import { numBatches } from 'puregrad/datasets'
 *
 * if (numBatches(10, 4) !== 3 || numBatches(10, 4, true) !== 2) throw new Error('numBatches')
 * ```
 */
export const numBatches = (n: number, batchSize: number, dropRemainder = false): number =>
  dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize)

/**
 * Shuffled mini-batches of `data` (a record of tensors sharing axis 0): every row appears once per
 * pass; the last batch is smaller unless `dropRemainder`. `key` null keeps the stored order.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a batchSize that is not a positive integer, and the
 * errors of `rowCount`.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { key, foldIn } from 'puregrad/layers'
 * import { batches } from 'puregrad/datasets'
 *
 * const data = { x: tensor([[0], [1], [2], [3], [4]]), y: tensor([0, 1, 2, 3, 4], { dtype: 'int32' }) }
 * const epoch = batches(foldIn(key(0), 1), data, 2)
 * const seen: number[] = []
 * for (const b of epoch) seen.push(...b.y.dataSync())
 * if (epoch.length !== 3 || seen.length !== 5 || [...seen].sort().join() !== '0,1,2,3,4') throw new Error(`${seen}`)
 * ```
 */
export const batches = <D>(key: Key | null, data: D, batchSize: number, opts: BatchOptions = {}): Batches<D> => {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new PuregradError('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`, OP)
  const n = rowCount(data)
  const dropRemainder = opts.dropRemainder ?? false
  const count = numBatches(n, batchSize, dropRemainder)
  // The order is drawn once, lazily: `permutation` is the only source of randomness.
  let order: Int32Array | null = null
  const orderOf = (): Int32Array => {
    if (order === null) {
      if (key === null) order = Int32Array.from({ length: n }, (_, i) => i)
      else order = permutation(key, n).dataSync() as Int32Array
    }
    return order
  }
  return {
    length: count,
    rows: n,
    *[Symbol.iterator]() {
      const o = orderOf()
      for (let b = 0; b < count; b++) {
        const ix = o.slice(b * batchSize, Math.min(n, (b + 1) * batchSize))
        yield gatherRows(data, fromTyped(ix, [ix.length], 'int32'))
      }
    },
  }
}
