/**
 * The JS half of the kernels' strided row walks (assembly/walk.ts): coalesces an iteration shape
 * and the operands' element strides, exactly as the JS backend's RowCursor does (axes of length 1
 * dropped, neighbours merged where every operand steps through them as one), and lays the result
 * out as the i32 block the kernels read. Broadcasting [N,H,W,C] with [C] thus becomes one outer
 * axis of N*H*W rows of C, and same-shape operands a single row.
 */

import { coalesce } from '../js/strides.js'

export interface Walk {
  /** Number of rows the kernel visits (0 when the shape holds no elements). */
  readonly rows: number
  readonly len: number
  /** The i32 block: [R, len, k, inner[k], shape[R], strides[k][R], idx[R], off[k]]. */
  readonly block: number[]
}

export const walk = (shape: readonly number[], strides: readonly (readonly number[])[]): Walk => {
  const k = strides.length
  let total = 1
  for (const d of shape) total *= d
  const { shape: cShape, strides: cStrides } = coalesce(shape, strides)
  const r = Math.max(0, cShape.length - 1)
  const len = cShape.length === 0 ? 1 : cShape[cShape.length - 1]
  const block = [r, len, k]
  for (let j = 0; j < k; j++) block.push(cShape.length === 0 ? 1 : cStrides[j][r])
  for (let d = 0; d < r; d++) block.push(cShape[d])
  for (let j = 0; j < k; j++) for (let d = 0; d < r; d++) block.push(cStrides[j][d])
  for (let i = 0; i < r + k; i++) block.push(0)
  return { rows: total === 0 ? 0 : total / len, len, block }
}
