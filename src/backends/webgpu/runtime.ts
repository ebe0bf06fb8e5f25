/// <reference types="@webgpu/types" />
/**
 * The GPU side of the webgpu backend: tensor storage and its lifetime, the pipeline cache, the
 * batched command stream, and asynchronous reads.
 *
 * Storage: tensors are blocks inside a few large "chunk" buffers, and kernels find their operands
 * through (chunk slot, word offset) pairs in the per-dispatch meta block. So bind groups depend
 * only on which chunks a dispatch touches and are created a handful of times in a program's life.
 * (One bind group per dispatch over per-tensor buffers crashed Dawn on lavapipe after ~65,000
 * dispatches in a loop that never yields: Dawn recycles descriptor sets only when the event loop
 * lets it tick.) Freed blocks go to free lists by size and are reused.
 *
 * Lifetime: a tensor's buffer (`GpuData`) is a small wrapper over a reference-counted block, so
 * reshape/stopGradient hand out a fresh wrapper over the same memory and the core may release any
 * wrapper without freeing memory another tensor uses. A block is freed when its last wrapper is
 * released (by the core, deterministically) or collected (FinalizationRegistry, when the program
 * yields).
 *
 * Batching: kernels are recorded into one open compute pass, their meta blocks into one meta
 * buffer at aligned windows; the batch is submitted when full or before a read, so a training
 * step costs no CPU round trip beyond what the user reads. A block freed inside the open batch
 * may be reused by a later kernel of the same batch (dispatches run in order), but not by an
 * upload: a queue write lands before the open batch runs.
 */

import { allocTyped, type DType, type TypedArray } from '../../core/dtype.js'
import { fail, PuregradError } from '../../core/errors.js'
import { HEADER, META_WORDS } from './wgsl-math.js'

interface Chunk { readonly id: number; readonly buffer: GPUBuffer; readonly bytes: number; top: number; live: number }
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
}

export const RELEASED_MESSAGE = 'this tensor was created inside grad and released when it returned; return it from the function to keep it'

export interface RuntimeStats { dispatches: number; submits: number; reads: number; uploads: number; pipelines: number; bindGroups: number }

const STORAGE = 0x0080, COPY_SRC = 0x0004, COPY_DST = 0x0008, MAP_READ = 0x0001, COMPUTE = 0x4
/** Dispatches per submission: enough to amortise a submit, few enough that the GPU starts early. */
const MAX_BATCH = 512
const FIRST_CHUNK = 16 * 2 ** 20
const MAX_CHUNK = 256 * 2 ** 20

const roundBytes = (bytes: number): number => Math.max(16, Math.ceil(bytes / 16) * 16)

