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

/**
 * Makes `backend` available under its `name`, to choose with {@link setBackend} or
 * {@link withBackend}; registering does not make it current. A backend of the same name is
 * replaced, and replacing the current backend makes the new one current, so re-creating a lost
 * backend under its name (docs/reliability.md#backend-faults) is all a program needs to go on.
 * Backends that need async setup (wasm, WebGPU) come from their own async factory first. Buffers
 * are opaque above the backend, hence the erasure of `D`.
 * @example
 * ```ts
 * import { createJsBackend, listBackends, registerBackend } from 'puregrad'
 * registerBackend(createJsBackend({ name: 'js-copy' }))
 * listBackends().includes('js-copy') // => true
 * ```
 */
export const registerBackend = <D>(backend: Backend<D>): void => {
  ensureDefault()
  const replaced = registry.get(backend.name)
  registry.set(backend.name, backend as unknown as Backend)
  if (replaced !== undefined && current === replaced) current = backend as unknown as Backend
}

/**
 * The names of the registered backends, the default `'js'` first.
 * @example
 * ```ts
 * import { listBackends } from 'puregrad'
 * listBackends()[0] // => 'js'
 * ```
 */
export const listBackends = (): string[] => {
  ensureDefault()
  return [...registry.keys()]
}

/**
 * The backend new tensors are created on: the JS reference backend unless {@link setBackend} or
 * {@link withBackend} chose another.
 * @example
 * ```ts
 * import { getBackend } from 'puregrad'
 * getBackend().name // => 'js'
 * getBackend().dtypes.includes('float64') // => true
 * ```
 */
export const getBackend = (): Backend => (current ??= ensureDefault())

export const findBackend = (name: string, op = 'setBackend'): Backend => {
  ensureDefault()
  const b = registry.get(name)
  if (b === undefined) {
    return fail('BACKEND_UNAVAILABLE', op, `no backend named '${name}' is registered (registered: ${[...registry.keys()].join(', ')})`)
  }
  return b
}

/**
 * Makes the backend registered as `name` the one new tensors are created on. Existing tensors stay
 * where they are: mixing backends in one op is `BACKEND_MISMATCH`; move tensors with {@link toBackend}.
 * @throws PuregradError `BACKEND_UNAVAILABLE` when no backend of that name is registered.
 * @example
 * ```ts
 * import { createJsBackend, getBackend, registerBackend, setBackend } from 'puregrad'
 * registerBackend(createJsBackend({ name: 'other' }))
 * setBackend('other')
 * getBackend().name // => 'other'
 * setBackend('js')
 * setBackend('gpu') // throws BACKEND_UNAVAILABLE
 * ```
 */
export const setBackend = (name: string): void => {
  current = findBackend(name)
}

/**
 * Runs `f` with the backend registered as `name` current, and restores the previous one after (or
 * what replaced it under its name meanwhile), even when `f` throws. Returns `f`'s result; tensors
 * made inside stay on `name`.
 * @throws PuregradError `BACKEND_UNAVAILABLE` when no backend of that name is registered.
 * @example
 * ```ts
 * import { createJsBackend, getBackend, registerBackend, tensor, withBackend } from 'puregrad'
 * registerBackend(createJsBackend({ name: 'scratch' }))
 * const x = withBackend('scratch', () => tensor([1, 2]))
 * getBackend().name // => 'js'
 * x.arraySync() // => [1, 2]
 * ```
 */
export const withBackend = <T>(name: string, f: () => T): T => {
  const prev = getBackend()
  current = findBackend(name, 'withBackend')
  try {
    return f()
  } finally {
    current = registry.get(prev.name) ?? prev
  }
}
