/**
 * Tests for graph tracing and export (src/graph): traceGraph records inputs by path, every
 * primitive with its operands, parameters, output shape and dtype, shared constants once, and
 * the outputs; it sees through layers and through grad (the backward pass appears as ops); values
 * are computed while tracing; traced values cannot escape. toMermaid and toDot name every node
 * with its op and shape, draw one edge per operand, and escape labels.
 */

import { describe, expect, it } from 'vitest'
import { PuregradError, add, grad, matmul, mean, mul, relu, square, sub, sum, tensor, type Tensor } from '../../src/index.js'
import { conv2d, dense, flatten, key, maxPool2d, sequential, activation } from '../../src/layers/index.js'
import { nodeLines, opCounts, toDot, toMermaid, traceGraph, type Graph } from '../../src/graph/index.js'
import { traceDemo } from '../../examples/graph.js'

const p = { w: tensor([[1, 2], [3, 4]]), b: tensor([0.5, -0.5]) }
const x = tensor([[1, 1], [2, 2], [3, 3]])
const loss = (q: typeof p, xs: Tensor): Tensor => mean(square(sub(relu(add(matmul(xs, q.w), q.b)), 1)))

const ops = (g: Graph): string[] => g.nodes.filter((n) => n.kind === 'op').map((n) => n.op)

describe('traceGraph', () => {
  const g = traceGraph(loss, p, x)

  it('records inputs by path, ops with shapes and dtypes, shared constants, and the output', () => {
    expect(g.nodes.filter((n) => n.kind === 'input').map((n) => [n.label, n.shape])).toEqual([
      ['params.b', [2]], ['params.w', [2, 2]], ['args[1]', [3, 2]],
    ])
    expect(ops(g)).toEqual(['matmul', 'add', 'greater', 'where', 'sub', 'mul', 'sum', 'div'])
    const byOp = (op: string) => g.nodes.find((n) => n.op === op)
    expect(byOp('matmul')).toMatchObject({ shape: [3, 2], dtype: 'float32', params: { transposeA: false, transposeB: false } })
    expect(byOp('greater')).toMatchObject({ shape: [3, 2], dtype: 'bool' })
    expect(byOp('sum')).toMatchObject({ shape: [], params: { axes: [0, 1], keepDims: false } })
    // relu's zero is one constant used by both greater and where.
    const zero = g.nodes.filter((n) => n.kind === 'const' && n.label === '0')
    expect(zero).toHaveLength(1)
    expect(byOp('greater')?.inputs).toContain(zero[0].id)
    expect(byOp('where')?.inputs).toContain(zero[0].id)
    expect(g.outputs).toEqual([{ path: 'out', id: g.nodes.length - 1 }])
    for (const n of g.nodes) for (const i of n.inputs) expect(i).toBeLessThan(n.id)
  })

  it('computes the values as it goes (the function may read them)', () => {
    let seen = Number.NaN
    traceGraph((q: typeof p, xs: Tensor) => { const l = loss(q, xs); seen = l.item(); return l }, p, x)
    expect(seen).toBeCloseTo(loss(p, x).item(), 6)
  })

  it('records the backward pass when the function is a gradient', () => {
    const gg = traceGraph(grad(loss), p, x)
    expect(gg.outputs.map((o) => o.path)).toEqual(['out.b', 'out.w'])
    expect(gg.outputs.map((o) => gg.nodes[o.id].shape)).toEqual([[2], [2, 2]])
    const counts = Object.fromEntries(opCounts(gg))
    expect(counts.matmul).toBe(2) // forward x w, backward x^T ct (no gradient for x)
    expect(ops(gg).length).toBeGreaterThan(ops(g).length)
  })

  it('sees through layers: a small CNN with its conv, pool and dense shapes', () => {
    const model = sequential(conv2d(4, { kernelSize: 3 }), activation(relu), maxPool2d({ window: 2 }), flatten(), dense(3))
    const { params, state } = model.init(key(0), [6, 6, 1])
    const cg = traceGraph((q: typeof params, xs: Tensor) => model.apply(q, state, xs)[0], params, tensor(new Float32Array(2 * 36), { shape: [2, 6, 6, 1] }))
    const shapeOf = (op: string) => cg.nodes.find((n) => n.op === op)?.shape
    expect(shapeOf('conv2d')).toEqual([2, 6, 6, 4])
    expect(shapeOf('maxPool')).toEqual([2, 3, 3, 4])
    expect(shapeOf('reshape')).toEqual([2, 36])
    expect(shapeOf('matmul')).toEqual([2, 3])
    expect(cg.nodes.filter((n) => n.kind === 'input').map((n) => n.label)).toEqual(['params[0].b', 'params[0].w', 'params[4].b', 'params[4].w', 'args[1]'])
  })

  it('rejects non-tensor arguments and outputs, and traced values used after tracing', () => {
    expect(() => traceGraph((a: unknown) => a as Tensor, { n: 3 } as unknown)).toThrow(PuregradError)
    expect(() => traceGraph(() => 3 as unknown as Tensor)).toThrow(/out: expected a tensor, got number/)
    let leaked: Tensor | null = null
    traceGraph((q: typeof p) => { leaked = mul(q.w, 2); return leaked }, p)
    try {
      add(leaked as unknown as Tensor, 1)
      expect.fail('expected ESCAPED_TRACER')
    } catch (e) {
      expect((e as PuregradError).code).toBe('ESCAPED_TRACER')
    }
  })
})

