/**
 * The wasm memory as a bounded scratch area. Tensor storage stays on the JS heap (so the garbage
 * collector reclaims it in any loop, synchronous or not); a kernel call copies its operands in,
 * runs, and copies its result out. Each call starts from the bottom again, so the memory only
 * grows to the largest single kernel's working set, never with the number of steps.
 */

import { allocTyped, type DType, type TypedArray } from '../../core/dtype.js'
import { fail } from '../../core/errors.js'

const PAGE = 65536
/** Offsets below this are the kernels' static data and the edge-tile scratch. */
const BASE = 4096
/**
 * The most scratch one kernel call may use: the kernels compute addresses in signed 32-bit
 * arithmetic (past 2 GiB they trap with "memory access out of bounds"), and the shared build's
 * memory stops there anyway.
 */
export const MAX_SCRATCH_BYTES = 2 ** 31

export class Arena {
  private top = BASE
  /** The primitive being run, for error messages. */
  private op = 'wasm'
  private buffer: ArrayBuffer
  private u8: Uint8Array

  constructor(private readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer
    this.u8 = new Uint8Array(this.buffer)
  }

  /** Starts a kernel call for `op`: everything allocated by the previous call is free again. */
  reset(op = 'wasm'): void {
    this.top = BASE
    this.op = op
  }

  get highWater(): number {
    return this.memory.buffer.byteLength
  }

  /** A 16-byte-aligned block of `bytes`; grows the memory when needed (which detaches old views). */
  alloc(bytes: number): number {
    const ptr = Math.ceil(this.top / 16) * 16
    const end = ptr + bytes
    if (end > MAX_SCRATCH_BYTES) {
      fail('OUT_OF_MEMORY', this.op, `needs ${end} bytes of wasm scratch, more than the ${MAX_SCRATCH_BYTES} one kernel call may use`)
    }
    if (end > this.memory.buffer.byteLength) {
      const pages = Math.ceil((end - this.memory.buffer.byteLength) / PAGE)
      try {
        this.memory.grow(pages)
      } catch {
        fail('OUT_OF_MEMORY', this.op, `could not grow wasm memory to ${end} bytes`)
      }
    }
    this.top = end
    return ptr
  }

  private bytes(): Uint8Array {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer
      this.u8 = new Uint8Array(this.buffer)
    }
    return this.u8
  }

  copyIn(src: TypedArray): number {
    const ptr = this.alloc(src.byteLength)
    this.bytes().set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), ptr)
    return ptr
  }

  /** Writes int32 values (kernel geometry) into a fresh block. */
  ints(values: readonly number[]): number {
    const ptr = this.alloc(values.length * 4)
    new Int32Array(this.bytes().buffer, ptr, values.length).set(values)
    return ptr
  }

  zeros(bytes: number): number {
    const ptr = this.alloc(bytes)
    this.bytes().fill(0, ptr, ptr + bytes)
    return ptr
  }

  /** A JS-heap copy of `n` elements of `dtype` at `ptr`. */
  copyOut(ptr: number, n: number, dtype: DType): TypedArray {
    const out = allocTyped(dtype, n)
    new Uint8Array(out.buffer).set(this.bytes().subarray(ptr, ptr + out.byteLength))
    return out
  }
}
