/**
 * Tests for the mini-batch iterator (src/datasets/batches.ts) and the metrics
 * (src/datasets/metrics.ts): every row exactly once per pass, rows of x and y kept together, the
 * same key giving the same order and another key another, the remainder kept or dropped, clear
 * errors for mismatched records; accuracy and confusion matrices from classes or logits.
 */

import { describe, expect, it } from 'vitest'
import { PuregradError, arange, cast, reshape, tensor, type Tensor } from '../../src/index.js'
import { foldIn, key } from '../../src/layers/index.js'
import {
  accuracy, batches, confusionMatrix, formatConfusionMatrix, gatherRows, numBatches, predictClasses, toClasses,
} from '../../src/datasets/index.js'

const data = (n: number) => ({
  x: reshape(cast(arange(0, 2 * n), 'float32'), [n, 2]), // row i is [2i, 2i+1]
  y: cast(arange(0, n), 'int32'),
})

const rowsOf = (bs: Iterable<{ x: Tensor; y: Tensor }>): number[][] =>
  [...bs].map((b) => Array.from(b.y.dataSync()))

describe('batches', () => {
  it('visits every row once, keeping x and y aligned, with a smaller last batch', () => {
    const d = data(10)
    const bs = batches(key(0), d, 4)
    expect(bs.length).toBe(3)
    expect(bs.rows).toBe(10)
    const all = [...bs]
    expect(all.map((b) => b.x.shape)).toEqual([[4, 2], [4, 2], [2, 2]])
    const seen = all.flatMap((b) => Array.from(b.y.dataSync()))
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) // shuffled
    for (const b of all) {
      const y = b.y.dataSync(), x = b.x.dataSync()
      y.forEach((row, i) => expect([x[2 * i], x[2 * i + 1]]).toEqual([2 * row, 2 * row + 1]))
    }
  })

  it('is a pure function of the key: same key same order (twice over), another key another', () => {
    const d = data(50)
    const a = batches(key(7), d, 8)
    expect(rowsOf(a)).toEqual(rowsOf(a))
    expect(rowsOf(batches(key(7), d, 8))).toEqual(rowsOf(a))
    expect(rowsOf(batches(foldIn(key(7), 1), d, 8))).not.toEqual(rowsOf(a))
  })

  it('drops the remainder on request and keeps the stored order with a null key', () => {
    const d = data(10)
    expect([...batches(key(0), d, 4, { dropRemainder: true })].map((b) => b.y.shape[0])).toEqual([4, 4])
    expect(numBatches(10, 4, true)).toBe(2)
    expect(rowsOf(batches(null, d, 3))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
  })

  it('works over any record of tensors sharing axis 0', () => {
    const rec = { inputs: [data(6).x, data(6).x], target: { y: data(6).y } }
    const [b] = [...batches(null, rec, 6)]
    expect(b.inputs[1].shape).toEqual([6, 2])
    expect(gatherRows(rec, [5, 0]).target.y.dataSync()).toEqual(Int32Array.from([5, 0]))
  })

  it('rejects mismatched row counts, scalars, empty records and bad batch sizes', () => {
    expect(() => batches(key(0), { x: data(3).x, y: data(4).y }, 2)).toThrow(/data\.y \[4\] has 4 rows but data\.x \[3,2\] has 3/)
    expect(() => batches(key(0), { x: tensor(1) }, 2)).toThrow(/data\.x is a scalar/)
    expect(() => batches(key(0), {}, 2)).toThrow(/holds no tensors/)
    expect(() => batches(key(0), data(3), 0)).toThrow(PuregradError)
  })
})

describe('metrics', () => {
  const labels = tensor([0, 1, 2, 2, 1], { dtype: 'int32' })
  const logits = tensor([[5, 1, 0], [0, 3, 1], [0, 4, 1], [1, 0, 2], [0, 2, 1]])

  it('accuracy from logits (argmax) or from int32 classes', () => {
    expect(toClasses(logits)).toEqual(Int32Array.from([0, 1, 1, 2, 1]))
    expect(accuracy(logits, labels)).toBeCloseTo(0.8, 12)
    expect(accuracy(Int32Array.from([0, 1, 2, 2, 0]), labels)).toBeCloseTo(0.8, 12)
    expect(() => accuracy(logits, tensor([0, 1], { dtype: 'int32' }))).toThrow(/5 predictions but 2 labels/)
  })

  it('confusion matrix: rows are true classes, columns predictions', () => {
    const m = confusionMatrix(logits, labels)
    expect(m).toEqual([[1, 0, 0], [0, 2, 0], [0, 1, 1]])
    expect(confusionMatrix(logits, labels, 4)[3]).toEqual([0, 0, 0, 0])
    const text = formatConfusionMatrix(m, ['a', 'b', 'c'])
    expect(text.split('\n')).toHaveLength(4)
    expect(text).toMatch(/^c\s+0\s+1\s+1\s+0\.500$/m)
  })

  it('predictClasses in chunks equals one pass', () => {
    const f = (x: Tensor): Tensor => x
    const x = tensor(Array.from({ length: 7 }, (_, i) => [i % 3, (i + 1) % 3, 0.5]))
    expect(predictClasses(f, x, 3)).toEqual(toClasses(x))
  })
})
