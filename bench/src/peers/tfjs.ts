/**
 * TensorFlow.js 4.22 as a peer, on its 'cpu' and 'wasm' backends (and 'tensorflow' if
 * @tensorflow/tfjs-node ever installs). The umbrella package is imported, since tfjs-core alone
 * registers no gradients, and the backend is checked with tf.getBackend() after setBackend,
 * which otherwise falls back silently. Models use tf.variable and tf.variableGrads; SGD is
 * tf.train.sgd, Adam is written here with the formula of the other peers: tf.train.adam keeps
 * beta^t in float32 variables, so its 1 - beta2^t is off by ~1e-5 relative, which moves the W2
 * loss after 20 steps by ~2e-3 (measured). Every step runs in a tidy, so memory stays bounded.
 */

import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import type { HostTensor } from '../lib/rng.js'
import type { AdamConfig, Batch, CnnInit, MlpInit, Optimizer, Peer, PeerFactory, Task, Trainer } from './peer.js'

const require = createRequire(import.meta.url)
const CLASSES = 10
const wasmDir = (): string => path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + path.sep + 'dist' + path.sep

const up = (h: HostTensor): tf.Tensor => tf.tensor(h.data, [...h.shape], 'float32')
const readAndDispose = async (t: tf.Tensor): Promise<Float32Array> => {
  const d = (await t.data()) as Float32Array
  t.dispose()
  return d
}

const crossEntropy = (logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar =>
  tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits, -1), oneHot), -1))) as tf.Scalar

/**
 * conv2d whose filter gradient is computed as im2col + matMul, for backends that lack the
 * Conv2DBackpropFilter kernel (tfjs-wasm 4.22). The input gradient still uses the library's
 * conv2dTranspose (Conv2DBackpropInput is present). 'valid' padding, stride 1.
 */
const conv2dIm2colGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, k, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc]
  save([x, k])
  return {
    value: tf.conv2d(x, k, 1, 'valid'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ks] = saved as [tf.Tensor4D, tf.Tensor4D]
      const [kh, kw, ci, co] = ks.shape
      const [n, oh, ow] = dy.shape
      const patches: tf.Tensor4D[] = []
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) patches.push(tf.slice(xs, [0, i, j, 0], [n, oh, ow, ci]))
      const cols = tf.reshape(tf.concat(patches, 3), [n * oh * ow, kh * kw * ci])
      const dk = tf.reshape(tf.matMul(cols, tf.reshape(dy, [n * oh * ow, co]), true, false), [kh, kw, ci, co])
      const dx = tf.conv2dTranspose(dy as tf.Tensor4D, ks, xs.shape, 1, 'valid')
      return [dx, dk]
    },
  }
}) as (x: tf.Tensor4D, k: tf.Tensor4D) => tf.Tensor4D

/** Makes variable names unique across models (tfjs registers variables globally by name). */
let n = 0

type TfBatch = Batch & { x: tf.Tensor; y: tf.Tensor; labels: Int32Array }

/** Adam (Kingma & Ba, Algorithm 1) over tf.Variables, bias corrections computed in double. */
const adam = (vars: tf.Variable[], c: AdamConfig) => {
  const m = vars.map((p) => tf.variable(tf.zerosLike(p), false))
  const v = vars.map((p) => tf.variable(tf.zerosLike(p), false))
  let t = 0
  return {
    minimize(loss: () => tf.Scalar): tf.Scalar {
      t++
      const c1 = 1 - c.beta1 ** t, c2 = 1 - c.beta2 ** t
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, vars)
        vars.forEach((p, i) => {
          const g = grads[p.name]
          const m2 = tf.add(tf.mul(m[i], c.beta1), tf.mul(g, 1 - c.beta1))
          const v2 = tf.add(tf.mul(v[i], c.beta2), tf.mul(tf.square(g), 1 - c.beta2))
          m[i].assign(m2)
          v[i].assign(v2)
          p.assign(tf.sub(p, tf.div(tf.mul(tf.div(m2, c1), c.lr), tf.add(tf.sqrt(tf.div(v2, c2)), c.eps))))
        })
        return value
      })
    },
    dispose() { tf.dispose([...m, ...v]) },
  }
}

const trainer = (vars: tf.Variable[], logits: (x: tf.Tensor) => tf.Tensor, opt: Optimizer): Trainer => {
  const sgd = opt.kind === 'sgd' ? tf.train.sgd(opt.lr) : null
  const o = opt.kind === 'adam'
    ? adam(vars, opt.adam)
    : { minimize: (f: () => tf.Scalar) => (sgd as tf.SGDOptimizer).minimize(f, true, vars) as tf.Scalar, dispose: () => sgd?.dispose() }
  return {
    batch(x: HostTensor, y: Int32Array): TfBatch {
      const yt = tf.tensor1d(y, 'int32')
      const oh = tf.oneHot(yt, CLASSES).toFloat()
      yt.dispose()
      const xt = up(x)
      return { size: y.length, x: xt, y: oh, labels: y, dispose() { xt.dispose(); oh.dispose() } }
    },
    async step(b: Batch): Promise<number> {
      const { x, y } = b as TfBatch
      const cost = o.minimize(() => crossEntropy(logits(x), y))
      return (await readAndDispose(cost))[0]
    },
    async evaluate(b: Batch): Promise<{ loss: number; correct: number }> {
      const { x, y, labels } = b as TfBatch
      const [l, pred] = tf.tidy(() => {
        const z = logits(x)
        return [crossEntropy(z, y), tf.argMax(z, -1)]
      })
      const loss = (await readAndDispose(l))[0]
      const p = await pred.data()
      pred.dispose()
      let correct = 0
      for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) correct++
      return { loss, correct }
    },
    dispose() { o.dispose(); vars.forEach((v) => v.dispose()) },
  }
}

