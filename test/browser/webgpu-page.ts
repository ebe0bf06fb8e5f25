/**
 * The page of the browser WebGPU test (bundled by esbuild into app.js, loaded by index.html in
 * headless Chromium). It makes puregrad's webgpu backend from `navigator.gpu` with `useWebGPU()`,
 * trains the shared run (train.ts) on it, and writes a JSON report into `#result`, marking it
 * `data-done` for the test to read: the adapter, the loss curve, kernel and GPU counters, device
 * errors, GPU bytes held before and after, and what `dataSync()` does on this backend. Any
 * failure is reported in the JSON too, so the test shows it instead of timing out.
 */

import { PuregradError, tensor, withBackend } from '../../src/index.js'
import { useWebGPU } from '../../src/backends/webgpu/index.js'
import { train } from './train.js'

const STEPS = 60

const report = async (): Promise<Record<string, unknown>> => {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu
  if (gpu === undefined) return { error: 'navigator.gpu is missing' }
  const adapter = await gpu.requestAdapter()
  if (adapter === null) return { error: 'navigator.gpu.requestAdapter() returned null' }
  const backend = await useWebGPU()
  const baseline = backend.stats.liveBytes()
  const submits0 = backend.stats.gpu.submits
  const run = await train('webgpu', STEPS)
  let dataSync: unknown
  try {
    withBackend('webgpu', () => tensor([1, 2]).dataSync())
    dataSync = 'no error'
  } catch (e) {
    dataSync = e instanceof PuregradError ? e.code : String(e)
  }
  await backend.onIdle()
  return {
    adapter: { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description },
    run,
    gpu: { ...backend.stats.gpu, submitsDuringRun: backend.stats.gpu.submits - submits0 },
    errors: backend.stats.errors,
    liveBytes: { baseline, end: backend.stats.liveBytes() },
    reservedBytes: backend.stats.reservedBytes(),
    dataSync,
  }
}

const out = document.getElementById('result') as HTMLElement
report()
  .catch((e: unknown) => ({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }))
  .then((r) => {
    out.textContent = JSON.stringify(r)
    out.setAttribute('data-done', '')
  })
