/**
 * Running many doc examples in one process. Starting tsx for each of hundreds of `@example` blocks
 * would take minutes, so `runBlocks` writes every block as its own module (imports of 'puregrad',
 * 'puregrad/layers', ... rewritten to the sources, as `runBlock` does) and one runner imports them
 * in turn, resetting the backend to 'js' before each and catching each block's error apart.
 *
 * Examples state their results, and the results are checked (`withExpectations`): a line
 * `expr // => value` fails unless `expr` equals the JS literal `value`, and a line
 * `expr // throws CODE` fails unless `expr` throws a PuregradError with that code. The comments
 * are what a reader sees, so a reference example cannot show a wrong value.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Block, rewriteImports, root } from '../helpers/doc-blocks.js'

const MARK = '\n@@puregrad-example-results@@'

const EXPECT = /^(\s*)(.+?)\s*\/\/ (=>|throws) (.+)$/
const STATEMENT = /^(const|let|var|import|export|return|if|for|while|function|class|type|interface)\b|^[{}]/

/**
 * The checks a block's `// =>` and `// throws` comments stand for, added to its code. Numbers
 * match within 1e-6 + 1e-4 of the expected magnitude (five significant digits suffice; NaN matches
 * NaN), typed arrays match arrays, and objects and arrays match member by member.
 */
export const withExpectations = (code: string): string => {
  let used = false
  const lines = code.split('\n').map((line) => {
    const m = EXPECT.exec(line)
    if (m === null) return line
    const [, indent, expr, kind, expected] = m
    const where = JSON.stringify(line.trim())
    used = true
    if (STATEMENT.test(expr)) return `${indent}throw new Error(${JSON.stringify(`'// ${kind}' needs an expression, not a statement: `)} + ${where})`
    if (kind === 'throws') return `${indent}__pgThrows(() => (${expr}), ${JSON.stringify(expected.trim())}, ${where})`
    return `${indent}__pgExpect((${expr}), (${expected}), ${where})`
  })
  if (!used) return code
  return `${lines.join('\n')}
function __pgClose(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-6 + 1e-4 * Math.abs(b)
  }
  if (ArrayBuffer.isView(a)) a = Array.from(a as unknown as ArrayLike<number>)
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => __pgClose(x, b[i]))
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k) => __pgClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return Object.is(a, b)
}
function __pgShow(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? Array.from(x as unknown as ArrayLike<number>) : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v)
}
function __pgExpect(actual: unknown, expected: unknown, line: string): void {
  if (!__pgClose(actual, expected)) throw new Error(\`\${line}: got \${__pgShow(actual)}\`)
}
function __pgThrows(f: () => unknown, code: string, line: string): void {
  let thrown: unknown
  try { f() } catch (e) { thrown = e }
  const got = thrown instanceof Error && thrown.name === 'PuregradError' ? (thrown as Error & { code: string }).code : undefined
  if (got !== code) throw new Error(\`\${line}: expected a PuregradError \${code}, got \${thrown === undefined ? 'no error' : String(thrown)}\`)
}
`
}

const tsxBin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx')

/** One result per block: null when it ran to completion, else its error (stack frames renamed for vitest). */
export const runBlocks = (blocks: readonly Block[], entries: Record<string, string>): Promise<(string | null)[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'puregrad-examples-'))
  blocks.forEach((b, i) => writeFileSync(join(dir, `block-${i}.mts`), rewriteImports(withExpectations(b.code), entries)))
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
