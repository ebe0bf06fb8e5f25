/**
 * Checkpoint safety beyond test/io (docs/reliability.md, "Checkpoints"): loading never executes
 * anything from the file (no eval-like code in src/io; hostile header contents pollute nothing and
 * call nothing); oversized headers and sizes are rejected before anything is allocated; a failed
 * save never replaces a good file (a backend read that fails, concurrent saves, and a writer
 * process killed with SIGKILL at arbitrary moments). File reads are counted through a wrapped
 * node:fs/promises, so "before allocating" is measured in bytes the loader asked for.
 */

import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { createJsBackend, full, registerBackend, tensor, withBackend, zeros, type Tensor } from '../../src/index.js'
import { decodeCheckpointWithMeta, encodeCheckpoint, MAX_HEADER_BYTES } from '../../src/io/index.js'
import { PREFIX_BYTES } from '../../src/io/format.js'
import { loadCheckpoint, saveCheckpoint } from '../../src/io/node.js'
import { craft, split } from '../io/helpers.js'

/** Bytes the code under test asked to read, through file handles or readFile. */
const reads = vi.hoisted(() => ({ sizes: [] as number[] }))
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...actual,
    readFile: async (...a: Parameters<typeof actual.readFile>) => {
      const r = await actual.readFile(...a)
      reads.sizes.push(r.length)
      return r
    },
    open: async (...a: Parameters<typeof actual.open>) => {
      const h = await actual.open(...a)
      return new Proxy(h, {
        get(target, prop) {
          if (prop === 'read') {
            return (buf: Uint8Array, offset: number, length: number, position: number) => {
              reads.sizes.push(length)
              return target.read(buf, offset, length, position)
            }
          }
          const v: unknown = Reflect.get(target, prop)
          return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v
        },
      })
    },
  }
})
const bytesRead = (): number => reads.sizes.reduce((a, b) => a + b, 0)

const here = dirname(fileURLToPath(import.meta.url))
const ioDir = join(here, '..', '..', 'src', 'io')
let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'puregrad-safety-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

const params = { w: tensor([[1, 2], [3, 4]]), b: tensor([0.5, -0.5]) }
const template = { w: zeros([2, 2]), b: zeros([2]) }
const good = encodeCheckpoint(params, { epoch: 1 })
const values = (r: unknown): number[] => Object.values(r as Record<string, Tensor>).flatMap((t) => Array.from(t.dataSync()))

