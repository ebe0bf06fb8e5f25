/**
 * Batched matrix product of the JS backend. The operands arrive as stored (a transposed operand
 * is read in place, never copied), so each of the four transpose cases gets its own loop order
 * chosen to keep the innermost loop on contiguous memory.
 */

import { allocTyped, type TypedArray } from '../../core/dtype.js'
import type { Kernel } from '../backend.js'
import { broadcastStrides, RowCursor, sizeOf } from './strides.js'

/**
 * For every output batch index, the matrix index into a and into b (numpy batch broadcasting).
 * One small array per call, so the product loops themselves do no index arithmetic.
 */
const batchPairs = (aBatch: readonly number[], bBatch: readonly number[], outBatch: readonly number[]): [Int32Array, Int32Array] => {
  const count = sizeOf(outBatch)
  const ia = new Int32Array(count)
  const ib = new Int32Array(count)
  if (count === 0) return [ia, ib]
  const c = new RowCursor(outBatch, [broadcastStrides(aBatch, outBatch), broadcastStrides(bBatch, outBatch)])
  const { len, inner, off } = c
  let o = 0
  for (let r = 0; r < c.rows; r++) {
    for (let j = 0; j < len; j++, o++) {
      ia[o] = off[0] + j * inner[0]
      ib[o] = off[1] + j * inner[1]
    }
    c.next()
  }
  return [ia, ib]
}

export const matmul: Kernel<'matmul', TypedArray> = (inputs, params, out) => {
  const A = inputs[0]
  const B = inputs[1]
  const a = A.data
  const b = B.data
  const ra = A.shape.length
  const rb = B.shape.length
  const ro = out.shape.length
  const m = out.shape[ro - 2]
  const n = out.shape[ro - 1]
  const k = params.transposeA ? A.shape[ra - 2] : A.shape[ra - 1]
  const [ia, ib] = batchPairs(A.shape.slice(0, ra - 2), B.shape.slice(0, rb - 2), out.shape.slice(0, ro - 2))
  const y = allocTyped(out.dtype, sizeOf(out.shape))
  // Accumulating in float64 costs nothing extra in JS (all arithmetic is double) and keeps
  // float32 and int32 products from rounding at every partial sum.
  const row = new Float64Array(Math.max(m, n))
  const ta = params.transposeA
  const tb = params.transposeB
  const mk = m * k
  const kn = k * n
  const mn = m * n
  for (let bi = 0; bi < ia.length; bi++) {
    const aOff = ia[bi] * mk
    const bOff = ib[bi] * kn
    const yOff = bi * mn
    if (!tb) {
      // a[i,p] (or a[p,i] stored) times b[p,:]: i-p-j, inner loop along a row of b.
      for (let i = 0; i < m; i++) {
        row.fill(0, 0, n)
        for (let p = 0; p < k; p++) {
          const av = ta ? a[aOff + p * m + i] : a[aOff + i * k + p]
          const bRow = bOff + p * n
          for (let j = 0; j < n; j++) row[j] += av * b[bRow + j]
        }
        const yRow = yOff + i * n
        for (let j = 0; j < n; j++) y[yRow + j] = row[j]
      }
    } else if (!ta) {
      // b stored [n, k]: row i of a and row j of b are both contiguous, so a dot product.
      for (let i = 0; i < m; i++) {
        const aRow = aOff + i * k
        const yRow = yOff + i * n
        for (let j = 0; j < n; j++) {
          const bRow = bOff + j * k
          let s = 0
          for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p]
          y[yRow + j] = s
        }
      }
    } else {
      // a stored [k, m], b stored [n, k]: compute column j of the result as b[j,:] @ a, whose
      // inner loop runs along a row of a.
      for (let j = 0; j < n; j++) {
        row.fill(0, 0, m)
        const bRow = bOff + j * k
        for (let p = 0; p < k; p++) {
          const bv = b[bRow + p]
          const aRow = aOff + p * m
          for (let i = 0; i < m; i++) row[i] += bv * a[aRow + i]
        }
        for (let i = 0; i < m; i++) y[yOff + i * n + j] = row[i]
      }
    }
  }
  return y
}
