/**
 * The wasm memory layout the JS side relies on: every build's static data (the float64 math
 * tables the elementwise kernels use) ends below the arena's BASE, so kernel scratch never
 * overwrites it, and every op the JS wrappers call is exported under the name they use.
 */

import { describe, expect, it } from 'vitest'
import { BASE } from '../../../src/backends/wasm/arena.js'
import * as generated from '../../../src/backends/wasm/kernels.generated.js'
import { BINARY, COMPARE, UNARY } from '../../../src/diff/primitives.js'

const leb = (b: Uint8Array, at: number, signed = false): [number, number] => {
  let result = 0, shift = 0, byte = 0
  do {
    byte = b[at++]
    result += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80)
  if (signed && byte & 0x40) result -= 2 ** shift
  return [result, at]
}

/** Calls `visit(id, start)` for every section of a module (the binary, not compiled: the relaxed builds need a flag). */
const sections = (b: Uint8Array, visit: (id: number, start: number) => void): void => {
  let at = 8
  while (at < b.length) {
    const id = b[at++]
    let size: number
    ;[size, at] = leb(b, at)
    visit(id, at)
    at += size
  }
}

const exportNames = (b: Uint8Array): Set<string> => {
  const names = new Set<string>()
  sections(b, (id, at) => {
    if (id !== 7) return
    let count: number, p = at
    ;[count, p] = leb(b, p)
    for (let i = 0; i < count; i++) {
      let len: number
      ;[len, p] = leb(b, p)
      names.add(new TextDecoder().decode(b.subarray(p, p + len)))
      p += len + 1
      ;[, p] = leb(b, p)
    }
  })
  return names
}

/** [start, end) of every active data segment of a module. */
const dataSegments = (b: Uint8Array): [number, number][] => {
  const out: [number, number][] = []
  sections(b, (id, at) => {
    if (id === 11) {
      let count: number, p = at
      ;[count, p] = leb(b, p)
      for (let i = 0; i < count; i++) {
        let flags: number
        ;[flags, p] = leb(b, p)
        expect(flags, 'active segments in memory 0 only').toBe(0)
        expect(b[p++], 'offset is an i32.const').toBe(0x41)
        let offset: number, len: number
        ;[offset, p] = leb(b, p, true)
        expect(b[p++]).toBe(0x0b)
        ;[len, p] = leb(b, p)
        out.push([offset, offset + len])
        p += len
      }
    }
  })
  return out
}

const modules = Object.entries(generated).filter(([k]) => k.endsWith('_BASE64')) as [string, string][]

describe('wasm memory layout', () => {
  it('every build keeps its static data below the arena', () => {
    expect(modules.length).toBeGreaterThanOrEqual(2)
    for (const [name, b64] of modules) {
      const segments = dataSegments(Uint8Array.from(Buffer.from(b64, 'base64')))
      expect(segments.length, name).toBeGreaterThan(0)
      for (const [, end] of segments) expect(end, name).toBeLessThanOrEqual(BASE)
    }
  })

  it('every build exports one entry per elementwise op, named after the primitive', () => {
    for (const [name, b64] of modules) {
      const exports = exportNames(Uint8Array.from(Buffer.from(b64, 'base64')))
      const missing = [...UNARY.map((p) => `unary_${p}`), ...BINARY.map((p) => `binary_${p}`), ...COMPARE.map((p) => `compare_${p}`), 'where', 'copyRows']
        .filter((e) => !exports.has(e))
      expect(missing, name).toEqual([])
    }
  })
})
