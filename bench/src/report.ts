/**
 * Output of a run: one markdown table per workload (each library's figure, best mode, and
 * puregrad's time ratio to each peer), the cross-checks, and the JSON lines file. The same
 * markdown goes to the terminal and, for a full run, to bench/results/latest.md.
 */

import type { Config } from './lib/config.js'
import type { Machine } from './lib/machine.js'
import type { Workload, Row } from './workloads/workload.js'

export interface PeerInfo { id: string; library: string; version: string; backend: string; modes: string[]; notes: string[] }
/** A required check fails the run; an informational one only reports agreement. */
export interface Check { name: string; ok: boolean; required: boolean; detail: string; values: Record<string, number> }

const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const fmt = (x: number): string => {
  if (!num(x)) return '-'
  const a = Math.abs(x)
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : a >= 0.01 ? x.toFixed(3) : x.toPrecision(2)
}

/** Per (workload, case, peer): ok rows beat partial ones, then the lowest figure wins. */
export const best = (rows: readonly Row[]): Map<string, Row> => {
  const rank = (r: Row): number => (r.status === 'ok' ? 0 : num(r.value) ? (r.status === 'over-budget' ? 1 : 2) : 3)
  const out = new Map<string, Row>()
  for (const r of rows) {
    const k = `${r.workload}|${r.case}|${r.peer}`
    const cur = out.get(k)
    if (!cur || rank(r) < rank(cur) || (rank(r) === rank(cur) && num(r.value) && (!num(cur.value) || r.value < cur.value))) out.set(k, r)
  }
  return out
}

const cellText = (r: Row | undefined, multiMode: boolean): string => {
  if (!r) return 'n/a'
  const e = r.extra
  let s: string
  switch (r.workload) {
    case 'W1': s = `${fmt(r.value)} ms, ${fmt(e.gflops as number)} GFLOPS`; break
    case 'W3': s = `${fmt(r.value)} us/op`; break
    case 'W5': {
      const half = e.growth_second_half_mb as number
      s = num(r.value) ? `${fmt(e.rss_start_mb as number)} -> ${fmt(r.value)} MB, ${half >= 0 ? '+' : ''}${fmt(half)} in 2nd half (${e.steps_done} steps)` : '-'
      break
    }
    case 'W6': s = num(r.value) ? `${fmt(r.value)} s, acc ${num(e.test_accuracy) ? (e.test_accuracy as number).toFixed(3) : '-'}` : '-'; break
    default: s = `${fmt(r.value)} ${r.unit}`
  }
  if (!num(r.value) && r.status === 'error') s = 'failed'
  if (multiMode && num(r.value)) s += ` (${r.mode})`
  if (r.status === 'over-budget') s += ' *'
  if (r.status === 'error' && num(r.value)) s += ' !'
  return s
}

/** W5 has no time ratio: memory is compared by its growth, in the notes. */
const ratio = (w: string, p: Row | undefined, q: Row | undefined): string => {
  if (w === 'W5' || !p || !q || !num(p.value) || !num(q.value)) return '-'
  const r = p.value / q.value
  // A figure at a reduced size ('!') makes the ratio indicative only; it carries the mark.
  const mark = p.status === 'error' || q.status === 'error' ? ' !' : ''
  return `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}x${mark}`
}

