/**
 * The API reference. TypeDoc (typedoc.json, with scripts/typedoc-plugin.mjs) must document every
 * entry of the exports map and build with no warning: a new export without a doc comment, or a
 * function or class without an `@example`, fails, unless typedoc.json lists it as debt
 * (intentionallyNotDocumented, intentionallyWithoutExample; scripts/api-docs-debt.mjs prints what
 * is missing), and a listed name that has since been documented fails too, so the lists only
 * shrink. Every ```ts block of every `@example` is type-checked against the sources and run, as the
 * README's and the guides' blocks are.
 */

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Block, entrySources, fencedBlocks, root, typeErrors } from '../helpers/doc-blocks.js'
import { runBlocks } from './examples.js'

interface TypedocConfig {
  entryPoints: string[]
  intentionallyNotDocumented?: string[]
  intentionallyWithoutExample?: string[]
  intentionallyNotExported?: string[]
}

interface JsonReflection {
  name: string
  comment?: { blockTags?: { tag: string; content: { kind: string; text: string }[] }[] }
  children?: JsonReflection[]
  signatures?: JsonReflection[]
}

const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as TypedocConfig
const entries = entrySources()
const out = mkdtempSync(join(tmpdir(), 'puregrad-typedoc-'))
let build = { code: -1, output: '' }
let examples: (Block & { owner: string })[] = []

/** Every `@example` of the reflection tree, with the qualified name of its owner. */
const collectExamples = (node: JsonReflection, path: string[], into: { owner: string; text: string }[]): void => {
  const here = node.signatures !== undefined ? path : [...path, node.name]
  for (const tag of node.comment?.blockTags ?? []) {
    if (tag.tag === '@example') into.push({ owner: here.join('.'), text: tag.content.map((c) => c.text).join('') })
  }
  for (const c of node.children ?? []) collectExamples(c, here, into)
  for (const s of node.signatures ?? []) collectExamples(s, here, into)
}

beforeAll(async () => {
  build = await new Promise((done) => {
    execFile(join(root, 'node_modules', '.bin', 'typedoc'), ['--out', join(out, 'html'), '--json', join(out, 'api.json')], {
      cwd: root, timeout: 240_000, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', NODE_OPTIONS: '' },
    }, (err, stdout, stderr) => done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: `${stdout}${stderr}` }))
  })
  if (build.code !== 0) return
  const project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as JsonReflection
  const found: { owner: string; text: string }[] = []
  for (const mod of project.children ?? []) collectExamples(mod, [], found)
  examples = found.flatMap(({ owner, text }) => {
    const blocks = fencedBlocks(text, `@example of ${owner}`)
    return blocks.length === 0 ? [{ owner, line: 0, info: '', code: text }] : blocks.map((b) => ({ ...b, owner }))
  })
}, 300_000)

afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('API reference (npm run docs)', () => {
  it('has an entry point for every subpath of the exports map', () => {
    const documented = config.entryPoints.map((e) => e.replace(/^\.\//, '')).sort()
    expect(documented).toEqual(Object.values(entries).map((f) => relative(root, f).replace(/\\/g, '/')).sort())
  })

  it('builds with TypeDoc without a warning', () => {
    const debt = ['intentionallyNotDocumented', 'intentionallyWithoutExample', 'intentionallyNotExported'] as const
    console.log(`API reference debt (typedoc.json): ${debt.map((k) => `${k} ${config[k]?.length ?? 0}`).join(', ')}`)
    const problems = build.output.split('\n').filter((l) => /^\[(warning|error)\]/.test(l))
    expect(problems, `TypeDoc output:\n${build.output}`).toEqual([])
    expect(build.code, `TypeDoc output:\n${build.output}`).toBe(0)
  })

  it('keeps the debt lists sorted and without duplicates', () => {
    for (const k of ['intentionallyNotDocumented', 'intentionallyWithoutExample', 'intentionallyNotExported'] as const) {
      const list = config[k] ?? []
      expect(list, k).toEqual([...new Set(list)].sort())
    }
  })

  it('every @example is a fenced ```ts block that imports from puregrad', () => {
    const bad = examples.filter((b) => !/^(ts|typescript)\b/.test(b.info) || !/from ['"]puregrad(\/[\w/-]+)?['"]/.test(b.code))
    expect(bad.map((b) => `${b.owner}: ${b.info === '' ? 'no fenced ```ts block' : 'a block that does not import from puregrad'}`)).toEqual([])
  })

  it('@example blocks type-check against the sources', () => {
    // Numbered 1..n in place of their line, so that each error names the example's owner.
    const blocks = examples.filter((b) => /^(ts|typescript)\b/.test(b.info)).map((b, i) => ({ ...b, line: i + 1 }))
    const errors = typeErrors(blocks, 'the example', entries)
      .map((e) => e.replace(/^block at line (\d+)(?: \(the example line (\d+)\))?/, (_, n: string, at?: string) =>
        `@example of ${blocks[Number(n) - 1].owner}${at === undefined ? '' : `, line ${Number(at) - Number(n)} of the block`}`))
    expect(errors).toEqual([])
  }, 120_000)

  it('@example blocks run', async () => {
    const blocks = examples.filter((b) => /^(ts|typescript)\b/.test(b.info))
    if (blocks.length === 0) return
    const results = await runBlocks(blocks, entries)
    expect(results.flatMap((r, i) => (r === null ? [] : [`${blocks[i].owner}: ${r}`]))).toEqual([])
  }, 300_000)
})
