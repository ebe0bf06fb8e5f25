/**
 * The programs a user would write against the installed package, as source text for the
 * throwaway consumer project (they import 'puregrad', which only resolves there, so they are not
 * files of this repo's TypeScript program).
 *
 * - `runtime(kind)`: Node ESM (.mjs) or CommonJS (.cjs). Loads every subpath of the exports map
 *   (given as argv[2]) and prints its export names (and loads the shipped digits through any entry
 *   that exports `loadDigits`); trains a small MLP with layers + optim on the JS
 *   backend and on the wasm backend (proving that the entries share one backend registry); round-trips
 *   a checkpoint through puregrad/io and puregrad/io/node; runs a law check from puregrad/laws.
 *   Prints one JSON object.
 * - `typedProgram(kind)`: the same ground in TypeScript, type-checked under node16 (as .mts and .cts)
 *   and bundler resolution, with `@ts-expect-error` lines that only hold if the package's types are
 *   real (not `any`): grad over a typed record, layers' typed parameters, an optimizer's state.
 * - `browserPage`: bundled with esbuild and run in Chromium: trains a few steps on the JS backend,
 *   then on wasm (`await useWasm()`), encodes a checkpoint, writes the result into the DOM.
 * - `sizeProbe`: the minimal program whose minified bundle is measured.
 */

const trainBody = `
const train = (steps) => {
  const [kInit, kData] = split(key(0), 2)
  const model = sequential(dense(32), activation(relu), dense(3))
  const { params, state } = model.init(kInit, [4])
  const x = random.normal(kData, [64, 4])
  const labels = argmax(slice(x, [0, 0], [64, 3]), { axis: 1 })
  const loss = (p) => softmaxCrossEntropy(model.apply(p, state, x)[0], labels)
  const opt = chain(clipByGlobalNorm(1), adam(0.02))
  let p = params
  let s = opt.init(p)
  const first = loss(p).item()
  for (let i = 0; i < steps; i++) {
    const [updates, next] = opt.update(grad(loss)(p), s, p)
    p = applyUpdates(p, updates)
    s = next
  }
  return { first, last: loss(p).item(), backend: getBackend().name, params: p }
}
`

const mainBody = `
const main = async () => {
  const specs = JSON.parse(process.argv[2])
  const out = { exports: {}, errors: [] }
  for (const s of specs) {
    try {
      const m = await load(s)
      out.exports[s] = Object.keys(m).sort()
      // The shipped digits data set, found from the installed entry (data/ is in the tarball).
      if (typeof m.loadDigits === 'function') out.digits = m.loadDigits().images.shape
    } catch (e) { out.errors.push(s + ': ' + String(e)) }
  }
  out.version = requireJson('puregrad/package.json').version

  const js = train(30)
  out.js = { first: js.first, last: js.last, backend: js.backend }

  // A law check from the kit: d/dx sum(tanh(x) * x) by reverse, forward and finite differences.
  checkGrads((v) => sum(mul(tanh(v), v)), [tensor([0.3, -0.7, 1.1])])
  out.laws = 'ok'

  // Errors thrown inside another entry are the main entry's PuregradError.
  try { dense(2).init(key(0), [3]).params.w.matmul(tensor([[1, 2]])) } catch (e) { out.errorClass = e instanceof PuregradError ? e.code : String(e) }

  // Checkpoints: bytes in memory (browser-safe entry) and a file (Node entry).
  const bytes = encodeCheckpoint(js.params, { step: 30 })
  const back = decodeCheckpoint(bytes, js.params)
  if (back._tag !== 'Right') throw new Error('decodeCheckpoint: ' + JSON.stringify(back.left))
  const file = join(mkdtempSync(join(tmpdir(), 'puregrad-consumer-')), 'ckpt.bin')
  const saved = await saveCheckpoint(file, js.params)
  if (saved._tag !== 'Right') throw new Error('saveCheckpoint: ' + JSON.stringify(saved.left))
  const loaded = await loadCheckpoint(file, js.params)
  if (loaded._tag !== 'Right') throw new Error('loadCheckpoint: ' + JSON.stringify(loaded.left))
  out.checkpoint = treeLeaves(loaded.right).every((t, i) => t.dataSync().join() === treeLeaves(js.params)[i].dataSync().join())

  // puregrad/wasm registers its backend in the same registry the main entry reads.
  const wasm = useWasmSync()
  const w = train(30)
  out.wasm = { first: w.first, last: w.last, backend: w.backend, wasmCalls: Object.values(wasm.stats.wasmCalls).reduce((a, b) => a + b, 0) }
  out.backends = listBackends()
  process.stdout.write(JSON.stringify(out))
}
`

