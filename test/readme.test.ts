/**
 * Keeps README.md true. Every ```ts runnable block is type-checked against src/ and run as its own
 * program (`'puregrad'` pointing at src/index.ts) and must exit 0; the blocks carry their own
 * assertions. The API tables must name exactly the exports of src/index.ts (values from the
 * module itself, type-only exports from the TypeScript checker), with the right kind, and the
 * error-code table must match ERROR_CODES word for word.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const indexTs = join(root, 'src', 'index.ts')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const lines = readme.split('\n')

interface Block { readonly line: number; readonly info: string; readonly code: string }

/** Fenced code blocks (``` fences), with their info string and the 1-based line of the fence. */
const fencedBlocks = (): Block[] => {
  const out: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i])
    if (open === null) continue
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i])
    if (i >= lines.length) throw new Error(`README.md line ${start + 1}: code block is never closed`)
    out.push({ line: start + 1, info: open[1].trim(), code: body.join('\n') + '\n' })
  }
  return out
}

const runnable = fencedBlocks().filter((b) => /^(ts|typescript)\s+runnable\b/.test(b.info))

/** The lines of the section under `## title`, up to the next `## ` heading. */
const section = (title: string): string[] => {
  const start = lines.findIndex((l) => l.trim() === `## ${title}`)
  if (start < 0) throw new Error(`README.md has no '## ${title}' section`)
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '))
  return lines.slice(start + 1, end < 0 ? lines.length : end)
}

const dir = mkdtempSync(join(tmpdir(), 'puregrad-readme-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const tsxBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx')

const run = (file: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((done) => {
    execFile(tsxBin, [file], { cwd: root, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      done({ code, stdout, stderr: err !== null && stderr === '' ? String(err) : stderr })
    })
  })

/** One program over src/index.ts and the blocks as written ('puregrad' mapped to src/index.ts). */
const program = (() => {
  const cfg = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, root)
  const blockFiles = runnable.map((b, i) => {
    const f = join(dir, `typecheck-${i + 1}.ts`)
    writeFileSync(f, b.code)
    return f
  })
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, paths: { puregrad: [indexTs] } }
  const p = ts.createProgram({ rootNames: [indexTs, ...blockFiles], options })
  return { p, blockFiles }
})()

describe('README.md runnable blocks', () => {
  it('has runnable blocks, each with its own assertions', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(3)
    for (const b of runnable) {
      expect(b.code, `block at README.md line ${b.line} imports from 'puregrad'`).toMatch(/from ['"]puregrad['"]/)
      expect(b.code, `block at README.md line ${b.line} asserts something`).toMatch(/\bthrow\b/)
    }
  })

  it('type-check under the repo tsconfig', () => {
    const problems = program.blockFiles.flatMap((f, i) =>
      ts.getPreEmitDiagnostics(program.p, program.p.getSourceFile(f)).map((d) => {
        const pos = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
        const at = pos === undefined ? '' : ` (README.md line ${runnable[i].line + 1 + pos.line})`
        return `block at line ${runnable[i].line}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
      }))
    expect(problems).toEqual([])
  })

  runnable.forEach((b, i) => {
    it(`block ${i + 1} (README.md line ${b.line}) runs and exits 0`, async () => {
      const src = b.code.replace(/from (['"])puregrad\1/g, `from '${pathToFileURL(indexTs).href}'`)
      const file = join(dir, `block-${i + 1}.mts`) // .mts: an ES module, as in an ESM project
      writeFileSync(file, src)
      const r = await run(file)
      // Stack frames of the child are renamed so vitest does not take them for its own.
      const output = `${r.stderr}${r.stdout}`.replace(/^(\s*)at /gm, '$1@ ')
      expect(r.code, `README.md block at line ${b.line} failed:\n${output}`).toBe(0)
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
    const checker = program.p.getTypeChecker()
    const sf = program.p.getSourceFile(indexTs)
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
    const sh = fencedBlocks().filter((b) => b.info === 'sh' || b.info === 'bash').map((b) => b.code.trim())
    expect(sh).toContain('npm ci && npm run demo')
    expect(sh).toContain('npm ci && npm test')
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(pkg.scripts.demo).toBeDefined()
    expect(pkg.scripts.test).toBeDefined()
  })
})
