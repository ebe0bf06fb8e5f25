/**
 * The wasm memory as a bounded scratch area and read cache. Tensor storage stays on the JS heap
 * (so the garbage collector reclaims it in any loop, synchronous or not); a kernel call copies
 * its operands in, runs, and copies its result out.
 *
 * Calls take their scratch from a ring: each call's blocks follow the previous call's, and when
 * the ring (`cacheBytes`, or the memory already grown) is used up, the next call starts again at
 * the bottom. So what recent calls copied in or out is still in wasm memory for a while, and the
 * ring remembers, per JS array (a WeakMap, which the collector clears with its key), where its
 * bytes last were: an operand produced or read by a recent call is not copied in again. Buffers
 * are immutable, so a resident copy stays right until the ring overwrites it, and the ring knows
 * when that happens (an entry is valid while it lies in the current lap, or in the previous lap
 * above the current head). The memory never grows past `cacheBytes` plus the largest single call.
 *
 * Two ways to start a call: `begin(op, bytes)` reserves all the scratch the call may need up
 * front, so any resident operand outside the reservation is safe to read in place; `reset(op)`
 * (the GEMM callers) allocates as it goes, so only operands resident below the head are reused.
 */

import { allocTyped, type DType, type TypedArray } from '../../core/dtype.js'
import { fail } from '../../core/errors.js'

const PAGE = 65536
/** Offsets below this hold the kernels' static data (the float64 math tables; test/backends/wasm/layout.test.ts checks it fits). */
export const BASE = 65536
/**
 * The most scratch one kernel call may use: the kernels compute addresses in signed 32-bit
 * arithmetic (past 2 GiB they trap with "memory access out of bounds"), and the shared build's
 * memory stops there anyway.
 */
export const MAX_SCRATCH_BYTES = 2 ** 31
const LAP = 2 ** 32

const align = (n: number): number => Math.ceil(n / 16) * 16

type UnsafeAlloc = (bytes: number) => { readonly buffer: ArrayBuffer }
/** Node's Buffer.allocUnsafeSlow: a fresh ArrayBuffer of its own, not zeroed first. */
const allocUnsafe = (globalThis as { Buffer?: { allocUnsafeSlow?: UnsafeAlloc } }).Buffer?.allocUnsafeSlow

/**
 * An array for a kernel result that is about to be overwritten whole: in Node, big ones skip the
 * zeroing that `new Float32Array(n)` does (a pass over memory that copyOut then repeats). The
 * array owns its ArrayBuffer, exactly like one made by the constructor.
 */
const uninitialized = (dtype: DType, n: number): TypedArray | undefined => {
  if (allocUnsafe === undefined || n < 1024) return undefined
  switch (dtype) {
    case 'float32': return new Float32Array(allocUnsafe(n * 4).buffer, 0, n)
    case 'int32': return new Int32Array(allocUnsafe(n * 4).buffer, 0, n)
    default: return undefined
  }
}

/** Bytes a call needs for blocks of these sizes, alignment included. */
export const need = (...sizes: readonly number[]): number => {
  let n = 0
  for (const s of sizes) n += align(s)
  return n
}

export class Arena {
  /** Next free byte of the ring. */
  private head = BASE
  /** Times the ring went back to its bottom; cache entries record it. */
  private lap = 0
  /** Sized calls: the next block and the end of the reservation. */
  private next = BASE
  private end = BASE
  private sized = false
  /** The primitive being run, for error messages. */
  private op = 'wasm'
  private buffer: ArrayBuffer | SharedArrayBuffer
  private u8: Uint8Array
  private i32: Int32Array
  /** Where each JS array's bytes were last placed: lap * 2^32 + pointer. */
  private readonly resident = new WeakMap<TypedArray, number>()
  /** Copies avoided and made, for tests and tuning. */
  hits = 0
  misses = 0
  copiedBytes = 0

