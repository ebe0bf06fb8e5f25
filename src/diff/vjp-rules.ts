/**
 * Reverse-mode rules: for each primitive, the cotangent of every operand (null for none) from
 * the output cotangent, the primal operands and the primal output. Written with puregrad's own
 * ops, never with a backend, so grad of grad works and every backend shares them.
 */

import type { Tensor } from '../core/tensor.js'
import { bind } from './bind.js'
import type { Primitive, PrimitiveParams, PrimitiveTable } from './primitives.js'
import { add, cast, cos, div, equal, exp, greater, less, mul, neg, sign, sin, sub, where } from '../ops/elementwise.js'
import { scalarLike } from '../ops/convert.js'
import { safeLog, unbroadcast, winWeight } from './rule-helpers.js'
import { isFloat } from '../core/dtype.js'

export type VjpRule<P extends Primitive> = (
  ct: Tensor, primals: readonly Tensor[], params: PrimitiveParams[P], out: Tensor,
) => readonly (Tensor | null)[]

type Table = PrimitiveTable<{ [P in Primitive]: VjpRule<P> }>

const none: VjpRule<Primitive> = (_, xs) => xs.map(() => null)
const scaled = <P extends Primitive>(f: (x: Tensor, out: Tensor) => Tensor): VjpRule<P> => (ct, [x], _, out) => [mul(ct, f(x, out))]

/** Undoes the reduction's dropped axes so the cotangent broadcasts back over the input. */
const keptShape = (x: Tensor, axes: readonly number[]): number[] => x.shape.map((d, i) => (axes.includes(i) ? 1 : d))

const inversePerm = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => { inv[p] = i })
  return inv
}

