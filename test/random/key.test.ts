/**
 * PRNG keys (src/random/key.ts, threefry.ts): threefry2x32 against the Random123 known-answer
 * vectors; key, split and foldIn as in jax.random (values from its documentation), deterministic
 * and distinct; keys are frozen values that treeMap and grad pass through as non-leaves; non-keys
 * are rejected.
 */

import { describe, expect, it } from 'vitest'
import { grad, mul, sum, tensor, treeLeaves, treeMap, type Tensor } from '../../src/index.js'
import { threefry2x32 } from '../../src/random/threefry.js'
import { Key, foldIn, isKey, key, keyData, split, uniform, wrapKeyData } from '../../src/random/index.js'
import { expectError } from '../helpers/allclose.js'

const hex = (v: readonly number[]): string[] => v.map((x) => `0x${x.toString(16).padStart(8, '0')}`)

describe('threefry2x32 (20 rounds)', () => {
  // Known-answer vectors of Random123 (kat_vectors, threefry2x32_20): counter, key -> output.
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(threefry2x32([0, 0], [0, 0]))).toEqual(['0x6b200159', '0x99ba4efe'])
    expect(hex(threefry2x32([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['0x1cb996fc', '0xbb002be7'])
    // The digits-of-pi vector: key [0x13198a2e, 0x03707344], counter [0x243f6a88, 0x85a308d3].
    expect(hex(threefry2x32([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3]))).toEqual(['0xc4923a9c', '0x483df7a0'])
  })

  it('is a bijection of the counter for a fixed key (distinct counters, distinct blocks)', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) seen.add(threefry2x32([7, 9], [0, i]).join(','))
    expect(seen.size).toBe(2000)
  })
})

describe('keys', () => {
  it('key(seed) reads the seed as a 64-bit integer split into words, as jax.random.PRNGKey', () => {
    expect(keyData(key(0))).toEqual([0, 0])
    expect(keyData(key(42))).toEqual([0, 42])
    expect(keyData(key(2 ** 32 + 5))).toEqual([1, 5])
    expect(keyData(key(-1))).toEqual([0xffffffff, 0xffffffff])
    expect(keyData(key(2n ** 63n + 3n))).toEqual([0x80000000, 3])
    expect(key(7).equals(key(7))).toBe(true)
    expect(String(key(42))).toBe('Key(0x00000000, 0x0000002a)')
    expectError(() => key(1.5), 'INVALID_ARGUMENT', 'seed')
    expectError(() => key(2 ** 60), 'INVALID_ARGUMENT', 'safe integer')
  })

  it('split and uniform agree with the values in the jax.random documentation', () => {
    // docs.jax.dev/en/latest/jax.random.html: random.uniform(key(0)) -> 0.947667, and after
    // `key, subkey = random.split(key)`, random.uniform(subkey) -> 0.00729382 (float32).
    const [k1, sub] = split(key(0))
    expect(keyData(k1)).toEqual([1797259609, 2579123966])
    expect(keyData(sub)).toEqual([928981903, 3453687069])
    expect(uniform(key(0), []).item()).toBeCloseTo(0.947667, 6)
    expect(uniform(sub, []).item()).toBeCloseTo(0.00729382, 8)
  })

  it('split is deterministic, gives distinct keys, and its prefix does not depend on n', () => {
    const a = split(key(3), 5), b = split(key(3), 5), c = split(key(3), 8)
    expect(a.map(keyData)).toEqual(b.map(keyData))
    expect(c.slice(0, 5).map(keyData)).toEqual(a.map(keyData))
    expect(new Set(c.map(String)).size).toBe(8)
    expect(split(key(3), 0)).toEqual([])
    expectError(() => split(key(3), -1), 'INVALID_ARGUMENT', 'n must be')
  })

  it('foldIn derives distinct keys per datum, deterministically, and reads data as uint32', () => {
    const base = key(11)
    const ks = Array.from({ length: 50 }, (_, i) => String(foldIn(base, i)))
    expect(new Set(ks).size).toBe(50)
    expect(String(foldIn(base, 3))).toBe(String(foldIn(base, 3)))
    expect(String(foldIn(base, -1))).toBe(String(foldIn(base, 0xffffffff)))
    expect(String(foldIn(key(12), 3))).not.toBe(String(foldIn(base, 3)))
    expectError(() => foldIn(base, 0.5), 'INVALID_ARGUMENT', 'data')
  })

  it('keys are immutable values, not tree leaves: records holding them pass through treeMap and grad', () => {
    const k = key(5)
    expect(Object.isFrozen(k)).toBe(true)
    expect(isKey(k)).toBe(true)
    expect(isKey([0, 5])).toBe(false)
    expect(wrapKeyData(keyData(k)).equals(k)).toBe(true)
    const rec = { w: tensor([1, 2], { dtype: 'float64' }), rng: k }
    expect(treeLeaves(rec)).toHaveLength(1)
    const doubled = treeMap(rec, (t: Tensor) => mul(t, 2))
    expect(doubled.rng).toBeInstanceOf(Key)
    expect(doubled.rng.equals(k)).toBe(true)
    const g = grad((p: typeof rec) => sum(mul(p.w, uniform(p.rng, [2], { dtype: 'float64' }))))(rec)
    expect(Array.from(g.w.dataSync())).toEqual(Array.from(uniform(k, [2], { dtype: 'float64' }).dataSync()))
    expect(g.rng.equals(k)).toBe(true)
  })

  it('every random function rejects a non-key', () => {
    expectError(() => split([0, 1] as unknown as Key), 'INVALID_ARGUMENT', 'random.split', 'PRNG key')
    expectError(() => uniform(3 as unknown as Key, [2]), 'INVALID_ARGUMENT', 'random.uniform')
  })
})
