// What the API reference still lacks: runs TypeDoc with typedoc.json's allowlists emptied and
// prints, as JSON, the qualified names TypeDoc reports as
//   intentionallyNotDocumented  - exported declarations without a doc comment,
//   intentionallyWithoutExample - exported functions and classes without an @example,
//   intentionallyNotExported    - types the public API mentions but does not export.
// These lists in typedoc.json are debt: `npm run docs` (and test/docs/api-reference.test.ts) fail
// when a name is missing from them (a new undocumented export) or listed but fixed, so they only
// shrink. Usage:
//   node scripts/api-docs-debt.mjs            print the current lists and counts
//   node scripts/api-docs-debt.mjs --write    replace typedoc.json's lists with them (review the diff:
//                                             a list should only grow when a new entry point lands)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const configPath = join(root, 'typedoc.json')
const config = JSON.parse(readFileSync(configPath, 'utf8'))
const dir = mkdtempSync(join(tmpdir(), 'puregrad-api-debt-'))
const abs = (p) => resolve(root, p)
const probe = {
  ...config,
  $schema: undefined,
  entryPoints: config.entryPoints.map(abs),
  tsconfig: abs(config.tsconfig),
  plugin: config.plugin.map(abs),
  out: join(dir, 'html'),
  treatWarningsAsErrors: false,
  intentionallyNotDocumented: [],
  intentionallyWithoutExample: [],
  intentionallyNotExported: [],
}
writeFileSync(join(dir, 'typedoc.json'), JSON.stringify(probe))
const run = spawnSync(join(root, 'node_modules', '.bin', 'typedoc'), ['--options', join(dir, 'typedoc.json')], {
  cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 64 << 20,
})
rmSync(dir, { recursive: true, force: true })
const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`
// eslint-disable-next-line no-control-regex
const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
const pick = (re) => [...new Set(lines.flatMap((l) => { const m = re.exec(l); return m === null ? [] : [m[1]] }))].sort()
const lists = {
  intentionallyNotDocumented: pick(/^\[warning\] (\S+?)(?: \(\w+\))?, defined in .*does not have any documentation/),
  intentionallyWithoutExample: pick(/^\[warning\] (\S+) has no @example/),
  intentionallyNotExported: pick(/^\[warning\] (\w+), defined in .* is referenced by .* but not included in the documentation/),
}
const other = lines.filter((l) => /^\[(warning|error)\]/.test(l) && !/does not have any documentation|has no @example|but not included in the documentation|Found \d+ errors/.test(l))
if (other.length > 0) {
  console.error(`TypeDoc reported other problems (fix these; they cannot be listed):\n${other.join('\n')}`)
  process.exitCode = 1
}
if (process.argv.includes('--write')) {
  writeFileSync(configPath, JSON.stringify({ ...config, ...lists }, null, 2) + '\n')
  console.log(`typedoc.json: ${Object.entries(lists).map(([k, v]) => `${k} ${v.length}`).join(', ')}`)
} else {
  console.log(JSON.stringify(lists, null, 2))
  console.error(Object.entries(lists).map(([k, v]) => `${k}: ${v.length}`).join('\n'))
}
