/**
 * Node checkpoint helpers (src/io/node.ts) in a temporary directory: save and load, atomic
 * replacement, and failed saves (a write that fails half-way, a failing rename, a read-only
 * directory, an unencodable record) that must leave the old file intact and no temporary file.
 * Failures are injected by wrapping node:fs/promises. Loading reads the file in stages (prefix,
 * header, data): for mutated files it must give exactly what decoding the same bytes in memory
 * gives.
 */

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { tensor, zeros } from '../../src/index.js'
import { loadCheckpoint, loadCheckpointWithMeta, saveCheckpoint, writeFileAtomic } from '../../src/io/node.js'
import { decodeCheckpointWithMeta, encodeCheckpoint } from '../../src/io/index.js'
import { apply, expectSameRecord, mutationArb, rightOf, sameRecord } from './helpers.js'

const inject = vi.hoisted(() => ({ failWrite: false, failRename: false }))

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const h = await actual.open(...args)
      if (!inject.failWrite) return h
      // A handle whose first write stores a few bytes and then fails, like a full disk.
      return new Proxy(h, {
        get(target, prop) {
          if (prop === 'write') {
            return async (buf: Uint8Array, offset: number, length: number) => {
              await target.write(buf, offset, Math.min(length, 10))
              throw enospc()
            }
          }
          const v: unknown = Reflect.get(target, prop)
          return typeof v === 'function' ? (v as Function).bind(target) : v
        },
      })
    },
    rename: async (...args: Parameters<typeof actual.rename>) => {
      if (inject.failRename) throw Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' })
      return actual.rename(...args)
    },
  }
})

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'puregrad-io-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  inject.failWrite = false
  inject.failRename = false
})

const params = { layers: [{ w: tensor([[1, 2], [3, 4]]), b: tensor([0.5, -0.5]) }], step: 5 }
const template = { layers: [{ w: zeros([2, 2]), b: zeros([2]) }], step: 0 }
const other = { layers: [{ w: tensor([[9, 9], [9, 9]]), b: tensor([9, 9]) }], step: 6 }

const tmpFiles = async (): Promise<string[]> => (await readdir(dir)).filter((f) => f.includes('.tmp-'))

describe('saveCheckpoint / loadCheckpoint', () => {
  it('saves and loads a record with its meta', async () => {
    const path = join(dir, 'a.pgck')
    expect(await saveCheckpoint(path, params, { epoch: 3 })).toEqual(E.right(undefined))
    const loaded = rightOf(await loadCheckpointWithMeta(path, template))
    expectSameRecord(loaded.record, params)
    expect(loaded.meta).toEqual({ epoch: 3 })
    expectSameRecord(rightOf(await loadCheckpoint(path, template)), params)
    expect(new Uint8Array(await readFile(path))).toEqual(encodeCheckpoint(params, { epoch: 3 }))
    expect(await tmpFiles()).toEqual([])
  })

  it('replaces an existing checkpoint', async () => {
    const path = join(dir, 'b.pgck')
    rightOf(await saveCheckpoint(path, params))
    rightOf(await saveCheckpoint(path, other))
    expectSameRecord(rightOf(await loadCheckpoint(path, template)), other)
    expect(await tmpFiles()).toEqual([])
  })

  it('returns an IOError for a missing file', async () => {
    const r = await loadCheckpoint(join(dir, 'missing.pgck'), template)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'IOError', code: 'ENOENT' })
  })

  it('returns a DecodeError for a corrupted or mismatched file', async () => {
    const path = join(dir, 'c.pgck')
    const bytes = encodeCheckpoint(params)
    bytes[bytes.length - 1] ^= 1
    await writeFile(path, bytes)
    const r = await loadCheckpoint(path, template)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'DecodeError', path: 'data' })
    rightOf(await saveCheckpoint(path, params))
    const m = await loadCheckpoint(path, { ...template, step: zeros([]) })
    expect(E.isLeft(m) && m.left.message).toBe('params.step: expected shape [] float32, got a number')
  })
})

