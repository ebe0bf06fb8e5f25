/**
 * Runs a test file on the backend named by PUREGRAD_BACKEND (the vitest projects in
 * vitest.config.ts run the op and differentiation suites once per backend). For wasm, every
 * matmul goes through WebAssembly however small (minWork 0), and each file must show that wasm
 * kernels really executed, so a silent fallback to JS cannot pass.
 */

import { afterAll, expect } from 'vitest'
import { getBackend } from '../../src/index.js'
import { useWasmSync, type WasmBackend } from '../../src/backends/wasm/index.js'

const wanted = process.env.PUREGRAD_BACKEND
if (wanted === 'wasm') {
  const backend: WasmBackend = useWasmSync({ minWork: 0 })
  afterAll(() => {
    expect(getBackend().name).toBe('wasm')
    const dispatched = Object.values(backend.stats.kernelCalls).reduce((a, b) => a + (b ?? 0), 0)
    expect(dispatched, 'kernels dispatched to the wasm backend').toBeGreaterThan(0)
  })
}
