/**
 * Reverse-mode rules: for each primitive, the cotangent of every operand (null for none) from
 * the output cotangent, the primal operands and the primal output. Written with puregrad's own
 * ops, never with a backend, so grad of grad works and every backend shares them.
 */

import type { Tensor } from '../core/tensor.js'
import { bind } from './bind.js'
import type { Primitive, PrimitiveParams, PrimitiveTable } from './primitives.js'
import { add, cast, cos, div, exp, mul, neg, sign, sin, sub } from '../ops/elementwise.js'
import { equal, greater, less, notEqual, where } from '../ops/compare.js'
import { constantValue, scalarLike } from '../ops/convert.js'
import { safeLog, unbroadcast, winWeight } from './rule-helpers.js'
import { isFloat } from '../core/dtype.js'

/**
 * `needs[i]` says whether operand i wants a cotangent (it is traced and float); a rule may skip
 * the work for the others and return null there, which matters most for constants like `x * 2`.
 */
export type VjpRule<P extends Primitive> = (
  ct: Tensor, primals: readonly Tensor[], params: PrimitiveParams[P], out: Tensor, needs: readonly boolean[],
) => readonly (Tensor | null)[]

type Table = PrimitiveTable<{ [P in Primitive]: VjpRule<P> }>

const none: VjpRule<Primitive> = (_, xs) => xs.map(() => null)
const scaled = <P extends Primitive>(f: (x: Tensor, out: Tensor) => Tensor): VjpRule<P> => (ct, [x], _, out) => [mul(ct, f(x, out))]

/**
 * `r`, a contribution ct * (local derivative), with exact zeros where the cotangent is 0 and r is
 * NaN. A zero cotangent means the output does not matter (the unpicked side of a `where`), so the
 * infinite or NaN derivative of sqrt or log at 0 or below, of x / 0, or of an overflowed exp there
 * gives 0, not 0 * Inf = NaN. Elsewhere r is untouched, so higher derivatives are unchanged
 * wherever the local derivative is finite. Used by the rules whose derivative can be infinite at a
 * finite input (exp, expm1, log, log1p, sqrt, div, pow) and by mul (x * log(x) at 0).
 *
 * The masking costs four elementwise ops (65-90% more time for a chain of products of two traced
 * tensors, docs/reliability.md), and it is the identity unless r holds a NaN. So where the backend
 * reads synchronously (js, wasm: host memory) r is scanned on the host first, and the ops are built
 * only when it does hold one; the scan (a copy and a loop) costs a fraction of them. WebGPU cannot
 * read without stalling its queue and always builds them.
 */
const zeroSafe = (ct: Tensor, r: Tensor): Tensor =>
  (noNaNOnHost(r) ? r : where(equal(ct, scalarLike(0, ct)), where(notEqual(r, r), scalarLike(0, r), r), r))

/** Whether the values of `t` (its primal, under a trace) are known to hold no NaN: read on the host where the backend can. */
const noNaNOnHost = (t: Tensor): boolean => {
  const c = t.concrete()
  if (c.backend === null || !c.backend.capabilities.syncRead) return false
  const v = c.dataSync()
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) return false
  return true
}

/**
 * Whether `t` is a scalar constant (the 1.01 of `mul(x, 1.01)`) that is finite (and non-zero, with
 * `nonZero`): multiplying or dividing a cotangent by it cannot make a NaN from a zero, so
 * zeroSafe is skipped. Its value is known on the host (constantValue), on every backend.
 */
const tameScalar = (t: Tensor, nonZero: boolean): boolean => {
  const v = constantValue(t)
  return v !== undefined && Number.isFinite(v) && (!nonZero || v !== 0)
}
const scaledSafe = <P extends Primitive>(f: (x: Tensor, out: Tensor) => Tensor): VjpRule<P> => (ct, [x], _, out) => [zeroSafe(ct, mul(ct, f(x, out)))]

/** Undoes the reduction's dropped axes so the cotangent broadcasts back over the input. */
const keptShape = (x: Tensor, axes: readonly number[]): number[] => x.shape.map((d, i) => (axes.includes(i) ? 1 : d))

const inversePerm = (perm: readonly number[]): number[] => {
  const inv = new Array<number>(perm.length)
  perm.forEach((p, i) => { inv[p] = i })
  return inv
}