describe('loading in stages agrees with decoding in memory', () => {
  const meta = { epoch: 3 }
  const good = encodeCheckpoint(params, meta)

  it('for mutated files (truncated, extended, flipped bits anywhere): the same Left, or the same record', async () => {
    const path = join(dir, 'mutated.pgck')
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (ms) => {
        const bytes = ms.reduce((b, m) => apply(b, m), good)
        await writeFile(path, bytes)
        const fromFile = await loadCheckpointWithMeta(path, template)
        const inMemory = decodeCheckpointWithMeta(bytes, template)
        if (E.isLeft(inMemory)) expect(fromFile).toEqual(inMemory)
        else {
          if (E.isLeft(fromFile)) throw new Error(`the file load failed where decoding succeeded: ${fromFile.left.message}`)
          expect(sameRecord(fromFile.right.record, inMemory.right.record)).toBeUndefined()
          expect(fromFile.right.meta).toEqual(meta)
        }
      }),
      { seed: 11, numRuns: 300 },
    )
  })

  it('a file shorter than the prefix, an empty file and a directory', async () => {
    const path = join(dir, 'tiny.pgck')
    await writeFile(path, good.subarray(0, 10))
    expect(await loadCheckpoint(path, template)).toEqual(E.left({ _tag: 'DecodeError', path: 'prefix', message: 'prefix: truncated: 10 bytes is shorter than the 24-byte prefix' }))
    await writeFile(path, new Uint8Array(0))
    expect(await loadCheckpoint(path, template)).toEqual(E.left({ _tag: 'DecodeError', path: 'prefix', message: 'prefix: truncated: 0 bytes is shorter than the 24-byte prefix' }))
    const sub = join(dir, 'a-directory')
    await mkdir(sub)
    expect(await loadCheckpoint(sub, template)).toMatchObject(E.left({ _tag: 'IOError', code: 'EISDIR' }))
  })

  it('an invalid template is a Left before the file is opened', async () => {
    const r = await loadCheckpoint(join(dir, 'missing.pgck'), { w: 'not a tensor' })
    expect(E.isLeft(r) && r.left).toEqual({ _tag: 'DecodeError', message: 'invalid template: params.w: expected a tensor, got string' })
  })
})

describe('failed saves leave the old file intact', () => {
  const setup = async (name: string): Promise<[string, Uint8Array]> => {
    const path = join(dir, name)
    rightOf(await saveCheckpoint(path, params))
    return [path, new Uint8Array(await readFile(path))]
  }

  it('when a write fails half-way (disk full)', async () => {
    const [path, before] = await setup('w.pgck')
    inject.failWrite = true
    const r = await saveCheckpoint(path, other)
    inject.failWrite = false
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'IOError', code: 'ENOSPC' })
    expect(new Uint8Array(await readFile(path))).toEqual(before)
    expect(await tmpFiles()).toEqual([])
    expectSameRecord(rightOf(await loadCheckpoint(path, template)), params)
  })

  it('when the rename fails', async () => {
    const [path, before] = await setup('r.pgck')
    inject.failRename = true
    const r = await saveCheckpoint(path, other)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'IOError', code: 'EXDEV' })
    expect(new Uint8Array(await readFile(path))).toEqual(before)
    expect(await tmpFiles()).toEqual([])
  })

  it('when the record cannot be encoded (nothing is written)', async () => {
    const [path, before] = await setup('e.pgck')
    const r = await saveCheckpoint(path, { w: 'not a tensor' })
    expect(E.isLeft(r) && r.left).toEqual({ _tag: 'EncodeError', message: 'params.w: expected a tensor, got string' })
    expect(new Uint8Array(await readFile(path))).toEqual(before)
    expect(await tmpFiles()).toEqual([])
  })

  it('when the directory does not exist', async () => {
    const r = await writeFileAtomic(join(dir, 'no-such-dir', 'x.pgck'), new Uint8Array([1, 2, 3]))
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'IOError', code: 'ENOENT' })
  })
})
