/**
 * Determinism (docs/reliability.md, "Determinism"): the same PRNG key and data give bit-identical
 * parameters after 1,000 Adam steps of an MLP (determinism-run.ts) across runs in one process and
 * across processes, and on wasm across thread counts (1 and 2: the GEMM splits output rows, never
 * the reduction). js and wasm agree within a stated tolerance only: the JS kernels accumulate
 * matmul sums in float64 and round once, the wasm GEMM accumulates in float32 in its blocked
 * order, so the last bits differ and 1,000 steps carry the difference along.
 */

import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { train, wasmWithThreads, type RunResult } from './determinism-run.js'

const STEPS = 1000
const script = fileURLToPath(new URL('./determinism-run.ts', import.meta.url))

const t1 = wasmWithThreads(1)
const t2 = wasmWithThreads(2)

const runs: Record<string, RunResult> = {}
const run = (name: string, backend: string): RunResult => (runs[name] ??= train(backend, STEPS))

const firstDifference = (a: Uint8Array, b: Uint8Array): number => {
  if (a.length !== b.length) return Math.min(a.length, b.length)
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i
  return -1
}

describe(`determinism over ${STEPS} Adam steps of an MLP 32-96-10, batch 128`, () => {
  it('js: two runs give bit-identical parameters', () => {
    const a = run('js', 'js'), b = train('js', STEPS)
    expect(firstDifference(a.bytes, b.bytes), 'first differing byte').toBe(-1)
    expect(a.losses[a.losses.length - 1]).toBeLessThan(a.losses[0] / 10)
  })

  it('wasm: bit-identical across runs and across thread counts (1 and 2)', () => {
    const one = run('wasm-t1', t1), two = run('wasm-t2', t2), again = train(t1, STEPS)
    expect(firstDifference(one.bytes, two.bytes), '1 vs 2 threads').toBe(-1)
    expect(firstDifference(one.bytes, again.bytes), 'two runs on 1 thread').toBe(-1)
  })

  it('bit-identical across processes (wasm with 2 threads in a child process)', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, 'wasm', String(STEPS), '2'], { encoding: 'utf8' })
    expect(out).toContain(`sha256 ${run('wasm-t1', t1).sha256}`)
  })

  // Adam divides by sqrt(v): a parameter whose gradient is near 0 moves by about lr (1e-3) per step in
  // a direction the rounding noise decides, so parameters may differ by a few times 1e-4 after 1,000
  // steps while the losses agree to 1e-5. The bound is one learning rate.
  it('js and wasm agree within one learning rate (1e-3) on every parameter, and the losses within 1e-4 relative', () => {
    const js = run('js', 'js'), wasm = run('wasm-t1', t1)
    expect(js.sha256).not.toBe(wasm.sha256) // different summation orders: the bits do differ
    let maxAbs = 0, maxRel = 0, scale = 0
    js.leaves.forEach((leaf, k) => {
      const other = wasm.leaves[k]
      for (let i = 0; i < leaf.length; i++) {
        const d = Math.abs(leaf[i] - other[i])
        maxAbs = Math.max(maxAbs, d)
        maxRel = Math.max(maxRel, d / Math.max(Math.abs(leaf[i]), 1e-3))
        scale = Math.max(scale, Math.abs(leaf[i]))
      }
    })
    const lossRel = Math.max(...js.losses.map((l, i) => Math.abs(l - wasm.losses[i]) / Math.abs(l)))
    console.info(`js vs wasm after ${STEPS} steps: max |dp| ${maxAbs.toExponential(2)} (largest |p| ${scale.toFixed(3)}), ` +
      `max relative ${maxRel.toExponential(2)}, loss trajectories max relative ${lossRel.toExponential(2)}; ` +
      `sha256 js ${js.sha256.slice(0, 16)}, wasm ${wasm.sha256.slice(0, 16)}`)
    expect(maxAbs).toBeLessThan(1e-3)
    expect(lossRel).toBeLessThan(1e-4)
  })
})
