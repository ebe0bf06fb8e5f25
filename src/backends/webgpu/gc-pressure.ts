/**
 * Telling the JavaScript engine what GPU memory waiting for finalizers costs, so that it collects
 * in step with the GPU instead of with its own heap.
 *
 * A tensor made outside grad holds its GPU block until its wrapper is collected and the
 * FinalizationRegistry callback runs. Measured on Node 20: objects registered with a
 * FinalizationRegistry survive minor collections (scavenges keep weak targets alive) and are freed
 * only by full mark-compact collections, which V8 schedules by heap growth; a training loop's
 * tensors are a few hundred bytes of heap each for kilobytes to megabytes of GPU memory, so GPU
 * bytes awaiting collection reached 50-124 MiB in the soak before one came (RSS +318 MiB on a
 * software driver, where GPU memory is host memory).
 *
 * The only signal JavaScript gives a collector is ArrayBuffer memory, which V8 counts as external
 * memory and answers with a full collection after about 64 MiB. So, for every `quantum` bytes of
 * GPU memory handed out and not released deterministically since the last ballast, the next
 * wrapper carries a 64 MiB ArrayBuffer that is never touched: the collector sees the pressure,
 * while the process does not pay for it (an untouched allocation of that size is mapped lazily by
 * the C library and the browsers' allocators alike: its pages are never resident). The ballast
 * dies with its wrapper. A failed allocation (address space exhausted) only skips the hint.
 */

/** Large enough that glibc always maps it (its dynamic mmap threshold stops at 32 MiB), so it is never resident. */
export const BALLAST_BYTES = 64 * 2 ** 20
const MIN_QUANTUM = 4 * 2 ** 20

export class GcPressure {
  private debt = 0

  /**
   * Counts `bytes` newly handed out; returns a ballast for the wrapper being made when enough has
   * accumulated. Inside a releasing transformation (`inScope`) nothing is decided: most of what it
   * allocates is released (credited) as it returns, and what is not is owed from then on. The
   * quantum grows with the live working set (a quarter of it), so big models do not force a
   * collection per step.
   */
  charge(bytes: number, liveBytes: number, inScope: boolean): ArrayBuffer | undefined {
    this.debt += bytes
    if (inScope) return undefined
    const quantum = Math.max(MIN_QUANTUM, liveBytes / 4)
    if (this.debt < quantum) return undefined
    this.debt = 0
    try {
      return new ArrayBuffer(BALLAST_BYTES)
    } catch {
      return undefined
    }
  }

  /** Bytes released deterministically (the core's release at the end of grad) owe nothing. */
  credit(bytes: number): void {
    this.debt = Math.max(0, this.debt - bytes)
  }
}
