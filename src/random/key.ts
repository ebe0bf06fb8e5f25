/**
 * PRNG keys, JAX style: a key is an immutable pair of 32-bit words, and every random function is a
 * pure function of its key. New keys come from `split` and `foldIn`, never from hidden state, so
 * the same key gives the same numbers on every run and every backend.
 */

import { PuregradError } from '../core/errors.js'
import { registerTreeNode } from '../diff/tree.js'
import { threefry2x32Into, threefryBlocks } from './threefry.js'

const MAX_SPLIT = 2 ** 26

/**
 * A PRNG key: an immutable pair of 32-bit words. Make one with `key(seed)` and derive more with
 * `split` and `foldIn`; every sampler is a pure function of its key. Keys are tree nodes without
 * leaves, so a parameter record may hold one and `grad` and `treeMap` pass it through untouched.
 *
 * @example
 * ```ts
 * import { Key, key, split } from 'puregrad/layers'
 *
 * const k = key(42)
 * const [a, b] = split(k)
 * if (!(a instanceof Key) || a.equals(b) || !key(42).equals(k)) throw new Error('keys')
 * if (k.toString() !== 'Key(0x00000000, 0x0000002a)') throw new Error(k.toString())
 * ```
 */
export class Key {
  /** @internal Build keys with `key(seed)`, `split` or `foldIn`. */
  constructor(readonly hi: number, readonly lo: number) {
    Object.freeze(this)
  }

  /** Keys are values, not leaves: a record may hold one, and grad and treeMap pass it through untouched. */
  static {
    registerTreeNode(Key, (k) => [[], [k.hi, k.lo]], (aux) => {
      const [hi, lo] = aux as [number, number]
      return new Key(hi, lo)
    })
  }