const chain = (links: number) => (x: tf.Tensor): tf.Tensor => {
  let y = x
  for (let i = 0; i < links; i++) y = tf.tanh(tf.add(tf.mul(y, 1.01), 0.1))
  return tf.sum(y)
}

const makePeer = async (backend: string): Promise<Peer> => {
  if (backend === 'wasm') setWasmPaths(wasmDir())
  const ok = await tf.setBackend(backend)
  await tf.ready()
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tf.setBackend('${backend}') left tfjs on '${tf.getBackend()}'`)
  }
  const hasFilterGrad = tf.getKernel('Conv2DBackpropFilter', backend) !== undefined
  const notes = ['threads 1 (tfjs-wasm starts no threads under Node)']
  if (!hasFilterGrad) notes.push(`Conv2DBackpropFilter is not registered on ${backend}: W4 computes the filter gradient as im2col + matMul (tf.customGrad)`)
  return {
    id: backend === 'tensorflow' ? 'tfjs-node' : `tfjs-${backend}`,
    library: '@tensorflow/tfjs',
    version: tf.version.tfjs,
    backend: tf.getBackend(),
    modes: ['eager'],
    notes: backend === 'wasm' ? notes : notes.slice(1),
    matmul(a: HostTensor, b: HostTensor): Task {
      const ta = up(a), tb = up(b)
      return { run: () => readAndDispose(tf.matMul(ta, tb)), dispose() { ta.dispose(); tb.dispose() } }
    },
    chainGrad(links: number, x: HostTensor): Task {
      const g = tf.grad(chain(links))
      const tx = up(x)
      return { run: () => readAndDispose(tf.tidy(() => g(tx))), dispose() { tx.dispose() } }
    },
    mlp(init: MlpInit, opt: Optimizer): Trainer {
      const vars = init.layers.flatMap((l, i) => [tf.variable(up(l.w), true, `mlp${n}_w${i}`), tf.variable(up(l.b), true, `mlp${n}_b${i}`)])
      n++
      const logits = (x: tf.Tensor): tf.Tensor => {
        let h = x
        for (let i = 0; i < vars.length; i += 2) {
          const z = tf.add(tf.matMul(h, vars[i]), vars[i + 1])
          h = i + 2 < vars.length ? tf.relu(z) : z
        }
        return h
      }
      return trainer(vars, logits, opt)
    },
    cnn(init: CnnInit, opt: Optimizer): Trainer {
      const names = ['k1', 'c1', 'k2', 'c2', 'w', 'b'] as const
      const v = names.map((k) => tf.variable(up(init[k]), true, `cnn${n}_${k}`))
      n++
      const conv = (x: tf.Tensor, k: tf.Tensor): tf.Tensor =>
        hasFilterGrad ? tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'valid') : conv2dIm2colGrad(x as tf.Tensor4D, k as tf.Tensor4D)
      const logits = (x: tf.Tensor): tf.Tensor => {
        const h1 = tf.relu(tf.add(conv(x, v[0]), v[1]))
        const h2 = tf.relu(tf.add(conv(h1, v[2]), v[3]))
        return tf.add(tf.matMul(tf.mean(h2, [1, 2]), v[4]), v[5])
      }
      return trainer(v, logits, opt)
    },
  }
}

/** tfjs-node registers the 'tensorflow' backend when imported; it does not install here. */
export const tfjsNodeStatus = (): { available: boolean; reason: string } => {
  try {
    require.resolve('@tensorflow/tfjs-node')
    return { available: true, reason: '' }
  } catch {
    return { available: false, reason: '@tensorflow/tfjs-node is not installed: its install script downloads a native libtensorflow, which this machine cannot do' }
  }
}

export const tfjsFactories = (): PeerFactory[] => {
  const backends = ['cpu', 'wasm']
  const f: PeerFactory[] = backends.map((b) => ({ id: `tfjs-${b}`, isPuregrad: false, load: () => makePeer(b) }))
  if (tfjsNodeStatus().available) {
    f.push({
      id: 'tfjs-node',
      isPuregrad: false,
      load: async () => {
        const name = '@tensorflow/tfjs-node'
        await import(name)
        return makePeer('tensorflow')
      },
    })
  }
  return f
}
