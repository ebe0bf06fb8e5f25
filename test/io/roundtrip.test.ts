/**
 * Checkpoint round trips (src/io/checkpoint.ts): random records of every dtype and shape, with
 * NaN payloads, infinities and -0, come back bit-exact; number leaves, meta, registered tree
 * nodes, key order, the data-last variants and the byte layout itself.
 */

import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { pipe } from 'fp-ts/lib/function.js'
import * as E from 'fp-ts/lib/Either.js'
import { Tensor, registerTreeNode, scalar, tensor, zeros, zerosLike, treeMap } from '../../src/index.js'
import {
  decode, decodeCheckpoint, decodeCheckpointWithMeta, decodeWithMeta, encode, encodeCheckpoint, encodeCheckpointAsync,
  inspectCheckpoint, crc32, FORMAT_VERSION,
} from '../../src/io/index.js'
import { expectSameRecord, metaArb, recordArb, rightOf, sameRecord, split } from './helpers.js'

describe('round trip (property)', () => {
  it('decode(encode(record), record) is the record, bit-exact, for random records', () => {
    fc.assert(
      fc.property(recordArb, metaArb, (record, meta) => {
        const bytes = encodeCheckpoint(record, meta)
        const loaded = rightOf(decodeCheckpointWithMeta(bytes, record))
        expect(sameRecord(loaded.record, record)).toBeUndefined()
        expect(loaded.meta).toEqual(meta)
        // deterministic: encoding the decoded record gives the same bytes
        expect(encodeCheckpoint(loaded.record, meta)).toEqual(bytes)
      }),
      { seed: 20240611, numRuns: 300 },
    )
  })

  it('loads into a template of zeros (values come from the file, structure from the template)', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const template = liftZeros(record)
        const loaded = rightOf(decodeCheckpoint(encodeCheckpoint(record), template))
        expect(sameRecord(loaded, record)).toBeUndefined()
      }),
      { seed: 7, numRuns: 150 },
    )
  })

  it('encodeCheckpointAsync writes the same bytes as encodeCheckpoint', async () => {
    await fc.assert(
      fc.asyncProperty(recordArb, async (record) => {
        expect(await encodeCheckpointAsync(record)).toEqual(encodeCheckpoint(record))
      }),
      { seed: 11, numRuns: 50 },
    )
  })
})

