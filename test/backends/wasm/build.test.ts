import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

describe('wasm kernels build', () => {
  it('the committed module is exactly what the AssemblyScript sources compile to', () => {
    const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { encoding: 'utf8' })
    expect(out).toMatch(/wasm kernels up to date \(\d+ bytes\)/)
  })
})
