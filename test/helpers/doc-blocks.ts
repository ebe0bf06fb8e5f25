/**
 * Running the code examples of markdown docs, so they never rot. Blocks fenced as ```ts runnable
 * are type-checked against the sources (every package entry, `'puregrad'`, `'puregrad/layers'`,
 * ..., mapped to its source file through tsup.config.ts and package.json) and run as their own
 * ES-module programs, which must exit 0; the blocks carry their own assertions.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface Block { readonly line: number; readonly info: string; readonly code: string }

/** Fenced code blocks with their info string and the 1-based line of the opening fence. */
export const fencedBlocks = (markdown: string, name: string): Block[] => {
  const lines = markdown.split('\n')
  const out: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i])
    if (open === null) continue
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i])
    if (i >= lines.length) throw new Error(`${name} line ${start + 1}: code block is never closed`)
    out.push({ line: start + 1, info: open[1].trim(), code: body.join('\n') + '\n' })
  }
  return out
}

export const runnableBlocks = (file: string): Block[] =>
  fencedBlocks(readFileSync(join(root, file), 'utf8'), file).filter((b) => /^(ts|typescript)\s+runnable\b/.test(b.info))

/** Package specifier ('puregrad', 'puregrad/layers', ...) to its source entry file. */
export const entrySources = (): Record<string, string> => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> }
  const tsup = readFileSync(join(root, 'tsup.config.ts'), 'utf8')
  const sources = Object.fromEntries([...tsup.matchAll(/^\s*'?([\w-]+)'?: '([^']+\.ts)',?$/gm)].map((m) => [m[1], m[2]]))
  const out: Record<string, string> = {}
  for (const [sub, target] of Object.entries(pkg.exports)) {
    const dist = JSON.stringify(target).match(/\.\/dist\/([\w-]+)\.js/)
    if (dist === null || sources[dist[1]] === undefined) continue
    out[sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`] = join(root, sources[dist[1]])
  }
  return out
}

const specifiers = /from (['"])(puregrad(?:\/[\w/-]+)?)\1/g

export const rewriteImports = (code: string, entries: Record<string, string>): string =>
  code.replace(specifiers, (whole, _q: string, spec: string) =>
    entries[spec] === undefined ? whole : `from '${pathToFileURL(entries[spec]).href}'`)

/** Type errors of the blocks, compiled together with the sources under the repo tsconfig. */
export const typeErrors = (blocks: readonly Block[], name: string, entries: Record<string, string>): string[] => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-doc-'))
  const cfg = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, root)
  const files = blocks.map((b, i) => {
    const f = join(dir, `block-${i + 1}.ts`)
    writeFileSync(f, b.code)
    return f
  })
  const paths = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v]]))
  const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true, paths } })
  return files.flatMap((f, i) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => {
    const pos = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined
    const at = pos === undefined ? '' : ` (${name} line ${blocks[i].line + 1 + pos.line})`
    return `block at line ${blocks[i].line}${at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  }))
}

const tsxBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx')

/** Runs a block as an ES module; stack frames are renamed so vitest does not take them for its own. */
export const runBlock = (block: Block, entries: Record<string, string>): Promise<{ code: number; output: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-doc-run-'))
  const file = join(dir, 'block.mts')
  writeFileSync(file, rewriteImports(block.code, entries))
  return new Promise((done) => {
    execFile(tsxBin, [file], { cwd: root, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      done({ code, output: `${err !== null && stderr === '' ? String(err) : stderr}${stdout}`.replace(/^(\s*)at /gm, '$1@ ') })
    })
  })
}
