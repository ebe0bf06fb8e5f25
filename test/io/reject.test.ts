/**
 * Bad checkpoints are rejected whole with a Left naming what is wrong, never an exception:
 * truncation at every byte, wrong magic and version, oversized header lengths (rejected before
 * allocating), corrupted bytes (checksums), malformed headers and template mismatches.
 */

import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { scalar, tensor, zeros } from '../../src/index.js'
import { decodeCheckpoint, encodeCheckpoint, inspectCheckpoint, MAX_HEADER_BYTES } from '../../src/io/index.js'
import { crc32 } from '../../src/io/format.js'
import { craft, leftOf, rightOf, split } from './helpers.js'

const params = {
  layers: [{ w: tensor([[1, 2, 3], [4, 5, 6]]), b: tensor([0.5, -0.5, 0]) }, { w: zeros([3, 2]), b: zeros([2]) }],
  mask: tensor([true, false]),
  idx: tensor([1, 2], { dtype: 'int32' }),
  step: 3,
}
const good = encodeCheckpoint(params, { epoch: 1 })

const message = (bytes: Uint8Array, template: unknown = params): string => leftOf(decodeCheckpoint(bytes, template)).message

describe('truncated and padded files', () => {
  it('rejects the file truncated at every byte offset', () => {
    for (let n = 0; n < good.length; n++) {
      const e = leftOf(decodeCheckpoint(good.slice(0, n), params))
      expect(e.message).toMatch(/truncated/)
    }
  })

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array(good.length + 3)
    longer.set(good)
    expect(message(longer)).toBe('data: 3 unexpected bytes after the data section (the file should have ' + good.length + ' bytes)')
  })

  it('reads from a view into a larger buffer (e.g. a pooled Node Buffer)', () => {
    const big = new Uint8Array(good.length + 16)
    big.set(good, 5)
    rightOf(decodeCheckpoint(big.subarray(5, 5 + good.length), params))
  })
})

describe('prefix', () => {
  it('rejects wrong magic', () => {
    const bad = good.slice()
    bad[0] = 0x50 ^ 0x20
    expect(message(bad)).toBe('magic: not a puregrad checkpoint: expected the magic bytes "PGCK", got 70 47 43 4b')
    expect(message(new TextEncoder().encode('{"version":1,"entries":[],"meta":{}}    '))).toMatch(/^magic:/)
  })

  it('rejects other format versions', () => {
    const bad = good.slice()
    new DataView(bad.buffer).setUint32(4, 2, true)
    expect(message(bad)).toBe('version: unsupported format version 2 (this puregrad reads version 1)')
  })

  it('rejects a header length over the cap before reading or allocating anything', () => {
    for (const len of [MAX_HEADER_BYTES + 1, 0xffffffff]) {
      const bad = good.slice(0, 24)
      new DataView(bad.buffer).setUint32(8, len, true)
      const t0 = performance.now()
      const e = leftOf(decodeCheckpoint(bad, params))
      expect(performance.now() - t0).toBeLessThan(50)
      expect(e.path).toBe('headerLength')
      expect(e.message).toBe(`headerLength: header length ${len} exceeds the limit of ${MAX_HEADER_BYTES} bytes`)
    }
  })

  it('rejects a header length under the cap but past the end of the file, quickly', () => {
    const bad = good.slice()
    new DataView(bad.buffer).setUint32(8, MAX_HEADER_BYTES, true)
    const t0 = performance.now()
    expect(message(bad)).toMatch(/^header: truncated: the header needs bytes \[24, 16777240\)/)
    expect(performance.now() - t0).toBeLessThan(50)
  })

  it('rejects non-zero reserved bytes', () => {
    const bad = good.slice()
    bad[20] = 1
    expect(message(bad)).toBe('reserved: reserved bytes 16-23 must be zero')
  })

  it('rejects input that is not a Uint8Array without throwing', () => {
    for (const x of [null, undefined, 'PGCK', [0x50, 0x47], new ArrayBuffer(8), {}]) {
      expect(leftOf(decodeCheckpoint(x as never, params)).message).toMatch(/expected the checkpoint as a Uint8Array/)
    }
  })
})

