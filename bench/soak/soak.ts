/**
 * Soak benchmark: trains a small MLP for many steps on one backend, synchronously or
 * asynchronously, sampling memory, and prints a table and a verdict against stated bounds (see
 * run.ts). Exits 1 when the verdict fails.
 *
 *   npm run soak -- --steps 100000 --backend wasm --mode async
 *   npm run soak -- --backend webgpu --steps 10000 --json out/soak-webgpu.json
 *
 * Options: --steps N (100000), --backend js|wasm|webgpu (js), --mode sync|async (sync),
 * --sample N (steps / 50), --warmup N (min(5000, steps / 10)), --rss-bound MiB (50),
 * --heap-bound MiB (5), --threads N (wasm worker threads, default the machine's), --seed N (0),
 * --json FILE (write every sample and the summary).
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { registerBackend } from '../../src/index.js'
import { createWasmBackend } from '../../src/backends/wasm/index.js'
import { formatSample, header, runSoak, type SoakOptions } from './run.js'

const args = process.argv.slice(2)
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback
}
const int = (name: string, fallback: number): number => {
  const v = Number(opt(name, String(fallback)))
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer, got ${opt(name, '')}`)
  return v
}

const steps = int('steps', 100_000)
const backend = opt('backend', 'js')
const mode = opt('mode', 'sync')
if (mode !== 'sync' && mode !== 'async') throw new Error(`--mode must be sync or async, got ${mode}`)
const threads = args.includes('--threads') ? int('threads', 1) : undefined

if (backend === 'wasm') {
  registerBackend(createWasmBackend(threads === undefined ? {} : { threads }))
} else if (backend === 'webgpu') {
  // The test suite's driver setup (software Vulkan driver from scripts/setup-webgpu-driver.sh).
  const { setupWebGPU } = await import('../../test/backends/webgpu/device.js')
  const setup = await setupWebGPU()
  if (setup.backend === undefined) throw new Error(`webgpu is unavailable: ${setup.missing}`)
  console.log(`webgpu driver: ${setup.driver}`)
} else if (backend !== 'js') {
  throw new Error(`--backend must be js, wasm or webgpu, got ${backend}`)
}

const options: SoakOptions = {
  steps,
  backend,
  mode,
  sampleEvery: Math.max(1, int('sample', Math.max(1, Math.floor(steps / 50)))),
  warmup: int('warmup', Math.min(5000, Math.floor(steps / 10))),
  rssBoundMB: Number(opt('rss-bound', '50')),
  heapBoundMB: Number(opt('heap-bound', '5')),
  seed: int('seed', 0),
  onSample: (s) => console.log(formatSample(s)),
}

console.log(`soak: ${steps} steps, MLP 16-32-4 batch 32 + Adam, backend ${backend}${threads === undefined ? '' : ` (${threads} threads)`}, ${mode}, ` +
  `warm-up ${options.warmup}, node ${process.version}, ${process.platform}/${process.arch}`)
console.log(header)
const r = await runSoak(options)
console.log(`\n${r.stepsPerSecond.toFixed(0)} steps/s after warm-up; loss ${r.firstLoss.toExponential(3)} -> ${r.lastLoss.toExponential(3)}`)
console.log(`RSS at warm-up end ${r.rssBaseMB.toFixed(1)} MiB, peak after ${r.rssPeakMB.toFixed(1)} MiB; heap after GC ${r.heapAfterGcBaseMB.toFixed(2)} -> ${r.heapAfterGcEndMB.toFixed(2)} MiB`)
console.log(r.verdict)

const json = opt('json', '')
if (json !== '') {
  mkdirSync(dirname(json), { recursive: true })
  writeFileSync(json, JSON.stringify({ ...r, node: process.version, date: new Date().toISOString() }, null, 1))
}
process.exit(r.pass ? 0 : 1)