describe('loading never executes anything from the file', () => {
  it('src/io holds no eval, Function constructor, dynamic import, require, vm, child processes or JSON revivers', () => {
    const banned: [RegExp, string][] = [
      [/\beval\s*\(/, 'eval'], [/\bnew\s+Function\b|[^.\w]Function\s*\(/, 'the Function constructor'], [/\bimport\s*\(/, 'dynamic import'],
      [/\brequire\s*\(/, 'require'], [/node:vm|node:child_process|node:worker_threads/, 'vm, child processes or workers'],
      [/JSON\.parse\([^)]*,/, 'a JSON.parse reviver'], [/setTimeout\s*\(\s*['"`]/, 'string timers'],
    ]
    for (const f of readdirSync(ioDir).filter((n) => n.endsWith('.ts'))) {
      const code = readFileSync(join(ioDir, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
      for (const [re, what] of banned) expect(re.test(code), `src/io/${f} uses ${what}`).toBe(false)
    }
  })

  it('hostile header contents give a Left or plain data; nothing is called and no prototype changes', () => {
    const { header, data } = split(good)
    const hostile: Record<string, unknown>[] = [
      { ...header, meta: { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } } },
      { ...header, meta: { toString: 'process.exit(1)', valueOf: '${process.exit(1)}', code: 'require("child_process").execSync("touch /tmp/pwned")' } },
      { ...header, entries: [...(header.entries as object[]), { path: '__proto__.polluted', kind: 'tensor', dtype: 'float32', shape: [], offset: 0, byteLength: 4 }] },
      { ...header, entries: (header.entries as { path: string }[]).map((e) => ({ ...e, path: `constructor.prototype${e.path}` })) },
    ]
    const texts = [
      ...hostile.map((h) => JSON.stringify(h).replace('"meta":{', '"meta":{"__proto__":{"polluted":true},')),
      JSON.stringify(header).replace('{', '{"__proto__":{"polluted":true},'),
    ]
    const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort()
    const realEval = globalThis.eval, realFunction = globalThis.Function
    const trap = (what: string) => () => { throw new Error(`decoding called ${what}`) }
    globalThis.eval = trap('eval') as typeof eval
    globalThis.Function = new Proxy(realFunction, { apply: trap('Function'), construct: trap('new Function') })
    try {
      for (const text of texts) {
        const r = decodeCheckpointWithMeta(craft(text, data), template)
        if (E.isRight(r)) {
          const meta = r.right.meta as Record<string, unknown>
          expect(Object.getPrototypeOf(meta)).toBe(Object.prototype)
          for (const v of Object.values(meta)) expect(['string', 'number', 'boolean']).toContain(typeof v)
          expect(values(r.right.record)).toEqual([0.5, -0.5, 1, 2, 3, 4])
        }
      }
    } finally {
      globalThis.eval = realEval
      globalThis.Function = realFunction
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('a "__proto__" meta key stays an own data property', () => {
    const { header, data } = split(good)
    const text = JSON.stringify(header).replace('"meta":{', '"meta":{"__proto__":"x",')
    const r = decodeCheckpointWithMeta(craft(text, data), template)
    if (E.isLeft(r)) throw new Error(r.left.message)
    expect(Object.getPrototypeOf(r.right.meta)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(r.right.meta, '__proto__')?.value).toBe('x')
  })
})

describe('oversized headers and sizes are rejected before allocating', () => {
  it('an entry claiming 2^40 elements is a Left, quickly, with no large allocation', () => {
    const { header, data } = split(good)
    const entries = (header.entries as Record<string, unknown>[]).map((e, i) => (i === 0 ? { ...e, shape: [2 ** 20, 2 ** 20], byteLength: 2 ** 42 } : e))
    const before = process.memoryUsage().arrayBuffers
    const t0 = performance.now()
    const r = decodeCheckpointWithMeta(craft({ ...header, entries }, data), template)
    expect(performance.now() - t0).toBeLessThan(50)
    expect(E.isLeft(r) && r.left.path).toBe('header.entries[0]')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20)
  })

  it('loadCheckpoint of a file whose header length is over the cap is a Left naming headerLength', async () => {
    const path = join(dir, 'huge-header.pgck')
    const bad = good.slice(0, 24)
    new DataView(bad.buffer).setUint32(8, 0xffffffff, true)
    await writeFile(path, bad)
    const r = await loadCheckpoint(path, template)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DecodeError', path: 'headerLength' })
  })

  it('loadCheckpoint reads only the 24-byte prefix of a large file whose header length is over the cap', async () => {
    const path = join(dir, 'huge-file.pgck')
    const bad = good.slice(0, 24)
    new DataView(bad.buffer).setUint32(8, 0xffffffff, true)
    await writeFile(path, bad)
    await truncate(path, 64 * 2 ** 20) // sparse: 64 MiB of zeros after the prefix
    reads.sizes.length = 0
    const r = await loadCheckpoint(path, template)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DecodeError', path: 'headerLength' })
    expect(reads.sizes).toEqual([PREFIX_BYTES])
  })

  it('a header length under the cap but past the end of the file is rejected after the prefix alone', async () => {
    const path = join(dir, 'short-header.pgck')
    const bad = good.slice()
    new DataView(bad.buffer).setUint32(8, MAX_HEADER_BYTES, true)
    await writeFile(path, bad)
    reads.sizes.length = 0
    const r = await loadCheckpoint(path, template)
    expect(E.isLeft(r) && r.left.message).toBe(`header: truncated: the header needs bytes [24, ${24 + MAX_HEADER_BYTES}), the file has ${bad.length} bytes`)
    expect(reads.sizes).toEqual([PREFIX_BYTES])
  })

  it('a header claiming a 1 TiB data section is rejected after reading the header, before the data', async () => {
    const path = join(dir, 'huge-data.pgck')
    const { header, data } = split(good)
    const bytes = craft({ ...header, dataByteLength: 2 ** 40 }, data, { fixData: false })
    const headerLength = new DataView(bytes.buffer).getUint32(8, true)
    await writeFile(path, bytes)
    reads.sizes.length = 0
    const before = process.memoryUsage().arrayBuffers
    const r = await loadCheckpoint(path, template)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DecodeError', path: 'data', message: expect.stringMatching(/^data: truncated: the file should have \d+ bytes/) })
    expect(reads.sizes).toEqual([PREFIX_BYTES, headerLength])
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20)
  })

  it('a good file is read once, byte for byte, and never through readFile', async () => {
    const path = join(dir, 'good.pgck')
    await writeFile(path, good)
    reads.sizes.length = 0
    const r = await loadCheckpoint(path, template)
    expect(E.isRight(r) && values(r.right)).toEqual([1, 2, 3, 4, 0.5, -0.5])
    expect(bytesRead()).toBe(good.length)
    expect(reads.sizes).toHaveLength(3) // prefix, header, padding + data
  })
})

describe('a failed save never replaces a good file', () => {
  const tmpFiles = async (): Promise<string[]> => (await readdir(dir)).filter((f) => f.includes('.tmp-'))

  it('when reading a tensor from its backend fails mid-save', async () => {
    const path = join(dir, 'flaky.pgck')
    expect(E.isRight(await saveCheckpoint(path, params))).toBe(true)
    const before = await readFile(path)
    const js = createJsBackend({ name: 'flaky' })
    registerBackend({ ...js, read: () => Promise.reject(new Error('device lost')) })
    const lost = withBackend('flaky', () => ({ w: tensor([[9, 9], [9, 9]]), b: tensor([9, 9]) }))
    const r = await saveCheckpoint(path, lost)
    expect(E.isLeft(r) && r.left).toEqual({ _tag: 'EncodeError', message: 'device lost' })
    expect(await readFile(path)).toEqual(before)
    expect(await tmpFiles()).toEqual([])
  })

  it('concurrent saves to one path all succeed and leave one complete file', async () => {
    const path = join(dir, 'race.pgck')
    const records = Array.from({ length: 8 }, (_, i) => ({ w: full([2, 2], i), b: full([2], i) }))
    const rs = await Promise.all(records.map((rec) => saveCheckpoint(path, rec)))
    expect(rs.every(E.isRight)).toBe(true)
    const loaded = await loadCheckpoint(path, template)
    if (E.isLeft(loaded)) throw new Error(loaded.left.message)
    const v = values(loaded.right)
    expect(v.every((x) => x === v[0]) && v[0] >= 0 && v[0] < 8).toBe(true)
    expect(await tmpFiles()).toEqual([])
  })

  it('a writer killed with SIGKILL at arbitrary moments leaves the previous complete checkpoint', async () => {
    const path = join(dir, 'killed.pgck')
    const big = { w: zeros([1024, 1024]), b: zeros([1024]) }
    let midWrite = 0
    // Killed as soon as the next save's temporary file appears (mid-write), then a little later.
    for (const delayMs of [0, 2, 6]) {
      const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'checkpoint-writer.ts'), path], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => { out += d.toString() })
        child.on('exit', (code) => { if (!/saved 1\b/.test(out)) reject(new Error(`writer exited early (${code})`)) })
        const poll = async (): Promise<void> => {
          if (/saved 1\b/.test(out) && (await tmpFiles()).length > 0) {
            setTimeout(() => { child.kill('SIGKILL'); resolve() }, delayMs)
            return
          }
          setTimeout(() => void poll(), 0)
        }
        void poll()
      })
      await new Promise((r) => child.once('close', r))
      const stray = await tmpFiles()
      if (stray.length > 0) midWrite++
      for (const f of stray) await rm(join(dir, f))
      const loaded = await loadCheckpoint(path, big)
      if (E.isLeft(loaded)) throw new Error(`after SIGKILL (${delayMs} ms): ${loaded.left.message}`)
      const v = loaded.right.w.dataSync()
      expect([1, 2], `the file holds one whole version after SIGKILL at +${delayMs} ms`).toContain(v[0])
      expect(v.every((x) => x === v[0]) && loaded.right.b.dataSync().every((x) => x === v[0])).toBe(true)
    }
    // A killed save leaves its temporary file behind (evidence it died mid-save), never a damaged checkpoint.
    console.info(`SIGKILL during saves: ${midWrite} of 3 kills left a temporary file behind; the checkpoint loaded whole every time`)
    expect(midWrite).toBeGreaterThan(0)
  }, 60_000)
})
