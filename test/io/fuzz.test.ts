/**
 * Fuzzing the checkpoint decoder with fast-check (fixed seeds): random bytes, random bytes behind
 * a valid prefix, random mutations of a valid file, and header mutations with the checksums
 * repaired (to reach the JSON and codec checks). Decoding must always return (never throw or hang):
 * a Left naming a problem, or a Right; for corrupted files a Right only when the bytes are the
 * original ones, and then the original record.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, tensor } from '../../src/index.js'
import { decodeCheckpoint, encodeCheckpoint, inspectCheckpoint, type DecodeError } from '../../src/io/index.js'
import { crc32 } from '../../src/io/format.js'
import { apply, mutationArb, sameRecord } from './helpers.js'

const params = {
  w: tensor([[1, -2], [NaN, 4]]),
  b: tensor([0.25, -0], { dtype: 'float64' }),
  ids: tensor([7, -1, 3], { dtype: 'int32' }),
  mask: tensor([true, false, true]),
  nested: [{ g: tensor([1.5]) }, null],
  step: 12,
}
const good = encodeCheckpoint(params, { epoch: 2, name: 'fuzz' })
const headerLength = new DataView(good.buffer).getUint32(8, true)

/** Decodes, failing the test if decoding throws or takes long; returns the Either. */
const safeDecode = (bytes: Uint8Array): E.Either<DecodeError, typeof params> => {
  const t0 = performance.now()
  let r: E.Either<DecodeError, typeof params>
  try {
    r = decodeCheckpoint(bytes, params)
  } catch (e) {
    throw new Error(`decodeCheckpoint threw: ${String(e)}`)
  }
  expect(performance.now() - t0).toBeLessThan(500)
  if (E.isLeft(r)) {
    expect(r.left._tag).toBe('DecodeError')
    expect(r.left.message.length).toBeGreaterThan(0)
  }
  return r
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

describe('fuzz', () => {
  it('random bytes always give a Left', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(E.isLeft(safeDecode(bytes))).toBe(true)
      }),
      { seed: 1, numRuns: 3000 },
    )
  })

  it('random bytes behind a valid magic and version always give a Left', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, smallHeader) => {
        const bytes = new Uint8Array(8 + tail.length)
        bytes.set([0x50, 0x47, 0x43, 0x4b, 1, 0, 0, 0])
        bytes.set(tail, 8)
        if (smallHeader && bytes.length >= 12) new DataView(bytes.buffer).setUint32(8, tail.length % 512, true)
        expect(E.isLeft(safeDecode(bytes))).toBe(true)
      }),
      { seed: 2, numRuns: 3000 },
    )
  })

  it('mutations of a valid file give a Left, or the original record when the bytes are unchanged', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => {
        const bytes = ms.reduce((b, m) => apply(b, m), good)
        const r = safeDecode(bytes)
        if (E.isRight(r)) {
          expect(sameBytes(bytes, good)).toBe(true)
          expect(sameRecord(r.right, params)).toBeUndefined()
        }
      }),
      { seed: 3, numRuns: 4000 },
    )
  })

  it('mutations confined to the prefix give a Left unless they change nothing', () => {
    fc.assert(
      fc.property(fc.array(mutationArb.filter((m) => m.op === 'set' || m.op === 'flip'), { minLength: 1, maxLength: 3 }), (ms) => {
        const bytes = ms.reduce((b, m) => apply(b, m, 0, 24), good)
        expect(E.isRight(safeDecode(bytes))).toBe(sameBytes(bytes, good))
      }),
      { seed: 4, numRuns: 2000 },
    )
  })

  it('header mutations with repaired checksums never throw; a Right still fits the template', () => {
    const headerText = good.subarray(24, 24 + headerLength)
    const data = good.subarray(Math.ceil((24 + headerLength) / 8) * 8)
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (ms) => {
        const h = ms.reduce((b, m) => apply(b, m), headerText as Uint8Array)
        const start = Math.ceil((24 + h.length) / 8) * 8
        const bytes = new Uint8Array(start + data.length)
        bytes.set(good.subarray(0, 24))
        const v = new DataView(bytes.buffer)
        v.setUint32(8, h.length, true)
        v.setUint32(12, crc32(h), true)
        bytes.set(h, 24)
        bytes.set(data, start)
        const r = safeDecode(bytes)
        expect(E.isLeft(inspectCheckpoint(bytes))).toBe(E.isLeft(r) && !/^params/.test(r.left.message))
        if (E.isRight(r)) {
          for (const k of ['w', 'b', 'ids', 'mask'] as const) {
            const t = r.right[k] as Tensor
            expect([t.shape, t.dtype]).toEqual([params[k].shape, params[k].dtype])
          }
          expect(typeof r.right.step).toBe('number')
        }
      }),
      { seed: 5, numRuns: 3000 },
    )
  })
})
