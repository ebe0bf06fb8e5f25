/**
 * `npm run bench` (full) and `npm run bench:smoke`: runs every workload against every peer, one
 * child process per cell, prints a markdown table per workload with puregrad's ratio to each
 * peer, runs the cross-checks, and writes JSON lines (with machine info) to bench/results/.
 *
 * Options: --smoke, --only W1,W3, --peers puregrad-js,jax-js, --budget-ms N (per cell),
 * --w5-steps N, --w5-budget-ms N, --w6-budget-ms N, --data DIR, --out FILE.jsonl, --jobs N (cells
 * run at once; default 1, 2 for --smoke, whose figures are not meant to be read)
 * Exit code 1 if the W2 cross-check fails, or (smoke) if a required peer reported no number.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { fullConfig, smokeConfig, type Config } from './lib/config.js'
import { loadAvg, machineInfo } from './lib/machine.js'
import { listPeers, REQUIRED } from './peers/index.js'
import { agreement, best, checksText, header, table, w2Check, type Check, type PeerInfo } from './report.js'
import { runCellWithRetry } from './runner.js'
import { WORKLOADS } from './workloads/index.js'
import type { Row } from './workloads/workload.js'

const BENCH = fileURLToPath(new URL('..', import.meta.url))
const ROOT = path.resolve(BENCH, '..')
const GRACE_MS = 30_000

const argv = process.argv.slice(2)
const flag = (name: string): boolean => argv.includes(`--${name}`)
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1] : undefined
}
const numOpt = (name: string): number | undefined => {
  const v = opt(name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got ${v}`)
  return n
}

const smoke = flag('smoke')
const dataDir = path.resolve(ROOT, opt('data') ?? '../shared/data/fashion-mnist')
const base = smoke ? smokeConfig(dataDir) : fullConfig(dataDir)
const config: Config = {
  ...base,
  budgetMs: numOpt('budget-ms') ?? base.budgetMs,
  w5BudgetMs: numOpt('w5-budget-ms') ?? base.w5BudgetMs,
  w6BudgetMs: numOpt('w6-budget-ms') ?? base.w6BudgetMs,
  w5: { ...base.w5, steps: numOpt('w5-steps') ?? base.w5.steps },
}
const only = opt('only')?.split(',').map((s) => s.trim().toUpperCase())
const peerFilter = opt('peers')?.split(',').map((s) => s.trim())
const workloads = WORKLOADS.filter((w) => !only || only.includes(w.id))
const jobCount = numOpt('jobs') ?? (smoke ? 2 : 1)
const command = process.env.npm_lifecycle_event?.startsWith('bench')
  ? `npm run ${process.env.npm_lifecycle_event}${argv.filter((a) => a !== '--smoke').length ? ` -- ${argv.filter((a) => a !== '--smoke').join(' ')}` : ''}`
  : `npx tsx bench/src/main.ts ${argv.join(' ')}`.trim()

const log = (s: string): void => { process.stderr.write(`${s}\n`) }

const main = async (): Promise<number> => {
  const date = new Date().toISOString()
  const t0 = performance.now()
  const machine = machineInfo(ROOT)
  const listed = await listPeers()
  const peers = listed.peers.filter((p) => !peerFilter || peerFilter.includes(p.id))
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'puregrad-bench-'))
  const configFile = path.join(tmp, 'config.json')
  writeFileSync(configFile, JSON.stringify(config))
  log(`puregrad bench (${smoke ? 'smoke' : 'full'}): ${workloads.map((w) => w.id).join(' ')} x ${peers.map((p) => p.id).join(', ')}; budget ${config.budgetMs / 1000} s per cell; ${jobCount} at a time`)
  for (const u of listed.unavailable) log(`  ${u.id}: not run: ${u.reason}`)

  // One job per cell (per mode for 'each' workloads). Jobs run one at a time unless --jobs says
  // otherwise: concurrent cells share the cores, which is fine for the smoke run only.
  const runsIn = (w: { id: string }, id: string): boolean => {
    const only = peers.find((p) => p.id === id)?.workloads
    return only === undefined || only.includes(w.id)
  }
  const jobs = workloads.flatMap((w) => peers.filter((p) => runsIn(w, p.id))
    .flatMap((p) => (w.modes === 'each' ? p.modes.map((m) => [m]) : [p.modes]).map((modes) => ({ w, p, modes }))))
  const results: Row[][] = []
  const loads: Record<string, number[]> = {}
  const infos = new Map<string, PeerInfo>()
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < jobs.length; i = next++) {
      const { w, p, modes } = jobs[i]
      const cases = w.cases(config)
      const limit = w.budgetMs(config, p.isPuregrad) * cases.length * modes.length + GRACE_MS
      const load = loadAvg()
      const r = await runCellWithRetry(w, cases, p.id, modes, configFile, limit)
      if (r.peer && !infos.has(p.id)) infos.set(p.id, { ...r.peer, modes: [...p.modes] })
      for (const row of r.rows) loads[`${row.workload}|${row.case}|${row.peer}|${row.mode}`] = load
      results[i] = r.rows
      const summary = r.rows.map((x) => `${x.case} ${Number.isFinite(x.value) ? x.value.toPrecision(4) : '-'} ${x.unit} ${x.status}`).join('; ')
      const tag = p.modes.length > 1 ? `${p.id} ${modes.join('/')}` : p.id
      log(`  ${w.id} ${tag.padEnd(16)} ${r.seconds.toFixed(1).padStart(6)} s  ${summary}${r.killed ? ' (stopped)' : ''}`)
    }
  }
  await Promise.all(Array.from({ length: jobCount }, worker))
  const rows = results.flat()

  const peerInfos = peers.map((p) => infos.get(p.id) ?? { id: p.id, library: '?', version: '?', backend: '?', modes: ['?'], notes: ['did not start'] })
  const puregrad = peers.filter((p) => p.isPuregrad).map((p) => p.id)
  const checks: Check[] = []
  if (workloads.some((w) => w.id === 'W2')) checks.push(w2Check(rows, config.w2.tol))
  if (workloads.some((w) => w.id === 'W1')) checks.push(agreement(rows, 'W1', 'checksum', 'W1 sum of the product'))
  if (workloads.some((w) => w.id === 'W3')) checks.push(agreement(rows.filter((r) => r.status === 'ok'), 'W3', 'checksum', 'W3 sum of the gradient (full-length chains)'))
  if (workloads.some((w) => w.id === 'W4')) checks.push(agreement(rows, 'W4', 'loss_first', 'W4 loss of the first step'))

  // Smoke: every required peer must have a number for every case of every workload.
  const missing: string[] = []
  if (smoke) {
    const b = best(rows)
    for (const w of workloads) for (const c of w.cases(config)) for (const id of REQUIRED) {
      const r = b.get(`${w.id}|${c}|${id}`)
      if (!r || !Number.isFinite(r.value)) missing.push(`${w.id} ${c} ${id}${r?.error ? ` (${r.error})` : ''}`)
    }
  }

  const md = [
    `## puregrad benchmarks (${smoke ? 'smoke' : 'full'} run)`, '',
    header(machine, { date, command, minutes: (performance.now() - t0) / 60000, load1: Object.values(loads).map((l) => l[0]) }, peerInfos, listed.unavailable), '',
    ...workloads.map((w) => table(w, config, w.cases(config), rows, peerInfos.filter((p) => runsIn(w, p.id)), puregrad) + '\n'),
    checksText(checks),
    ...(missing.length ? ['', `Smoke FAILED: no number from ${missing.join('; ')}`] : []),
  ].join('\n')
  process.stdout.write(md + '\n')

  const resultsDir = path.join(BENCH, 'results')
  const stamp = date.replace(/[:.]/g, '-')
  // npm runs the workspace script in bench/; a relative --out is taken from where npm was called.
  const given = opt('out')
  const out = given ? path.resolve(process.env.INIT_CWD ?? process.cwd(), given) : path.join(resultsDir, `${stamp}-${smoke ? 'smoke' : 'full'}.jsonl`)
  mkdirSync(path.dirname(out), { recursive: true })
  const runId = `${stamp}-${smoke ? 'smoke' : 'full'}`
  const brief = { cpu: machine.cpu, cores: machine.cores }
  const clean = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v)
  const lines = [
    { kind: 'run', run_id: runId, date, mode: smoke ? 'smoke' : 'full', command, minutes: (performance.now() - t0) / 60000, machine, config, load_avg_end: loadAvg() },
    ...peerInfos.map((p) => ({ kind: 'peer', run_id: runId, ...p, status: infos.has(p.id) ? 'ok' : 'failed' })),
    ...listed.unavailable.map((u) => ({ kind: 'peer', run_id: runId, id: u.id, status: 'unavailable', reason: u.reason })),
    ...rows.map((r) => ({ kind: 'result', run_id: runId, ...r, load_avg: loads[`${r.workload}|${r.case}|${r.peer}|${r.mode}`], machine: brief })),
    ...checks.map((c) => ({ kind: 'check', run_id: runId, ...c })),
    ...(smoke ? [{ kind: 'smoke', run_id: runId, ok: missing.length === 0, missing }] : []),
  ]
  writeFileSync(out, lines.map((l) => JSON.stringify(l, clean)).join('\n') + '\n')
  log(`results: ${path.relative(process.cwd(), out)}`)
  if (!smoke && !only && !peerFilter) {
    writeFileSync(path.join(resultsDir, 'latest.md'), md + '\n')
    log(`summary: ${path.relative(process.cwd(), path.join(resultsDir, 'latest.md'))}`)
  }
  const failed = checks.filter((c) => c.required && !c.ok)
  return failed.length || missing.length ? 1 : 0
}

main().then((code) => { process.exitCode = code }, (e: unknown) => { console.error(e); process.exitCode = 1 })
