/**
 * Runs one cell (workload x peer) in a child process and turns its protocol lines into rows.
 * The child gets a hard limit of its budget plus a grace period; if it has to be stopped, the
 * last partial figure it reported is kept and marked as out of budget. A crash becomes an error
 * row carrying the end of the child's stderr.
 */

import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { PeerInfo } from './report.js'
import type { Row, Workload } from './workloads/workload.js'

const MARK = '@@bench '
const CELL = fileURLToPath(new URL('./cell.ts', import.meta.url))

export interface CellResult { rows: Row[]; peer?: PeerInfo; seconds: number; killed: boolean }

/**
 * Runs a cell, and once more in a fresh process for the rows that ask for it (`extra.retry`):
 * the second row keeps the first one's error and both notes.
 */
export const runCellWithRetry = async (w: Workload, cases: string[], peerId: string, modes: readonly string[], configFile: string, hardLimitMs: number): Promise<CellResult> => {
  const first = await runCell(w, cases, peerId, modes, configFile, hardLimitMs)
  const retry = first.rows.filter((r) => r.extra.retry === true)
  if (retry.length === 0) return first
  const again = await runCell(w, [...new Set(retry.map((r) => r.case))], peerId, [...new Set(retry.map((r) => r.mode))], configFile, hardLimitMs, 1)
  const rows = first.rows.map((r) => {
    if (r.extra.retry !== true) return r
    const { retry: _, ...extra } = r.extra
    const second = again.rows.find((x) => x.case === r.case && x.mode === r.mode)
    if (!second) return { ...r, extra }
    return { ...second, status: 'error' as const, error: r.error ?? second.error, note: [r.note, second.note].filter(Boolean).join('; ') }
  })
  return { rows, peer: first.peer ?? again.peer, seconds: first.seconds + again.seconds, killed: first.killed || again.killed }
}

const errorRow = (w: Workload, c: string, peer: string, mode: string, error: string): Row =>
  ({ workload: w.id, case: c, peer, mode, status: 'error', value: NaN, min: NaN, reps: 0, unit: '', extra: {}, error })

/** JSON has no NaN; the child sends null, which is read back as NaN. */
const revive = (_k: string, v: unknown): unknown => (v === null ? NaN : v)

export const runCell = (w: Workload, cases: string[], peerId: string, modes: readonly string[], configFile: string, hardLimitMs: number, attempt = 0): Promise<CellResult> =>
  new Promise((resolve) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [...process.execArgv, CELL, '--workload', w.id, '--peer', peerId, '--modes', modes.join(','), '--attempt', String(attempt), '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const rows: Row[] = []
    const partial = new Map<string, Row>()
    let peer: PeerInfo | undefined
    let fatal: string | undefined
    let killed = false
    const stderr: string[] = []
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith(MARK)) return
      const msg = JSON.parse(line.slice(MARK.length), revive) as { kind: string; row?: Row; error?: string } & PeerInfo
      if (msg.kind === 'peer') peer = { id: msg.id, library: msg.library, version: msg.version, backend: msg.backend, modes: msg.modes, notes: msg.notes }
      else if (msg.kind === 'fatal') fatal = msg.error
      else if (msg.row && msg.kind === 'progress') partial.set(`${msg.row.case}|${msg.row.mode}`, msg.row)
      else if (msg.row && msg.kind === 'row') {
        partial.delete(`${msg.row.case}|${msg.row.mode}`)
        rows.push(msg.row)
      }
    })
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr.push(line)
      if (stderr.length > 20) stderr.shift()
    })
    const timer = Number.isFinite(hardLimitMs)
      ? setTimeout(() => { killed = true; child.kill('SIGKILL') }, hardLimitMs)
      : undefined
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      const limit = `stopped at the cell's hard limit (${Math.round(hardLimitMs / 1000)} s); figure as reached`
      for (const r of partial.values()) {
        const why = killed ? limit : 'the child exited early; figure as reached'
        rows.push({ ...r, status: r.status === 'error' ? 'error' : 'over-budget', note: r.note ? `${r.note}; ${why}` : why })
      }
      for (const c of cases) {
        if (rows.some((r) => r.case === c)) continue
        const why = fatal ?? (killed ? `${limit}, with no figure` : `child exited with ${signal ?? `code ${code}`}: ${stderr.slice(-3).join(' | ')}`)
        rows.push(errorRow(w, c, peerId, modes.join('/'), why))
      }
      resolve({ rows, peer, seconds: (performance.now() - t0) / 1000, killed })
    })
  })
