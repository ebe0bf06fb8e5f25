/**
 * Element types. A dtype names both the numeric semantics and the typed array that holds it on
 * the host; backends declare which dtypes they support, and nothing converts between dtypes
 * implicitly (see `cast`).
 */

import { PuregradError } from './errors.js'

/** A tensor's element type: float32 (the default), float64, int32 or bool. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool'

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool']

/** The host typed array that holds each dtype's values: `TypedArrayFor['int32']` is `Int32Array`. bool is 0 or 1 bytes. */
export interface TypedArrayFor {
  float32: Float32Array
  float64: Float64Array
  int32: Int32Array
  bool: Uint8Array
}

/** Any of the typed arrays that hold tensor values: Float32Array, Float64Array, Int32Array or Uint8Array. */
export type TypedArray = TypedArrayFor[DType]

export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64'

export const bytesPer = (d: DType): number =>
  d === 'float64' ? 8 : d === 'bool' ? 1 : 4

export function allocTyped<D extends DType>(dtype: D, size: number): TypedArrayFor[D]
export function allocTyped(dtype: DType, size: number): TypedArray {
  try {
    switch (dtype) {
      case 'float32': return new Float32Array(size)
      case 'float64': return new Float64Array(size)
      case 'int32': return new Int32Array(size)
      case 'bool': return new Uint8Array(size)
    }
  } catch (e) {
    // The engine's RangeError (length too large, or the allocation failed) as the catalogue's code.
    if (e instanceof RangeError) {
      throw new PuregradError('OUT_OF_MEMORY', `could not allocate ${size} ${dtype} elements (${size * bytesPer(dtype)} bytes): ${e.message}`, 'allocate')
    }
    throw e
  }
}

/** The dtype a typed array stands for, or undefined for typed arrays puregrad does not hold. */
export const dtypeOfTyped = (a: ArrayBufferView): DType | undefined =>
  a instanceof Float32Array ? 'float32'
    : a instanceof Float64Array ? 'float64'
      : a instanceof Int32Array ? 'int32'
        : a instanceof Uint8Array ? 'bool'
          : undefined

export const isDType = (s: unknown): s is DType => typeof s === 'string' && (DTYPES as readonly string[]).includes(s)