/** The record with tensors replaced by zeros of the same shape and dtype and numbers by 0. */
const liftZeros = (x: unknown): unknown => {
  if (x instanceof Tensor) return zerosLike(x)
  if (typeof x === 'number') return 0
  if (Array.isArray(x)) return x.map(liftZeros)
  if (x === null || x === undefined) return x
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(x)) Object.defineProperty(out, k, { value: liftZeros((x as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true })
  return out
}

describe('round trip (examples)', () => {
  it('keeps special float values bit-exact', () => {
    const f32 = new Float32Array(new Uint32Array([0x7fc00000, 0x7f800001, 0xffc01234, 0x7f800000, 0xff800000, 0x80000000]).buffer)
    const f64 = Float64Array.of(NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE)
    const record = { a: tensor(f32), b: tensor(f64), n: [NaN, -0, Infinity] }
    const loaded = rightOf(decodeCheckpoint(encodeCheckpoint(record), record))
    expectSameRecord(loaded, record)
    expect(new Uint32Array(loaded.a.dataSync().buffer)[1]).toBe(0x7f800001)
    expect(Object.is(loaded.n[1], -0)).toBe(true)
  })

  it('stores optimizer state with a step count (number leaves come back as numbers)', () => {
    const state = { step: 42, lr: 0.001, m: { w: tensor([1, 2]) }, v: { w: tensor([3, 4]) } }
    const loaded = rightOf(decodeCheckpoint(encodeCheckpoint(state, undefined, { root: 'state' }), state, { root: 'state' }))
    expect(loaded.step).toBe(42)
    expect(loaded.lr).toBe(0.001)
    expect(loaded.m.w.arraySync()).toEqual([1, 2])
    const header = rightOf(inspectCheckpoint(encodeCheckpoint(state)))
    expect(header.entries.find((e) => e.path === '.step')).toMatchObject({ kind: 'number', dtype: 'float64', shape: [] })
  })

  it('handles a root leaf, empty records, nulls, empty and scalar tensors', () => {
    const t = tensor([1, 2, 3], { dtype: 'int32' })
    expectSameRecord(rightOf(decodeCheckpoint(encodeCheckpoint(t), t)), t)
    expect(rightOf(decodeCheckpoint(encodeCheckpoint(7), 0))).toBe(7)
    expect(rightOf(decodeCheckpoint(encodeCheckpoint({}), {}))).toEqual({})
    const r = { a: null, b: [], c: zeros([0, 3]), d: scalar(true), e: undefined }
    expectSameRecord(rightOf(decodeCheckpoint(encodeCheckpoint(r), r)), r)
  })

  it('rebuilds with the template key order, whatever order the file was written in', () => {
    const a = { z: tensor([1]), a: tensor([2]) }
    const b = { a: tensor([0]), z: tensor([0]) }
    const loaded = rightOf(decodeCheckpoint(encodeCheckpoint(a), b))
    expect(Object.keys(loaded)).toEqual(['a', 'z'])
    expect(loaded.z.arraySync()).toEqual([1])
  })

  it('supports registered tree-node classes', () => {
    class Linear {
      constructor(readonly w: Tensor, readonly b: Tensor, readonly act: string) {}
    }
    registerTreeNode(Linear, (l) => [[l.w, l.b], l.act], (act, [w, b]) => new Linear(w as Tensor, b as Tensor, act as string))
    const model = { layers: [new Linear(tensor([[1, 2]]), tensor([3]), 'relu')] }
    const loaded = rightOf(decodeCheckpoint(encodeCheckpoint(model), model))
    expect(loaded.layers[0]).toBeInstanceOf(Linear)
    expect(loaded.layers[0].act).toBe('relu')
    expectSameRecord(loaded.layers[0].w, model.layers[0].w)
  })

  it('round-trips meta, including awkward keys', () => {
    const meta = { epoch: 3, name: 'mlp "v2"', best: true, ['__proto__']: 'x', '': -1.5 }
    const withProto = JSON.parse(JSON.stringify(meta)) as Record<string, unknown>
    const bytes = encodeCheckpoint({ w: tensor([1]) }, withProto as never)
    const loaded = rightOf(decodeCheckpointWithMeta(bytes, { w: tensor([0]) }))
    expect(Object.getPrototypeOf(loaded.meta)).toBe(Object.prototype)
    expect(Object.keys(loaded.meta)).toEqual(Object.keys(withProto))
    expect(Object.getOwnPropertyDescriptor(loaded.meta, '__proto__')?.value).toBe('x')
  })

  it('has data-last variants for pipe', () => {
    const params = { w: tensor([1, 2]) }
    const out = pipe(params, encode({ epoch: 1 }), decodeWithMeta(params))
    expect(E.isRight(out) && out.right.meta).toEqual({ epoch: 1 })
    const rec = pipe(encodeCheckpoint(params), decode(treeMap(params, (t: Tensor) => zerosLike(t))))
    expectSameRecord(rightOf(rec), params)
  })

  it('refuses to encode what it cannot store (names the path)', () => {
    expect(() => encodeCheckpoint({ w: tensor([1]), s: 'hi' })).toThrow(/params\.s: expected a tensor, got string/)
    expect(() => encodeCheckpoint({ w: tensor([1]) }, { x: NaN })).toThrow(/meta\.x/)
    expect(() => encodeCheckpoint({ w: tensor([1]) }, { x: { y: 1 } } as never)).toThrow(/meta\.x/)
  })
})

describe('byte layout', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
  })

  it('writes magic, version, header length and CRCs little-endian, data 8-aligned', () => {
    const bytes = encodeCheckpoint({ a: tensor([1], { dtype: 'float32' }), b: tensor([-2], { dtype: 'int32' }), c: tensor([0.5], { dtype: 'float64' }) })
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x47, 0x43, 0x4b])
    const v = new DataView(bytes.buffer, bytes.byteOffset)
    expect(v.getUint32(4, true)).toBe(FORMAT_VERSION)
    const h = v.getUint32(8, true)
    expect(v.getUint32(12, true)).toBe(crc32(bytes, 24, 24 + h))
    expect(v.getUint32(16, true)).toBe(0)
    expect(v.getUint32(20, true)).toBe(0)
    const { header, data } = split(bytes)
    expect(header.version).toBe(1)
    expect(header.dataCrc32).toBe(crc32(data))
    const start = bytes.length - data.length
    expect(start % 8).toBe(0)
    const entries = header.entries as { path: string; offset: number }[]
    expect(entries.map((e) => e.path)).toEqual(['.a', '.b', '.c'])
    for (const e of entries) expect(e.offset % 8).toBe(0)
    expect([...data.subarray(0, 4)]).toEqual([0x00, 0x00, 0x80, 0x3f]) // 1.0f LE
    expect([...data.subarray(8, 12)]).toEqual([0xfe, 0xff, 0xff, 0xff]) // -2 LE
    expect([...data.subarray(16, 24)]).toEqual([0, 0, 0, 0, 0, 0, 0xe0, 0x3f]) // 0.5 LE
  })
})
