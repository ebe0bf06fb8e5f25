/**
 * Moving a tensor to another backend: the one explicit copy between backends (ops never copy
 * silently). Reads synchronously, so moving off a backend without sync reads needs `toBackendAsync`.
 */

import { Tensor } from '../core/tensor.js'
import { fromTyped } from '../core/constructors.js'
import { fail } from '../core/errors.js'
import { findBackend } from './registry.js'

const concreteOf = (op: string, x: Tensor): Tensor => {
  if (!(x instanceof Tensor)) fail('INVALID_ARGUMENT', op, `expected a Tensor, got ${typeof x}`)
  if (x.tracer !== null) fail('INVALID_ARGUMENT', op, 'cannot move a traced value between backends inside a transformation')
  return x
}

/**
 * A copy of `x` on the backend registered as `name` (`x` itself when it is already there): the
 * one explicit copy between backends, since ops never copy silently. Reads `x` synchronously; use
 * {@link toBackendAsync} to move off a backend that reads asynchronously (WebGPU).
 * @throws PuregradError `BACKEND_UNAVAILABLE` when no backend of that name is registered;
 * `INVALID_ARGUMENT` when `x` is not a tensor or is being traced (inside grad, jvp or vjp);
 * `SYNC_READ_UNAVAILABLE` when `x`'s backend reads asynchronously; `UNSUPPORTED_DTYPE` when the
 * target lacks `x`'s dtype.
 * @example
 * ```ts
 * import { add, createJsBackend, registerBackend, tensor, toBackend, withBackend } from 'puregrad'
 * registerBackend(createJsBackend({ name: 'elsewhere' }))
 * const a = withBackend('elsewhere', () => tensor([1, 2]))
 * add(a, tensor([1, 1])) // throws BACKEND_MISMATCH
 * add(toBackend(a, 'js'), tensor([1, 1])).arraySync() // => [2, 3]
 * ```
 */
export const toBackend = (x: Tensor, name: string): Tensor => {
  const c = concreteOf('toBackend', x)
  const target = findBackend(name, 'toBackend')
  return c.backend === target ? c : fromTyped(c.dataSync(), c.shape, c.dtype, target)
}

/**
 * {@link toBackend}, reading `x` asynchronously, so it works from every backend, WebGPU included.
 * @throws PuregradError `BACKEND_UNAVAILABLE`, `INVALID_ARGUMENT` and `UNSUPPORTED_DTYPE` as
 * {@link toBackend} (as a rejected promise).
 * @example
 * ```ts
 * import { tensor, toBackendAsync } from 'puregrad'
 * const y = await toBackendAsync(tensor([1, 2]), 'js')
 * y.arraySync() // => [1, 2]
 * ```
 */
export const toBackendAsync = async (x: Tensor, name: string): Promise<Tensor> => {
  const c = concreteOf('toBackendAsync', x)
  const target = findBackend(name, 'toBackendAsync')
  return c.backend === target ? c : fromTyped(await c.data(), c.shape, c.dtype, target)
}
