/**
 * The one error class that puregrad's operations throw, with a stable `code` from a closed
 * catalogue (documented in docs/errors.md). Messages name the op, the offending shapes or dtypes
 * and, when the value came from a parameter record, its path (`params.layers[1].w`).
 * Boundaries (decoding, backend creation, law runners) return `Either` instead of throwing.
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
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class PuregradError extends Error {
  override readonly name = 'PuregradError'
  constructor(
    readonly code: ErrorCode,
    /** The message without the op prefix. */
    readonly detail: string,
    readonly op?: string,
  ) {
    super(op === undefined ? detail : `${op}: ${detail}`)
  }
}

export const fail = (code: ErrorCode, op: string | undefined, message: string): never => {
  throw new PuregradError(code, message, op)
}

export const fmtShape = (s: readonly number[]): string => `[${s.join(',')}]`
