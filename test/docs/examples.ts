/**
 * Running many doc examples in one process. Starting tsx for each of hundreds of `@example` blocks
 * would take minutes, so `runBlocks` writes every block as its own module (imports of 'puregrad',
 * 'puregrad/layers', ... rewritten to the sources, as `runBlock` does) and one runner imports them
 * in turn, resetting the backend to 'js' before each and catching each block's error apart.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Block, rewriteImports, root } from '../helpers/doc-blocks.js'

const MARK = '\n@@puregrad-example-results@@'
const tsxBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx')

/** One result per block: null when it ran to completion, else its error (stack frames renamed for vitest). */
export const runBlocks = (blocks: readonly Block[], entries: Record<string, string>): Promise<(string | null)[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-examples-'))
  blocks.forEach((b, i) => writeFileSync(join(dir, `block-${i}.mts`), rewriteImports(b.code, entries)))
  writeFileSync(join(dir, 'runner.mts'), rewriteImports(`import { setBackend } from 'puregrad'
const results: (string | null)[] = []
for (let i = 0; i < ${blocks.length}; i++) {
  try {
    setBackend('js')
    await import(\`./block-\${i}.mts\`)
    results.push(null)
  } catch (e) {
    results.push(e instanceof Error ? (e.stack ?? e.message) : String(e))
  }
}
process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(results))
process.exit(0)
`, entries))
  return new Promise((done, fail) => {
    execFile(tsxBin, [join(dir, 'runner.mts')], { cwd: root, timeout: 300_000, maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true })
      const at = stdout.lastIndexOf(MARK)
      if (at < 0) { fail(new Error(`the example runner died: ${String(err)}\n${stderr}\n${stdout}`)); return }
      const results = JSON.parse(stdout.slice(at + MARK.length)) as (string | null)[]
      done(results.map((r) => (r === null ? null : r.replace(/^(\s*)at /gm, '$1@ '))))
    })
  })
}