describe('toMermaid and toDot', () => {
  const g = traceGraph(loss, p, x)
  const edges = g.nodes.reduce((s, n) => s + n.inputs.length, 0) + g.outputs.length

  it('Mermaid: a flowchart with every node labelled by op and shape, one edge per operand', () => {
    const m = toMermaid(g)
    const lines = m.split('\n')
    expect(lines[0]).toBe('flowchart TB')
    expect(lines).toContain('  n1[/"params.w<br/>[2,2] float32"/]')
    expect(lines).toContain('  n3["matmul<br/>[3,2] float32"]')
    expect(lines).toContain('  n5(["const 0<br/>[] float32"])')
    expect(lines).toContain('  out0(("out<br/>[] float32"))')
    expect(lines.filter((l) => l.includes(' --> '))).toHaveLength(edges)
    expect(lines).toContain('  n2 --> n3')
    expect(lines).toContain('  n13 --> out0')
    for (const n of g.nodes) expect(lines.some((l) => l.startsWith(`  n${n.id}[`) || l.startsWith(`  n${n.id}(`))).toBe(true)
    expect(toMermaid(g, { direction: 'LR', dtype: false }).split('\n')).toContain('  n3["matmul<br/>[3,2]"]')
  })

  it('DOT: a digraph with labelled nodes, numbered operands, balanced braces', () => {
    const d = toDot(g, { params: true })
    const lines = d.split('\n')
    expect(lines[0]).toBe('digraph "puregrad" {')
    expect(lines[lines.length - 1]).toBe('}')
    expect(lines).toContain('  n3 [label="matmul\\ntransposeA=false transposeB=false\\n[3,2] float32"];')
    expect(lines).toContain('  n1 [label="params.w\\n[2,2] float32", shape=parallelogram, fillcolor="#dbe9f6"];')
    expect(lines).toContain('  n2 -> n3 [taillabel="0", labelfontsize=8];')
    expect(lines).toContain('  n1 -> n3 [taillabel="1", labelfontsize=8];')
    expect(lines.filter((l) => l.includes(' -> '))).toHaveLength(edges)
    expect(d.split('{').length).toBe(d.split('}').length)
  })

  it('escapes quotes and markup in labels', () => {
    const weird = { 'say "hi" <b>': tensor([1, 2]) }
    const wg = traceGraph((q: typeof weird) => sum(q['say "hi" <b>']), weird)
    expect(nodeLines(wg.nodes[0])[0]).toBe('params["say \\"hi\\" <b>"]')
    expect(toMermaid(wg)).toContain('n0[/"params[#quot;say \\#quot;hi\\#quot; #lt;b#gt;#quot;]<br/>[2] float32"/]')
    expect(toDot(wg)).toContain('n0 [label="params[\\"say \\\\\\"hi\\\\\\" <b>\\"]\\n[2] float32"')
  })
})

describe('examples/graph.ts', () => {
  it('traces the demo MLP loss and its gradient', () => {
    const { forward, backward } = traceDemo()
    expect(forward.outputs.map((o) => [o.path, forward.nodes[o.id].shape])).toEqual([['out', []]])
    expect(backward.outputs.map((o) => [o.path, backward.nodes[o.id].shape])).toEqual([
      ['out.l1.b', [16]], ['out.l1.w', [64, 16]], ['out.l2.b', [10]], ['out.l2.w', [16, 10]],
    ])
    expect(Object.fromEntries(opCounts(forward)).matmul).toBe(2)
    expect(toMermaid(backward).split('\n').filter((l) => l.includes('-->')).length).toBeGreaterThan(toMermaid(forward).split('\n').filter((l) => l.includes('-->')).length)
  })
})
