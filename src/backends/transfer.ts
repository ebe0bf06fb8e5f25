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

export const toBackend = (x: Tensor, name: string): Tensor => {
  const c = concreteOf('toBackend', x)
  const target = findBackend(name)
  return c.backend === target ? c : fromTyped(c.dataSync(), c.shape, c.dtype, target)
}

export const toBackendAsync = async (x: Tensor, name: string): Promise<Tensor> => {
  const c = concreteOf('toBackendAsync', x)
  const target = findBackend(name)
  return c.backend === target ? c : fromTyped(await c.data(), c.shape, c.dtype, target)
}
