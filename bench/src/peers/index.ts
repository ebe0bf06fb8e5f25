/**
 * The peer registry. Listing peers is cheap (no peer library is loaded); `loadPeer` imports one
 * library and sets it up, in the child process that runs a cell. puregrad contributes one peer
 * per registered backend, so new backends appear without touching the harness.
 */

import { createRequire } from 'node:module'
import type { Peer } from './peer.js'

const require = createRequire(import.meta.url)

export interface PeerEntry {
  readonly id: string
  readonly isPuregrad: boolean
  readonly modes: readonly string[]
  /** The workloads it runs in; all of them when absent. */
  readonly workloads?: readonly string[]
}

/** Execution modes per library; jax-js is measured both compiled and eager. */
export const JAXJS_MODES = ['jit', 'eager'] as const
export const DEFAULT_MODES = ['eager'] as const
export interface Unavailable { readonly id: string; readonly reason: string }

/** The peers CI insists on: smoke mode fails unless each of them reports numbers. */
export const REQUIRED = ['puregrad-js', 'tfjs-cpu', 'tfjs-wasm', 'jax-js'] as const

const resolves = (name: string): boolean => {
  try {
    require.resolve(name)
    return true
  } catch {
    return false
  }
}

export const tfjsNodeAvailable = (): boolean => resolves('@tensorflow/tfjs-node')

export const listPeers = async (): Promise<{ peers: PeerEntry[]; unavailable: Unavailable[] }> => {
  const { puregradFactories } = await import('./puregrad.js')
  const peers: PeerEntry[] = (await puregradFactories({ listOnly: true })).map((f) => ({ id: f.id, isPuregrad: true, modes: DEFAULT_MODES, workloads: f.workloads }))
  const unavailable: Unavailable[] = []
  peers.push({ id: 'tfjs-cpu', isPuregrad: false, modes: DEFAULT_MODES }, { id: 'tfjs-wasm', isPuregrad: false, modes: DEFAULT_MODES })
  if (tfjsNodeAvailable()) peers.push({ id: 'tfjs-node', isPuregrad: false, modes: DEFAULT_MODES })
  else unavailable.push({ id: 'tfjs-node', reason: '@tensorflow/tfjs-node does not install here: its install script downloads a native libtensorflow at install time' })
  peers.push({ id: 'jax-js', isPuregrad: false, modes: JAXJS_MODES })
  return { peers, unavailable }
}

export const loadPeer = async (id: string): Promise<Peer> => {
  if (id.startsWith('puregrad-')) {
    const f = (await (await import('./puregrad.js')).puregradFactories()).find((p) => p.id === id)
    if (!f) throw new Error(`no puregrad backend for peer ${id}`)
    return f.load()
  }
  if (id.startsWith('tfjs-')) {
    const f = (await import('./tfjs.js')).tfjsFactories().find((p) => p.id === id)
    if (!f) throw new Error(`unknown tfjs peer ${id}`)
    return f.load()
  }
  if (id === 'jax-js') return (await import('./jaxjs.js')).jaxjsFactories()[0].load()
  throw new Error(`unknown peer ${id}`)
}
