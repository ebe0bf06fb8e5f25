// Adds the `/// <reference types="..." />` directives that tsup's declaration bundler drops to the
// built entry declarations that need them: dist/webgpu.d.ts and .d.cts use the WebGPU globals
// (GPUDevice, GPUBuffer, ...) declared by @webgpu/types, so a consumer that imports
// 'puregrad/webgpu' gets those types through this directive (and npm installs @webgpu/types as a
// dependency of puregrad). Idempotent. Run after tsup: `node scripts/dts-references.mjs [outDir]`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/** Entry name (tsup.config.ts) -> type packages its declarations need. */
const NEEDS = { webgpu: ['@webgpu/types'] }

const outDir = resolve(process.argv[2] ?? 'dist')
let changed = 0
for (const [entry, types] of Object.entries(NEEDS)) {
  for (const ext of ['.d.ts', '.d.cts']) {
    const file = join(outDir, entry + ext)
    if (!existsSync(file)) continue
    const text = readFileSync(file, 'utf8')
    const missing = types.filter((t) => !text.includes(`/// <reference types="${t}" />`))
    if (missing.length === 0) continue
    writeFileSync(file, missing.map((t) => `/// <reference types="${t}" />\n`).join('') + text)
    changed++
  }
}
console.log(`dts-references: ${changed} declaration file(s) updated in ${outDir}`)