describe('corruption (checksums)', () => {
  it('rejects every single flipped bit in the header and data', () => {
    for (let i = 24; i < good.length; i++) {
      const bad = good.slice()
      bad[i] ^= 1 << (i % 8)
      const e = leftOf(decodeCheckpoint(bad, params))
      expect(['header', 'data', 'padding']).toContain(e.path)
    }
  })

  it('names the data checksum', () => {
    const bad = good.slice()
    bad[bad.length - 1] ^= 0xff
    expect(message(bad)).toMatch(/^data: checksum mismatch: expected 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8} \(the data is corrupted\)$/)
  })

  it('names the header checksum', () => {
    const bad = good.slice()
    bad[30] ^= 0x01
    expect(message(bad)).toMatch(/^header: checksum mismatch: .* \(the header is corrupted\)$/)
  })
})

describe('template mismatches', () => {
  const file = encodeCheckpoint({ layers: [{ w: zeros([2, 3]) }, { w: zeros([32, 64]) }] })

  it('names the path and expected vs actual shape', () => {
    const e = leftOf(decodeCheckpoint(file, { layers: [{ w: zeros([2, 3]) }, { w: zeros([64, 32]) }] }))
    expect(e.path).toBe('params.layers[1].w')
    expect(e.message).toBe('params.layers[1].w: expected shape [64,32] float32, got [32,64] float32')
  })

  it('names the dtype', () => {
    const e = leftOf(decodeCheckpoint(file, { layers: [{ w: zeros([2, 3], { dtype: 'float64' }) }, { w: zeros([32, 64]) }] }))
    expect(e.message).toBe('params.layers[0].w: expected shape [2,3] float64, got [2,3] float32')
  })

  it('names missing and extra entries and counts the rest', () => {
    expect(message(file, { layers: [{ w: zeros([2, 3]), b: zeros([3]) }, { w: zeros([32, 64]) }] }))
      .toBe('params.layers[0].b: missing from the checkpoint (expected shape [3] float32)')
    expect(message(file, { layers: [{ w: zeros([2, 3]) }] }))
      .toBe('params.layers[1].w: in the checkpoint but not in the template (shape [32,64] float32)')
    expect(message(file, { layers: [{ v: zeros([2, 3]) }, { w: zeros([1]) }] }))
      .toBe('params.layers[0].v: missing from the checkpoint (expected shape [2,3] float32) (and 2 more differences)')
  })

  it('tells numbers from tensors', () => {
    expect(message(good, { ...params, step: scalar(3, 'float64') })).toBe('params.step: expected shape [] float64, got a number')
    const f = encodeCheckpoint({ step: scalar(3, 'float64') })
    expect(message(f, { step: 0 })).toBe('params.step: expected a number, got shape [] float64')
  })

  it('uses the root name given in the options', () => {
    const e = leftOf(decodeCheckpoint(good, { ...params, idx: zeros([2]) }, { root: 'state' }))
    expect(e.message).toBe('state.idx: expected shape [2] float32, got [2] int32')
  })

  it('returns a Left for an invalid template', () => {
    expect(leftOf(decodeCheckpoint(good, { w: 'x' })).message).toMatch(/^invalid template: params\.w: expected a tensor, got string/)
  })
})

