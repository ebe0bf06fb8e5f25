/**
 * Turning op arguments into tensors. A JS number next to a tensor takes that tensor's dtype and
 * backend (a "weak" scalar, as in JAX), which is the only implicit conversion puregrad makes.
 */

import { allocTyped, type DType } from '../core/dtype.js'
import { fail } from '../core/errors.js'
import { Tensor, type TensorLike } from '../core/tensor.js'
import { getBackend } from '../backends/registry.js'
import type { Backend } from '../backends/backend.js'

/** A concrete tensor holding `v` with `like`'s dtype, on `like`'s backend. */
export const scalarLike = (v: number | boolean, like: Tensor): Tensor => {
  const c = like.concrete()
  return constant(v, like.dtype, c.backend as Backend)
}

export const constant = (v: number | boolean, dtype: DType, backend: Backend = getBackend()): Tensor => {
  const a = allocTyped(dtype, 1)
  a[0] = typeof v === 'boolean' ? (v ? 1 : 0) : v
  return new Tensor([], dtype, backend, backend.upload(a, dtype), null)
}

export const asTensor = (op: string, x: TensorLike, like?: Tensor): Tensor => {
  if (x instanceof Tensor) return x
  if (typeof x === 'number') return like === undefined ? constant(x, 'float32') : scalarLike(x, like)
  return fail('INVALID_ARGUMENT', op, `expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`)
}

/** Both operands as tensors; a number adopts the other operand's dtype. */
export const asPair = (op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] => {
  if (a instanceof Tensor) return [a, asTensor(op, b, a)]
  if (b instanceof Tensor) return [asTensor(op, a, b), b]
  return [asTensor(op, a), asTensor(op, b)]
}
