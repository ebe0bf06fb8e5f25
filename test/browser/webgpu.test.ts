/**
 * puregrad's WebGPU backend in a real browser: headless Chromium (Debian's, through playwright-core,
 * with --enable-unsafe-webgpu: WebGPU on Chromium's own SwiftShader when there is no GPU) loads a
 * page bundled by esbuild from the sources (webgpu-page.ts), which makes the backend from
 * `navigator.gpu`, trains a small Adam-optimised classifier without reading until the end, and
 * reports. The test asserts that it learned, that its loss curve matches the same run on the JS
 * backend here in Node, that the work really ran on webgpu (kernel and dispatch counters, no JS
 * kernel calls, batched submissions) with no device errors, and that dataSync() is the documented
 * error there.
 *
 * Without Chromium, or when Chromium offers no WebGPU adapter, the test skips saying why; under
 * CI=true either is a failure.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, describe, expect, it } from 'vitest'
import { expectClose } from '../helpers/allclose.js'
import { chromiumMissing, runPage } from '../package/browser.js'
import { train, type TrainResult } from './train.js'

const inCI = process.env.CI === 'true'
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu']

interface PageReport {
  readonly error?: string
  readonly adapter: { vendor: string; architecture: string; description: string }
  readonly run: TrainResult
  readonly gpu: { dispatches: number; submits: number; reads: number; pipelines: number; submitsDuringRun: number }
  readonly errors: readonly string[]
  readonly liveBytes: { baseline: number; end: number }
  readonly dataSync: string
}

/** Skips with the reason locally; fails under CI. */
const unavailable = (ctx: { skip: (note?: string) => void }, why: string): never => {
  if (inCI) throw new Error(`${why}; CI must run the browser WebGPU test`)
  console.warn(`browser webgpu test skipped: ${why}`)
  ctx.skip(why)
  throw new Error('unreachable')
}

describe('webgpu in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-webgpu-page-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('a bundled page trains on navigator.gpu and matches the js backend', async (ctx) => {
    const missing = chromiumMissing()
    if (missing !== null) unavailable(ctx, missing)
    await build({
      entryPoints: [join(import.meta.dirname, 'webgpu-page.ts')], bundle: true, format: 'esm',
      platform: 'browser', target: 'es2022', outfile: join(dir, 'app.js'), logLevel: 'silent',
    })
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><pre id="result"></pre><script type="module" src="app.js"></script>\n')
    const page = await runPage(dir, 240_000, WEBGPU_FLAGS)
    const report = JSON.parse(page.text) as PageReport
    const logs = `console:\n${page.console.join('\n')}`
    if (report.error !== undefined && /navigator\.gpu|requestAdapter/.test(report.error)) unavailable(ctx, `Chromium ${WEBGPU_FLAGS.join(' ')}: ${report.error}`)
    expect(report.error, logs).toBeUndefined()

    const { run } = report
    expect(run.backend).toBe('webgpu')
    expect(report.adapter.vendor, 'an adapter from navigator.gpu').not.toBe('')
    // It learned, and along the same curve as the JS backend (float32 both; the GPU sums in
    // other orders, so equal to a tolerance, not bit for bit).
    const n = run.losses.length
    expect(n).toBeGreaterThan(0)
    expect(run.losses[n - 1]).toBeLessThan(run.losses[0] * 0.5)
    const js = await train('js', n)
    expectClose(run.losses, js.losses, { atol: 1e-5, rtol: 1e-3 })
    // The work ran on webgpu: every primitive the js run used ran there too (and possibly more:
    // rules that skip work after a synchronous check cannot check on webgpu), none on the JS
    // backend, in batched submissions, with no validation or memory errors.
    expect(run.jsCalls, 'JS kernel calls during the webgpu run').toBe(0)
    for (const p of Object.keys(js.kernelCalls)) expect(run.kernelCalls[p], `${p} kernel calls on webgpu`).toBeGreaterThanOrEqual(js.kernelCalls[p])
    expect(run.kernelCalls.matmul).toBeGreaterThan(0)
    expect(report.gpu.dispatches).toBeGreaterThan(n * 20)
    expect(report.gpu.dispatches / report.gpu.submitsDuringRun).toBeGreaterThan(20)
    expect(report.errors).toEqual([])
    expect(report.dataSync).toBe('SYNC_READ_UNAVAILABLE')
    console.log(`chromium webgpu (${report.adapter.vendor}/${report.adapter.architecture}): loss ${run.losses[0].toFixed(4)} -> ${run.losses[n - 1].toFixed(4)} ` +
      `(js ${js.losses[n - 1].toFixed(4)}), ${report.gpu.dispatches} dispatches in ${report.gpu.submits} submissions, ${report.gpu.pipelines} pipelines; page ${page.ms} ms`)
  }, 300_000)
})
