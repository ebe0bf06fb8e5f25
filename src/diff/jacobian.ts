/**
 * Whole Jacobians and Hessians of tensor-to-tensor functions, built from the two modes:
 * `jacrev` pulls back one basis cotangent per output element, `jacfwd` pushes one basis tangent
 * per input element, and `hessian` is forward over reverse. The result's shape is the output's
 * shape followed by the input's shape.
 */

import { Tensor } from '../core/tensor.js'
import { allocTyped } from '../core/dtype.js'
import { fromTyped } from '../core/constructors.js'
import { fail } from '../core/errors.js'
import type { Backend } from '../backends/backend.js'
import { reshape, stack } from '../ops/movement.js'
import { jvp, vjp } from './transforms.js'

/** The i-th basis tensor shaped like `like` (a constant on its backend). */
const basis = (i: number, like: Tensor): Tensor => {
  const v = allocTyped(like.dtype, like.size)
  v[i] = 1
  return fromTyped(v, like.shape, like.dtype, like.concrete().backend as Backend)
}

const needTensor = (op: string, x: unknown, what: string): Tensor =>
  x instanceof Tensor ? x : fail('INVALID_ARGUMENT', op, `${what} must be a single tensor`)

/**
 * The full Jacobian of a tensor-to-tensor function by reverse mode: one pullback per output
 * element, so it suits functions with fewer outputs than inputs. `jacrev(f)(x)` has shape
 * `[...f(x).shape, ...x.shape]`; entry [i, j] is d f(x)[i] / d x[j]. `x` is float32 or float64.
 * @throws PuregradError `INVALID_ARGUMENT` when the argument or `f`'s result is not a single tensor;
 * `NON_DIFFERENTIABLE` for an int32 or bool `x`.
 * @example
 * ```ts
 * import { jacrev, mul, tensor, type Tensor } from 'puregrad'
 * jacrev((x: Tensor) => mul(x, x))(tensor([1, 2])).arraySync() // => [[2, 0], [0, 4]]
 * ```
 */
export const jacrev = (f: (x: Tensor) => Tensor) => (x: Tensor): Tensor => {
  const [out, pullback] = vjp(f, needTensor('jacrev', x, 'the argument'))
  needTensor('jacrev', out, 'the output')
  const rows = Array.from({ length: out.size }, (_, i) => pullback(basis(i, out))[0])
  if (rows.length === 0) return reshape(fromTyped(allocTyped(x.dtype, 0), [0], x.dtype), [...out.shape, ...x.shape])
  return reshape(stack(rows, 0), [...out.shape, ...x.shape])
}

/**
 * The full Jacobian of a tensor-to-tensor function by forward mode: one {@link jvp} per input
 * element, so it suits functions with fewer inputs than outputs. Same result as {@link jacrev}:
 * shape `[...f(x).shape, ...x.shape]`. `x` is float32 or float64.
 * @throws PuregradError `INVALID_ARGUMENT` when the argument is not a single tensor;
 * `NON_DIFFERENTIABLE` for an int32 or bool `x`.
 * @example
 * ```ts
 * import { jacfwd, mul, tensor, type Tensor } from 'puregrad'
 * jacfwd((x: Tensor) => mul(x, 3))(tensor([1, 2])).arraySync() // => [[3, 0], [0, 3]]
 * ```
 */
export const jacfwd = (f: (x: Tensor) => Tensor) => (x: Tensor): Tensor => {
  needTensor('jacfwd', x, 'the argument')
  const cols = Array.from({ length: x.size }, (_, j) => jvp(f, [x], [basis(j, x)])[1])
  const out = cols.length > 0 ? cols[0] : f(x)
  if (cols.length === 0) return reshape(fromTyped(allocTyped(x.dtype, 0), [0], x.dtype), [...out.shape, ...x.shape])
  return reshape(stack(cols, out.rank), [...out.shape, ...x.shape])
}

/**
 * The matrix of second derivatives of a scalar-valued function, forward over reverse
 * (`jacfwd(jacrev(f))`): `hessian(f)(x)` has shape `[...x.shape, ...x.shape]`. `x` is float32 or float64.
 * @throws PuregradError as {@link jacrev} and {@link jacfwd}.
 * @example
 * ```ts
 * import { hessian, mul, sum, tensor, type Tensor } from 'puregrad'
 * // f(x) = sum(x^3): the Hessian is diag(6x)
 * hessian((x: Tensor) => sum(mul(mul(x, x), x)))(tensor([1, 2])).arraySync() // => [[6, 0], [0, 12]]
 * ```
 */
export const hessian = (f: (x: Tensor) => Tensor) => jacfwd(jacrev(f))
