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
import { add, erf, exp, expm1, log1p, mul, tanh } from '../ops/elementwise.js'
import { greater, where } from '../ops/compare.js'
import { logSoftmax, logSumExp, relu, sigmoid, softmax } from '../ops/nn.js'

export { relu, sigmoid, softmax, logSoftmax, logSumExp, tanh }

const c = (v: number, like: Tensor): Tensor => scalarLike(v, like)

/**
 * Leaky ReLU: x for x > 0, alpha x otherwise (default alpha 0.01), elementwise; x's shape and
 * float dtype.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { leakyRelu } from 'puregrad/layers'
 *
 * const y = leakyRelu(tensor([-2, 3]), 0.1).dataSync()
 * if (Math.abs(y[0] + 0.2) > 1e-6 || y[1] !== 3) throw new Error(`got ${y}`)
 * ```
 */
export const leakyRelu = (x: Tensor, alpha = 0.01): Tensor => where(greater(x, c(0, x)), x, mul(c(alpha, x), x))

/**
 * ELU: x for x > 0, alpha (e^x - 1) otherwise (default alpha 1), elementwise; x's shape and
 * float dtype. The exponential sees x only where x <= 0 (0 elsewhere), so the unused branch
 * cannot overflow; `where` rather than min(x, 0) keeps the derivative at 0 whole (minimum splits
 * a tie's gradient in half).
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { elu } from 'puregrad/layers'
 *
 * const y = elu(tensor([-1, 2], { dtype: 'float64' })).dataSync()
 * if (Math.abs(y[0] - (Math.exp(-1) - 1)) > 1e-12 || y[1] !== 2) throw new Error(`got ${y}`)
 * ```
 */
export const elu = (x: Tensor, alpha = 1): Tensor => {
  const pos = greater(x, c(0, x))
  return where(pos, x, mul(c(alpha, x), expm1(where(pos, c(0, x), x))))
}

/** The fixed point constants of Klambauer et al., "Self-Normalizing Neural Networks" (2017). */
export const SELU_ALPHA = 1.6732632423543772848170429916717
/** SELU's scale λ, with `SELU_ALPHA` (Klambauer et al., 2017). */
export const SELU_SCALE = 1.0507009873554804934193349852946

/**
 * SELU: `SELU_SCALE` * elu(x, `SELU_ALPHA`), elementwise; x's shape and float dtype. With LeCun
 * initialisation it keeps activations near mean 0, variance 1.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { selu, SELU_SCALE } from 'puregrad/layers'
 *
 * const [y] = selu(tensor([1], { dtype: 'float64' })).dataSync()
 * if (Math.abs(y - SELU_SCALE) > 1e-12) throw new Error(`got ${y}`)
 * ```
 */
export const selu = (x: Tensor): Tensor => mul(c(SELU_SCALE, x), elu(x, SELU_ALPHA))

/**
 * Beyond this, log(1 + e^x) equals x to within half an ulp in float64 (e^-40 < 4.3e-18), so
 * softplus switches to the identity and exp never sees anything larger.
 */
const SOFTPLUS_LINEAR = 40

/**
 * log(1 + e^x), elementwise, stable for large |x|: x above 40, log1p(exp(x)) at or below (exp
 * never sees more). Unlike max(x, 0) + log1p(exp(-|x|)), this form is smooth at 0, so its second
 * derivative there is sigmoid'(0) = 1/4 rather than the 0 that abs's kink would give.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { softplus } from 'puregrad/layers'
 *
 * const y = softplus(tensor([0, 1000])).dataSync()
 * if (Math.abs(y[0] - Math.LN2) > 1e-6 || y[1] !== 1000) throw new Error(`got ${y}`)
 * ```
 */
export const softplus = (x: Tensor): Tensor => {
  const limit = c(SOFTPLUS_LINEAR, x)
  const linear = greater(x, limit)
  return where(linear, x, log1p(exp(where(linear, limit, x))))
}

/**
 * Swish: x sigmoid(beta x) (Ramachandran et al.), elementwise; beta = 1 (the default) is SiLU.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { swish } from 'puregrad/layers'
 *
 * const [y] = swish(tensor([2]), 0.5).dataSync()
 * if (Math.abs(y - 2 / (1 + Math.exp(-1))) > 1e-6) throw new Error(`got ${y}`)
 * ```
 */
export const swish = (x: Tensor, beta = 1): Tensor => mul(x, sigmoid(beta === 1 ? x : mul(c(beta, x), x)))

/**
 * SiLU: x sigmoid(x) (Hendrycks & Gimpel; Elfwing et al.), elementwise.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { silu } from 'puregrad/layers'
 *
 * const [y] = silu(tensor([1])).dataSync()
 * if (Math.abs(y - 1 / (1 + Math.exp(-1))) > 1e-6) throw new Error(`got ${y}`)
 * ```
 */
export const silu = (x: Tensor): Tensor => mul(x, sigmoid(x))

/**
 * Mish: x tanh(softplus(x)) (Misra, 2019), elementwise.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { mish } from 'puregrad/layers'
 *
 * const [y] = mish(tensor([1])).dataSync()
 * if (Math.abs(y - Math.tanh(Math.log1p(Math.E))) > 1e-6) throw new Error(`got ${y}`)
 * ```
 */
export const mish = (x: Tensor): Tensor => mul(x, tanh(softplus(x)))

/** Options of `gelu`. */
export interface GeluOptions {
  /** Use the tanh approximation of Hendrycks & Gimpel instead of the exact erf form. Default false. */
  readonly approximate?: boolean
}

const SQRT_HALF = Math.SQRT1_2
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/**
 * GELU, elementwise: x Φ(x) = x (1 + erf(x / √2)) / 2 (exact, the default), or with
 * `approximate`: x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { gelu } from 'puregrad/layers'
 *
 * const [exact] = gelu(tensor([1])).dataSync()         // Φ(1) = 0.8413...
 * const [approx] = gelu(tensor([1]), { approximate: true }).dataSync()
 * if (Math.abs(exact - 0.841345) > 1e-5 || Math.abs(approx - exact) > 1e-3) throw new Error(`${exact} ${approx}`)
 * ```
 */
export const gelu = (x: Tensor, opts: GeluOptions = {}): Tensor => {
  const half = mul(c(0.5, x), x)
  if (opts.approximate === true) {
    const inner = mul(c(SQRT_2_OVER_PI, x), add(x, mul(c(0.044715, x), mul(x, mul(x, x)))))
    return mul(half, add(c(1, x), tanh(inner)))
  }
  return mul(half, add(c(1, x), erf(mul(c(SQRT_HALF, x), x))))
}

/**
 * The tanh form of gelu: `gelu(x, { approximate: true })`.
 *
 * @example
 * ```ts
 * import { tensor } from 'puregrad'
 * import { gelu, geluTanh } from 'puregrad/layers'
 *
 * const x = tensor([-1, 0.5, 2])
 * if (geluTanh(x).dataSync().join() !== gelu(x, { approximate: true }).dataSync().join()) throw new Error('geluTanh')
 * ```
 */
export const geluTanh = (x: Tensor): Tensor => gelu(x, { approximate: true })
