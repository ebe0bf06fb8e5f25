/**
 * A gradient worker of examples/fashion.ts (started by workerEngine in ./fashion-engine.ts): it
 * prepares the same data and model as the main thread (same seed, so the same parameter record),
 * on a single-threaded wasm backend, then answers 'step' (loss, gradients and new state for some
 * rows of the training set) and 'predict' (classes of a range of test images) with host arrays.
 */

import { parentPort, workerData } from 'node:worker_threads'
import { slice, type Tensor } from '../src/index.js'
import { useWasmSync } from '../src/backends/wasm/index.js'
import { random } from '../src/layers/index.js'
import { predictClasses } from '../src/datasets/index.js'
import { prepare, type PrepareOptions } from './fashion-model.js'
import { fromHost, toHost } from './fashion-engine.js'

useWasmSync({ threads: 1 })
const prep = prepare(workerData as PrepareOptions)

interface Message {
  readonly type: 'hello' | 'step' | 'predict'
  readonly params: Float32Array[]
  readonly state: Float32Array[]
  readonly indices: Int32Array
  readonly key: [number, number]
  readonly begin: number
  readonly end: number
  readonly flip: boolean
}

const handle = (m: Message): object => {
  if (m.type === 'hello') return { ready: true }
  const params = fromHost(prep.init.params, m.params)
  const state = fromHost(prep.init.state, m.state)
  if (m.type === 'step') {
    const batch = prep.trainBatch(m.indices)
    const [[value, next], grads] = prep.step(params, state, batch, random.wrapKeyData(m.key))
    return { loss: value.item(), count: m.indices.length, grads: toHost(grads), state: toHost(next) }
  }
  const x = prep.data.test.x
  const part = slice(x, x.shape.map((_, i) => (i === 0 ? m.begin : 0)), x.shape.map((d, i) => (i === 0 ? m.end - m.begin : d)))
  return { predictions: predictClasses((xb: Tensor) => prep.logits(params, state, xb, m.flip), part, 1000) }
}

parentPort?.on('message', (m: Message) => {
  try {
    parentPort?.postMessage(handle(m))
  } catch (e) {
    parentPort?.postMessage({ error: e instanceof Error ? e.stack ?? e.message : String(e) })
  }
})
