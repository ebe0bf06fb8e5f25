/// <reference types="@webgpu/types" />
/**
 * Device faults of the webgpu backend: the device being lost, and the device refusing memory.
 * backend.ts routes every kernel, upload and read through here; runtime.ts stays fault-free
 * except for two hooks (`chunkBuffer`, `retire`).
 *
 * Loss (`device.lost`, or `backend.destroy()`): from then on every kernel and upload throws
 * BACKEND_LOST, and reads that were waiting reject with it instead of hanging. A tensor stays
 * readable only if its values were read to the host before (the backend keeps a host copy of
 * every read, per storage block, for as long as the block lives; `keepReadCopies: false` turns
 * that off). Nothing else can be recovered: the GPU memory is gone.
 *
 * Refused memory: WebGPU reports an allocation failure asynchronously, so each new storage chunk
 * is made inside an 'out-of-memory' error scope. A refused buffer poisons every command buffer
 * that touches it, so the suspects are the tensors placed in the chunk and every kernel output
 * recorded while the check was pending (the batch is cut when the chunk is made and again when
 * the refusal arrives). When the device refuses a chunk, it is retired (nothing more is placed in
 * it), every use or read of a suspect fails with OUT_OF_MEMORY naming the op that asked for the
 * memory, and the backend goes on with new chunks. Reads wait for pending checks, so they never
 * return values computed in a failed batch. Tensors made before the chunk are untouched.
 */

import type { DType, TypedArray } from '../../core/dtype.js'
import { PuregradError } from '../../core/errors.js'
import type { GpuData, Runtime } from './runtime.js'

/** Why and how the device was lost, as the device reported it. */
export interface WebGPULossInfo {
  /** 'destroyed' (by `destroy()` or `device.destroy()`) or 'unknown' (driver reset, crash, ...). */
  readonly reason: string
  readonly message: string
}

interface HostCopy { readonly dtype: DType; readonly values: TypedArray }

const LOST = Symbol('lost')

/** How long a read that the device aborted waits for the loss report that explains it. */
const ABORT_GRACE_MS = 2000

const isAbort = (e: unknown): boolean => (e as { name?: unknown } | null)?.name === 'AbortError'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
  const t = setTimeout(resolve, ms) as unknown as { unref?: () => void }
  t.unref?.()
})

/** The out-of-memory error scope around one new storage chunk. */
interface ChunkCheck { done: Promise<void>; error: PuregradError | null }

export class Faults {
  /** Resolves when the device is lost; never otherwise. */
  readonly lost: Promise<WebGPULossInfo>
  /** The primitive (or 'upload') running now, named when the device refuses its memory. */
  private op = 'webgpu'
  private info: WebGPULossInfo | null = null
  private readonly waiting = new Set<() => void>()
  private readonly copies = new WeakMap<object, HostCopy>()
  private readonly pending = new Set<ChunkCheck>()
  private readonly refused = new WeakMap<GPUBuffer, PuregradError>()
  /** Kernel outputs (by storage) recorded while chunk checks were pending, with those checks. */
  private readonly madeDuring = new WeakMap<object, ChunkCheck[]>()
  private anyRefused = false

  constructor(private readonly name: string, device: GPUDevice, private readonly rt: Runtime, private readonly keepReadCopies: boolean) {
    this.lost = device.lost.then((i) => {
      this.markLost({ reason: i.reason, message: i.message })
      return this.info as WebGPULossInfo
    })
    const make = rt.chunkBuffer
    rt.chunkBuffer = (bytes) => {
      // A refused chunk makes every command buffer that touches it fail as a whole: submit the
      // work recorded so far, so that only work recorded from here on can be caught in it.
      rt.flush()
      device.pushErrorScope('out-of-memory')
      const buffer = make(bytes)
      const op = this.op
      const check: ChunkCheck = { done: Promise.resolve(), error: null }
      check.done = device.popErrorScope().then(
        (e) => { if (e !== null) this.refuse(check, buffer, bytes, op, e.message) },
        () => undefined, // the scope cannot be popped on a lost device: the loss is reported instead
      ).finally(() => this.pending.delete(check))
      this.pending.add(check)
      return buffer
    }
  }

  get isLost(): boolean { return this.info !== null }

  /** Marks the device lost (idempotent) and rejects the reads waiting on it. */
  markLost(info: WebGPULossInfo): void {
    if (this.info !== null) return
    this.info = info
    for (const reject of this.waiting) reject()
    this.waiting.clear()
    if (info.reason !== 'destroyed') this.rt.errors.push(`device lost: ${info.message}`)
  }

