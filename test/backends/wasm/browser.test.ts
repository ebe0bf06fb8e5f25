/**
 * The wasm backend in headless Chromium: a page bundled from the sources with esbuild loads the
 * relaxed-SIMD and baseline-SIMD builds with createWasmBackendAsync (one thread each), and each
 * build's matmul, in all four transpose combinations, stays within the float32 error bound of a
 * float64 product computed on the page. Skipped when Chromium is missing, except on CI.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { chromiumMissing, runPage } from '../../package/browser.js'

const ENTRY = fileURLToPath(new URL('../../../src/backends/wasm/index.ts', import.meta.url))

const PAGE = `
import { createWasmBackendAsync } from ${JSON.stringify(ENTRY)}
const rand = (n, seed) => { let s = seed >>> 0; return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5 }) }
const worstError = (be, m, n, k, tA, tB) => {
  const a = rand(m * k, m + k), b = rand(k * n, n)
  const got = be.kernels.matmul([{ data: a, shape: tA ? [k, m] : [m, k], dtype: 'float32' }, { data: b, shape: tB ? [n, k] : [k, n], dtype: 'float32' }],
    { transposeA: tA, transposeB: tB }, { shape: [m, n], dtype: 'float32' })
  let worst = 0
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, mag = 0
    for (let p = 0; p < k; p++) { const x = a[tA ? p * m + i : i * k + p] * b[tB ? j * k + p : p * n + j]; s += x; mag += Math.abs(x) }
    worst = Math.max(worst, Math.abs(got[i * n + j] - s) / (k * 2 ** -24 * mag + 1e-30))
  }
  return worst
}
const run = async () => {
  const out = {}
  for (const relaxedSimd of [true, false]) {
    const be = await createWasmBackendAsync({ minWork: 0, relaxedSimd })
    let worst = 0
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) worst = Math.max(worst, worstError(be, 67, 45, 300, tA, tB))
    out[String(relaxedSimd)] = { variant: be.kernelVariant, threads: be.capabilities.threads, worst, wasmCalls: be.stats.wasmCalls.matmul }
  }
  return out
}
const el = document.getElementById('result')
run().then((r) => { el.textContent = JSON.stringify(r) }, (e) => { el.textContent = JSON.stringify({ error: String(e) }) }).finally(() => { el.dataset.done = '1' })
`

describe('wasm backend in a browser', () => {
  it('loads both kernel builds asynchronously in headless Chromium and multiplies correctly with each', async (ctx) => {
    const missing = chromiumMissing()
    if (missing !== null) {
      if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') throw new Error(`${missing}; CI must run the browser test`)
      ctx.skip(missing)
    }
    const dir = mkdtempSync(join(tmpdir(), 'puregrad-wasm-page-'))
    try {
      writeFileSync(join(dir, 'page.js'), PAGE)
      writeFileSync(join(dir, 'index.html'), '<!doctype html><pre id="result"></pre><script type="module" src="app.js"></script>')
      await build({ entryPoints: [join(dir, 'page.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(dir, 'app.js'), logLevel: 'silent' })
      const page = await runPage(dir)
      const result = JSON.parse(page.text) as Record<string, { variant: string; threads: number; worst: number; wasmCalls: number }> & { error?: string }
      expect(result.error, `the page failed; console:\n${page.console.join('\n')}`).toBeUndefined()
      // Chromium has shipped relaxed SIMD since version 114.
      expect(result.true).toMatchObject({ variant: 'relaxed-simd', threads: 1, wasmCalls: 4 })
      expect(result.false).toMatchObject({ variant: 'simd', threads: 1, wasmCalls: 4 })
      expect(result.true.worst).toBeLessThanOrEqual(1)
      expect(result.false.worst).toBeLessThanOrEqual(1)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
