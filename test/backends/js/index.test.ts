/**
 * The JS backend object (src/backends/js/index.ts): kernel call counters, uploads and reads as
 * copies, and live-byte counting once per buffer.
 */

import { describe, it, expect } from 'vitest'
import { createJsBackend } from '../../../src/backends/js/index.js'
import { bool, out, arr, type In } from './kernel-inputs.js'

describe('backend object', () => {
  it('counts kernel calls per primitive and resets', () => {
    const be = createJsBackend()
    const x = be.upload(Float64Array.from([1, 2, 3]), 'float64')
    const xi: In = { data: x, shape: [3], dtype: 'float64' }
    be.kernels.exp([xi], {}, out([3]))
    be.kernels.exp([xi], {}, out([3]))
    be.kernels.sum([xi], { axes: [0], keepDims: false }, out([]))
    expect(be.stats.kernelCalls).toEqual({ exp: 2, sum: 1 })
    be.stats.reset()
    expect(be.stats.kernelCalls).toEqual({})
    be.kernels.neg([xi], {}, out([3]))
    expect(be.stats.kernelCalls.neg).toBe(1)
  })

  it('uploads and reads copies, and counts live bytes once per buffer', () => {
    expect(Number.isNaN(createJsBackend().stats.liveBytes())).toBe(true)
    const be = createJsBackend({ countBytes: true })
    expect(be.name).toBe('js')
    expect(be.dtypes).toEqual(['float32', 'float64', 'int32', 'bool'])
    expect(be.capabilities).toEqual({ syncRead: true, threads: 1, simd: false })
    const src = Float32Array.from([1, 2, 3, 4])
    const buf = be.upload(src, 'float32')
    src[0] = 99
    expect(arr(buf)).toEqual([1, 2, 3, 4])
    expect(be.stats.liveBytes()).toBe(16)
    const xi: In = { data: buf, shape: [2, 2], dtype: 'float32' }
    const r = be.kernels.reshape([xi], { shape: [4] }, out([4], 'float32'))
    expect(r).toBe(buf)
    be.kernels.stopGradient([xi], {}, out([2, 2], 'float32'))
    expect(be.stats.liveBytes()).toBe(16)
    be.kernels.cast([xi], { dtype: 'float64' }, out([2, 2], 'float64'))
    expect(be.stats.liveBytes()).toBe(16 + 32)
    const read = be.readSync(buf, 'float32', 4)
    read[1] = -1
    expect(arr(buf)).toEqual([1, 2, 3, 4])
    expect(read).toBeInstanceOf(Float32Array)
  })

  it('read resolves to a copy', async () => {
    const be = createJsBackend()
    const buf = be.upload(Int32Array.from([5, 6]), 'int32')
    const r = await be.read(buf, 'int32', 2)
    expect(r).not.toBe(buf)
    expect(arr(r)).toEqual([5, 6])
  })
})
