/**
 * Text renderings of a traced computation graph (./trace.ts): Mermaid flowcharts (`toMermaid`,
 * for Markdown on GitHub and in docs) and Graphviz DOT (`toDot`, for `dot -Tsvg`). Each node
 * shows its op (or input path, or constant value) and its output shape and dtype; inputs,
 * constants, ops and outputs are drawn in distinct shapes, and edges run from operand to op.
 */

import type { Graph, GraphNode } from './trace.js'

/** Options of `toMermaid`, `toDot` and `nodeLines`. */
export interface GraphFormatOptions {
  /** Show the dtype after the shape; default true. */
  readonly dtype?: boolean
  /** Show op parameters (axes, perm, strides...) under the op name; default false. */
  readonly params?: boolean
  /** Layout direction; default 'TB' (top to bottom). */
  readonly direction?: 'TB' | 'LR'
}

const shapeText = (n: { readonly shape: readonly number[]; readonly dtype: string }, o: GraphFormatOptions): string =>
  `[${n.shape.join(',')}]${o.dtype ?? true ? ` ${n.dtype}` : ''}`

const paramText = (p: Readonly<Record<string, unknown>> | undefined): string | null => {
  if (p === undefined) return null
  return Object.entries(p).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')
}

/**
 * The lines of a node's label: title (op, input path or constant), then shape (and op parameters,
 * between the two, when asked).
 *
 * @example
 * ```ts
 * import { tensor, sum, type Tensor } from 'puregrad'
 * import { traceGraph, nodeLines } from 'puregrad/graph'
 *
 * const g = traceGraph((x: Tensor) => sum(x, { axis: 1 }), tensor([[1, 2], [3, 4]]))
 * const op = g.nodes[g.outputs[0].id]
 * const lines = nodeLines(op, { params: true })
 * if (lines[0] !== 'sum' || lines[lines.length - 1] !== '[2] float32') throw new Error(lines.join(' | '))
 * ```
 */
export const nodeLines = (n: GraphNode, o: GraphFormatOptions = {}): string[] => {
  const title = n.kind === 'input' ? (n.label ?? 'input') : n.kind === 'const' ? (n.label === undefined ? 'const' : `const ${n.label}`) : n.op
  const lines = [title, shapeText(n, o)]
  const p = o.params ? paramText(n.params) : null
  if (p !== null) lines.splice(1, 0, p)
  return lines
}

const mermaidText = (s: string): string =>
  s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')

/**
 * A Mermaid flowchart (`flowchart TB`, or LR); node ids are n0, n1, ... as in the graph; the
 * outputs are out0, out1, ...
 *
 * @example
 * ```ts
 * import { tensor, exp, type Tensor } from 'puregrad'
 * import { traceGraph, toMermaid } from 'puregrad/graph'
 *
 * const text = toMermaid(traceGraph((x: Tensor) => exp(x), tensor([1, 2])), { direction: 'LR' })
 * if (!text.startsWith('flowchart LR') || !text.includes('n0 --> n1') || !text.includes('"exp<br/>[2] float32"')) throw new Error(text)
 * ```
 */
export const toMermaid = (g: Graph, o: GraphFormatOptions = {}): string => {
  const out = [`flowchart ${o.direction ?? 'TB'}`]
  for (const n of g.nodes) {
    const label = `"${nodeLines(n, o).map(mermaidText).join('<br/>')}"`
    const shaped = n.kind === 'input' ? `[/${label}/]` : n.kind === 'const' ? `([${label}])` : `[${label}]`
    out.push(`  n${n.id}${shaped}`)
  }
  g.outputs.forEach((r, i) => {
    const node = g.nodes[r.id]
    out.push(`  out${i}((${`"${mermaidText(r.path)}<br/>${mermaidText(shapeText(node, o))}"`}))`)
  })
  for (const n of g.nodes) for (const i of n.inputs) out.push(`  n${i} --> n${n.id}`)
  g.outputs.forEach((r, i) => out.push(`  n${r.id} --> out${i}`))
  out.push(
    '  classDef input fill:#dbe9f6,stroke:#1f77b4',
    '  classDef const fill:#eeeeee,stroke:#999999',
    '  classDef output fill:#fde0c5,stroke:#ff7f0e',
  )
  const ofKind = (k: GraphNode['kind']): string[] => g.nodes.filter((n) => n.kind === k).map((n) => `n${n.id}`)
  if (ofKind('input').length > 0) out.push(`  class ${ofKind('input').join(',')} input`)
  if (ofKind('const').length > 0) out.push(`  class ${ofKind('const').join(',')} const`)
  if (g.outputs.length > 0) out.push(`  class ${g.outputs.map((_, i) => `out${i}`).join(',')} output`)
  return out.join('\n')
}

const dotText = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')

/**
 * A Graphviz digraph named `name` (render it with `dot -Tsvg`); node ids are n0, n1, ... as in
 * the graph.
 *
 * @example
 * ```ts
 * import { tensor, mul, type Tensor } from 'puregrad'
 * import { traceGraph, toDot } from 'puregrad/graph'
 *
 * const dot = toDot(traceGraph((x: Tensor) => mul(x, 2), tensor([1])), { dtype: false }, 'double')
 * if (!dot.startsWith('digraph "double" {') || !dot.includes('n2 [label="mul\\n[1]"]')) throw new Error(dot)
 * ```
 */
export const toDot = (g: Graph, o: GraphFormatOptions = {}, name = 'puregrad'): string => {
  const out = [
    `digraph "${dotText(name)}" {`,
    `  rankdir=${o.direction ?? 'TB'};`,
    '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff"];',
    '  edge [arrowsize=0.6];',
  ]
  for (const n of g.nodes) {
    const label = nodeLines(n, o).map(dotText).join('\\n')
    const style = n.kind === 'input'
      ? ', shape=parallelogram, fillcolor="#dbe9f6"'
      : n.kind === 'const' ? ', shape=ellipse, fillcolor="#eeeeee"' : ''
    out.push(`  n${n.id} [label="${label}"${style}];`)
  }
  g.outputs.forEach((r, i) => {
    out.push(`  out${i} [label="${dotText(r.path)}\\n${dotText(shapeText(g.nodes[r.id], o))}", shape=doublecircle, fillcolor="#fde0c5"];`)
  })
  for (const n of g.nodes) {
    n.inputs.forEach((i, k) => out.push(`  n${i} -> n${n.id}${n.inputs.length > 1 ? ` [taillabel="${k}", labelfontsize=8]` : ''};`))
  }
  g.outputs.forEach((r, i) => out.push(`  n${r.id} -> out${i};`))
  out.push('}')
  return out.join('\n')
}
