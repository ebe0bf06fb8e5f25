/// <reference types="@webgpu/types" />
/**
 * The GPU side of the webgpu backend: tensor storage and its lifetime, the batched command
 * stream, and asynchronous reads (pipelines and bind groups are cached in bindings.ts).
 *
 * Storage: tensors are blocks inside a few large "chunk" buffers, and kernels find their operands
 * through (chunk slot, word offset) pairs in the per-dispatch meta window. So bind groups depend
 * only on which chunks a dispatch touches and are created a handful of times in a program's life.
 * (One bind group per dispatch over per-tensor buffers crashed Dawn on lavapipe after ~65,000
 * dispatches in a loop that never yields: Dawn recycles descriptor sets only when the event loop
 * lets it tick.) Freed blocks go to free lists by size and are reused lowest place first, so live
 * data packs into the first chunks; at sync points (reads, after finalizers) chunks the program
 * no longer needs are destroyed (`trim`), so a burst does not keep its high-water mark reserved.
 *
 * Lifetime: a tensor's buffer (`GpuData`) is a small wrapper over a reference-counted block, so
 * reshape/stopGradient hand out a fresh wrapper over the same memory and the core may release any
 * wrapper without freeing memory another tensor uses. A block is freed when its last wrapper is
 * released (by the core, deterministically, when a grad returns) or collected
 * (FinalizationRegistry, when the program yields). Collection needs a full GC, which V8 would
 * schedule by its own heap; gc-pressure.ts makes it keep pace with GPU memory instead.
 *
 * Batching: kernels are recorded into one open compute pass, their parameters into one meta
 * buffer at aligned windows sized per kernel; the batch is submitted when full or before a read,
 * so a training step costs no CPU round trip beyond what the user reads. A block freed inside the
 * open batch may be reused by a later kernel of the same batch (dispatches run in order), but not
 * by an upload: a queue write lands before the open batch runs.
 *
 * A loop that never yields: submitted batches (their commands and meta uploads) are released by
 * Dawn only when the event loop turns, and a software driver runs behind the CPU, so such a loop
 * holds about 0.5 KB of host memory per dispatch until it awaits; windows of 256 rather than
 * 1,024 bytes and setting a pipeline only when it changes keep that small.
 */

import { allocTyped, type DType, type TypedArray } from '../../core/dtype.js'
import { fail, PuregradError } from '../../core/errors.js'
import { releaseScope } from '../backend.js'
import { GcPressure } from './gc-pressure.js'
import { Bindings } from './bindings.js'
import { CHECK_BYTES, indexError } from './index-checks.js'
import { META_WORDS, PLACE_WORDS } from './wgsl-math.js'

interface Chunk { readonly id: number; readonly buffer: GPUBuffer; readonly bytes: number; top: number; live: number; retired?: boolean }
interface Block { readonly chunk: Chunk; readonly offset: number; readonly bytes: number }
interface Store { readonly block: Block; refs: number }

/** The backend's buffer type D: what a Tensor holds. Never built outside this module. */
export interface GpuData {
  /** The chunk buffer holding the values, from byte `offset`. */
  readonly buffer: GPUBuffer
  readonly offset: number
  readonly bytes: number
  released: boolean
  /** @internal */ readonly store: Store
  /** @internal Untouched memory that tells the collector about GPU memory awaiting finalizers (gc-pressure.ts). */
  readonly ballast?: ArrayBuffer
}

export const RELEASED_MESSAGE = 'this tensor was created inside grad and released when it returned; return it from the function to keep it'

/** GPU work since the backend was created (`stats.gpu`): dispatches, queue submissions, reads, uploads, compiled pipelines, bind groups. */
export interface RuntimeStats { dispatches: number; submits: number; reads: number; uploads: number; pipelines: number; bindGroups: number }

