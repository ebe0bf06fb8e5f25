/**
 * The GC pressure hint of the webgpu backend (src/backends/webgpu/gc-pressure.ts), without a GPU:
 * a ballast is handed out once a quantum of GPU memory that nobody released has accumulated
 * outside grad, memory the core releases deterministically owes nothing, nothing is decided inside
 * a releasing transformation, and the quantum grows with the live working set. That the ballast
 * makes V8 collect in time is shown end to end in memory-pressure.test.ts.
 */

import { describe, expect, it } from 'vitest'
import { BALLAST_BYTES, GcPressure } from '../../../src/backends/webgpu/gc-pressure.js'

const MiB = 2 ** 20

describe('GcPressure', () => {
  it('hands out one 64 MiB ballast per 4 MiB owed while the live set is small, and starts owing again from zero', () => {
    const p = new GcPressure()
    const got: number[] = []
    for (let i = 0; i < 40; i++) if (p.charge(MiB / 4, 8 * MiB, false) !== undefined) got.push(i)
    // 16 charges of 1/4 MiB make a quantum: the 16th, 32nd, ... hand one out.
    expect(got).toEqual([15, 31])
    expect(p.charge(0, 0, false)).toBeUndefined()
    const ballast = (() => { let b: ArrayBuffer | undefined; while (b === undefined) b = p.charge(MiB, 0, false); return b })()
    expect(ballast.byteLength).toBe(BALLAST_BYTES)
  })

  it('released memory owes nothing: a loop whose allocations are all released never gets a ballast', () => {
    const p = new GcPressure()
    for (let i = 0; i < 1000; i++) {
      expect(p.charge(MiB, 8 * MiB, true)).toBeUndefined()
      p.credit(MiB)
    }
    expect(p.charge(0, 8 * MiB, false)).toBeUndefined()
  })

  it('inside a releasing transformation nothing is decided; what it did not release is owed when it returns', () => {
    const p = new GcPressure()
    for (let i = 0; i < 8; i++) expect(p.charge(MiB, 8 * MiB, true)).toBeUndefined()
    for (let i = 0; i < 5; i++) p.credit(MiB)
    // 3 MiB escaped: the next charge outside, 1 MiB more, completes the quantum.
    expect(p.charge(MiB, 8 * MiB, false)).toBeInstanceOf(ArrayBuffer)
  })

  it('the quantum is a quarter of the live set when that is larger, so big models are not collected every step', () => {
    const p = new GcPressure()
    const live = 400 * MiB
    let handed = 0
    for (let i = 0; i < 200; i++) if (p.charge(MiB, live, false) !== undefined) handed++
    expect(handed).toBe(2)
  })
})
