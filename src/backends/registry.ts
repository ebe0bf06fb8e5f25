/**
 * Which backend new tensors are created on. The JS reference backend is the default, created
 * lazily on first use (no import-time side effects). Backends that need async setup are created
 * by their own async factory and then passed to `registerBackend`. An op whose operands live on
 * different backends is an error, never a silent copy.
 */

import type { Backend } from './backend.js'
import { createJsBackend } from './js/index.js'
import { fail } from '../core/errors.js'

const registry = new Map<string, Backend>()
let current: Backend | undefined

const ensureDefault = (): Backend => {
  let js = registry.get('js')
  if (js === undefined) {
    js = createJsBackend() as Backend
    registry.set('js', js)
  }
  return js
}

/** Registers (or replaces) a backend under its name. Buffers are opaque above the backend, hence the erasure. */
export const registerBackend = <D>(backend: Backend<D>): void => {
  ensureDefault()
  registry.set(backend.name, backend as unknown as Backend)
}

export const listBackends = (): string[] => {
  ensureDefault()
  return [...registry.keys()]
}

export const getBackend = (): Backend => (current ??= ensureDefault())

export const findBackend = (name: string): Backend => {
  ensureDefault()
  const b = registry.get(name)
  if (b === undefined) {
    return fail('BACKEND_UNAVAILABLE', 'setBackend', `no backend named '${name}' is registered (registered: ${[...registry.keys()].join(', ')})`)
  }
  return b
}

export const setBackend = (name: string): void => {
  current = findBackend(name)
}

/** Runs `f` with `name` as the backend for new tensors, restoring the previous one after. */
export const withBackend = <T>(name: string, f: () => T): T => {
  const prev = getBackend()
  current = findBackend(name)
  try {
    return f()
  } finally {
    current = prev
  }
}