const STORAGE = 0x0080, COPY_SRC = 0x0004, COPY_DST = 0x0008, MAP_READ = 0x0001
/** Dispatches per submission: enough to amortise a submit, few enough that the GPU starts early. */
const MAX_BATCH = 512
const FIRST_CHUNK = 16 * 2 ** 20
const MAX_CHUNK = 256 * 2 ** 20

const roundBytes = (bytes: number): number => Math.max(16, Math.ceil(bytes / 16) * 16)

/** Free lists stay sorted so that pop() reuses the lowest place (first chunk, lowest offset): live data packs into the first chunks and later ones drain, to be trimmed. */
const below = (a: Block, b: Block): boolean => a.chunk.id < b.chunk.id || (a.chunk.id === b.chunk.id && a.offset < b.offset)

const pushTo = (lists: Map<number, Block[]>, b: Block): void => {
  let list = lists.get(b.bytes)
  if (list === undefined) lists.set(b.bytes, (list = []))
  let lo = 0, hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (below(list[mid], b)) hi = mid
    else lo = mid + 1
  }
  list.splice(lo, 0, b)
}

export class Runtime {
  readonly stats: RuntimeStats = { dispatches: 0, submits: 0, reads: 0, uploads: 0, pipelines: 0, bindGroups: 0 }
  /** Validation or out-of-memory errors the device reported (tests assert there are none). */
  readonly errors: string[] = []
  readonly maxBinding: number
  private live = 0
  private chunks: Chunk[] = []
  /** Free blocks by size: safe for anything, and freed inside the open batch (kernels only). */
  private readonly free = new Map<number, Block[]>()
  private freedInBatch = new Map<number, Block[]>()
  private readonly bindings: Bindings
  private readonly finalizers = new FinalizationRegistry<Store>((s) => { this.unref(s); this.trimSoon() })
  private trimQueued = false
  private readonly meta: GPUBuffer
  /** The device's dynamic-offset alignment (bytes) and the largest window, rounded to it. */
  private readonly align: number
  private readonly slot: number
  private readonly metaHost: ArrayBuffer
  private readonly metaU32: Uint32Array
  /** Bytes of the meta buffer the open batch has used. */
  private metaUsed = 0
  private batched = 0
  /** Index-check flags of gather and scatterAdd (index-checks.ts), read with every read. */
  private readonly checks: GPUBuffer
  private readonly pressure = new GcPressure()
  private nextChunkId = 0
  /** Highest live bytes since the last trim: the capacity the program recently needed. */
  private peakLive = 0
  private encoder: GPUCommandEncoder | null = null
  private pass: GPUComputePassEncoder | null = null
  /** The pass's current pipeline: set again only when it changes (every recorded command is memory held until the batch has run). */
  private passPipeline: GPUComputePipeline | null = null
  private readonly maxGroups: number