  constructor(private readonly memory: WebAssembly.Memory, private readonly cacheBytes = 0) {
    this.buffer = memory.buffer
    this.u8 = new Uint8Array(this.buffer)
    this.i32 = new Int32Array(this.buffer)
  }

  get highWater(): number {
    return this.memory.buffer.byteLength
  }

  private wrap(): void {
    this.head = BASE
    this.lap++
  }

  /** The primitive whose call is running (set by `reset` and `begin`), for errors raised outside the arena. */
  get currentOp(): string { return this.op }

  /** Starts a call of unknown size: blocks are carved from the head as they are asked for. */
  reset(op = 'wasm'): void {
    this.op = op
    this.sized = false
    if (this.head - BASE >= this.cacheBytes) this.wrap()
  }

  /** Starts a call that needs at most `bytes` of scratch (use `need`), operands it copies in included. */
  begin(op: string, bytes: number): void {
    this.op = op
    this.sized = true
    const limit = Math.max(BASE + this.cacheBytes, this.memory.buffer.byteLength)
    if (this.head + bytes > limit) this.wrap()
    this.next = this.head
    this.end = this.head + bytes
    this.ensure(this.end)
    this.head = this.end
  }

  private ensure(end: number): void {
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
  }

  /** A 16-byte-aligned block of `bytes`; may grow the memory (which detaches old views). */
  alloc(bytes: number): number {
    if (this.sized) {
      const ptr = this.next
      this.next = ptr + align(bytes)
      if (this.next > this.end) fail('OUT_OF_MEMORY', this.op, `used more wasm scratch than the ${this.end - ptr} bytes it reserved`)
      return ptr
    }
    const ptr = align(this.head)
    this.ensure(ptr + bytes)
    this.head = ptr + bytes
    return ptr
  }

  private bytes(): Uint8Array {
    if (this.buffer !== this.memory.buffer) {
      this.buffer = this.memory.buffer
      this.u8 = new Uint8Array(this.buffer)
      this.i32 = new Int32Array(this.buffer)
    }
    return this.u8
  }

  /** Where `src`'s bytes still are in wasm memory, if they are and the current call may read them there. */
  private lookup(src: TypedArray): number | undefined {
    const at = this.resident.get(src)
    if (at === undefined) return undefined
    const lap = Math.floor(at / LAP), ptr = at - lap * LAP
    if (lap === this.lap || (this.sized && lap === this.lap - 1 && ptr >= this.head)) return ptr
    return undefined
  }

  private remember(src: TypedArray, ptr: number): void {
    if (this.cacheBytes > 0 && src.byteLength > 0) this.resident.set(src, this.lap * LAP + ptr)
  }

  /** A pointer to `src`'s bytes in wasm memory: where they already are, or a fresh copy. */
  copyIn(src: TypedArray): number {
    const hit = this.lookup(src)
    if (hit !== undefined) {
      this.hits++
      return hit
    }
    this.misses++
    this.copiedBytes += src.byteLength
    const ptr = this.alloc(src.byteLength)
    this.bytes().set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), ptr)
    this.remember(src, ptr)
    return ptr
  }

  /** Writes int32 values (kernel geometry) into a fresh block. */
  ints(values: readonly number[]): number {
    const ptr = this.alloc(values.length * 4)
    this.bytes()
    this.i32.set(values, ptr >> 2)
    return ptr
  }

  zeros(bytes: number): number {
    const ptr = this.alloc(bytes)
    this.clear(ptr, bytes)
    return ptr
  }

  /** Sets `bytes` bytes at `ptr` to zero. */
  clear(ptr: number, bytes: number): void {
    this.bytes().fill(0, ptr, ptr + bytes)
  }

  /** A JS-heap copy of `n` elements of `dtype` at `ptr`, remembered as resident there. */
  copyOut(ptr: number, n: number, dtype: DType): TypedArray {
    const out = uninitialized(dtype, n) ?? allocTyped(dtype, n)
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(this.bytes().subarray(ptr, ptr + out.byteLength))
    this.remember(out, ptr)
    return out
  }
}
