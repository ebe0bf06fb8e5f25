/**
 * The one error class that puregrad's operations throw, with a stable `code` from a closed
 * catalogue (documented in docs/errors.md). Messages name the op, the offending shapes or dtypes
 * and, when the value came from a parameter record, its path (`params.layers[1].w`).
 * Boundaries (decoding, backend creation, law runners) return `Either` instead of throwing.
 */

/**
 * The catalogue of error codes, each with its meaning: a {@link PuregradError}'s `code` is one of
 * these keys. Codes are part of the public API and do not change between minor versions.
 * @example
 * ```ts
 * import { ERROR_CODES } from 'puregrad'
 * ERROR_CODES.BROADCAST // => 'shapes cannot be broadcast together under numpy rules'
 * ```
 */
export const ERROR_CODES = {
  SHAPE_MISMATCH: 'shapes of the operands do not fit the operation',
  BROADCAST: 'shapes cannot be broadcast together under numpy rules',
  DTYPE_MISMATCH: 'operands have different dtypes, or a dtype the op does not accept',
  INVALID_ARGUMENT: 'an argument is malformed (not an integer, out of range, wrong kind)',
  INVALID_AXIS: 'an axis is not an integer in [-rank, rank) or is repeated',
  RAGGED: 'nested array input is ragged or holds non-numbers',
  INDEX_OUT_OF_RANGE: 'an index read from a tensor lies outside the indexed axis',
  NON_SCALAR_OUTPUT: 'grad needs a function with a scalar output',
  NON_DIFFERENTIABLE: 'a differentiated input is an integer or bool tensor',
  TREE_MISMATCH: 'two parameter records do not have the same structure',
  ESCAPED_TRACER: 'a value traced by a finished transformation was used outside it',
  BACKEND_MISMATCH: 'operands live on different backends',
  BACKEND_UNAVAILABLE: 'the backend is not registered or cannot start here',
  UNSUPPORTED_DTYPE: 'the backend does not support this dtype',
  SYNC_READ_UNAVAILABLE: 'the backend cannot read synchronously; use the async reader',
  NON_FINITE: 'debugNans found a NaN or Infinity produced by an op',
  OUT_OF_MEMORY: 'a buffer could not be allocated',
  BACKEND_LOST: 'the backend lost its device or worker threads; re-create it to go on',
} as const

/** The union of the error codes: `'SHAPE_MISMATCH' | 'BROADCAST' | ...`, the keys of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES

/**
 * The one error class puregrad's operations throw. Branch on `code` (stable, from
 * {@link ERROR_CODES}), not on the message. The message is `op: detail` and names the offending
 * shapes, dtypes or axes and, for a value from a differentiated parameter record, its path
 * (`params.layers[1].w`).
 * @example
 * ```ts
 * import { PuregradError, add, tensor } from 'puregrad'
 * try {
 *   add(tensor([1, 2]), tensor([1, 2, 3]))
 * } catch (e) {
 *   if (!(e instanceof PuregradError)) throw e
 *   e.code // => 'BROADCAST'
 *   e.op // => 'add'
 *   e.message // => 'add: shapes [2] and [3] cannot be broadcast (axis -1 has 2 vs 3)'
 * }
 * ```
 */
export class PuregradError extends Error {
  /** Always `'PuregradError'`. */
  override readonly name = 'PuregradError'
  /** Makes an error; `message` becomes `op: detail` (just `detail` without an op). */
  constructor(
    /** Which kind of error this is: a key of {@link ERROR_CODES}. */
    readonly code: ErrorCode,
    /** The message without the op prefix. */
    readonly detail: string,
    /** The op or function that raised it (`'matmul'`, `'grad'`), when there is one. */
    readonly op?: string,
  ) {
    super(op === undefined ? detail : `${op}: ${detail}`)
  }
}

export const fail = (code: ErrorCode, op: string | undefined, message: string): never => {
  throw new PuregradError(code, message, op)
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`
