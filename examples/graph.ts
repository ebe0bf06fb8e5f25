/**
 * Computation graphs with puregrad/graph: traces the demo's loss (a 64-16-10 MLP with softmax
 * cross-entropy, shapes shrunk for legibility) and its gradient, and writes each as Mermaid and
 * as Graphviz DOT, then prints the op counts. `npx tsx examples/graph.ts [--out dir]` (default
 * out/); render with `dot -Tsvg out/loss.dot > loss.svg` or paste the .mmd into Markdown.
 */

import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { grad, tensor, type Tensor } from '../src/index.js'
import { opCounts, toDot, toMermaid, traceGraph, type Graph } from '../src/graph/index.js'
import { initParams, loss } from './mlp.js'
import { mulberry32 } from '../src/datasets/digits.js'

export interface Traced { readonly forward: Graph; readonly backward: Graph }

/** The loss of a 64-16-10 MLP on a batch of 4 and its gradient, as graphs. */
export const traceDemo = (): Traced => {
  const params = initParams([64, 16, 10], mulberry32(0))
  const x = tensor(new Float32Array(4 * 64).fill(0.5), { shape: [4, 64] })
  const labels = tensor([0, 1, 2, 3], { dtype: 'int32' })
  const f = (p: typeof params, xs: Tensor, ys: Tensor): Tensor => loss(p, xs, ys)
  return { forward: traceGraph(f, params, x, labels), backward: traceGraph(grad(f), params, x, labels) }
}

const main = (): void => {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'out' } } })
  const dir = resolve(values.out ?? 'out')
  mkdirSync(dir, { recursive: true })
  const { forward, backward } = traceDemo()
  for (const [name, g] of [['loss', forward], ['grad', backward]] as const) {
    writeFileSync(join(dir, `${name}.mmd`), `${toMermaid(g)}\n`)
    writeFileSync(join(dir, `${name}.dot`), `${toDot(g, { params: true }, name)}\n`)
    console.log(`${name}: ${g.nodes.length} nodes (${opCounts(g).map(([op, k]) => `${op} ${k}`).join(', ')}) -> ${join(dir, `${name}.mmd`)}, ${join(dir, `${name}.dot`)}`)
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main()
