/**
 * Global debugging switches. `debugNans` makes every op check its result and stop at the first
 * one, forward or backward, that produces a NaN or an Infinity, naming the op (and, in a backward
 * pass, the op whose gradient rule produced it).
 */

export interface Config {
  debugNans: boolean
}

export const config: Config = { debugNans: false }

/**
 * Turns NaN debugging on or off (off by default). When on, every op with a float result checks it,
 * forward or backward, and the first one that produces a NaN or an Infinity throws `NON_FINITE`,
 * naming the op, the flat index and, in a backward pass, the op whose gradient rule ran. It reads
 * every result back to the host, so it is slow, and it needs a backend that reads synchronously.
 * @example
 * ```ts
 * import { grad, log, setDebugNans, sqrt, sum, tensor, type Tensor } from 'puregrad'
 * setDebugNans(true)
 * log(tensor([-1])) // throws NON_FINITE
 * grad((x: Tensor) => sum(sqrt(x)))(tensor([0])) // throws NON_FINITE
 * setDebugNans(false)
 * log(tensor([-1])).arraySync() // => [NaN]
 * ```
 */
export const setDebugNans = (on: boolean): void => {
  config.debugNans = on
}

/** What the op being run is part of, for messages: 'forward', or the VJP rule of an op. */
export const phase = { current: 'forward' as string }
