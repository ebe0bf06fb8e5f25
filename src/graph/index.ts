/**
 * puregrad/graph: computation graphs of functions. `traceGraph(f, ...args)` records the
 * primitives `f` runs (with operands, parameters, output shapes and dtypes); `toMermaid` and
 * `toDot` render the graph for Markdown and Graphviz.
 *
 * @packageDocumentation
 */

export {
  traceGraph, opCounts,
  type Graph, type GraphNode, type GraphNodeKind, type GraphOutput,
} from './trace.js'
export { toMermaid, toDot, nodeLines, type GraphFormatOptions } from './export.js'
