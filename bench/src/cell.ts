/**
 * Child-process entry: runs one workload for one peer and writes protocol lines
 * ("@@bench " + JSON) to stdout: the peer's description, partial rows while it works and the
 * final rows. Each cell has a fresh process, so a library's memory, compiled code or a crash
 * never leaks into another cell, and the parent can stop a cell that overruns its budget.
 */

import { readFileSync } from 'node:fs'
import type { Config } from './lib/config.js'
import { errorText } from './lib/measure.js'
import { loadPeer } from './peers/index.js'
import { WORKLOADS } from './workloads/index.js'

export const MARK = '@@bench '
const send = (msg: Record<string, unknown>): void => {
  process.stdout.write(MARK + JSON.stringify(msg, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n')
}

const optional = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const arg = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`cell: missing --${name}`)
  return process.argv[i + 1]
}

const main = async (): Promise<void> => {
  const config = JSON.parse(readFileSync(arg('config'), 'utf8')) as Config
  const workload = WORKLOADS.find((w) => w.id === arg('workload'))
  if (!workload) throw new Error(`cell: unknown workload ${arg('workload')}`)
  const peerId = arg('peer')
  const isPuregrad = peerId.startsWith('puregrad-')
  let peer
  try {
    peer = await loadPeer(peerId)
    const only = optional('modes')?.split(',')
    if (only) peer = { ...peer, modes: peer.modes.filter((m) => only.includes(m)) }
  } catch (e) {
    send({ kind: 'fatal', peer: peerId, error: `could not start: ${errorText(e)}` })
    return
  }
  send({ kind: 'peer', id: peer.id, library: peer.library, version: peer.version, backend: peer.backend, modes: peer.modes, notes: peer.notes })
  await workload.run({
    config, peer, isPuregrad, attempt: Number(optional('attempt') ?? 0),
    emit: (row) => send({ kind: 'row', row }),
    progress: (row) => send({ kind: 'progress', row }),
  })
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    send({ kind: 'fatal', error: errorText(e) })
    process.exit(1)
  },
)
