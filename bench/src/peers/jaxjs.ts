/**
 * jax-js 0.1.25 as a peer, on its 'wasm' device (init('wasm'); init() with no argument crashes
 * on Node 20). Every jax-js op consumes its arguments, so every second use of an array takes
 * `.ref` first and everything kept across calls is disposed when done (README "Reference
 * counting"). jax-js has no optimizer on npm, so Adam is written here from the paper, the same
 * formula as the other peers. Two modes: 'jit' (the whole step compiled with jit) and 'eager'.
 */

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { defaultDevice, grad, init, jit, lax, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax'
import { hwioToOihw, nhwcToNchw, type HostTensor } from '../lib/rng.js'
import { JAXJS_MODES } from './index.js'
import type { AdamConfig, Batch, CnnInit, MlpInit, Optimizer, Peer, PeerFactory, Task, Trainer } from './peer.js'

type A = np.Array
const CLASSES = 10
const require = createRequire(import.meta.url)
const up = (h: HostTensor, shape: readonly number[] = h.shape): A => np.array(h.data, { shape: [...shape], dtype: np.float32 })
const read = async (a: A): Promise<Float32Array> => Float32Array.from(await a.data())

/** Consumes logits and labels. */
const crossEntropy = (logits: A, oneHot: A): A =>
  np.negative(np.mean(np.sum(np.multiply(nn.logSoftmax(logits, -1), oneHot), -1)))

type Dense = { w: A; b: A }
/** Consumes p and x. */
const mlpLogits = (p: Dense[], x: A): A => {
  let h = x
  p.forEach((l, i) => {
    const z = np.add(np.matmul(h, l.w), l.b)
    h = i < p.length - 1 ? nn.relu(z) : z
  })
  return h
}

type CnnParams = { k1: A; c1: A; k2: A; c2: A; w: A; b: A }
/** NCHW input, OIHW filters, biases shaped [C, 1, 1]. Consumes p and x. */
const cnnLogits = (p: CnnParams, x: A): A => {
  const h1 = nn.relu(np.add(lax.convGeneralDilated(x, p.k1, [1, 1], 'VALID'), p.c1))
  const h2 = nn.relu(np.add(lax.convGeneralDilated(h1, p.k2, [1, 1], 'VALID'), p.c2))
  return np.add(np.matmul(np.mean(h2, [2, 3]), p.w), p.b)
}

/** One Adam update of a leaf; c1, c2 are the bias corrections 1 - beta^t. Consumes everything. */
const adamLeaf = (c: AdamConfig, p: A, m: A, v: A, g: A, c1: A | number, c2: A | number): [A, A, A] => {
  const m2 = np.add(np.multiply(m, c.beta1), np.multiply(g.ref, 1 - c.beta1))
  const v2 = np.add(np.multiply(v, c.beta2), np.multiply(np.square(g), 1 - c.beta2))
  const mhat = np.divide(m2.ref, c1)
  const vhat = np.divide(v2.ref, c2)
  const p2 = np.subtract(p, np.divide(np.multiply(mhat, c.lr), np.add(np.sqrt(vhat), c.eps)))
  return [p2, m2, v2]
}

type State<P> = { p: P; m: P; v: P }
/** Adam over a whole parameter tree (consumes s and g; c1, c2 are referenced once per leaf). */
const adamTree = <P>(c: AdamConfig, s: State<P>, g: P, c1: A | number, c2: A | number): State<P> => {
  const [ps, def] = tree.flatten<A>(s.p as tree.JsTree<A>)
  const ms = tree.leaves<A>(s.m as tree.JsTree<A>), vs = tree.leaves<A>(s.v as tree.JsTree<A>), gs = tree.leaves<A>(g as tree.JsTree<A>)
  const out = ps.map((p, i) => adamLeaf(c, p, ms[i], vs[i], gs[i], typeof c1 === 'number' ? c1 : c1.ref, typeof c2 === 'number' ? c2 : c2.ref))
  if (typeof c1 !== 'number') c1.dispose()
  if (typeof c2 !== 'number') c2.dispose()
  const un = (k: number): P => tree.unflatten(def, out.map((o) => o[k])) as P
  return { p: un(0), m: un(1), v: un(2) }
}

const sgdTree = <P>(lr: number, p: P, g: P): P => tree.map((pi: A, gi: A) => np.subtract(pi, np.multiply(gi, lr)), p as tree.JsTree<A>, g as tree.JsTree<A>) as P

type JaxBatch = Batch & { x: A; y: A; labels: Int32Array }

const trainer = <P>(params: P, logits: (p: P, x: A) => A, toDevice: (x: HostTensor) => A, opt: Optimizer, mode: string): Trainer => {
  const loss = (p: P, x: A, y: A): A => crossEntropy(logits(p, x), y)
  const zeros = (): P => tree.map((a: A) => np.zerosLike(a.ref), params as tree.JsTree<A>) as P
  let s: State<P> = { p: params, m: zeros(), v: zeros() }
  let t = 0
  const vg = valueAndGrad(loss)
  // The compiled step: loss, gradients and the optimizer update in one jit.
  const adamStep = (st: State<P>, c1: A, c2: A, x: A, y: A): [A, State<P>] => {
    const [l, g] = vg(tree.ref(st.p as tree.JsTree<A>) as never, x, y)
    return [l, adamTree((opt as { adam: AdamConfig }).adam, st, g as P, c1, c2)]
  }
  const sgdStep = (p: P, x: A, y: A): [A, P] => {
    const [l, g] = vg(tree.ref(p as tree.JsTree<A>) as never, x, y)
    return [l, sgdTree((opt as { lr: number }).lr, p, g as P)]
  }
  const jAdam = mode === 'jit' ? jit(adamStep as never) as unknown as typeof adamStep : adamStep
  const jSgd = mode === 'jit' ? jit(sgdStep as never) as unknown as typeof sgdStep : sgdStep
  return {
    batch(x: HostTensor, y: Int32Array): JaxBatch {
      const xa = toDevice(x)
      const ya = nn.oneHot(np.array(y, { dtype: np.int32 }), CLASSES).astype(np.float32)
      return { size: y.length, x: xa, y: ya, labels: y, dispose() { xa.dispose(); ya.dispose() } }
    },
    async step(b: Batch): Promise<number> {
      const { x, y } = b as JaxBatch
      let l: A
      if (opt.kind === 'adam') {
        t++
        const c1 = np.array(1 - opt.adam.beta1 ** t), c2 = np.array(1 - opt.adam.beta2 ** t)
        ;[l, s] = jAdam(s, c1, c2, x.ref, y.ref)
      } else {
        let p: P
        ;[l, p] = jSgd(s.p, x.ref, y.ref)
        s = { ...s, p }
      }
      return (await read(l))[0]
    },
    async evaluate(b: Batch): Promise<{ loss: number; correct: number }> {
      const { x, y, labels } = b as JaxBatch
      const z = logits(tree.ref(s.p as tree.JsTree<A>) as P, x.ref)
      const l = (await read(crossEntropy(z.ref, y.ref)))[0]
      const pred = await np.argmax(z, -1).data()
      let correct = 0
      for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct++
      return { loss: l, correct }
    },
    dispose() {
      tree.dispose(s as unknown as tree.JsTree<A>)
      if (mode === 'jit') { (jAdam as unknown as { dispose(): void }).dispose(); (jSgd as unknown as { dispose(): void }).dispose() }
    },
  }
}

const chain = (links: number) => (x: A): A => {
  let y = x
  for (let i = 0; i < links; i++) y = np.tanh(np.add(np.multiply(y, 1.01), 0.1))
  return np.sum(y)
}

/** The package's exports map hides package.json, so read it next to the resolved entry. */
const version = (): string => {
  const file = path.join(path.dirname(require.resolve('@jax-js/jax')), '..', 'package.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

const makePeer = async (): Promise<Peer> => {
  const devices = await init('wasm')
  if (!devices.includes('wasm')) throw new Error(`jax-js init('wasm') returned [${devices.join(', ')}]`)
  defaultDevice('wasm')
  return {
    id: 'jax-js',
    library: '@jax-js/jax',
    version: version(),
    backend: defaultDevice(),
    modes: JAXJS_MODES,
    notes: ['threads 1 (no Worker global in Node, so its wasm backend runs single-threaded)'],
    matmul(a: HostTensor, b: HostTensor, mode: string): Task {
      const ta = up(a), tb = up(b)
      const f = mode === 'jit' ? jit((x: A, y: A) => np.matmul(x, y)) : null
      return {
        run: () => read(f ? f(ta.ref, tb.ref) : np.matmul(ta.ref, tb.ref)),
        dispose() { ta.dispose(); tb.dispose(); f?.dispose() },
      }
    },
    chainGrad(links: number, x: HostTensor, mode: string): Task {
      const g = grad(chain(links))
      const f = mode === 'jit' ? jit(g) : null
      const tx = up(x)
      return { run: () => read(f ? f(tx.ref) : g(tx.ref)), dispose() { tx.dispose(); f?.dispose() } }
    },
    mlp(init: MlpInit, opt: Optimizer, mode: string): Trainer {
      const p: Dense[] = init.layers.map((l) => ({ w: up(l.w), b: up(l.b) }))
      return trainer(p, mlpLogits, (x) => up(x), opt, mode)
    },
    cnn(init: CnnInit, opt: Optimizer, mode: string): Trainer {
      const bias = (h: HostTensor): A => up(h, [h.shape[0], 1, 1])
      const p: CnnParams = { k1: up(hwioToOihw(init.k1)), c1: bias(init.c1), k2: up(hwioToOihw(init.k2)), c2: bias(init.c2), w: up(init.w), b: up(init.b) }
      return trainer(p, cnnLogits, (x) => up(nhwcToNchw(x)), opt, mode)
    },
  }
}

export const jaxjsFactories = (): PeerFactory[] => [{ id: 'jax-js', isPuregrad: false, load: makePeer }]