const imports = {
  puregrad: 'argmax, getBackend, grad, listBackends, mul, PuregradError, slice, sum, tanh, tensor, treeLeaves',
  layers: 'activation, dense, key, random, relu, sequential, softmaxCrossEntropy, split',
  optim: 'adam, applyUpdates, chain, clipByGlobalNorm',
  laws: 'checkGrads',
  wasm: 'useWasmSync',
  io: 'decodeCheckpoint, encodeCheckpoint',
  ioNode: 'loadCheckpoint, saveCheckpoint',
}

export const runtime = (kind: 'esm' | 'cjs'): string => kind === 'esm'
  ? `import { ${imports.puregrad} } from 'puregrad'
import { ${imports.layers} } from 'puregrad/layers'
import { ${imports.optim} } from 'puregrad/optim'
import { ${imports.laws} } from 'puregrad/laws'
import { ${imports.wasm} } from 'puregrad/wasm'
import { ${imports.io} } from 'puregrad/io'
import { ${imports.ioNode} } from 'puregrad/io/node'
import { createRequire } from 'node:module'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
const requireJson = createRequire(import.meta.url)
const load = (s) => import(s)
${trainBody}${mainBody}
await main()
`
  : `'use strict'
const { ${imports.puregrad} } = require('puregrad')
const { ${imports.layers} } = require('puregrad/layers')
const { ${imports.optim} } = require('puregrad/optim')
const { ${imports.laws} } = require('puregrad/laws')
const { ${imports.wasm} } = require('puregrad/wasm')
const { ${imports.io} } = require('puregrad/io')
const { ${imports.ioNode} } = require('puregrad/io/node')
const { mkdtempSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const requireJson = require
const load = async (s) => require(s)
${trainBody}${mainBody}
main().catch((e) => { console.error(e); process.exit(1) })
`

/**
 * The typed program. In .cts files `import` compiles to `require`, so the same text checks the
 * CommonJS types (index.d.cts) under node16; top-level await is avoided for that reason.
 */
export const typedProgram = (kind: 'mts' | 'cts' | 'bundler'): string => `// ${kind}: type-checked${kind === 'bundler' ? '' : ' and run'} by test/package/package.test.ts
import {
  grad, valueAndGrad, tensor, add, sub, mul, matmul, mean, square, sum, tanh, treeZipWith, getBackend,
  PuregradError, type Tensor, type GradOf, type DType,
} from 'puregrad'
import { key, split, sequential, dense, activation, relu, mse, random, type Layer } from 'puregrad/layers'
import { adam, applyUpdates, chain, clipByGlobalNorm, type GradientTransformation } from 'puregrad/optim'
import { checkGrads, type GradCheckOptions } from 'puregrad/laws'
import { useWasmSync, type WasmBackend } from 'puregrad/wasm'
import { encodeCheckpoint, decodeCheckpoint } from 'puregrad/io'
import { saveCheckpoint } from 'puregrad/io/node'

// grad over a typed parameter record: the gradient has the record's type.
interface Params {
  readonly linear: { readonly w: Tensor; readonly b: Tensor }
  readonly gains: readonly [Tensor, Tensor]
}
const params: Params = { linear: { w: tensor([[0.5], [-1]]), b: tensor([0.1]) }, gains: [tensor(1), tensor(2)] }
const x = tensor([[1, 2], [3, 4], [5, 6]])
const y = tensor([[1], [2], [3]])
const loss = (p: Params, xs: Tensor, ys: Tensor): Tensor =>
  mean(square(sub(mul(add(matmul(xs, p.linear.w), p.linear.b), mul(p.gains[0], p.gains[1])), ys)))

const g: Params = grad(loss)(params, x, y)
const [value, same]: [Tensor, Params] = valueAndGrad(loss)(params, x, y)
const wrt: GradOf<[Params, Tensor, Tensor], [0, 1]> = grad(loss, { argnums: [0, 1] })(params, x, y)
const dtype: DType = g.linear.w.dtype
// Type errors the compiler must report (so the types are real, not any); never called.
const mustNotCompile = (): unknown[] => [
  // @ts-expect-error: the gradient record has no 'bias'
  g.linear.bias,
  // @ts-expect-error: grad of a record is the record, not a tensor
  ((t: Tensor) => t)(grad(loss)(params, x, y)),
  // @ts-expect-error: the loss takes three arguments
  grad(loss)(params),
  // @ts-expect-error: a dense layer's parameters are { w, b }
  mlp[0].gamma,
  // @ts-expect-error: an optimizer for P does not take another record's gradients
  opt.update(g, s, p),
]
const step = (p: Params): Params =>
  treeZipWith(p, grad(loss)(p, x, y), (v: Tensor, d: Tensor) => sub(v, mul(d, 0.01)))

// Layers and an optimizer: parameters typed from the model, state typed from the parameters.
const [kInit, kData] = split(key(0), 2)
const model = sequential(dense(8), activation(relu), dense(1))
const { params: mlp, state } = model.init(kInit, [2])
type P = typeof mlp
const w0: Tensor = mlp[0].w
const layer: Layer<{ w: Tensor; b: Tensor }> = dense(4)
const inputs = random.normal(kData, [16, 2])
const targets = sum(inputs, { axis: 1, keepDims: true })
const mlpLoss = (p: P): Tensor => mse(model.apply(p, state, inputs)[0], targets)
const opt = chain(clipByGlobalNorm(1), adam<P>(0.05))
let p: P = mlp
let s = opt.init(p)
const before = mlpLoss(p).item()
for (let i = 0; i < 20; i++) {
  const [updates, next] = opt.update(grad(mlpLoss)(p), s, p)
  p = applyUpdates(p, updates)
  s = next
}
const sgdLike: GradientTransformation<P, unknown> = opt

// The law kit, the wasm backend and checkpoints, typed.
const lawOpts: GradCheckOptions = { order: 1 }
checkGrads((v: Tensor) => sum(tanh(v)), [tensor([0.3, -0.7])], lawOpts)
const bytes: Uint8Array = encodeCheckpoint(p)
const decoded = decodeCheckpoint(bytes, p)
if (decoded._tag === 'Right') {
  const restored: P = decoded.right
  void restored
}
const save: Promise<unknown> = saveCheckpoint('/dev/null/never-written', p).then(() => undefined)
void save
const backend: WasmBackend | undefined = process.env.PUREGRAD_CONSUMER_WASM === '1' ? useWasmSync({ threads: 1 }) : undefined
const isError = (e: unknown): e is PuregradError => e instanceof PuregradError

const after = mlpLoss(p).item()
if (!(after < before)) throw new Error(\`the loss did not go down: \${before} -> \${after}\`)
if (step(params).linear.w.shape.join() !== '2,1') throw new Error('step changed the shapes')
void [value, same, wrt, dtype, w0, layer, sgdLike, backend, isError, getBackend, mustNotCompile]
console.log(JSON.stringify({ kind: '${kind}', before, after }))
`

