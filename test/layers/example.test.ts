/**
 * Keeps src/layers/README.md true: every ```ts runnable block is type-checked against src/ (with
 * 'puregrad' and 'puregrad/layers' mapped to their entry files) and run as its own program, which
 * must exit 0; the blocks carry their own assertions. The first block, the MLP-and-CNN example,
 * must stay under 15 lines.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const entries = { puregrad: join(root, 'src', 'index.ts'), 'puregrad/layers': join(root, 'src', 'layers', 'index.ts') }
const readme = readFileSync(join(root, 'src', 'layers', 'README.md'), 'utf8').split('\n')

interface Block { readonly line: number; readonly code: string }

const blocks: Block[] = []
for (let i = 0; i < readme.length; i++) {
  if (!/^```ts\s+runnable\b/.test(readme[i])) continue
  const start = i
  const body: string[] = []
  for (i++; i < readme.length && !/^```\s*$/.test(readme[i]); i++) body.push(readme[i])
  blocks.push({ line: start + 1, code: body.join('\n') + '\n' })
}

const dir = mkdtempSync(join(tmpdir(), 'puregrad-layers-readme-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const tsxBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx')
const run = (file: string): Promise<{ code: number; output: string }> =>
  new Promise((done) => {
    execFile(tsxBin, [file], { cwd: root, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
      done({ code, output: `${stderr}${stdout}`.replace(/^(\s*)at /gm, '$1@ ') })
    })
  })

describe('src/layers/README.md', () => {
  it('has the example and the training block, each asserting something', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2)
    for (const b of blocks) {
      expect(b.code).toMatch(/from ['"]puregrad\/layers['"]/)
      expect(b.code).toMatch(/\bthrow\b/)
    }
    const lines = blocks[0].code.split('\n').filter((l) => l.trim() !== '')
    expect(lines.length, 'the MLP + CNN example').toBeLessThan(15)
    expect(blocks[0].code).toMatch(/sequential\(dense/)
    expect(blocks[0].code).toMatch(/conv2d/)
  })

  it('its blocks type-check under the repo tsconfig', () => {
    const cfg = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
    const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, root)
    const files = blocks.map((b, i) => {
      const f = join(dir, `typecheck-${i + 1}.ts`)
      writeFileSync(f, b.code)
      return f
    })
    const paths = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v]]))
    const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true, paths } })
    const problems = files.flatMap((f, i) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) =>
      `block at line ${blocks[i].line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`))
    expect(problems).toEqual([])
  })

  blocks.forEach((b, i) => {
    it(`block ${i + 1} (line ${b.line}) runs and exits 0`, async () => {
      const src = b.code
        .replace(/from (['"])puregrad\/layers\1/g, `from '${pathToFileURL(entries['puregrad/layers']).href}'`)
        .replace(/from (['"])puregrad\1/g, `from '${pathToFileURL(entries.puregrad).href}'`)
      const file = join(dir, `block-${i + 1}.mts`)
      writeFileSync(file, src)
      const r = await run(file)
      expect(r.code, `src/layers/README.md block at line ${b.line} failed:\n${r.output}`).toBe(0)
    })
  })
})