  lostError(op: string, detail = ''): PuregradError {
    const i = this.info as WebGPULossInfo
    return new PuregradError('BACKEND_LOST',
      `the webgpu backend '${this.name}' lost its GPU device (${i.reason}: ${JSON.stringify(i.message)})${detail}. ` +
      (this.keepReadCopies
        ? 'Its tensors are gone except those read to the host before the loss (await x.data() still returns them). '
        : 'Its tensors are gone: host copies are off (keepReadCopies: false). ') +
      `To go on in this process, make a new device under the same name: await useWebGPU({ name: '${this.name}', ... }) ` +
      `or registerBackend(await createWebGPUBackend({ name: '${this.name}', ... })); then move saved tensors with await toBackendAsync(x, '${this.name}')`,
      op)
  }

  private refuse(check: ChunkCheck, buffer: GPUBuffer, bytes: number, op: string, message: string): void {
    const text = `the device refused ${bytes} bytes of GPU memory for a storage block requested by ${op} (${message}); ` +
      'the tensors placed in it and those computed by kernels recorded before the refusal was reported are lost; ' +
      'the backend goes on with new blocks, so free memory (drop tensors you no longer need) and retry'
    check.error = new PuregradError('OUT_OF_MEMORY', text, op)
    this.refused.set(buffer, check.error)
    this.anyRefused = true
    this.rt.retire(buffer)
    this.rt.flush()
    this.rt.errors.push(`out of memory: ${text}`)
  }

  /** Throws OUT_OF_MEMORY when `d` lives in a refused chunk or was computed alongside one. */
  private checkRefused(op: string, d: GpuData, what: string): void {
    if (!this.anyRefused) return
    const e = this.refused.get(d.buffer) ?? this.madeDuring.get(d.store)?.find((c) => c.error !== null)?.error
    if (e != null) throw new PuregradError('OUT_OF_MEMORY', `${what} is lost: ${e.detail}`, op)
  }

  private guard(op: string, inputs: readonly { readonly data: GpuData }[]): void {
    if (this.info !== null) throw this.lostError(op)
    for (let k = 0; k < inputs.length; k++) this.checkRefused(op, inputs[k].data, `operand ${k}`)
  }

  /** Runs `f` as `op`, naming it in runtime.ts's limit errors (which name no op). */
  private as(op: string, f: () => GpuData): GpuData {
    this.op = op
    try {
      return f()
    } catch (e) {
      if (e instanceof PuregradError && e.op === 'webgpu') throw new PuregradError(e.code, e.detail, op)
      throw e
    } finally {
      this.op = 'webgpu'
    }
  }

  /** Runs a kernel: refused on a lost device or on operands lost to refused memory. */
  kernel(op: string, inputs: readonly { readonly data: GpuData }[], f: () => GpuData): GpuData {
    this.guard(op, inputs)
    const out = this.as(op, f)
    if (this.pending.size > 0) this.madeDuring.set(out.store, [...this.pending])
    return out
  }

  upload(f: () => GpuData): GpuData {
    this.guard('upload', [])
    return this.as('upload', f)
  }

  /** A read that settles on loss, checks refused memory, and keeps a host copy for after a loss. */
  async read(d: GpuData, dtype: DType, size: number, inner: () => Promise<TypedArray>): Promise<TypedArray> {
    if (this.info !== null) return this.fromCopy(d, dtype, size)
    this.checkRefused('data', d, 'this tensor')
    let values: TypedArray
    try {
      values = await this.untilLost(inner())
    } catch (e) {
      // A loss aborts pending maps, possibly before `device.lost` reports it.
      if (this.info === null && isAbort(e)) await Promise.race([this.lost, sleep(ABORT_GRACE_MS)])
      if (this.info !== null) return this.fromCopy(d, dtype, size)
      throw e
    }
    await Promise.all([...this.pending].map((c) => c.done))
    this.checkRefused('data', d, 'this tensor')
    if (this.keepReadCopies) this.copies.set(d.store, { dtype, values: values.slice() })
    return values
  }

  /** Settles like `p`, or rejects as soon as the device is lost. */
  untilLost<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onLost = (): void => reject(LOST)
      this.waiting.add(onLost)
      p.then(
        (v) => { this.waiting.delete(onLost); resolve(v) },
        (e: unknown) => { this.waiting.delete(onLost); reject(e) },
      )
    })
  }

  private fromCopy(d: GpuData, dtype: DType, size: number): TypedArray {
    this.rt.check(d, 'data')
    const c = this.copies.get(d.store)
    if (c === undefined || c.dtype !== dtype || c.values.length < size) {
      throw this.lostError('data', this.keepReadCopies ? ', and this tensor was not read before the loss' : '')
    }
    return c.values.slice(0, size)
  }
}
