/**
 * Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011), the counter-based block cipher JAX's PRNG is built on. It runs on the host in plain
 * Uint32 arithmetic, so the bits depend only on the key and the counter: never on a backend,
 * a thread count or the order in which numbers are drawn.
 */

/** Rotation amounts of Threefry-2x32, used in two alternating groups of four rounds. */
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const
/** Skein's key-schedule parity constant: makes the extended key word never all-zero for a zero key. */
const PARITY = 0x1bd11bda

/**
 * Encrypts `count` counter pairs (c0[i], c1[i]) under the key (k0, k1), writing the two output
 * words into out0[i] and out1[i]. All values are unsigned 32-bit integers.
 */
export const threefry2x32Into = (
  k0: number, k1: number,
  c0: ArrayLike<number>, c1: ArrayLike<number>,
  out0: Uint32Array, out1: Uint32Array, count: number = c0.length,
): void => {
  const ks0 = k0 >>> 0, ks1 = k1 >>> 0
  const ks2 = (PARITY ^ ks0 ^ ks1) >>> 0
  const ks = [ks0, ks1, ks2]
  for (let i = 0; i < count; i++) {
    let x0 = (c0[i] + ks0) >>> 0
    let x1 = (c1[i] + ks1) >>> 0
    for (let group = 0; group < 5; group++) {
      const base = (group & 1) * 4
      for (let r = 0; r < 4; r++) {
        const rot = ROTATIONS[base + r]
        x0 = (x0 + x1) >>> 0
        x1 = ((x1 << rot) | (x1 >>> (32 - rot))) >>> 0
        x1 = (x1 ^ x0) >>> 0
      }
      // Key injection after every four rounds; the added injection index breaks the symmetry
      // between injections that would otherwise reuse the same key words.
      const s = group + 1
      x0 = (x0 + ks[s % 3]) >>> 0
      x1 = (x1 + ks[(s + 1) % 3] + s) >>> 0
    }
    out0[i] = x0
    out1[i] = x1
  }
}

/**
 * One Threefry-2x32 block (20 rounds): the two output words for one counter pair under a key,
 * all unsigned 32-bit integers. The primitive under every key and sampler.
 *
 * @example
 * ```ts
 * import { random } from 'puregrad/layers'
 *
 * // The known-answer test of Salmon et al. (Random123): zero key, zero counter.
 * const [a, b] = random.threefry2x32([0, 0], [0, 0])
 * if (a !== 0x6b200159 || b !== 0x99ba4efe) throw new Error(`got ${a.toString(16)} ${b.toString(16)}`)
 * ```
 */
export const threefry2x32 = (key: readonly [number, number], counter: readonly [number, number]): [number, number] => {
  const o0 = new Uint32Array(1), o1 = new Uint32Array(1)
  threefry2x32Into(key[0], key[1], [counter[0] >>> 0], [counter[1] >>> 0], o0, o1, 1)
  return [o0[0], o1[0]]
}

/**
 * The blocks for counters 0 .. n-1, each counter split into its high and low 32-bit words (as
 * JAX's partitionable Threefry does): element i depends only on the key and i, so a draw of n
 * numbers is a prefix of a draw of more.
 */
export const threefryBlocks = (k0: number, k1: number, n: number): [Uint32Array, Uint32Array] => {
  const hi = new Uint32Array(n), lo = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    hi[i] = Math.floor(i / 4294967296)
    lo[i] = i >>> 0
  }
  const o0 = new Uint32Array(n), o1 = new Uint32Array(n)
  threefry2x32Into(k0, k1, hi, lo, o0, o1, n)
  return [o0, o1]
}
