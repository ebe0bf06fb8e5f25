/**
 * Forward-mode rules: for each primitive, the output tangent from the primals, the input
 * tangents (null is a symbolic zero) and the primal output. Written with puregrad's own ops, so
 * they are themselves differentiable, which is what makes derivatives nest.
 */

import type { Tensor } from '../core/tensor.js'
import { bind } from './bind.js'
import type { Primitive, PrimitiveParams, PrimitiveTable } from './primitives.js'
import { add, cos, div, exp, mul, neg, sign, sin, sub, cast } from '../ops/elementwise.js'
import { greater, less, equal, where } from '../ops/compare.js'
import { scalarLike } from '../ops/convert.js'
import { broadcastTangent, safeLog, sumTerms, winWeight } from './rule-helpers.js'
import { isFloat } from '../core/dtype.js'
import { zerosLike } from '../core/constructors.js'

export type JvpRule<P extends Primitive> = (
  primals: readonly Tensor[], tangents: readonly (Tensor | null)[], params: PrimitiveParams[P], out: Tensor,
) => Tensor | null

type Table = PrimitiveTable<{ [P in Primitive]: JvpRule<P> }>

const zero: JvpRule<Primitive> = () => null
/** For a primitive linear in its operands: the same primitive applied to the tangents. */
const linear = <P extends Primitive>(prim: P): JvpRule<P> => (_, [t], params) =>
  t === null ? null : bind(prim, [t], params)
const scaled = <P extends Primitive>(f: (x: Tensor, out: Tensor) => Tensor): JvpRule<P> => ([x], [t], _, out) =>
  t === null ? null : mul(t, f(x, out))
const orZeros = (t: Tensor | null, like: Tensor): Tensor => t ?? zerosLike(like)

export const jvpRules: Table = {
  neg: ([], [t]) => (t === null ? null : neg(t)),
  exp: scaled((_, out) => out),
  log: ([x], [t]) => (t === null ? null : div(t, x)),
  sin: scaled((x) => cos(x)),
  cos: scaled((x) => neg(sin(x))),
  sqrt: ([], [t], _, out) => (t === null ? null : div(t, mul(scalarLike(2, out), out))),
  tanh: scaled((_, out) => sub(scalarLike(1, out), mul(out, out))),
  abs: scaled((x) => sign(x)),
  sign: zero, floor: zero, ceil: zero, round: zero,
  erf: scaled((x) => mul(scalarLike(2 / Math.sqrt(Math.PI), x), exp(neg(mul(x, x))))),
  log1p: ([x], [t]) => (t === null ? null : div(t, add(x, scalarLike(1, x)))),
  expm1: scaled((_, out) => add(out, scalarLike(1, out))),
  add: (_, [ta, tb], __, out) => sumTerms(out.shape, ta, tb),
  sub: (_, [ta, tb], __, out) => sumTerms(out.shape, ta, tb === null ? null : neg(tb)),
  mul: ([a, b], [ta, tb], _, out) => sumTerms(out.shape, ta && mul(ta, b), tb && mul(a, tb)),
  div: ([, b], [ta, tb], _, out) => sumTerms(out.shape, ta && div(ta, b), tb && neg(div(mul(tb, out), b))),
  pow: ([a, b], [ta, tb], _, out) => sumTerms(
    out.shape,
    ta && mul(ta, mul(b, bind('pow', [a, sub(b, scalarLike(1, b))], {}))),
    tb && mul(tb, mul(safeLog(a), out)),
  ),
  maximum: ([a, b], [ta, tb], _, out) => sumTerms(out.shape, ta && mul(ta, winWeight(a, b, greater)), tb && mul(tb, winWeight(b, a, greater))),
  minimum: ([a, b], [ta, tb], _, out) => sumTerms(out.shape, ta && mul(ta, winWeight(a, b, less)), tb && mul(tb, winWeight(b, a, less))),
  equal: zero, notEqual: zero, less: zero, lessEqual: zero, greater: zero, greaterEqual: zero,
  where: ([c, a, b], [, ta, tb], _, out) => {
    if (ta === null && tb === null) return null
    return broadcastTangent(where(c, orZeros(ta, a), orZeros(tb, b)), out.shape)
  },
  sum: linear('sum'),
  max: ([x], [t], { axes, keepDims }, out) => {
    if (t === null) return null
    const kept = keepDims ? out : bind('reshape', [out], { shape: x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) })
    const mask = cast(equal(x, kept), x.dtype)
    const count = bind('sum', [mask], { axes, keepDims })
    return div(bind('sum', [mul(t, mask)], { axes, keepDims }), count)
  },
  argmax: zero,
  cumsum: linear('cumsum'),
  matmul: ([a, b], [ta, tb], params, out) =>
    sumTerms(out.shape, ta && bind('matmul', [ta, b], params), tb && bind('matmul', [a, tb], params)),
  reshape: linear('reshape'),
  transpose: linear('transpose'),
  broadcastTo: linear('broadcastTo'),
  slice: linear('slice'),
  concat: (xs, ts, params) => (ts.every((t) => t === null) ? null : bind('concat', ts.map((t, i) => orZeros(t, xs[i])), params)),
  pad: (_, [t], params) => (t === null ? null : bind('pad', [t], { ...params, value: 0 })),
  gather: ([, ix], [t], params) => (t === null ? null : bind('gather', [t, ix], params)),
  scatterAdd: ([, ix], [t], params) => (t === null ? null : bind('scatterAdd', [t, ix], params)),
  conv2d: ([x, w], [tx, tw], p, out) => sumTerms(out.shape, tx && bind('conv2d', [tx, w], p), tw && bind('conv2d', [x, tw], p)),
  conv2dBackInput: ([dy, w], [tdy, tw], p, out) =>
    sumTerms(out.shape, tdy && bind('conv2dBackInput', [tdy, w], p), tw && bind('conv2dBackInput', [dy, tw], p)),
  conv2dBackFilter: ([x, dy], [tx, tdy], p, out) =>
    sumTerms(out.shape, tx && bind('conv2dBackFilter', [tx, dy], p), tdy && bind('conv2dBackFilter', [x, tdy], p)),
  maxPool: ([x], [t], p) => (t === null ? null : bind('maxPoolSelect', [x, t], p)),
  maxPoolSelect: ([x], [, t], p) => (t === null ? null : bind('maxPoolSelect', [x, t], p)),
  maxPoolScatter: ([x], [, t], p) => (t === null ? null : bind('maxPoolScatter', [x, t], p)),
  avgPool: linear('avgPool'),
  avgPoolGrad: linear('avgPoolGrad'),
  cast: ([x], [t], { dtype }) => (t === null || !isFloat(x.dtype) || !isFloat(dtype) ? null : cast(t, dtype)),
  stopGradient: zero,
}
