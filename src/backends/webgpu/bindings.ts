/// <reference types="@webgpu/types" />
/**
 * The webgpu runtime's caches of compiled pipelines and bind groups. Every kernel binds the same
 * shape of group: binding 0 a window of the meta buffer (dynamic offset), then the storage chunks
 * its operands live in, then the index-check flags (index-checks.ts). So there is one explicit
 * layout per chunk count, one pipeline per kernel key and chunk count (compiled once: software
 * drivers compile slowly), and one bind group per window size and set of chunks: a handful in a
 * program's life, made again only when a chunk is trimmed away (runtime.ts).
 */

import { CHECK_BINDING } from './index-checks.js'

const COMPUTE = 0x4

interface Counters { pipelines: number; bindGroups: number }
interface Layout { readonly group: GPUBindGroupLayout; readonly pipeline: GPUPipelineLayout }
/** What a bind group needs of a storage chunk. */
export interface BoundChunk { readonly id: number; readonly buffer: GPUBuffer }

export class Bindings {
  private readonly layouts: Layout[] = []
  private readonly pipelines = new Map<string, GPUComputePipeline>()
  /** Key: "window bytes|chunk ids". */
  private readonly groups = new Map<string, GPUBindGroup>()

  constructor(private readonly device: GPUDevice, private readonly meta: GPUBuffer, private readonly checks: GPUBuffer, private readonly counters: Counters) {}

  private layout(chunks: number): Layout {
    let l = this.layouts[chunks]
    if (l === undefined) {
      const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: COMPUTE, buffer: { type: 'read-only-storage', hasDynamicOffset: true } }]
      for (let c = 0; c < chunks; c++) entries.push({ binding: c + 1, visibility: COMPUTE, buffer: { type: 'storage' } })
      entries.push({ binding: CHECK_BINDING, visibility: COMPUTE, buffer: { type: 'storage' } })
      const group = this.device.createBindGroupLayout({ entries })
      l = this.layouts[chunks] = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) }
    }
    return l
  }

  /** The kernel `key` over `chunks` chunks, compiled from `source(chunks)` on first use. */
  pipeline(key: string, chunks: number, source: (chunks: number) => string): GPUComputePipeline {
    const full = `${key}/${chunks}`
    let p = this.pipelines.get(full)
    if (p === undefined) {
      const module = this.device.createShaderModule({ code: source(chunks), label: full })
      p = this.device.createComputePipeline({ layout: this.layout(chunks).pipeline, compute: { module, entryPoint: 'main' }, label: full })
      this.pipelines.set(full, p)
      this.counters.pipelines++
    }
    return p
  }

  /** The group binding a `window`-byte meta window and these chunks, in this order. */
  group(window: number, chunks: readonly BoundChunk[]): GPUBindGroup {
    const key = `${window}|${chunks.map((c) => c.id).join(',')}`
    let g = this.groups.get(key)
    if (g === undefined) {
      const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.meta, offset: 0, size: window } }]
      chunks.forEach((c, k) => entries.push({ binding: k + 1, resource: { buffer: c.buffer } }))
      entries.push({ binding: CHECK_BINDING, resource: { buffer: this.checks } })
      g = this.device.createBindGroup({ layout: this.layout(chunks.length).group, entries })
      this.groups.set(key, g)
      this.counters.bindGroups++
    }
    return g
  }

  /** Forgets the groups that bind chunk `id` (destroyed by a trim). */
  forget(id: number): void {
    for (const key of [...this.groups.keys()]) {
      if (key.slice(key.indexOf('|') + 1).split(',').includes(String(id))) this.groups.delete(key)
    }
  }
}
