/**
 * Small differentiable helpers shared by the JVP and VJP tables: undoing broadcasting, summing
 * possibly-zero terms, and the tie-splitting weights of maximum/minimum.
 */

import type { Tensor } from '../core/tensor.js'
import { shapesEqual, type Shape } from '../core/shape.js'
import { bind } from './bind.js'
import { add, log } from '../ops/elementwise.js'
import { equal, greater, less, where } from '../ops/compare.js'
import { scalarLike } from '../ops/convert.js'

/** Sums `g` down to `shape`, the inverse of numpy broadcasting `shape` up to `g.shape`. */
export const unbroadcast = (g: Tensor, shape: Shape): Tensor => {
  if (shapesEqual(g.shape, shape)) return g
  const lead = g.rank - shape.length
  const axes: number[] = []
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i)
  const s = axes.length === 0 ? g : bind('sum', [g], { axes, keepDims: false })
  return shapesEqual(s.shape, shape) ? s : bind('reshape', [s], { shape: [...shape] })
}

export const broadcastTangent = (t: Tensor, shape: Shape): Tensor =>
  shapesEqual(t.shape, shape) ? t : bind('broadcastTo', [t], { shape: [...shape] })

/** The sum of the non-zero terms, broadcast to `shape`; null when every term is zero. */
export const sumTerms = (shape: Shape, ...terms: (Tensor | null)[]): Tensor | null => {
  let acc: Tensor | null = null
  for (const t of terms) if (t !== null) acc = acc === null ? t : add(acc, t)
  return acc === null ? null : broadcastTangent(acc, shape)
}

/** 1 where `a` wins, 0.5 at ties, 0 where it loses (`wins` is greater for max, less for min). */
export const winWeight = (a: Tensor, b: Tensor, wins: typeof greater | typeof less): Tensor => {
  const one = scalarLike(1, a), half = scalarLike(0.5, a), zero = scalarLike(0, a)
  return where(wins(a, b), one, where(equal(a, b), half, zero))
}

/** log(x) with log(0) replaced by 0: d/db a^b at a = 0 is 0 times a finite value, not NaN. */
export const safeLog = (x: Tensor): Tensor => log(where(equal(x, scalarLike(0, x)), scalarLike(1, x), x))