export const vjpRules: Table = {
  neg: (ct) => [neg(ct)],
  exp: scaledSafe((_, out) => out),
  log: (ct, [x]) => [zeroSafe(ct, div(ct, x))],
  sin: scaled((x) => cos(x)),
  cos: scaled((x) => neg(sin(x))),
  sqrt: (ct, _, __, out) => [zeroSafe(ct, div(ct, mul(scalarLike(2, out), out)))],
  tanh: scaled((_, out) => sub(scalarLike(1, out), mul(out, out))),
  abs: scaled((x) => sign(x)),
  sign: none, floor: none, ceil: none, round: none,
  erf: scaled((x) => mul(scalarLike(2 / Math.sqrt(Math.PI), x), exp(neg(mul(x, x))))),
  log1p: (ct, [x]) => [zeroSafe(ct, div(ct, add(x, scalarLike(1, x))))],
  expm1: scaledSafe((_, out) => add(out, scalarLike(1, out))),
  add: (ct, [a, b], _, __, n) => [n[0] ? unbroadcast(ct, a.shape) : null, n[1] ? unbroadcast(ct, b.shape) : null],
  sub: (ct, [a, b], _, __, n) => [n[0] ? unbroadcast(ct, a.shape) : null, n[1] ? unbroadcast(neg(ct), b.shape) : null],
  mul: (ct, [a, b], _, __, n) => [
    n[0] ? unbroadcast(tameScalar(b, false) ? mul(ct, b) : zeroSafe(ct, mul(ct, b)), a.shape) : null,
    n[1] ? unbroadcast(tameScalar(a, false) ? mul(ct, a) : zeroSafe(ct, mul(ct, a)), b.shape) : null,
  ],
  div: (ct, [a, b], _, out, n) => [
    n[0] ? unbroadcast(tameScalar(b, true) ? div(ct, b) : zeroSafe(ct, div(ct, b)), a.shape) : null,
    n[1] ? unbroadcast(zeroSafe(ct, neg(div(mul(ct, out), b))), b.shape) : null,
  ],
  pow: (ct, [a, b], _, out, n) => [
    n[0] ? unbroadcast(zeroSafe(ct, mul(ct, mul(b, bind('pow', [a, sub(b, scalarLike(1, b))], {})))), a.shape) : null,
    n[1] ? unbroadcast(zeroSafe(ct, mul(ct, mul(safeLog(a), out))), b.shape) : null,
  ],
  maximum: (ct, [a, b], _, __, n) => [n[0] ? unbroadcast(mul(ct, winWeight(a, b, greater)), a.shape) : null, n[1] ? unbroadcast(mul(ct, winWeight(b, a, greater)), b.shape) : null],
  minimum: (ct, [a, b], _, __, n) => [n[0] ? unbroadcast(mul(ct, winWeight(a, b, less)), a.shape) : null, n[1] ? unbroadcast(mul(ct, winWeight(b, a, less)), b.shape) : null],
  equal: none, notEqual: none, less: none, lessEqual: none, greater: none, greaterEqual: none,
  where: (ct, [c, a, b], _, __, n) => {
    const z = scalarLike(0, ct)
    return [null, n[1] ? unbroadcast(where(c, ct, z), a.shape) : null, n[2] ? unbroadcast(where(c, z, ct), b.shape) : null]
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
  matmul: (ct, [a, b], { transposeA: tA, transposeB: tB }, _, n) => {
    const da = !n[0] ? null : tA ? bind('matmul', [b, ct], { transposeA: tB, transposeB: true }) : bind('matmul', [ct, b], { transposeA: false, transposeB: !tB })
    const db = !n[1] ? null : tB ? bind('matmul', [ct, a], { transposeA: true, transposeB: tA }) : bind('matmul', [a, ct], { transposeA: !tA, transposeB: false })
    return [da && unbroadcast(da, a.shape), db && unbroadcast(db, b.shape)]
  },
  reshape: (ct, [x]) => [bind('reshape', [ct], { shape: x.shape })],
  transpose: (ct, _, { perm }) => [bind('transpose', [ct], { perm: inversePerm(perm) })],
  broadcastTo: (ct, [x]) => [unbroadcast(ct, x.shape)],
  slice: (ct, [x], { begin, size }) => [bind('pad', [ct], { widths: x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as const), value: 0 })],
  concat: (ct, xs, { axis }, _, n) => {
    let off = 0
    return xs.map((x, k) => {
      const begin = x.shape.map((_, i) => (i === axis ? off : 0))
      off += x.shape[axis]
      return n[k] ? bind('slice', [ct], { begin, size: x.shape }) : null
    })
  },
  pad: (ct, [x], { widths }) => [bind('slice', [ct], { begin: widths.map((w) => w[0]), size: x.shape })],
  gather: (ct, [x, ix], { axis }) => [bind('scatterAdd', [ct, ix], { axis, size: x.shape[axis] }), null],
  scatterAdd: (ct, [, ix], { axis }) => [bind('gather', [ct, ix], { axis }), null],
  conv2d: (ct, [x, w], p, _, n) => [
    n[0] ? bind('conv2dBackInput', [ct, w], { ...p, inputShape: x.shape }) : null,
    n[1] ? bind('conv2dBackFilter', [x, ct], { ...p, filterShape: w.shape }) : null,
  ],
  conv2dBackInput: (ct, [dy, w], { strides, dilations, pads }, _, n) => [
    n[0] ? bind('conv2d', [ct, w], { strides, dilations, pads }) : null,
    n[1] ? bind('conv2dBackFilter', [ct, dy], { strides, dilations, pads, filterShape: w.shape }) : null,
  ],
  conv2dBackFilter: (ct, [x, dy], { strides, dilations, pads }, _, n) => [
    n[0] ? bind('conv2dBackInput', [dy, ct], { strides, dilations, pads, inputShape: x.shape }) : null,
    n[1] ? bind('conv2d', [x, ct], { strides, dilations, pads }) : null,
  ],
  maxPool: (ct, [x], p) => [bind('maxPoolScatter', [x, ct], p)],
  maxPoolSelect: (ct, [x], p) => [null, bind('maxPoolScatter', [x, ct], p)],
  maxPoolScatter: (ct, [x], p) => [null, bind('maxPoolSelect', [x, ct], p)],
  avgPool: (ct, [x], p) => [bind('avgPoolGrad', [ct], { ...p, inputShape: x.shape })],
  avgPoolGrad: (ct, _, { window, strides, pads }) => [bind('avgPool', [ct], { window, strides, pads })],
  cast: (ct, [x], { dtype }) => [isFloat(x.dtype) && isFloat(dtype) ? cast(ct, x.dtype) : null],
  stopGradient: none,
}
