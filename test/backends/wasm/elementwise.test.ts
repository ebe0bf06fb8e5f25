/**
 * The wasm backend's elementwise kernels against the JS reference: every unary, binary and
 * comparison primitive and where, on data full of special values, under numpy broadcasting
 * (scalars, rows, columns, interleaved size-1 axes, empty shapes), each call asserted to have run
 * in WebAssembly. Arithmetic, comparisons, selection and rounding must match bit for bit; the
 * transcendental functions within one float32 ulp (float64 musl versus V8's float64 Math, each
 * rounded once).
 */

import { describe, expect, it } from 'vitest'
import { createWasmBackend } from '../../../src/backends/wasm/index.js'
import { BINARY, COMPARE, UNARY, type UnaryPrimitive } from '../../../src/diff/primitives.js'
import { both, bools, broadcast, expectUlps, f32, fallsBack, out, sizeOf, type In } from './support.js'

const wasm = createWasmBackend({ minWork: 0, threads: 1 })
const TRANSCENDENTAL: readonly UnaryPrimitive[] = ['exp', 'log', 'sin', 'cos', 'tanh', 'erf', 'log1p', 'expm1']

const SHAPE_PAIRS: readonly (readonly [number[], number[]])[] = [
  [[5, 7], [5, 7]], [[5, 7], []], [[], [5, 7]], [[5, 7], [7]], [[7], [5, 7]], [[5, 1], [1, 7]], [[5, 7], [5, 1]],
  [[2, 1, 3, 1, 5], [1, 4, 1, 6, 1]], [[2, 3, 4, 5], [3, 1, 5]], [[4, 3, 2], [3, 1]], [[33], [33]], [[1], [1]],
  [[3, 8, 8, 6], [6]], [[0, 3], [3]], [[3, 0], [3, 1]], [[0], []],
]

describe('wasm unary kernels', () => {
  for (const op of UNARY) {
    it(`${op} matches the reference ${TRANSCENDENTAL.includes(op) ? 'within 1 ulp' : 'bit for bit'}, specials and tails included`, () => {
      for (const [shape, seed] of [[[1000], 1], [[3, 7], 2], [[1], 3], [[0], 4], [[2, 0, 3], 5]] as const) {
        const x = f32(shape, seed, op === 'exp' || op === 'expm1' ? { lo: -100, hi: 100 } : { lo: -40, hi: 40 })
        const [got, want] = both(wasm, op, [x], {}, out(shape))
        expectUlps(got, want, TRANSCENDENTAL.includes(op) ? 1 : 0, `${op} [${shape}]`)
      }
    })
  }
})

describe('wasm binary kernels', () => {
  for (const op of BINARY) {
    it(`${op} matches the reference under broadcasting ${op === 'pow' ? 'within 1 ulp' : 'bit for bit'}`, () => {
      SHAPE_PAIRS.forEach(([sa, sb], i) => {
        const a = f32(sa, 10 + i, { lo: -3, hi: 3 }), b = f32(sb, 100 + i, { lo: -3, hi: 3, every: 3 })
        const [got, want] = both(wasm, op, [a, b], {}, out(broadcast(sa, sb)))
        expectUlps(got, want, op === 'pow' ? 1 : 0, `${op} [${sa}] [${sb}]`)
      })
    })
  }

  it('pow follows JS, not C, at ±1 to a non-finite power, and numpy at its other special points', () => {
    const a: In = { data: Float32Array.of(1, 1, -1, -1, 1, 0, 0, -8, -8, NaN, 2, -0), shape: [12], dtype: 'float32' }
    const b: In = { data: Float32Array.of(NaN, Infinity, -Infinity, NaN, 0, -1, 0, 1 / 3, 3, 0, -Infinity, -3), shape: [12], dtype: 'float32' }
    const [got, want] = both(wasm, 'pow', [a, b], {}, out([12]))
    expectUlps(got, want, 0, 'pow specials')
    expect(Array.from(got.slice(0, 4))).toEqual([NaN, NaN, NaN, NaN])
  })

  it('maximum and minimum keep the reference tie rule between -0 and 0 and let a NaN on either side win', () => {
    const a: In = { data: Float32Array.of(0, -0, NaN, 1, 2), shape: [5], dtype: 'float32' }
    const b: In = { data: Float32Array.of(-0, 0, 1, NaN, 2), shape: [5], dtype: 'float32' }
    for (const op of ['maximum', 'minimum'] as const) {
      const [got, want] = both(wasm, op, [a, b], {}, out([5]))
      expectUlps(got, want, 0, op)
      expect(Object.is(got[0], -0)).toBe(true)
      expect(Number.isNaN(got[2]) && Number.isNaN(got[3])).toBe(true)
    }
  })
})

