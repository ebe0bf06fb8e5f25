/**
 * Turning op arguments into tensors. A JS number next to a tensor takes that tensor's dtype and
 * backend (a "weak" scalar, as in JAX), which is the only implicit conversion puregrad makes.
 * Scalar constants are cached per backend: tensors are immutable, so sharing one is safe, and
 * gradient rules create the same few constants (0, 1, 2, 0.5) on every op.
 */

import { allocTyped, type DType } from '../core/dtype.js'
import { fail } from '../core/errors.js'
import { Tensor, type TensorLike } from '../core/tensor.js'
import { getBackend } from '../backends/registry.js'
import type { Backend } from '../backends/backend.js'

const CACHE_LIMIT = 512
const cache = new WeakMap<Backend, Map<string, Tensor>>()
const hostValues = new WeakMap<Tensor, number>()

/**
 * The value of a scalar made by `constant` / `scalarLike`, known on the host without reading the
 * backend (gradient rules use it to skip work for finite constants); undefined for other tensors.
 */
export const constantValue = (t: Tensor): number | undefined => hostValues.get(t)

/** A concrete tensor holding `v` with `like`'s dtype, on `like`'s backend. */
export const scalarLike = (v: number | boolean, like: Tensor): Tensor => {
  let c = like
  while (c.tracer !== null) c = c.tracer.primal
  return constant(v, like.dtype, c.backend as Backend)
}

export const constant = (v: number | boolean, dtype: DType, backend: Backend = getBackend()): Tensor => {
  let perBackend = cache.get(backend)
  if (perBackend === undefined) cache.set(backend, (perBackend = new Map()))
  const key = `${dtype}${typeof v === 'boolean' ? Number(v) : Object.is(v, -0) ? '-0' : v}`
  const hit = perBackend.get(key)
  if (hit !== undefined) return hit
  const a = allocTyped(dtype, 1)
  a[0] = typeof v === 'boolean' ? (v ? 1 : 0) : v
  const t = new Tensor([], dtype, backend, backend.upload(a, dtype), null)
  hostValues.set(t, a[0])
  if (perBackend.size >= CACHE_LIMIT) perBackend.clear()
  perBackend.set(key, t)
  return t
}

/** An options argument: `{}` for none, else it must be an object (INVALID_ARGUMENT for null, numbers, arrays). */
export const optionsOf = <T extends object>(op: string, o: T | undefined): T => {
  if (o === undefined) return {} as T
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    return fail('INVALID_ARGUMENT', op, `options must be an object, got ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`)
  }
  return o
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
