/**
 * The benchmark harness in CI: runs the smoke mode (tiny sizes) in a child process, as
 * `npm run bench:smoke` would, and checks that its JSON lines hold a number from puregrad,
 * tfjs-cpu, tfjs-wasm and jax-js for every case of every workload, and that the W2 losses
 * after 20 Adam steps from the same weights agree across libraries. The full run is not run here.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const REQUIRED = ['puregrad-js', 'tfjs-cpu', 'tfjs-wasm', 'jax-js']
const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']

type Line = { kind: string; [k: string]: unknown }
type Result = Line & { workload: string; case: string; peer: string; mode: string; status: string; value: number | null; extra: Record<string, unknown> }

describe('bench smoke run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-bench-smoke-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reports numbers from every required library for every workload, and the W2 losses agree', async () => {
    const out = join(dir, 'smoke.jsonl')
    let stdout = ''
    let code = 0
    try {
      ;({ stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/src/main.ts', '--smoke', '--out', out], {
        cwd: ROOT, timeout: 240_000, maxBuffer: 16 * 1024 * 1024,
      }))
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string }
      code = err.code ?? 1
      stdout = `${err.stdout ?? ''}\n${err.stderr ?? ''}`
    }
    expect(code, stdout).toBe(0)

    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line)
    const run = lines.find((l) => l.kind === 'run') as Line & { machine: { cpu: string; cores: number; load_avg: number[]; versions: Record<string, string> } }
    expect(run.machine.cores).toBeGreaterThan(0)
    expect(run.machine.load_avg).toHaveLength(3)
    expect(run.machine.versions['@tensorflow/tfjs']).toBe('4.22.0')
    expect(run.machine.versions['@jax-js/jax']).toBe('0.1.25')

    const results = lines.filter((l): l is Result => l.kind === 'result')
    for (const w of WORKLOADS) {
      for (const peer of REQUIRED) {
        const rows = results.filter((r) => r.workload === w && r.peer === peer)
        expect(rows.length, `${w} ${peer}`).toBeGreaterThan(0)
        for (const c of new Set(results.filter((r) => r.workload === w).map((r) => r.case))) {
          const figures = rows.filter((r) => r.case === c && typeof r.value === 'number' && Number.isFinite(r.value))
          expect(figures.length, `${w} ${c} ${peer}: ${JSON.stringify(rows.map((r) => r.status))}`).toBeGreaterThan(0)
        }
      }
    }

    // The one-thread wasm peer runs where threads matter (the big GEMMs), nowhere else.
    const oneThread = new Set(results.filter((r) => r.peer === 'puregrad-wasm-1t').map((r) => r.workload))
    expect([...oneThread].sort()).toEqual(['W1', 'W2', 'W4'])

    // Every library (puregrad on each backend, each jax-js mode) reaches the same loss.
    const checked = results.filter((r) => r.workload === 'W2' && typeof r.extra.loss_after === 'number')
    for (const peer of REQUIRED) expect(checked.map((r) => r.peer), peer).toContain(peer)
    const losses = checked.map((r) => r.extra.loss_after as number)
    expect(Math.max(...losses) - Math.min(...losses)).toBeLessThanOrEqual(1e-4)
    const check = lines.find((l) => l.kind === 'check' && String(l.name).startsWith('W2')) as Line & { ok: boolean }
    expect(check.ok).toBe(true)
    expect(lines.some((l) => l.kind === 'peer' && l.id === 'tfjs-node' && l.status === 'unavailable')).toBe(true)
    expect(lines.find((l) => l.kind === 'smoke')?.ok).toBe(true)
  }, 300_000)
})
