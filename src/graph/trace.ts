/**
 * Tracing a function into its computation graph. `traceGraph(f, ...args)` runs `f` once under a
 * recording trace (a `Trace` at a fresh level, like grad's and jvp's): every tensor leaf of the
 * arguments becomes an input node named by its path (`params.l1.w`, `args[1]`), every primitive
 * that touches a traced value becomes an op node with its parameters, output shape and dtype, and
 * tensors from outside (closed-over values, scalars turned into tensors) become constant nodes.
 * Values are computed as usual (the trace forwards each op to the level below), so `f` may read
 * them, and transformations inside `f` are recorded too: tracing `grad(loss)` shows the backward
 * pass as ops.
 */

import { Tensor } from '../core/tensor.js'
import type { DType } from '../core/dtype.js'
import { fail } from '../core/errors.js'
import { bind } from '../diff/bind.js'
import { Trace, nextLevel, primalAt, type Tracer } from '../diff/tracer.js'
import type { Primitive, PrimitiveParams } from '../diff/primitives.js'
import { treeLeavesWithPath, treeMap } from '../diff/tree.js'

/** What a node is: an argument leaf ('input'), a tensor from outside f ('const'), or a primitive ('op'). */
export type GraphNodeKind = 'input' | 'const' | 'op'

/** One node of a traced graph: a value, with the op that made it and its operands. */
export interface GraphNode {
  readonly id: number
  readonly kind: GraphNodeKind
  /** The primitive for op nodes; 'input' or 'const' otherwise. */
  readonly op: string
  /** Inputs: the argument path; constants: the value when it is a single number; ops: undefined. */
  readonly label?: string
  /** Ids of the operands, in operand order (ops only). */
  readonly inputs: readonly number[]
  /** The output's shape. */
  readonly shape: readonly number[]
  /** The output's dtype. */
  readonly dtype: DType
  /** The primitive's parameters (axes, perm, strides...) for op nodes. */
  readonly params?: Readonly<Record<string, unknown>>
}

/** An output of the traced function: which leaf of its result, and which node computed it. */
export interface GraphOutput {
  /** The path of the output leaf: `out`, `out[0]`, `out.loss`. */
  readonly path: string
  /** The node holding it. */
  readonly id: number
}

/** A computation graph, as `traceGraph` records it. */
export interface Graph {
  /** In execution order: every node comes after its operands. */
  readonly nodes: readonly GraphNode[]
  /** The leaves of f's result, in treeFlatten order. */
  readonly outputs: readonly GraphOutput[]
}

interface GraphTracer extends Tracer {
  readonly id: number
}

/**
 * The trace behind `traceGraph`, which records each primitive applied to its values and forwards
 * it to the level below. Its level must come from the tracer machinery, so it is not exported:
 * use `traceGraph`.
 */
class GraphTrace extends Trace {
  readonly nodes: GraphNode[] = []
  private readonly constants = new Map<Tensor, number>()

  /** A new input node for `primal`, named `path`, and the traced value standing for it. */
  input(primal: Tensor, path: string): Tensor {
    const id = this.push({ kind: 'input', op: 'input', label: path, inputs: [], shape: primal.shape, dtype: primal.dtype })
    return this.wrap(primal, id, path)
  }

  /** The node id of `x`: its own for values of this trace, a (shared) constant node otherwise. */
  idOf(x: Tensor): number {
    if (x.tracer !== null && x.tracer.trace === this) return (x.tracer as GraphTracer).id
    const known = this.constants.get(x)
    if (known !== undefined) return known
    const id = this.push({ kind: 'const', op: 'const', label: constLabel(x), inputs: [], shape: x.shape, dtype: x.dtype })
    this.constants.set(x, id)
    return id
  }