export const vjpRules: Table = {
  neg: (ct) => [neg(ct)],
  exp: scaled((_, out) => out),
  log: (ct, [x]) => [div(ct, x)],
  sin: scaled((x) => cos(x)),
  cos: scaled((x) => neg(sin(x))),
  sqrt: (ct, _, __, out) => [div(ct, mul(scalarLike(2, out), out))],
  tanh: scaled((_, out) => sub(scalarLike(1, out), mul(out, out))),
  abs: scaled((x) => sign(x)),
  sign: none, floor: none, ceil: none, round: none,
  erf: scaled((x) => mul(scalarLike(2 / Math.sqrt(Math.PI), x), exp(neg(mul(x, x))))),
  log1p: (ct, [x]) => [div(ct, add(x, scalarLike(1, x)))],
  expm1: scaled((_, out) => add(out, scalarLike(1, out))),
  add: (ct, [a, b]) => [unbroadcast(ct, a.shape), unbroadcast(ct, b.shape)],
  sub: (ct, [a, b]) => [unbroadcast(ct, a.shape), unbroadcast(neg(ct), b.shape)],
  mul: (ct, [a, b]) => [unbroadcast(mul(ct, b), a.shape), unbroadcast(mul(ct, a), b.shape)],
  div: (ct, [a, b], _, out) => [unbroadcast(div(ct, b), a.shape), unbroadcast(neg(div(mul(ct, out), b)), b.shape)],
  pow: (ct, [a, b], _, out) => [
    unbroadcast(mul(ct, mul(b, bind('pow', [a, sub(b, scalarLike(1, b))], {}))), a.shape),
    unbroadcast(mul(ct, mul(safeLog(a), out)), b.shape),
  ],
  maximum: (ct, [a, b]) => [unbroadcast(mul(ct, winWeight(a, b, greater)), a.shape), unbroadcast(mul(ct, winWeight(b, a, greater)), b.shape)],
  minimum: (ct, [a, b]) => [unbroadcast(mul(ct, winWeight(a, b, less)), a.shape), unbroadcast(mul(ct, winWeight(b, a, less)), b.shape)],
  equal: none, notEqual: none, less: none, lessEqual: none, greater: none, greaterEqual: none,
  where: (ct, [c, a, b]) => {
    const z = scalarLike(0, ct)
    return [null, unbroadcast(where(c, ct, z), a.shape), unbroadcast(where(c, z, ct), b.shape)]
  },
  sum: (ct, [x], { axes }) => [bind('broadcastTo', [bind('reshape', [ct], { shape: keptShape(x, axes) })], { shape: x.shape })],
  max: (ct, [x], { axes }, out) => {
    const shape = keptShape(x, axes)
    const mask = cast(equal(x, bind('reshape', [out], { shape })), x.dtype)
    const count = bind('sum', [mask], { axes, keepDims: true })
    return [mul(div(mask, count), bind('reshape', [ct], { shape }))]
  },
  argmax: none,
  cumsum: (ct, _, { axis, reverse }) => [bind('cumsum', [ct], { axis, reverse: !reverse })],
  matmul: (ct, [a, b], { transposeA: tA, transposeB: tB }) => {
    const da = tA ? bind('matmul', [b, ct], { transposeA: tB, transposeB: true }) : bind('matmul', [ct, b], { transposeA: false, transposeB: !tB })
    const db = tB ? bind('matmul', [ct, a], { transposeA: true, transposeB: tA }) : bind('matmul', [a, ct], { transposeA: !tA, transposeB: false })
    return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)]
  },
  reshape: (ct, [x]) => [bind('reshape', [ct], { shape: x.shape })],
  transpose: (ct, _, { perm }) => [bind('transpose', [ct], { perm: inversePerm(perm) })],
  broadcastTo: (ct, [x]) => [unbroadcast(ct, x.shape)],
  slice: (ct, [x], { begin, size }) => [bind('pad', [ct], { widths: x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as const), value: 0 })],
  concat: (ct, xs, { axis }) => {
    let off = 0
    return xs.map((x) => {
      const begin = x.shape.map((_, i) => (i === axis ? off : 0))
      off += x.shape[axis]
      return bind('slice', [ct], { begin, size: x.shape })
    })
  },
  pad: (ct, [x], { widths }) => [bind('slice', [ct], { begin: widths.map((w) => w[0]), size: x.shape })],
  gather: (ct, [x, ix], { axis }) => [bind('scatterAdd', [ct, ix], { axis, size: x.shape[axis] }), null],
  scatterAdd: (ct, [, ix], { axis }) => [bind('gather', [ct, ix], { axis }), null],
  conv2d: (ct, [x, w], p) => [
    bind('conv2dBackInput', [ct, w], { ...p, inputShape: x.shape }),
    bind('conv2dBackFilter', [x, ct], { ...p, filterShape: w.shape }),
  ],
  conv2dBackInput: (ct, [dy, w], { strides, dilations, pads }) => [
    bind('conv2d', [ct, w], { strides, dilations, pads }),
    bind('conv2dBackFilter', [ct, dy], { strides, dilations, pads, filterShape: w.shape }),
  ],
  conv2dBackFilter: (ct, [x, dy], { strides, dilations, pads }) => [
    bind('conv2dBackInput', [dy, ct], { strides, dilations, pads, inputShape: x.shape }),
    bind('conv2d', [x, ct], { strides, dilations, pads }),
  ],
  maxPool: (ct, [x], p) => [bind('maxPoolScatter', [x, ct], p)],
  maxPoolSelect: (ct, [x], p) => [null, bind('maxPoolScatter', [x, ct], p)],
  maxPoolScatter: (ct, [x], p) => [null, bind('maxPoolSelect', [x, ct], p)],
  avgPool: (ct, [x], p) => [bind('avgPoolGrad', [ct], { ...p, inputShape: x.shape })],
  avgPoolGrad: (ct, _, { window, strides, pads }) => [bind('avgPool', [ct], { window, strides, pads })],
  cast: (ct, [x], { dtype }) => [isFloat(x.dtype) && isFloat(dtype) ? cast(ct, x.dtype) : null],
  stopGradient: none,
}
