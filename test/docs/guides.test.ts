/**
 * Keeps the guides in docs/ true. Every ```ts block of every docs/*.md is type-checked against the
 * sources (each guide's blocks compiled together, `'puregrad'` and its subpaths mapped to src/),
 * and every ```ts runnable block runs as its own ES-module program and must exit 0 (the blocks
 * carry their own assertions). Relative links in the guides must point at files that exist, the
 * six guides the issue asks for must be there, and README.md must link each guide and the API
 * reference.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { entrySources, fencedBlocks, root, runBlock, typeErrors } from '../helpers/doc-blocks.js'

const GUIDES = ['getting-started.md', 'mental-model.md', 'custom-layer.md', 'gradient-health.md', 'backends.md', 'migrating-from-tfjs.md']
const docs = join(root, 'docs')
const files = readdirSync(docs).filter((f) => f.endsWith('.md')).sort()
const entries = entrySources()
/**
 * Non-runnable blocks may show a test file or Node's WebGPU setup: 'vitest' and 'webgpu' (dev
 * dependencies) resolve to their declarations for the type check.
 */
const checkEntries = {
  ...entries,
  vitest: join(root, 'node_modules', 'vitest', 'dist', 'index.d.ts'),
  webgpu: join(root, 'node_modules', 'webgpu', 'types.d.ts'),
}

/** Relative link targets of a markdown file (no URLs, no pure anchors, nothing inside code), with their line. */
const links = (markdown: string): { target: string; line: number }[] => {
  let fenced = false
  return markdown.split('\n').flatMap((l, i) => {
    if (/^```/.test(l)) fenced = !fenced
    if (fenced || /^```/.test(l)) return []
    return [...l.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((t) => !/^[a-z][\w+.-]*:/i.test(t) && !t.startsWith('#'))
      .map((t) => ({ target: t.replace(/#.*$/, ''), line: i + 1 }))
  })
}

describe('docs/ guides', () => {
  it('has the six guides', () => {
    expect(files).toEqual(expect.arrayContaining(GUIDES))
  })

  it('README.md links every guide and the API reference', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const linked = links(readme).map((l) => l.target.replace(/^\.\//, ''))
    expect(GUIDES.map((g) => `docs/${g}`).filter((g) => !linked.includes(g)), 'guides README.md does not link').toEqual([])
    // The reference is generated (docs/api/ is git-ignored): the README says how to build it and where it lands.
    expect(readme, 'README.md says how to build the API reference').toMatch(/npm run docs/)
    expect(readme, 'README.md says where the API reference is written').toMatch(/docs\/api\//)
  })

  for (const file of files) {
    describe(file, () => {
      const text = readFileSync(join(docs, file), 'utf8')
      const blocks = fencedBlocks(text, file)
      const ts = blocks.filter((b) => /^(ts|typescript)\b/.test(b.info))
      const runnable = ts.filter((b) => /^(ts|typescript)\s+runnable\b/.test(b.info))

      it('links only to files that exist', () => {
        const broken = links(text).filter((l) => !existsSync(join(dirname(join(docs, file)), l.target)))
        expect(broken.map((l) => `line ${l.line}: ${l.target}`)).toEqual([])
      })

      if (ts.length === 0) return

      it('runnable blocks import from puregrad and assert something', () => {
        for (const b of runnable) {
          expect(b.code, `${file} block at line ${b.line} imports from 'puregrad'`).toMatch(/from ['"]puregrad(\/[\w/-]+)?['"]/)
          expect(b.code, `${file} block at line ${b.line} asserts something`).toMatch(/\bthrow\b/)
        }
      })

      it('every ts block type-checks against the sources', () => {
        expect(typeErrors(ts, file, checkEntries)).toEqual([])
      }, 120_000)

      // A guide may have only type-checked blocks; an empty suite is an error in vitest.
      if (runnable.length > 0) describe.concurrent('runnable blocks', () => {
        runnable.forEach((b, i) => {
          it(`block ${i + 1} (line ${b.line}) runs and exits 0`, async () => {
            const r = await runBlock(b, entries)
            expect(r.code, `${file} block at line ${b.line} failed:\n${r.output}`).toBe(0)
          }, 120_000)
        })
      })
    })
  }
})