  process<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: PrimitiveParams[P], _shape: readonly number[], _dtype: DType): Tensor {
    const ids = inputs.map((x) => this.idOf(x))
    const out = bind(prim, inputs.map((x) => primalAt(x, this)), params)
    const id = this.push({
      kind: 'op', op: prim, inputs: ids, shape: out.shape, dtype: out.dtype,
      params: Object.keys(params as object).length === 0 ? undefined : (params as Record<string, unknown>),
    })
    return this.wrap(out, id, undefined)
  }

  private push(n: Omit<GraphNode, 'id'>): number {
    const id = this.nodes.length
    this.nodes.push({ id, ...n })
    return id
  }

  private wrap(primal: Tensor, id: number, path: string | undefined): Tensor {
    const tracer: GraphTracer = { trace: this, primal, id, path }
    return new Tensor(primal.shape, primal.dtype, null, null, tracer)
  }
}

/** A single concrete number is shown; anything else is described by its shape alone. */
const constLabel = (x: Tensor): string | undefined => {
  if (x.size !== 1 || x.tracer !== null) return undefined
  const v = x.dataSync()[0]
  return x.dtype === 'bool' ? String(v !== 0) : String(Number(v.toPrecision(6)))
}

const rootName = (i: number): string => (i === 0 ? 'params' : `args[${i}]`)

/**
 * Runs `f(...args)` once and returns its computation graph. Every tensor leaf of every argument is
 * an input (argument 0 is named `params`, the others `args[i]`); the result must be a tensor or a
 * record of tensors.
 *
 * @throws PuregradError `INVALID_ARGUMENT` for an argument leaf or a result leaf that is not a
 * tensor; whatever f throws.
 * @example
 * ```ts
 * import { tensor, matmul, add, tanh, type Tensor } from 'puregrad'
 * import { traceGraph } from 'puregrad/graph'
 *
 * const f = (p: { w: Tensor; b: Tensor }, x: Tensor): Tensor => tanh(add(matmul(x, p.w), p.b))
 * const g = traceGraph(f, { w: tensor([[1], [2]]), b: tensor([0.5]) }, tensor([[3, 4]]))
 * const inputs = g.nodes.filter((n) => n.kind === 'input').map((n) => n.label)
 * if (inputs.join() !== 'params.b,params.w,args[1]' || g.outputs[0].path !== 'out') throw new Error(inputs.join())
 * if (g.nodes[g.outputs[0].id].op !== 'tanh') throw new Error('the output is tanh')
 * ```
 */
export const traceGraph = <A extends unknown[]>(f: (...args: A) => unknown, ...args: A): Graph => {
  const trace = new GraphTrace(nextLevel())
  const wrapped = args.map((a, i) => treeMap(a, (leaf: Tensor, path) => {
    if (!(leaf instanceof Tensor)) fail('INVALID_ARGUMENT', 'traceGraph', `${path}: expected a tensor, got ${typeof leaf}`)
    return trace.input(leaf, path)
  }, rootName(i)))
  let out: unknown
  try {
    out = f(...(wrapped as A))
  } finally {
    trace.active = false
  }
  // treeLeavesWithPath rejects anything but tensors, naming its path (`out.loss: expected a tensor`).
  const outputs = treeLeavesWithPath<Tensor>(out, 'out').map(([path, t]) => ({ path, id: trace.idOf(t) }))
  return { nodes: trace.nodes, outputs }
}

/**
 * How many op nodes of each primitive the graph holds, most frequent first (ties by name).
 *
 * @example
 * ```ts
 * import { tensor, mul, grad, sum, type Tensor } from 'puregrad'
 * import { traceGraph, opCounts } from 'puregrad/graph'
 *
 * const f = (x: Tensor): Tensor => sum(mul(x, x))
 * const forward = new Map(opCounts(traceGraph(f, tensor([1, 2]))))
 * const backward = opCounts(traceGraph(grad(f), tensor([1, 2])))   // the backward pass, as ops
 * if (forward.get('mul') !== 1 || forward.get('sum') !== 1 || backward.length === 0) throw new Error('opCounts')
 * ```
 */
export const opCounts = (g: Graph): [string, number][] => {
  const counts = new Map<string, number>()
  for (const n of g.nodes) if (n.kind === 'op') counts.set(n.op, (counts.get(n.op) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
}
