/**
 * Activation functions, built from primitives so they differentiate to any order. Each is
 * numerically stable over the whole float range: no branch ever evaluates exp of a large
 * positive number, including the branch `where` discards (whose NaNs would leak into gradients).
 *
 * Derivatives at kinks (where the function is not differentiable) are conventions:
 * - relu: 0 at x = 0.
 * - leakyRelu: alpha at x = 0 (the left slope).
 * - elu / selu: the left derivative at x = 0 (alpha, scale * alpha); with elu's default alpha = 1
 *   the function is C1 and there is no kink in the first derivative.
 * Every other function here is smooth (C-infinity).
 */

import type { Tensor } from '../core/tensor.js'
import { scalarLike } from '../ops/convert.js'
import { add, erf, exp, expm1, greater, log1p, mul, tanh, where } from '../ops/elementwise.js'
import { logSoftmax, logSumExp, relu, sigmoid, softmax } from '../ops/nn.js'

export { relu, sigmoid, softmax, logSoftmax, logSumExp, tanh }

const c = (v: number, like: Tensor): Tensor => scalarLike(v, like)

/** x for x > 0, alpha x otherwise (default alpha 0.01). */
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => where(greater(x, c(0, x)), x, mul(c(alpha, x), x))

/**
 * x for x > 0, alpha (e^x - 1) otherwise. The exponential sees x only where x <= 0 (0 elsewhere),
 * so the unused branch cannot overflow; `where` rather than min(x, 0) keeps the derivative at 0
 * whole (minimum splits a tie's gradient in half).
 */
export const elu = (x: Tensor, alpha = 1): Tensor => {
  const pos = greater(x, c(0, x))
  return where(pos, x, mul(c(alpha, x), expm1(where(pos, c(0, x), x))))
}

/** The fixed point constants of Klambauer et al., "Self-Normalizing Neural Networks" (2017). */
export const SELU_ALPHA = 1.6732632423543772848170429916717
export const SELU_SCALE = 1.0507009873554804934193349852946

export const selu = (x: Tensor): Tensor => mul(c(SELU_SCALE, x), elu(x, SELU_ALPHA))

/**
 * Beyond this, log(1 + e^x) equals x to within half an ulp in float64 (e^-40 < 4.3e-18), so
 * softplus switches to the identity and exp never sees anything larger.
 */
const SOFTPLUS_LINEAR = 40

/**
 * log(1 + e^x), stable for large |x|: x above 40, log1p(exp(x)) at or below (exp never sees more).
 * Unlike max(x, 0) + log1p(exp(-|x|)), this form is smooth at 0, so its second derivative
 * there is sigmoid'(0) = 1/4 rather than the 0 that abs's kink would give.
 */
export const softplus = (x: Tensor): Tensor => {
  const limit = c(SOFTPLUS_LINEAR, x)
  const linear = greater(x, limit)
  return where(linear, x, log1p(exp(where(linear, limit, x))))
}

/** x sigmoid(beta x) (Ramachandran et al.); beta = 1 is SiLU. */
export const swish = (x: Tensor, beta = 1): Tensor => mul(x, sigmoid(beta === 1 ? x : mul(c(beta, x), x)))

/** x sigmoid(x) (Hendrycks & Gimpel; Elfwing et al.). */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x))

/** x tanh(softplus(x)) (Misra, 2019). */
export const mish = (x: Tensor): Tensor => mul(x, tanh(softplus(x)))

export interface GeluOptions {
  /** Use the tanh approximation of Hendrycks & Gimpel instead of the exact erf form. Default false. */
  readonly approximate?: boolean
}

const SQRT_HALF = Math.SQRT1_2
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/**
 * x Φ(x) = x (1 + erf(x / √2)) / 2 (exact, the default), or with `approximate`:
 * x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2.
 */
export const gelu = (x: Tensor, opts: GeluOptions = {}): Tensor => {
  const half = mul(c(0.5, x), x)
  if (opts.approximate === true) {
    const inner = mul(c(SQRT_2_OVER_PI, x), add(x, mul(c(0.044715, x), mul(x, mul(x, x)))))
    return mul(half, add(c(1, x), tanh(inner)))
  }
  return mul(half, add(c(1, x), erf(mul(c(SQRT_HALF, x), x))))
}

/** The tanh form of gelu. */
export const geluTanh = (x: Tensor): Tensor => gelu(x, { approximate: true })
