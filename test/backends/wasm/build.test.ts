/**
 * The committed wasm kernels are up to date: `scripts/build-wasm.mjs --check` recompiles the four
 * modules from the AssemblyScript sources and must report src/backends/wasm/kernels.generated.ts
 * unchanged.
 */

import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

describe('wasm kernels build', () => {
  // Four compiles (baseline and relaxed SIMD, private and shared memory): ~8 s idle, far more on
  // a loaded machine.
  it('the committed modules are exactly what the AssemblyScript sources compile to', () => {
    const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' })
    expect(out).toMatch(/wasm kernels up to date \(\d+ bytes\)/)
  }, 180_000)
})