  constructor(readonly device: GPUDevice, private readonly keepAlive: unknown, private readonly chunkBytes = MAX_CHUNK) {
    const lim = device.limits
    this.maxBinding = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize)
    this.maxGroups = lim.maxComputeWorkgroupsPerDimension
    this.align = lim.minStorageBufferOffsetAlignment
    this.slot = Math.ceil((META_WORDS * 4) / this.align) * this.align
    this.metaHost = new ArrayBuffer(this.slot * MAX_BATCH)
    this.metaU32 = new Uint32Array(this.metaHost)
    this.meta = device.createBuffer({ size: this.slot * MAX_BATCH, usage: STORAGE | COPY_DST })
    this.checks = device.createBuffer({ size: CHECK_BYTES, usage: STORAGE | COPY_SRC | COPY_DST })
    this.bindings = new Bindings(device, this.meta, this.checks, this.stats)
    device.addEventListener('uncapturederror', (e) => {
      const msg = (e as GPUUncapturedErrorEvent).error.message
      this.errors.push(msg)
      console.error(`puregrad webgpu: ${msg}`)
    })
  }

  /** Bytes held by live tensors. */
  liveBytes(): number { return this.live }
  /** Bytes of GPU memory reserved in chunks (live blocks, free blocks and unused space). */
  reservedBytes(): number { return this.chunks.reduce((s, c) => s + c.bytes, 0) }
  /** The object that owns the device (Node's `create()` result), held so it is not collected. */
  get owner(): unknown { return this.keepAlive }

  private wrap(store: Store, ballast?: ArrayBuffer): GpuData {
    const b = store.block
    const d: GpuData = { buffer: b.chunk.buffer, offset: b.offset, bytes: b.bytes, released: false, store, ballast }
    this.finalizers.register(d, store, d)
    return d
  }

  private newBlock(bytes: number): Block {
    if (bytes > this.maxBinding) {
      fail('OUT_OF_MEMORY', 'webgpu', `a tensor of ${bytes} bytes exceeds this device's limit of ${this.maxBinding} bytes per storage binding`)
    }
    let chunk = this.chunks.find((c) => c.bytes - c.top >= bytes)
    if (chunk === undefined) {
      // Each new chunk is half of what is reserved (reserved grows 1.5x, not 2x): a device zeroes
      // a chunk when it is first used, so on a software driver every byte of it is host memory.
      const grow = Math.ceil(this.reservedBytes() / 2 / 2 ** 20) * 2 ** 20
      const size = Math.min(this.maxBinding, Math.max(bytes, Math.min(this.chunkBytes, Math.max(FIRST_CHUNK, grow))))
      chunk = { id: this.nextChunkId++, buffer: this.chunkBuffer(size), bytes: size, top: 0, live: 0 }
      this.chunks.push(chunk)
    }
    const block = { chunk, offset: chunk.top, bytes }
    chunk.top += bytes
    return block
  }

  /** Makes a storage chunk; faults.ts wraps it to hear whether the device granted the memory. */
  chunkBuffer = (bytes: number): GPUBuffer => this.device.createBuffer({ size: bytes, usage: STORAGE | COPY_SRC | COPY_DST })

  /** Takes a chunk the device refused out of service: nothing more is placed in it or reused from it. */
  retire(buffer: GPUBuffer): void {
    const chunk = this.chunks.find((c) => c.buffer === buffer)
    if (chunk === undefined) return
    chunk.retired = true
    chunk.top = chunk.bytes
    for (const lists of [this.free, this.freedInBatch]) {
      for (const [size, list] of lists) lists.set(size, list.filter((b) => b.chunk !== chunk))
    }
  }

  private take(bytes: number, forKernel: boolean): GpuData {
    let block: Block | undefined
    if (forKernel) block = this.freedInBatch.get(bytes)?.pop()
    block ??= this.free.get(bytes)?.pop() ?? this.newBlock(bytes)
    this.live += bytes
    this.peakLive = Math.max(this.peakLive, this.live)
    block.chunk.live += bytes
    return this.wrap({ block, refs: 1 }, this.pressure.charge(bytes, this.live, releaseScope.log !== null))
  }

  /** Room for `elements` 4-byte values, contents undefined (kernels write every element). */
  alloc(elements: number): GpuData { return this.take(roundBytes(elements * 4), true) }

  /** Another tensor over the same memory (reshape, stopGradient, same-dtype cast). */
  share(d: GpuData, op: string): GpuData {
    this.check(d, op)
    d.store.refs++
    return this.wrap(d.store)
  }

  upload(values: TypedArray, dtype: DType): GpuData {
    let words: Float32Array | Int32Array | Uint32Array
    if (dtype === 'float32') words = values instanceof Float32Array ? values : Float32Array.from(values)
    else if (dtype === 'int32') words = values instanceof Int32Array ? values : Int32Array.from(values)
    else if (dtype === 'bool') words = Uint32Array.from(values, (v) => (v !== 0 ? 1 : 0))
    else return fail('UNSUPPORTED_DTYPE', 'upload', `the webgpu backend does not support ${dtype}`)
    const d = this.take(roundBytes(values.length * 4), false)
    if (words.length > 0) this.device.queue.writeBuffer(d.buffer, d.offset, words.buffer, words.byteOffset, words.byteLength)
    this.stats.uploads++
    return d
  }

  check(d: GpuData, op: string): void {
    if (d.released) throw new PuregradError('INVALID_ARGUMENT', RELEASED_MESSAGE, op)
  }

  release(d: GpuData): void {
    if (d.released) return
    d.released = true
    this.finalizers.unregister(d)
    if (d.store.refs === 1) this.pressure.credit(d.bytes)
    this.unref(d.store)
  }

  private unref(s: Store): void {
    if (--s.refs > 0) return
    const b = s.block
    this.live -= b.bytes
    b.chunk.live -= b.bytes
    if (!b.chunk.retired) pushTo(this.encoder !== null ? this.freedInBatch : this.free, b)
  }

  /**
   * Records one dispatch of the kernel `key` (compiled from `source(chunkCount)` on first use).
   * `meta` is the kernel's parameter block (meta[0] is the thread count of 1-D kernels); the
   * operands' places fill the last words of its window. `groups` defaults to enough 64-wide
   * workgroups for meta[0] threads.
   */
  dispatch(op: string, key: string, source: (chunks: number) => string, meta: readonly number[], inputs: readonly GpuData[], output: GpuData, groups?: readonly [number, number, number]): void {
    for (const d of inputs) this.check(d, op)
    if (meta.length > META_WORDS - PLACE_WORDS) fail('INVALID_ARGUMENT', op, `too many dimensions for the webgpu backend (${meta.length} parameter words)`)
    const window = Math.ceil((meta.length + PLACE_WORDS) * 4 / this.align) * this.align
    if (this.batched >= MAX_BATCH || this.metaUsed + window > this.metaHost.byteLength) this.flush()
    const used: Chunk[] = []
    const slotOf = (d: GpuData): number => {
      const c = d.store.block.chunk
      let k = used.indexOf(c)
      if (k < 0) k = used.push(c) - 1
      return k
    }
    const base = this.metaUsed / 4
    const places = base + window / 4 - PLACE_WORDS
    this.metaU32.set(meta, base)
    inputs.forEach((d, k) => { this.metaU32[places + 2 * k] = slotOf(d); this.metaU32[places + 2 * k + 1] = d.offset / 4 })
    this.metaU32[places + 6] = slotOf(output)
    this.metaU32[places + 7] = output.offset / 4
    const pipeline = this.bindings.pipeline(key, used.length, source)
    if (this.encoder === null) {
      this.encoder = this.device.createCommandEncoder()
      this.pass = this.encoder.beginComputePass()
    }
    const pass = this.pass as GPUComputePassEncoder
    if (pipeline !== this.passPipeline) pass.setPipeline(pipeline)
    this.passPipeline = pipeline
    pass.setBindGroup(0, this.bindings.group(window, used), [this.metaUsed])
    const [x, y, z] = groups ?? this.grid(meta[0])
    pass.dispatchWorkgroups(x, y, z)
    this.metaUsed += window
    this.batched++
    this.stats.dispatches++
  }

  /**
   * Gives back storage the program no longer needs, at a sync point (no open batch). An empty
   * chunk is destroyed when the chunks before it hold 1.5 times the most the program had live
   * since the last trim: a loop that needs the chunk keeps it, while a burst's high-water mark (a loop
   * that never yields, until its finalizers ran) is not reserved for ever. An empty chunk that
   * stays is reset to one free span; a refused chunk (faults.ts) goes as soon as it is empty.
   */
  trim(): void {
    if (this.encoder !== null) return
    let reserved = this.reservedBytes()
    const need = 1.5 * this.peakLive
    const emptied = new Set<Chunk>()
    const kept: Chunk[] = []
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const c = this.chunks[i]
      if (c.live === 0 && (c.retired === true || (i > 0 && reserved - c.bytes >= need))) {
        emptied.add(c)
        reserved -= c.bytes
        this.dropChunk(c)
        continue
      }
      if (c.live === 0 && c.top > 0 && c.retired !== true) {
        c.top = 0
        emptied.add(c)
      }
      kept.push(c)
    }
    this.chunks = kept.reverse()
    this.peakLive = this.live
    if (emptied.size > 0) for (const [size, list] of this.free) this.free.set(size, list.filter((b) => !emptied.has(b.chunk)))
  }

  /** One trim after a round of finalizers (they run as a task; the microtask follows them). */
  private trimSoon(): void {
    if (this.trimQueued) return
    this.trimQueued = true
    queueMicrotask(() => { this.trimQueued = false; this.trim() })
  }

  private dropChunk(c: Chunk): void {
    // Work already submitted may still use it: WebGPU frees a destroyed buffer after that work.
    c.buffer.destroy()
    this.bindings.forget(c.id)
  }

  /** A 2-D grid of 64-wide workgroups covering n threads within the per-dimension limit. */
  private grid(n: number): [number, number, number] {
    const g = Math.max(1, Math.ceil(n / 64))
    if (g <= this.maxGroups) return [g, 1, 1]
    const y = Math.ceil(g / this.maxGroups)
    if (y > this.maxGroups) fail('OUT_OF_MEMORY', 'webgpu', `${n} elements exceed this device's dispatch limits`)
    return [this.maxGroups, y, 1]
  }

  /** Submits the open batch, if any. */
  flush(): void {
    if (this.encoder === null) return
    ;(this.pass as GPUComputePassEncoder).end()
    const cmd = this.encoder.finish()
    this.device.queue.writeBuffer(this.meta, 0, this.metaHost, 0, this.metaUsed)
    this.device.queue.submit([cmd])
    this.stats.submits++
    this.encoder = null
    this.pass = null
    this.passPipeline = null
    this.batched = 0
    this.metaUsed = 0
    for (const list of this.freedInBatch.values()) for (const b of list) pushTo(this.free, b)
    this.freedInBatch.clear()
  }

  /**
   * Copies a buffer's first `size` values to the host, converting u32 bools to bytes. The
   * index-check flags come along in the same copy: an out-of-range index met by an earlier gather
   * or scatterAdd fails this read (index-checks.ts). A read is a sync point, so it also trims.
   */
  async read(d: GpuData, dtype: DType, size: number): Promise<TypedArray> {
    this.check(d, 'data')
    this.flush()
    this.trim()
    if (size === 0) return allocTyped(dtype, 0)
    const bytes = size * 4
    const at = Math.ceil(bytes / 8) * 8 // getMappedRange offsets are multiples of 8
    const staging = this.device.createBuffer({ size: at + CHECK_BYTES, usage: MAP_READ | COPY_DST })
    const enc = this.device.createCommandEncoder()
    enc.copyBufferToBuffer(d.buffer, d.offset, staging, 0, bytes)
    enc.copyBufferToBuffer(this.checks, 0, staging, at, CHECK_BYTES)
    this.device.queue.submit([enc.finish()])
    this.stats.reads++
    await staging.mapAsync(1 /* GPUMapMode.READ */)
    const raw = staging.getMappedRange(0, bytes).slice(0)
    const error = indexError(new Uint32Array(staging.getMappedRange(at, CHECK_BYTES)))
    staging.unmap()
    staging.destroy()
    void d.bytes // keeps `d`, and so its block, alive until the copy has run
    if (error !== null) {
      this.device.queue.writeBuffer(this.checks, 0, new Uint32Array(CHECK_BYTES / 4))
      throw error
    }
    if (dtype === 'float32') return new Float32Array(raw)
    if (dtype === 'int32') return new Int32Array(raw)
    const u = new Uint32Array(raw)
    const out = allocTyped('bool', size)
    for (let i = 0; i < size; i++) out[i] = u[i] !== 0 ? 1 : 0
    return out
  }
}
