/**
 * Reverse mode: a trace that records a tape while the function runs, and the backward sweep.
 * The tape is a flat array in execution order, so the sweep is one loop from the end: no
 * recursion (a chain of 100,000 ops needs no stack) and each node visited once (linear time).
 * Cotangents are dropped as soon as they are used, so intermediates are freed during the sweep.
 */

import { Tensor } from '../core/tensor.js'
import { isFloat, type DType } from '../core/dtype.js'
import { phase } from '../core/config.js'
import { bind } from './bind.js'
import { Trace, primalAt, type Tracer } from './tracer.js'
import type { Primitive, PrimitiveParams } from './primitives.js'
import { vjpRules, type VjpRule } from './vjp-rules.js'
import { add } from '../ops/elementwise.js'

export type Pullback = (ct: Tensor) => readonly (Tensor | null)[]

interface TapeNode {
  /** Tape ids of the operands that this trace owns; -1 for constants. */
  readonly ids: readonly number[]
  /** null for a leaf (an input of the transformation). */
  readonly pullback: Pullback | null
  /** The op's name, for debugNans messages in the backward pass. */
  readonly name: string
}

export interface ReverseTracer extends Tracer {
  readonly id: number
}

/** Counts nodes whose rule ran in a backward sweep: tests use it to guard linear time without timing. */
export const tapeStats = { visited: 0 }

/** Primitives whose derivative is zero everywhere it exists: their outputs are constants to the tape. */
const ZERO_DERIVATIVE: ReadonlySet<Primitive> = new Set<Primitive>(['sign', 'floor', 'ceil', 'round', 'stopGradient', 'argmax'])

export class ReverseTrace extends Trace {
  readonly tape: TapeNode[] = []

  leaf(primal: Tensor, path?: string): Tensor {
    const id = this.tape.length
    this.tape.push({ ids: [], pullback: null, name: path ?? 'input' })
    const tracer: ReverseTracer = { trace: this, primal, id, path }
    return new Tensor(primal.shape, primal.dtype, null, null, tracer)
  }

  /** Records a value whose cotangents flow to `inputs` through `pullback` (used by customVjp). */
  record(name: string, inputs: readonly Tensor[], out: Tensor, pullback: Pullback): Tensor {
    const ids = inputs.map((x) => (x.tracer !== null && x.tracer.trace === this ? (x.tracer as ReverseTracer).id : -1))
    const id = this.tape.length
    this.tape.push({ ids, pullback, name })
    const tracer: ReverseTracer = { trace: this, primal: out, id, path: undefined }
    return new Tensor(out.shape, out.dtype, null, null, tracer)
  }

  process<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], _shape: readonly number[], dtype: DType): Tensor {
    const primals = inputs.map((x) => primalAt(x, this))
    const out = bind(prim, primals, params)
    if (!isFloat(dtype) || ZERO_DERIVATIVE.has(prim)) return out
    const rule = vjpRules[prim] as VjpRule<P>
    const needs = inputs.map((x) => x.tracer !== null && x.tracer.trace === this)
    return this.record(prim, inputs, out, (ct) => rule(ct, primals, params, out, needs))
  }
}

/**
 * Runs the backward sweep from the given (tape id, cotangent) seeds and returns the cotangent
 * reaching each tape id (undefined where none did).
 */
export const backward = (trace: ReverseTrace, seeds: readonly (readonly [number, Tensor])[]): (Tensor | undefined)[] => {
  const tape = trace.tape
  const cts: (Tensor | undefined)[] = new Array(tape.length)
  for (const [id, ct] of seeds) cts[id] = accumulate(cts[id], ct)
  const outer = phase.current
  try {
    for (let i = tape.length - 1; i >= 0; i--) {
      const ct = cts[i]
      const node = tape[i]
      if (ct === undefined || node.pullback === null) continue
      cts[i] = undefined
      tapeStats.visited++
      phase.current = node.name
      const grads = node.pullback(ct)
      const ids = node.ids
      for (let j = 0; j < ids.length; j++) {
        const id = ids[j]
        const g = grads[j]
        if (id >= 0 && g !== null && g !== undefined) cts[id] = accumulate(cts[id], g)
      }
    }
  } finally {
    phase.current = outer
  }
  return cts
}

const accumulate = (acc: Tensor | undefined, g: Tensor): Tensor => (acc === undefined ? g : add(acc, g))
