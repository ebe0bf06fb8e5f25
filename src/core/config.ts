/**
 * Global debugging switches. `debugNans` makes every op check its result and stop at the first
 * one, forward or backward, that produces a NaN or an Infinity, naming the op (and, in a backward
 * pass, the op whose gradient rule produced it).
 */

export interface Config {
  debugNans: boolean
}

export const config: Config = { debugNans: false }

export const setDebugNans = (on: boolean): void => {
  config.debugNans = on
}

/** What the op being run is part of, for messages: 'forward', or the VJP rule of an op. */
export const phase = { current: 'forward' as string }