export const table = (w: Workload, config: Config, cases: string[], rows: readonly Row[], peers: readonly PeerInfo[], puregrad: readonly string[]): string => {
  const b = best(rows.filter((r) => r.workload === w.id))
  const others = peers.filter((p) => !puregrad.includes(p.id))
  const pgs = peers.filter((p) => puregrad.includes(p.id))
  const head = ['case', ...peers.map((p) => p.id), ...pgs.flatMap((p) => others.map((q) => `${p.id} / ${q.id}`))]
  const lines = [`### ${w.title(config)}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`]
  for (const c of cases) {
    const get = (id: string) => b.get(`${w.id}|${c}|${id}`)
    const cells = peers.map((p) => cellText(get(p.id), p.modes.length > 1))
    const ratios = pgs.flatMap((p) => others.map((q) => ratio(w.id, get(p.id), get(q.id))))
    lines.push(`| ${[c, ...cells, ...ratios].join(' | ')} |`)
  }
  const notes: string[] = []
  for (const r of rows.filter((x) => x.workload === w.id)) {
    const modes = peers.find((p) => p.id === r.peer)?.modes.length ?? 1
    const tag = `${r.peer}${modes > 1 ? ` ${r.mode}` : ''} ${r.case}`
    if (modes > 1 && num(r.value) && w.id !== 'W5' && w.id !== 'W6') {
      const first = num(r.extra.first_ms) ? ` (first call ${fmt(r.extra.first_ms)} ms)` : ''
      const at = w.id === 'W3' && r.status === 'error' ? ` at ${r.extra.links_reached} links` : ''
      notes.push(`${tag}: ${fmt(r.value)} ${r.unit}${at}${first}`)
    }
    if (r.note) notes.push(`${tag}: ${r.note}`)
    else if (r.error) notes.push(`${tag}: ${r.error}`)
    if (r.status === 'over-budget' && !r.note) {
      notes.push(`${tag}: ran out of its budget after ${r.reps} timed runs; ${r.reps === 0 ? 'the figure is its first (warm-up) run' : 'figure as reached'}`)
    }
    if (w.id === 'W5' && num(r.value)) {
      notes.push(`${tag}: RSS growth ${fmt(r.extra.growth_mb as number)} MB over the run, ${fmt(r.extra.growth_second_half_mb as number)} MB over its second half; max ${fmt(r.extra.rss_max_mb as number)} MB; ${fmt(r.extra.ms_per_step as number)} ms/step`)
    }
  }
  const what = w.id === 'W5' ? 'RSS sampled during the run.' : w.id === 'W6' ? 'One epoch, timed once.' : 'Median of the timed runs.'
  lines.push('', `${what} \`*\` ran out of its time budget (figure as reached); \`!\` failed at full size (figure at a reduced size, see notes). Ratio = puregrad time / peer time (> 1: puregrad slower).`)
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`))
  return lines.join('\n')
}

/** W2: every library and mode that finished the check steps must reach the same loss. */
export const w2Check = (rows: readonly Row[], tol: number): Check => {
  const values: Record<string, number> = {}
  for (const r of rows) if (r.workload === 'W2' && num(r.extra.loss_after)) values[`${r.peer}/${r.mode}`] = r.extra.loss_after as number
  const v = Object.values(values)
  const spread = v.length ? Math.max(...v) - Math.min(...v) : NaN
  // With fewer than two results (a --peers filter) there is nothing to cross-check.
  if (v.length < 2) return { name: 'W2 loss after 20 Adam steps from the same weights', ok: false, required: false, detail: 'fewer than two results to compare', values }
  return { name: 'W2 loss after 20 Adam steps from the same weights', ok: spread <= tol, required: true, detail: `${v.length} results, max difference ${spread.toExponential(2)} (tolerance ${tol})`, values }
}

/** Informational agreement of other results across libraries (not failing the run). */
export const agreement = (rows: readonly Row[], workload: string, key: string, label: string): Check => {
  const byCase = new Map<string, number[]>()
  const values: Record<string, number> = {}
  for (const r of rows) {
    if (r.workload !== workload || !num(r.extra[key]) || r.status === 'error') continue
    values[`${r.peer}/${r.mode} ${r.case}`] = r.extra[key] as number
    byCase.set(r.case, [...(byCase.get(r.case) ?? []), r.extra[key] as number])
  }
  const rel = [...byCase.values()].map((v) => (Math.max(...v) - Math.min(...v)) / Math.max(1e-30, Math.max(...v.map(Math.abs))))
  const worst = rel.length ? Math.max(...rel) : NaN
  const enough = [...byCase.values()].some((v) => v.length >= 2)
  const detail = enough ? `max relative difference ${worst.toExponential(2)}` : 'fewer than two results to compare'
  return { name: label, ok: enough && worst < 1e-3, required: false, detail, values }
}

export interface RunFacts { readonly date: string; readonly command: string; readonly minutes: number; readonly load1: readonly number[] }

export const header = (m: Machine, run: RunFacts, peers: readonly PeerInfo[], unavailable: readonly { id: string; reason: string }[]): string => [
  `Run ${run.date}: \`${run.command}\`, ${run.minutes.toFixed(1)} min.`,
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, ${m.mem_gb} GB; ${m.platform}; Node ${m.node}. Load average ${m.load_avg.join(' / ')} at start; ` +
    `1-minute load ${Math.min(...run.load1).toFixed(1)} to ${Math.max(...run.load1).toFixed(1)} at the start of the cells (JSON lines have it per cell).`,
  `puregrad ${m.versions.puregrad} (commit ${m.puregrad_commit}).`,
  '',
  ...peers.map((p) => `- ${p.id}: ${p.library} ${p.version}, backend '${p.backend}'${p.modes.length > 1 ? `, modes ${p.modes.join(' / ')} (best shown)` : ''}${p.notes.length ? `; ${p.notes.join('; ')}` : ''}`),
  ...unavailable.map((u) => `- ${u.id}: not run: ${u.reason}`),
].join('\n')

export const checksText = (checks: readonly Check[]): string => [
  '### Cross-checks',
  '',
  ...checks.map((c) => `- ${c.required ? (c.ok ? 'PASS' : 'FAIL') : c.ok ? 'agree' : 'differ'} ${c.name}: ${c.detail}${Object.keys(c.values).length && Object.keys(c.values).length <= 12 ? ` (${Object.entries(c.values).map(([k, v]) => `${k} ${v.toPrecision(7)}`).join(', ')})` : ''}`),
].join('\n')
