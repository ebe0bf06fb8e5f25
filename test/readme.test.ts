/**
 * Keeps README.md true. Every ```ts runnable block is type-checked against src/ and run as its own
 * program (`'puregrad'` pointing at src/index.ts) and must exit 0; the blocks carry their own
 * assertions. The API tables must name exactly the exports of src/index.ts (values from the
 * module itself, type-only exports from the TypeScript checker), with the right kind, and the
 * error-code table must match ERROR_CODES word for word.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { entrySources, fencedBlocks, root, runBlock, typeErrors } from './helpers/doc-blocks.js'

const indexTs = join(root, 'src', 'index.ts')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const lines = readme.split('\n')
const blocks = fencedBlocks(readme, 'README.md')
const runnable = blocks.filter((b) => /^(ts|typescript)\s+runnable\b/.test(b.info))
const entries = entrySources()

/** The lines of the section under `## title`, up to the next `## ` heading. */
const section = (title: string): string[] => {
  const start = lines.findIndex((l) => l.trim() === `## ${title}`)
  if (start < 0) throw new Error(`README.md has no '## ${title}' section`)
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '))
  return lines.slice(start + 1, end < 0 ? lines.length : end)
}

/** The checker's view of src/index.ts, for its type-only exports. */
const program = ts.createProgram({ rootNames: [indexTs], options: { noEmit: true, skipLibCheck: true, strict: true, moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })

describe('README.md runnable blocks', () => {
  it('has runnable blocks, each with its own assertions', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(3)
    for (const b of runnable) {
      expect(b.code, `block at README.md line ${b.line} imports from 'puregrad'`).toMatch(/from ['"]puregrad(\/[\w/-]+)?['"]/)
      expect(b.code, `block at README.md line ${b.line} asserts something`).toMatch(/\bthrow\b/)
    }
  })

  it('type-check under the repo tsconfig', () => {
    expect(typeErrors(runnable, 'README.md', entries)).toEqual([])
  })

  runnable.forEach((b, i) => {
    it(`block ${i + 1} (README.md line ${b.line}) runs and exits 0`, async () => {
      const r = await runBlock(b, entries)
      expect(r.code, `README.md block at line ${b.line} failed:\n${r.output}`).toBe(0)
    })
  })
})

describe('README.md API tables', () => {
  const rows = section('API').flatMap((l) => {
    const m = /^\|\s*`([A-Za-z_$][\w$]*)`\s*\|\s*(\w+)\s*\|\s*(.*?)\s*\|\s*$/.exec(l)
    return m === null ? [] : [{ name: m[1], kind: m[2], description: m[3] }]
  })

  /** Every export of src/index.ts, values and types, from the checker. */
  const allExports = (): string[] => {
    const checker = program.getTypeChecker()
    const sf = program.getSourceFile(indexTs)
    const mod = sf === undefined ? undefined : checker.getSymbolAtLocation(sf)
    if (mod === undefined) throw new Error('cannot read the exports of src/index.ts')
    return checker.getExportsOfModule(mod).map((s) => s.getName())
  }

  it('list every export of src/index.ts, and nothing else, once each', async () => {
    const values = Object.keys(await import('../src/index.js'))
    const all = allExports()
    expect(all).toEqual(expect.arrayContaining(values))
    const names = rows.map((r) => r.name)
    expect(names.filter((n, i) => names.indexOf(n) !== i), 'listed twice').toEqual([])
    expect(all.filter((n) => !names.includes(n)), 'exported but missing from the README API table').toEqual([])
    expect(names.filter((n) => !all.includes(n)), 'in the README API table but not exported').toEqual([])
    for (const r of rows) expect(r.description, `${r.name} has a description`).not.toBe('')
  })

  it('give each export its kind (fn, class, const, or type for type-only exports)', async () => {
    const mod = (await import('../src/index.js')) as Record<string, unknown>
    const all = allExports()
    const kindOf = (name: string): string => {
      if (!all.includes(name)) return 'not exported'
      if (!(name in mod)) return 'type'
      const v = mod[name]
      if (typeof v !== 'function') return 'const'
      return /^class\b/.test(Function.prototype.toString.call(v)) ? 'class' : 'fn'
    }
    const wrong = rows.filter((r) => r.kind !== kindOf(r.name)).map((r) => `${r.name}: README says ${r.kind}, is ${kindOf(r.name)}`)
    expect(wrong).toEqual([])
  })
})

describe('README.md error codes and commands', () => {
  it('tabulates exactly ERROR_CODES, with their meanings', async () => {
    const { ERROR_CODES } = await import('../src/index.js')
    const table = section('Error codes').flatMap((l) => {
      const m = /^\|\s*`([A-Z_]+)`\s*\|\s*(.*?)\s*\|\s*$/.exec(l)
      return m === null ? [] : [[m[1], m[2]] as const]
    })
    expect(table).toEqual(Object.entries(ERROR_CODES))
  })

  it('gives the two newcomer commands, and package.json has their scripts', () => {
    const sh = blocks.filter((b) => b.info === 'sh' || b.info === 'bash').map((b) => b.code.trim())
    expect(sh).toContain('npm ci && npm run demo')
    expect(sh).toContain('npm ci && npm test')
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts.demo).toBeDefined()
    expect(pkg.scripts.test).toBeDefined()
  })
})
