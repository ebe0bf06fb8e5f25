/**
 * The one closeness check the test suite uses: numpy's allclose (|a - b| <= atol + rtol * |b|),
 * except that NaN never equals anything and infinities must match exactly. Failures say where.
 */

import { expect } from 'vitest'
import type { Nested } from '../../src/core/nested.js'
import { PuregradError, Tensor, type ErrorCode } from '../../src/index.js'

export interface Tol { readonly atol?: number; readonly rtol?: number }

const flat = (x: Tensor | Nested | ArrayLike<number>): number[] => {
  if (x instanceof Tensor) return Array.from(x.dataSync(), Number)
  if (typeof x === 'number' || typeof x === 'boolean') return [Number(x)]
  if (Array.isArray(x)) return (x as Nested[]).flatMap((v) => flat(v))
  return Array.from(x as ArrayLike<number>, Number)
}

/** The first index where `actual` and `expected` differ beyond tolerance, or -1. */
export const firstMismatch = (actual: readonly number[], expected: readonly number[], { atol = 1e-6, rtol = 1e-6 }: Tol = {}): number => {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i]
    if (Number.isNaN(a) || Number.isNaN(b)) { if (!(Number.isNaN(a) && Number.isNaN(b))) return i; continue }
    if (!Number.isFinite(a) || !Number.isFinite(b)) { if (a !== b) return i; continue }
    if (Math.abs(a - b) > atol + rtol * Math.abs(b)) return i
  }
  return -1
}

/** Asserts values (and the shape, when `expected` is a tensor or nested array) are close. */
export const expectClose = (actual: Tensor | Nested | ArrayLike<number>, expected: Tensor | Nested | ArrayLike<number>, tol: Tol = {}): void => {
  if (actual instanceof Tensor && expected instanceof Tensor) expect(actual.shape).toEqual(expected.shape)
  if (actual instanceof Tensor && Array.isArray(expected)) expect(actual.arraySync()).toHaveLength((expected as unknown[]).length)
  const a = flat(actual), b = flat(expected)
  expect(a.length, 'element count').toBe(b.length)
  const i = firstMismatch(a, b, tol)
  if (i >= 0) expect.fail(`values differ at flat index ${i}: got ${a[i]}, expected ${b[i]} (atol ${tol.atol ?? 1e-6}, rtol ${tol.rtol ?? 1e-6})\n got: ${a.slice(0, 20).join(', ')}\nwant: ${b.slice(0, 20).join(', ')}`)
}

/** The PuregradError `f` throws; any other outcome (no error, another error) fails the test. */
export const thrownError = (f: () => unknown): PuregradError => {
  try {
    f()
  } catch (e) {
    if (e instanceof PuregradError) return e
    throw new Error(`expected a PuregradError, got ${String(e)}`)
  }
  throw new Error('expected a PuregradError, got no error')
}

/** The PuregradError `f` throws or its promise rejects with; any other outcome fails the test. */
export const rejectedError = async (f: () => unknown): Promise<PuregradError> => {
  try {
    await f()
  } catch (e) {
    if (e instanceof PuregradError) return e
    throw new Error(`expected a PuregradError, got ${String(e)}`)
  }
  throw new Error('expected a PuregradError, got no error')
}

/**
 * Runs `f`, asserting it throws a PuregradError with `code` whose message contains every one of
 * `fragments`; returns the error for further checks.
 */
export const expectError = (f: () => unknown, code: ErrorCode, ...fragments: string[]): PuregradError => {
  let caught: unknown
  try { f() } catch (e) { caught = e }
  if (!(caught instanceof PuregradError)) return expect.fail(`expected a PuregradError ${code}, got ${caught === undefined ? 'no error' : String(caught)}`)
  expect(caught.code, caught.message).toBe(code)
  for (const s of fragments) expect(caught.message).toContain(s)
  return caught
}

/** Deterministic pseudo-random values in [lo, hi) (a 32-bit LCG), for property-style tests. */
export const seededValues = (n: number, seed: number, lo = -1, hi = 1): number[] => {
  let s = seed >>> 0
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return lo + (hi - lo) * (s / 2 ** 32)
  })
}
