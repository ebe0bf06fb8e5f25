/**
 * Embedding: a lookup table from int32 token ids to learned vectors, by `gather` (whose gradient
 * scatters back into the rows that were used).
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { gather } from '../ops/indexing.js'
import type { Initializer } from './initializers.js'
import { normal } from '../random/distributions.js'
import { EMPTY, checkInitKey, checkInputShape, checkPositiveInt, dtypeOf, expectLeaves, type Empty, type Layer } from './layer.js'

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Default N(0, 1), as PyTorch. */
  readonly init?: Initializer
}

/** An embedding's parameters: the table [vocabSize, dim], row i the vector of token i. */
export interface EmbeddingParams { readonly table: Tensor }

const standardNormal: Initializer = (key, shape, dtype) => normal(key, shape, { dtype })

/**
 * Maps token ids [N, ...] (int32, in [0, vocabSize)) to vectors [N, ..., dim] by looking up rows
 * of its table [vocabSize, dim]; the gradient reaches only the rows that were used.
 *
 * @throws PuregradError `INVALID_ARGUMENT` when vocabSize or dim is not a positive integer; from
 * apply, `DTYPE_MISMATCH` for ids that are not int32 and `INDEX_OUT_OF_RANGE` for an id outside
 * [0, vocabSize).
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { embedding, key } from 'puregrad/layers'
 *
 * const layer = embedding(100, 8)
 * const { params, state, outputShape } = layer.init(key(0), [5])   // sequences of 5 ids
 * const ids = tensor([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], { dtype: 'int32' })
 * const [y] = layer.apply(params, state, ids)
 * if (y.shape.join() !== '2,5,8' || outputShape.join() !== '5,8') throw new Error(`got ${y.shape}`)
 * ```
 */
export const embedding = (vocabSize: number, dim: number, opts: EmbeddingOptions = {}): Layer<EmbeddingParams, Empty> => {
  const name = 'embedding'
  checkPositiveInt(name, 'vocabSize', vocabSize)
  checkPositiveInt(name, 'dim', dim)
  const init = opts.init ?? standardNormal
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const s = checkInputShape(name, inputShape, 0, 'of any rank')
      return { params: { table: init(key, [vocabSize, dim], dtypeOf(name, initOpts)) }, state: EMPTY, outputShape: [...s, dim] }
    },
    apply: (params, state, x) => {
      expectLeaves(name, 'params', params, { table: [vocabSize, dim] })
      if (x.dtype !== 'int32') throw new PuregradError('DTYPE_MISMATCH', `expected int32 token ids, got ${x.dtype} ${fmtShape(x.shape)}`, name)
      return [gather(params.table, x, 0), state]
    },
  }
}