/** tsconfig for the typed program: node16 (emits .mjs/.cjs to run) or bundler (check only). */
export const tsconfig = (resolution: 'node16' | 'bundler'): string => JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    // A Node project has no DOM lib; a bundled (browser) one has.
    lib: resolution === 'node16' ? ['ES2022'] : ['ES2022', 'DOM'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    ...(resolution === 'node16'
      ? { module: 'node16', moduleResolution: 'node16', outDir: 'out-node16' }
      : { module: 'esnext', moduleResolution: 'bundler', noEmit: true }),
  },
  files: resolution === 'node16' ? ['typed-esm.mts', 'typed-cjs.cts'] : ['typed-bundler.ts'],
}, null, 2)

/**
 * The browser page. Trains on the JS backend, then on wasm if it loads (`useWasm` is async in
 * browsers), and encodes a checkpoint; writes JSON into #result with data-done set, or the error.
 */
export const browserPage = `import { argmax, getBackend, grad, slice } from 'puregrad'
import { activation, dense, key, random, relu, sequential, softmaxCrossEntropy, split } from 'puregrad/layers'
import { adam, applyUpdates, chain, clipByGlobalNorm } from 'puregrad/optim'
import { useWasm } from 'puregrad/wasm'
import { decodeCheckpoint, encodeCheckpoint } from 'puregrad/io'
${trainBody}
const el = document.getElementById('result')
const finish = (value) => { el.textContent = JSON.stringify(value); el.dataset.done = '1' }
try {
  const out = {}
  const js = train(30)
  out.js = { first: js.first, last: js.last, backend: js.backend }
  out.checkpoint = decodeCheckpoint(encodeCheckpoint(js.params), js.params)._tag
  try {
    const backend = await useWasm()
    const w = train(30)
    out.wasm = { first: w.first, last: w.last, backend: w.backend, wasmCalls: Object.values(backend.stats.wasmCalls).reduce((a, b) => a + b, 0) }
  } catch (e) {
    out.wasmError = String(e)
  }
  finish(out)
} catch (e) {
  finish({ error: String(e && e.stack || e) })
}
`

export const browserHtml = `<!doctype html>
<html><head><meta charset="utf-8"><title>puregrad in the browser</title></head>
<body><pre id="result">running</pre><script type="module" src="./app.js"></script></body></html>
`

/** The bundle-size probe: grad and a few ops from the main entry, nothing else. */
export const sizeProbe = `import { grad, tensor, add, mul, sum } from 'puregrad'
const f = (x) => sum(mul(add(x, 1), x))
console.log(grad(f)(tensor([1, 2, 3])).dataSync())
`
