/**
 * Embedding: a lookup table from int32 token ids to learned vectors, by `gather` (whose gradient
 * scatters back into the rows that were used).
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { gather } from '../ops/indexing.js'
import type { Initializer } from './initializers.js'
import { normal } from '../random/distributions.js'
import { EMPTY, checkInitKey, checkInputShape, checkPositiveInt, dtypeOf, type Empty, type Layer } from './layer.js'

export interface EmbeddingOptions {
  /** Default N(0, 1), as PyTorch. */
  readonly init?: Initializer
}

export interface EmbeddingParams { readonly table: Tensor }

const standardNormal: Initializer = (key, shape, dtype) => normal(key, shape, { dtype })

/** Maps ids [N, ...] (int32, in [0, vocabSize)) to vectors [N, ..., dim]. */
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
      if (x.dtype !== 'int32') throw new PuregradError('DTYPE_MISMATCH', `expected int32 token ids, got ${x.dtype} ${fmtShape(x.shape)}`, name)
      return [gather(params.table, x, 0), state]
    },
  }
}