const pushTo = (lists: Map<number, Block[]>, b: Block): void => {
  let list = lists.get(b.bytes)
  if (list === undefined) lists.set(b.bytes, (list = []))
  list.push(b)
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
  private readonly pipelines = new Map<string, GPUComputePipeline>()
  private readonly layouts: { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }[] = []
  private readonly bindGroups = new Map<string, GPUBindGroup>()
  private readonly finalizers = new FinalizationRegistry<Store>((s) => this.unref(s))
  private readonly meta: GPUBuffer
  private readonly slot: number
  private readonly metaHost: ArrayBuffer
  private readonly metaU32: Uint32Array
  private batched = 0
  private encoder: GPUCommandEncoder | null = null
  private pass: GPUComputePassEncoder | null = null
  private readonly maxGroups: number

  constructor(readonly device: GPUDevice, private readonly keepAlive: unknown, private readonly chunkBytes = MAX_CHUNK) {
    const lim = device.limits
    this.maxBinding = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize)
    this.maxGroups = lim.maxComputeWorkgroupsPerDimension
    this.slot = Math.ceil((META_WORDS * 4) / lim.minStorageBufferOffsetAlignment) * lim.minStorageBufferOffsetAlignment
    this.metaHost = new ArrayBuffer(this.slot * MAX_BATCH)
    this.metaU32 = new Uint32Array(this.metaHost)
    this.meta = device.createBuffer({ size: this.slot * MAX_BATCH, usage: STORAGE | COPY_DST })
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

  private wrap(store: Store): GpuData {
    const b = store.block
    const d: GpuData = { buffer: b.chunk.buffer, offset: b.offset, bytes: b.bytes, released: false, store }
    this.finalizers.register(d, store, d)
    return d
  }

  private newBlock(bytes: number): Block {
    if (bytes > this.maxBinding) {
      fail('OUT_OF_MEMORY', 'webgpu', `a tensor of ${bytes} bytes exceeds this device's limit of ${this.maxBinding} bytes per storage binding`)
    }
    let chunk = this.chunks.find((c) => c.bytes - c.top >= bytes)
    if (chunk === undefined) {
      const last = this.chunks.length === 0 ? Math.min(FIRST_CHUNK, this.chunkBytes) / 2 : this.chunks[this.chunks.length - 1].bytes
      const size = Math.min(this.maxBinding, Math.max(bytes, Math.min(this.chunkBytes, last * 2)))
      chunk = { id: this.chunks.length, buffer: this.device.createBuffer({ size, usage: STORAGE | COPY_SRC | COPY_DST }), bytes: size, top: 0, live: 0 }
      this.chunks.push(chunk)
    }
    const block = { chunk, offset: chunk.top, bytes }
    chunk.top += bytes
    return block
  }

  private take(bytes: number, forKernel: boolean): GpuData {
    let block: Block | undefined
    if (forKernel) block = this.freedInBatch.get(bytes)?.pop()
    block ??= this.free.get(bytes)?.pop() ?? this.newBlock(bytes)
    this.live += bytes
    block.chunk.live += bytes
    return this.wrap({ block, refs: 1 })
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
    this.unref(d.store)
  }

  private unref(s: Store): void {
    if (--s.refs > 0) return
    const b = s.block
    this.live -= b.bytes
    b.chunk.live -= b.bytes
    pushTo(this.encoder !== null ? this.freedInBatch : this.free, b)
  }

  /** Explicit layouts (one per chunk count): binding 0 the meta window, then the chunks. */
  private layout(chunks: number): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let l = this.layouts[chunks]
    if (l === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: COMPUTE, buffer: { type: 'read-only-storage', hasDynamicOffset: true } }]
      for (let c = 0; c < chunks; c++) entries.push({ binding: c + 1, visibility: COMPUTE, buffer: { type: 'storage' } })
      const group = this.device.createBindGroupLayout({ entries })
      l = this.layouts[chunks] = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) }
    }
    return l
  }

  private pipeline(key: string, chunks: number, source: (chunks: number) => string): GPUComputePipeline {
    const full = `${key}/${chunks}`
    let p = this.pipelines.get(full)
    if (p === undefined) {
      const module = this.device.createShaderModule({ code: source(chunks), label: full })
      p = this.device.createComputePipeline({ layout: this.layout(chunks).pipeline, compute: { module, entryPoint: 'main' }, label: full })
      this.pipelines.set(full, p)
      this.stats.pipelines++
    }
    return p
  }

  private bindGroup(chunks: readonly Chunk[]): GPUBindGroup {
    const key = chunks.map((c) => c.id).join(',')
    let g = this.bindGroups.get(key)
    if (g === undefined) {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.meta, offset: 0, size: META_WORDS * 4 } }]
      chunks.forEach((c, k) => entries.push({ binding: k + 1, resource: { buffer: c.buffer } }))
      g = this.device.createBindGroup({ layout: this.layout(chunks.length).group, entries })
      this.bindGroups.set(key, g)
      this.stats.bindGroups++
    }
    return g
  }

  /**
   * Records one dispatch of the kernel `key` (compiled from `source(chunkCount)` on first use).
   * `meta` is the kernel's parameter block (meta[0] is the thread count of 1-D kernels); the
   * operands' places are appended in its last words. `groups` defaults to enough 64-wide
   * workgroups for meta[0] threads.
   */
  dispatch(op: string, key: string, source: (chunks: number) => string, meta: readonly number[], inputs: readonly GpuData[], output: GpuData, groups?: readonly [number, number, number]): void {
    for (const d of inputs) this.check(d, op)
    if (meta.length > HEADER) fail('INVALID_ARGUMENT', op, `too many dimensions for the webgpu backend (${meta.length} parameter words)`)
    if (this.batched >= MAX_BATCH) this.flush()
    const used: Chunk[] = []
    const slotOf = (d: GpuData): number => {
      const c = d.store.block.chunk
      let k = used.indexOf(c)
      if (k < 0) k = used.push(c) - 1
      return k
    }
    const base = (this.batched * this.slot) / 4
    this.metaU32.set(meta, base)
    inputs.forEach((d, k) => { this.metaU32[base + HEADER + 2 * k] = slotOf(d); this.metaU32[base + HEADER + 2 * k + 1] = d.offset / 4 })
    this.metaU32[base + HEADER + 6] = slotOf(output)
    this.metaU32[base + HEADER + 7] = output.offset / 4
    const pipeline = this.pipeline(key, used.length, source)
    if (this.encoder === null) {
      this.encoder = this.device.createCommandEncoder()
      this.pass = this.encoder.beginComputePass()
    }
    const pass = this.pass as GPUComputePassEncoder
    pass.setPipeline(pipeline)
    pass.setBindGroup(0, this.bindGroup(used), [this.batched * this.slot])
    const [x, y, z] = groups ?? this.grid(meta[0])
    pass.dispatchWorkgroups(x, y, z)
    this.batched++
    this.stats.dispatches++
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
    this.device.queue.writeBuffer(this.meta, 0, this.metaHost, 0, this.batched * this.slot)
    this.device.queue.submit([cmd])
    this.stats.submits++
    this.encoder = null
    this.pass = null
    this.batched = 0
    for (const list of this.freedInBatch.values()) for (const b of list) pushTo(this.free, b)
    this.freedInBatch.clear()
  }

  /** Copies a buffer's first `size` values to the host, converting u32 bools to bytes. */
  async read(d: GpuData, dtype: DType, size: number): Promise<TypedArray> {
    this.check(d, 'data')
    this.flush()
    if (size === 0) return allocTyped(dtype, 0)
    const bytes = size * 4
    const staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST })
    const enc = this.device.createCommandEncoder()
    enc.copyBufferToBuffer(d.buffer, d.offset, staging, 0, bytes)
    this.device.queue.submit([enc.finish()])
    this.stats.reads++
    await staging.mapAsync(1 /* GPUMapMode.READ */)
    const raw = staging.getMappedRange().slice(0)
    staging.unmap()
    staging.destroy()
    void d.bytes // keeps `d`, and so its block, alive until the copy has run
    if (dtype === 'float32') return new Float32Array(raw)
    if (dtype === 'int32') return new Int32Array(raw)
    const u = new Uint32Array(raw)
    const out = allocTyped('bool', size)
    for (let i = 0; i < size; i++) out[i] = u[i] !== 0 ? 1 : 0
    return out
  }
}
