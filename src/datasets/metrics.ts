/**
 * Classification metrics on the host: `accuracy` and `confusionMatrix` from predicted classes or
 * logits and int32 labels, `predictClasses` to run a model over a large input in chunks (so the
 * 10,000-image test set never needs one giant activation), and `formatConfusionMatrix` for a
 * terminal.
 */

import { PuregradError, fmtShape } from '../core/errors.js'
import type { Tensor } from '../core/tensor.js'
import { argmax } from '../ops/reduce.js'
import { slice } from '../ops/movement.js'

/**
 * Predicted classes as int32 values: int32 [n] as they are, float logits [n, k] by argmax.
 *
 * @throws PuregradError `SHAPE_MISMATCH` for anything else.
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { toClasses } from 'puregrad/datasets'
 *
 * if (toClasses(tensor([[0.1, 2], [3, -1]])).join() !== '1,0') throw new Error('toClasses')
 * ```
 */
export const toClasses = (predOrLogits: Tensor | Int32Array, op = 'toClasses'): Int32Array => {
  if (predOrLogits instanceof Int32Array) return predOrLogits
  const t = predOrLogits
  if (t.dtype === 'int32' && t.rank === 1) return t.dataSync() as Int32Array
  if ((t.dtype === 'float32' || t.dtype === 'float64') && t.rank === 2) return argmax(t, { axis: 1 }).dataSync() as Int32Array
  throw new PuregradError('SHAPE_MISMATCH', `expected int32 classes [n] or float logits [n, classes], got ${t.dtype} ${fmtShape(t.shape)}`, op)
}

const labelsOf = (labels: Tensor | Int32Array, n: number, op: string): Int32Array => {
  const l = labels instanceof Int32Array ? labels : labels.dtype === 'int32' && labels.rank === 1 ? labels.dataSync() as Int32Array : null
  if (l === null) throw new PuregradError('DTYPE_MISMATCH', 'labels must be int32 [n]', op)
  if (l.length !== n) throw new PuregradError('SHAPE_MISMATCH', `${n} predictions but ${l.length} labels`, op)
  return l
}

/**
 * The fraction of examples whose predicted class (int32 [n], or argmax of logits [n, k]) is the
 * label (int32 [n]); NaN for no examples.
 *
 * @throws PuregradError `SHAPE_MISMATCH` for predictions that are neither, or counts that differ;
 * `DTYPE_MISMATCH` for labels that are not int32 [n].
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { accuracy } from 'puregrad/datasets'
 *
 * const logits = tensor([[2, 0], [0, 2], [2, 0], [0, 2]])
 * if (accuracy(logits, tensor([0, 1, 1, 1], { dtype: 'int32' })) !== 0.75) throw new Error('accuracy')
 * ```
 */
export const accuracy = (predOrLogits: Tensor | Int32Array, labels: Tensor | Int32Array): number => {
  const p = toClasses(predOrLogits, 'accuracy')
  const l = labelsOf(labels, p.length, 'accuracy')
  let hits = 0
  for (let i = 0; i < p.length; i++) if (p[i] === l[i]) hits++
  return p.length === 0 ? Number.NaN : hits / p.length
}

/**
 * counts[t][p]: how many examples of true class t were predicted as p. `numClasses` defaults to
 * one more than the largest class seen.
 *
 * @throws PuregradError as `accuracy`, and `INDEX_OUT_OF_RANGE` for a class outside numClasses.
 * @example
 * ```ts
 * import { confusionMatrix } from 'puregrad/datasets'
 *
 * const m = confusionMatrix(Int32Array.of(0, 1, 1, 2), Int32Array.of(0, 1, 2, 2))
 * if (JSON.stringify(m) !== '[[1,0,0],[0,1,0],[0,1,1]]') throw new Error(JSON.stringify(m))
 * ```
 */
export const confusionMatrix = (predOrLogits: Tensor | Int32Array, labels: Tensor | Int32Array, numClasses?: number): number[][] => {
  const p = toClasses(predOrLogits, 'confusionMatrix')
  const l = labelsOf(labels, p.length, 'confusionMatrix')
  let k = numClasses ?? 0
  if (numClasses === undefined) for (let i = 0; i < p.length; i++) k = Math.max(k, p[i] + 1, l[i] + 1)
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || p[i] >= k || l[i] < 0 || l[i] >= k) {
      throw new PuregradError('INDEX_OUT_OF_RANGE', `example ${i}: class ${l[i]} predicted as ${p[i]}, outside 0..${k - 1}`, 'confusionMatrix')
    }
    m[l[i]][p[i]]++
  }
  return m
}

/**
 * Runs `f` (a batch [b, ...] to logits [b, k] or classes [b]) over `x` in chunks of `batchSize`
 * rows (default 1000) and returns the predicted classes of all rows.
 *
 * @throws PuregradError `SHAPE_MISMATCH` when f returns neither logits nor classes.
 * @example
 * ```ts
 * import { tensor, matmul } from 'puregrad'
 * import { predictClasses } from 'puregrad/datasets'
 *
 * const w = tensor([[1, -1], [-1, 1]])
 * const x = tensor([[1, 0], [0, 1], [2, 1]])
 * if (predictClasses((xb) => matmul(xb, w), x, 2).join() !== '0,1,0') throw new Error('predictClasses')
 * ```
 */
export const predictClasses = (f: (xb: Tensor) => Tensor, x: Tensor, batchSize = 1000): Int32Array => {
  const n = x.shape[0]
  const out = new Int32Array(n)
  for (let s = 0; s < n; s += batchSize) {
    const b = Math.min(batchSize, n - s)
    const begin = x.shape.map((_, i) => (i === 0 ? s : 0))
    const size = x.shape.map((d, i) => (i === 0 ? b : d))
    out.set(toClasses(f(slice(x, begin, size)), 'predictClasses'), s)
  }
  return out
}

/**
 * The matrix as aligned text: one row per true class (named by `names`), a column per prediction,
 * recall at the right.
 *
 * @example
 * ```ts
 * import { formatConfusionMatrix } from 'puregrad/datasets'
 *
 * const text = formatConfusionMatrix([[3, 1], [0, 4]], ['cat', 'dog'])
 * const lines = text.split('\n')
 * if (lines.length !== 3 || !lines[1].startsWith('cat') || !lines[1].endsWith('0.750')) throw new Error(text)
 * ```
 */
export const formatConfusionMatrix = (m: readonly (readonly number[])[], names?: readonly string[]): string => {
  const k = m.length
  const label = (i: number): string => names?.[i] ?? String(i)
  const w = Math.max(5, ...m.flat().map((v) => String(v).length))
  const lw = Math.max(4, ...Array.from({ length: k }, (_, i) => label(i).length))
  const head = `${'true\\pred'.padEnd(lw)} ${Array.from({ length: k }, (_, j) => String(j).padStart(w)).join(' ')}  recall`
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0)
    const recall = total === 0 ? '   -' : (row[i] / total).toFixed(3)
    return `${label(i).padEnd(lw)} ${row.map((v) => String(v).padStart(w)).join(' ')}  ${recall}`
  })
  return [head, ...rows].join('\n')
}