describe('malformed headers (with valid checksums)', () => {
  const { header, data } = split(good)
  const entries = header.entries as Record<string, unknown>[]
  const withEntry = (i: number, patch: Record<string, unknown>): Record<string, unknown> =>
    ({ ...header, entries: entries.map((e, j) => (j === i ? { ...e, ...patch } : e)) })

  it('accepts the unmodified parts', () => {
    rightOf(decodeCheckpoint(craft(header, data), params))
  })

  const cases: [string, Record<string, unknown> | string, RegExp][] = [
    ['not JSON', '{"version":1,', /^header: not valid JSON/],
    ['not an object', '[1,2]', /^header: expected a header, got \[1,2\]/],
    ['a missing field', { ...header, entries: undefined }, /^header\.entries: expected Array<an entry>, got nothing/],
    ['an unknown field', { ...header, code: 'alert(1)' }, /^header\.code: unknown field/],
    ['an unknown dtype', withEntry(0, { dtype: 'float16' }), /^header\.entries\[0\]\.dtype: expected one of float32, float64, int32, bool, got "float16"/],
    ['a negative dimension', withEntry(1, { shape: [-3] }), /^header\.entries\[1\]\.shape\[0\]: expected a non-negative safe integer, got -3/],
    ['a fractional offset', withEntry(1, { offset: 0.5 }), /^header\.entries\[1\]\.offset: expected a non-negative safe integer/],
    ['a byteLength that does not fit the shape', withEntry(0, { byteLength: 4 }), /^header\.entries\[0\]: byteLength 4 does not fit shape \[2\] int32 \(8 bytes\)/],
    ['a huge shape', withEntry(0, { shape: [2 ** 40, 2 ** 40] }), /^header\.entries\[0\]: byteLength 8 does not fit shape \[1099511627776,1099511627776\] int32 \(more bytes than the data section holds\)/],
    ['an entry past the data section', withEntry(0, { offset: 1 << 20 }), /^header\.entries\[0\]: bytes \[1048576, 1048584\) lie outside the data section of 96 bytes$/],
    ['overlapping entries', withEntry(1, { offset: 4 }), /overlap entry/],
    ['a duplicate path', withEntry(1, { path: entries[0].path }), /^header\.entries\[1\]: duplicate path/],
    ['a non-scalar number entry', withEntry(0, { kind: 'number' }), /a number entry must be a float64 scalar/],
    ['an unknown kind', withEntry(0, { kind: 'function' }), /^header\.entries\[0\]\.kind: expected one of tensor, number, got "function"/],
    ['a version different from the prefix', { ...header, version: 2 }, /^header\.version: version 2 does not match the prefix's version 1/],
    ['non-finite-looking meta', { ...header, meta: { lr: [1] } }, /^header\.meta\.lr: expected a string, finite number or boolean, got \[1\]/],
    ['a too long shape', withEntry(0, { shape: new Array(65).fill(1) }), /expected an array of at most 64 non-negative safe integers/],
  ]
  for (const [name, h, re] of cases) {
    it(`rejects ${name}`, () => {
      const bytes = typeof h === 'string' ? craft(h, new Uint8Array(0)) : craft(h, data)
      expect(message(bytes)).toMatch(re)
    })
  }

  it('rejects a header that is not UTF-8', () => {
    const bytes = craft('x', new Uint8Array(0))
    bytes[24] = 0xff
    new DataView(bytes.buffer).setUint32(12, crc32(bytes.subarray(24, 25)), true)
    expect(message(bytes)).toBe('header: not valid UTF-8')
  })

  it('rejects a data length that disagrees with the file', () => {
    expect(message(craft({ ...header, dataByteLength: data.length + 8 }, data, { fixData: false }))).toMatch(/^data: truncated/)
  })

  it('rejects non-zero padding', () => {
    const bytes = craft(header, data)
    const h = new DataView(bytes.buffer).getUint32(8, true)
    if ((24 + h) % 8 === 0) return // no padding in this layout
    bytes[24 + h] = 1
    expect(message(bytes)).toMatch(/^padding:/)
  })

  it('rejects bool values other than 0 and 1', () => {
    const maskEntry = entries.find((e) => e.path === '.mask') as { offset: number }
    const d = data.slice()
    d[maskEntry.offset + 1] = 2
    expect(message(craft(header, d))).toBe('params.mask: bool value 2 at index 1 is not 0 or 1')
  })

  it('inspectCheckpoint applies every check that needs no template', () => {
    expect(rightOf(inspectCheckpoint(good)).meta).toEqual({ epoch: 1 })
    expect(E.isLeft(inspectCheckpoint(good.slice(0, 40)))).toBe(true)
  })
})