  /** The two words, for display and serialisation: `Key(0x00000000, 0x0000002a)`. */
  toString(): string {
    const h = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`
    return `Key(${h(this.hi)}, ${h(this.lo)})`
  }

  /** Whether `other` is a key with the same two words. */
  equals(other: Key): boolean {
    return other instanceof Key && other.hi === this.hi && other.lo === this.lo
  }
}

/**
 * Whether `x` is a PRNG key.
 *
 * @example
 * ```ts
 * import { random } from 'puregrad/layers'
 *
 * if (!random.isKey(random.key(0)) || random.isKey([0, 0])) throw new Error('isKey')
 * ```
 */
export const isKey = (x: unknown): x is Key => x instanceof Key

/** @internal Throws unless `k` is a Key, naming the op. */
export const checkKey = (op: string, k: unknown): Key => {
  if (!(k instanceof Key)) throw new PuregradError('INVALID_ARGUMENT', `expected a PRNG key (from random.key(seed)), got ${k === null ? 'null' : typeof k}`, op)
  return k
}

/**
 * A key from an integer seed. As in JAX, the seed is read as a 64-bit two's-complement integer
 * split into high and low words, so `key(42)` equals `jax.random.PRNGKey(42)`'s data [0, 42].
 *
 * @throws PuregradError `INVALID_ARGUMENT` for a seed that is not a safe integer or a bigint.
 * @example
 * ```ts
 * import { key, random } from 'puregrad/layers'
 *
 * const [hi, lo] = random.keyData(key(-1))      // two's complement: all ones
 * if (hi !== 0xffffffff || lo !== 0xffffffff || random.keyData(key(2n ** 32n)).join() !== '1,0') throw new Error('key')
 * ```
 */
export const key = (seed: number | bigint): Key => {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new PuregradError('INVALID_ARGUMENT', `seed must be a safe integer or a bigint, got ${seed}`, 'random.key')
  }
  if (typeof seed !== 'number' && typeof seed !== 'bigint') {
    throw new PuregradError('INVALID_ARGUMENT', `seed must be a safe integer or a bigint, got ${typeof seed}`, 'random.key')
  }
  const u = BigInt.asUintN(64, BigInt(seed))
  return new Key(Number(u >> 32n), Number(u & 0xffffffffn))
}

/**
 * A key from its two words (the inverse of `keyData`), e.g. when restoring a saved key.
 *
 * @throws PuregradError `INVALID_ARGUMENT` unless given exactly two integers in [0, 2^32).
 * @example
 * ```ts
 * import { key, random } from 'puregrad/layers'
 *
 * const k = key(7)
 * if (!random.wrapKeyData(random.keyData(k)).equals(k)) throw new Error('round trip')
 * ```
 */
export const wrapKeyData = (data: readonly [number, number] | Uint32Array): Key => {
  if (data.length !== 2) throw new PuregradError('INVALID_ARGUMENT', `key data must be two 32-bit words, got ${data.length}`, 'random.wrapKeyData')
  for (const v of data) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new PuregradError('INVALID_ARGUMENT', `key words must be integers in [0, 2^32), got ${v}`, 'random.wrapKeyData')
  }
  return new Key(data[0], data[1])
}

/**
 * The two 32-bit words of a key, [high, low] (the inverse of `wrapKeyData`).
 *
 * @throws PuregradError `INVALID_ARGUMENT` when `k` is not a Key.
 * @example
 * ```ts
 * import { key, random } from 'puregrad/layers'
 *
 * if (random.keyData(key(42)).join() !== '0,42') throw new Error('keyData')
 * ```
 */
export const keyData = (k: Key): [number, number] => {
  checkKey('random.keyData', k)
  return [k.hi, k.lo]
}

/**
 * `n` new keys (default 2), statistically independent of each other and of `k` (JAX's
 * partitionable split: key i is Threefry(k, counter i)). Use each key once; split again for more.
 *
 * @throws PuregradError `INVALID_ARGUMENT` when `k` is not a Key or n is not an integer in
 * [0, 2^26].
 * @example
 * ```ts
 * import { key, split } from 'puregrad/layers'
 *
 * const [init, dropout, next] = split(key(0), 3)
 * if (init.equals(dropout) || !split(key(0), 3)[2].equals(next)) throw new Error('split')
 * ```
 */
export const split = (k: Key, n: number = 2): Key[] => {
  checkKey('random.split', k)
  if (!Number.isInteger(n) || n < 0 || n > MAX_SPLIT) throw new PuregradError('INVALID_ARGUMENT', `n must be an integer in [0, ${MAX_SPLIT}], got ${n}`, 'random.split')
  const [a, b] = threefryBlocks(k.hi, k.lo, n)
  return Array.from({ length: n }, (_, i) => new Key(a[i], b[i]))
}

/**
 * A key derived from `k` and an integer (a step number, a layer index, a process id). Data are
 * read as unsigned 32-bit words (negative numbers wrap); different data give independent keys.
 * Note that, as in JAX, foldIn(k, i) equals split(k, n)[i].
 *
 * @throws PuregradError `INVALID_ARGUMENT` when `k` is not a Key or data is not an integer in
 * [-2^31, 2^32).
 * @example
 * ```ts
 * import { key, split, foldIn } from 'puregrad/layers'
 *
 * const k = key(0)
 * const stepKey = foldIn(k, 3)                   // one key per training step
 * if (!stepKey.equals(split(k, 5)[3])) throw new Error('foldIn')
 * ```
 */
export const foldIn = (k: Key, data: number): Key => {
  checkKey('random.foldIn', k)
  if (!Number.isInteger(data) || data < -(2 ** 31) || data > 0xffffffff) {
    throw new PuregradError('INVALID_ARGUMENT', `data must be an integer in [-2^31, 2^32), got ${data}`, 'random.foldIn')
  }
  const o0 = new Uint32Array(1), o1 = new Uint32Array(1)
  threefry2x32Into(k.hi, k.lo, [0], [data >>> 0], o0, o1, 1)
  return new Key(o0[0], o1[0])
}

/**
 * `n` raw 32-bit words from `k` (the XOR of the two Threefry output words, as JAX's 32-bit
 * random_bits): word i depends only on `k` and i.
 */
export const bits32 = (k: Key, n: number): Uint32Array => {
  const [a, b] = threefryBlocks(k.hi, k.lo, n)
  for (let i = 0; i < n; i++) a[i] = (a[i] ^ b[i]) >>> 0
  return a
}

/** `n` pairs of words: the high and low halves of 64 random bits each (JAX's 64-bit random_bits). */
export const bits64 = (k: Key, n: number): [hi: Uint32Array, lo: Uint32Array] => threefryBlocks(k.hi, k.lo, n)
