/**
 * Specialised inner loops for the hottest elementwise ops. A loop shared by every op calls its
 * scalar function through one call site, which V8 sees as megamorphic and will not inline (about
 * a third of an MLP step went there); one literal loop per op keeps each site monomorphic.
 * Ops without an entry use the generic loop in elementwise.ts: same results, slower.
 */

import type { TypedArray } from '../../core/dtype.js'
import type { BinaryPrimitive, ComparePrimitive, UnaryPrimitive } from '../../diff/primitives.js'

type T = TypedArray
export interface BinaryLoops {
  /** Same-shape operands. */
  readonly same: (a: T, b: T, y: T, n: number) => void
  /** Scalar right operand. */
  readonly right: (a: T, s: number, y: T, n: number) => void
  /** Scalar left operand. */
  readonly left: (s: number, b: T, y: T, n: number) => void
}

export const BINARY_LOOPS: { readonly [P in BinaryPrimitive | ComparePrimitive]?: BinaryLoops } = {
  add: {
    same: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] + b[i] },
    right: (a, s, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] + s },
    left: (s, b, y, n) => { for (let i = 0; i < n; i++) y[i] = s + b[i] },
  },
  sub: {
    same: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] - b[i] },
    right: (a, s, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] - s },
    left: (s, b, y, n) => { for (let i = 0; i < n; i++) y[i] = s - b[i] },
  },
  mul: {
    same: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] * b[i] },
    right: (a, s, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] * s },
    left: (s, b, y, n) => { for (let i = 0; i < n; i++) y[i] = s * b[i] },
  },
  div: {
    same: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] / b[i] },
    right: (a, s, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] / s },
    left: (s, b, y, n) => { for (let i = 0; i < n; i++) y[i] = s / b[i] },
  },
  greater: {
    same: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] > b[i] ? 1 : 0 },
    right: (a, s, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] > s ? 1 : 0 },
    left: (s, b, y, n) => { for (let i = 0; i < n; i++) y[i] = s > b[i] ? 1 : 0 },
  },
  equal: {
    same: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] === b[i] ? 1 : 0 },
    right: (a, s, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] === s ? 1 : 0 },
    left: (s, b, y, n) => { for (let i = 0; i < n; i++) y[i] = s === b[i] ? 1 : 0 },
  },
}

export const UNARY_LOOPS: { readonly [P in UnaryPrimitive]?: (x: T, y: T, n: number) => void } = {
  neg: (x, y, n) => { for (let i = 0; i < n; i++) y[i] = -x[i] },
  exp: (x, y, n) => { for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]) },
  log: (x, y, n) => { for (let i = 0; i < n; i++) y[i] = Math.log(x[i]) },
  tanh: (x, y, n) => { for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]) },
  sqrt: (x, y, n) => { for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]) },
  abs: (x, y, n) => { for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]) },
}
