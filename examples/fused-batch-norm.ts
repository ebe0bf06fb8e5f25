/**
 * Batch normalisation with a hand-written reverse-mode rule (customVjp), for the Fashion-MNIST
 * CNN (examples/fashion.ts). It computes what `batchNorm` from puregrad/layers computes (same
 * params, state, momentum and epsilon) with far fewer full-size passes: the batch statistics are
 * constants, the normalisation is one per-channel affine map y = a x + b, and its VJP is the
 * closed form dx = a dy + c1 x + c0 (per-channel c0, c1, from sum(dy) and sum(dy x)).
 * Every per-channel reduction and broadcast is a matrix product over [rows, channels], which the
 * wasm backend runs in SIMD: sums are ones·X, sums of products are the diagonal of XᵀY, a
 * per-channel scale is X·diag(a) and a per-channel shift is the outer product ones·b. On the JS
 * kernels a reduction over the leading axes or a broadcasting add of a [C] vector costs several
 * times more than these products.
 * Reverse mode only: forward mode (jvp) through it would miss the statistics' dependence on x.
 */

import { add, customVjp, div, eye, matmul, maximum, mul, ones, reciprocal, reshape, sqrt, square, stopGradient, sub, sum, type Tensor } from '../src/index.js'
import { batchNorm, type BatchNormOptions, type BatchNormState, type Layer, type NormParams } from '../src/layers/index.js'

/** x viewed as [rows, channels]. */
const rows = (x: Tensor): Tensor => reshape(x, [-1, x.shape[x.rank - 1]])

/** The sum over every axis but the last (channels): ones [1, R] times x [R, C]. */
export const channelSum = (x: Tensor): Tensor => {
  const x2 = rows(x)
  return reshape(matmul(ones([1, x2.shape[0]], { dtype: x.dtype }), x2), [x2.shape[1]])
}

/** The per-channel sum of x * y (same shapes): the diagonal of xᵀ y [C, C]. */
export const channelDot = (x: Tensor, y: Tensor): Tensor => {
  const c = x.shape[x.rank - 1]
  return sum(mul(matmul(rows(x), rows(y), { transposeA: true }), eye(c, c, { dtype: x.dtype })), { axis: 0 })
}

/** x a + b per channel (last axis of x; a and b of shape [C]). */
export const channelAffine = (x: Tensor, a: Tensor, b: Tensor | null): Tensor => {
  const c = a.shape[0]
  const x2 = rows(x)
  const y = matmul(x2, mul(eye(c, c, { dtype: x.dtype }), a))
  return reshape(b === null ? y : add(y, matmul(ones([x2.shape[0], 1], { dtype: x.dtype }), reshape(b, [1, c]))), x.shape)
}

interface Residuals {
  readonly x: Tensor
  readonly m: Tensor
  readonly inv: Tensor
  readonly a: Tensor
  readonly n: number
}

/** 1 / sqrt(v + eps), per channel. */
const invStd = (v: Tensor, eps: number): Tensor => reciprocal(sqrt(add(v, eps)))

/** (x - m) / sqrt(v + eps) * gamma + beta, with m and v constants and the full BN gradient for x. */
const normalize = (eps: number) => {
  const forward = (x: Tensor, gamma: Tensor, beta: Tensor, m: Tensor, v: Tensor): readonly [Tensor, Residuals] => {
    const inv = invStd(v, eps)
    const a = mul(gamma, inv)
    const y = channelAffine(x, a, sub(beta, mul(m, a)))
    return [y, { x, m, inv, a, n: x.size / x.shape[x.rank - 1] }]
  }
  return customVjp(
    (x: Tensor, gamma: Tensor, beta: Tensor, m: Tensor, v: Tensor): Tensor => forward(x, gamma, beta, m, v)[0],
    forward,
    (r: Residuals, dy: Tensor) => {
      const dbeta = channelSum(dy)
      const dgamma = mul(sub(channelDot(dy, r.x), mul(r.m, dbeta)), r.inv)
      // dx = a dy - a/n dbeta - a inv/n dgamma (x - m) = a dy + c1 x + c0
      const k = div(mul(mul(r.a, r.inv), dgamma), r.n)
      const c0 = sub(mul(k, r.m), div(mul(r.a, dbeta), r.n))
      const dx = add(channelAffine(dy, r.a, null), channelAffine(r.x, k.neg(), c0))
      return [dx, dgamma, dbeta, null, null]
    },
  )
}

/** A drop-in for `batchNorm(opts)` from puregrad/layers, several times faster to train through. */
export const fusedBatchNorm = (opts: BatchNormOptions = {}): Layer<NormParams, BatchNormState> => {
  const reference = batchNorm(opts)
  const momentum = opts.momentum ?? 0.99
  const eps = opts.epsilon ?? 1e-5
  const norm = normalize(eps)
  return {
    name: 'fusedBatchNorm',
    init: reference.init,
    apply: (params, state, x, ctx = {}) => {
      if (ctx.training !== true) {
        const a = mul(params.gamma, invStd(state.var, eps))
        return [channelAffine(x, a, sub(params.beta, mul(state.mean, a))), state]
      }
      const n = x.size / x.shape[x.rank - 1]
      const c = stopGradient(x)
      const m = div(channelSum(c), n)
      const v = maximum(sub(div(channelDot(c, c), n), square(m)), 0)
      const update = (old: Tensor, batch: Tensor): Tensor => add(mul(old, momentum), mul(batch, 1 - momentum))
      return [norm(x, params.gamma, params.beta, m, v), { mean: update(state.mean, m), var: update(state.var, v) }]
    },
  }
}