describe('wasm comparisons and where', () => {
  for (const op of COMPARE) {
    it(`${op} matches the reference bit for bit (bool output, NaN compares unequal)`, () => {
      SHAPE_PAIRS.forEach(([sa, sb], i) => {
        const a = f32(sa, 20 + i, { lo: -2, hi: 2 }), b = f32(sb, 200 + i, { lo: -2, hi: 2, every: 2 })
        const [got, want] = both(wasm, op, [a, b], {}, out(broadcast(sa, sb), 'bool'))
        expectUlps(got, want, 0, `${op} [${sa}] [${sb}]`)
      })
    })
  }

  it('where selects bits under three-way broadcasting, a NaN on the unpicked side never leaking', () => {
    const cases: readonly (readonly [number[], number[], number[]])[] = [
      [[5, 7], [5, 7], [5, 7]], [[5, 7], [5, 7], []], [[5, 7], [], [5, 7]], [[5, 7], [], []], [[5, 1], [1, 7], [5, 7]],
      [[7], [5, 7], [5, 1]], [[2, 1, 3], [1, 4, 1], [4, 3]], [[33], [33], [1]], [[0, 2], [2], []], [[3, 1], [3, 0], []],
    ]
    cases.forEach(([sc, sa, sb], i) => {
      const c = bools(sc, 30 + i), a = f32(sa, 40 + i, { every: 2 }), b = f32(sb, 50 + i, { every: 2 })
      const [got, want] = both(wasm, 'where', [c, a, b], {}, out(broadcast(sc, sa, sb)))
      expectUlps(got, want, 0, `where [${sc}] [${sa}] [${sb}]`)
    })
  })
})

describe('what stays on the JS kernels', () => {
  it('float64, int32 and bool arithmetic run in JS (the documented fallback) and give the reference results', () => {
    const d: In = { data: Float64Array.of(1.5, 2, -3), shape: [3], dtype: 'float64' }
    expect(Array.from(fallsBack(wasm, 'add', [d, d], {}, out([3], 'float64')))).toEqual([3, 4, -6])
    const i: In = { data: Int32Array.of(7, -2, 3), shape: [3], dtype: 'int32' }
    expect(Array.from(fallsBack(wasm, 'mul', [i, i], {}, out([3], 'int32')))).toEqual([49, 4, 9])
    expect(Array.from(fallsBack(wasm, 'neg', [i], {}, out([3], 'int32')))).toEqual([-7, 2, -3])
    expect(Array.from(fallsBack(wasm, 'less', [i, i], {}, out([3], 'bool')))).toEqual([0, 0, 0])
    expect(Array.from(fallsBack(wasm, 'where', [bools([3], 1), d, d], {}, out([3], 'float64')))).toEqual([1.5, 2, -3])
  })

  it('below minWork elements a float32 op runs in JS; at minWork it runs in WebAssembly', () => {
    const small = createWasmBackend({ threads: 1, minWork: 64 })
    const x = (n: number): In => f32([n], n)
    fallsBack(small, 'add', [x(63), x(63)], {}, out([63]))
    const [got, want] = both(small, 'add', [x(64), x(64)], {}, out([64]))
    expectUlps(got, want)
    // A broadcast counts its output elements.
    both(small, 'mul', [f32([8, 8], 1), f32([8], 2)], {}, out([8, 8]))
    expect(sizeOf([8, 8])).toBe(64)
  })
})
