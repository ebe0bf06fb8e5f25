/**
 * The one small interface every library implements for the benchmarks. Workloads are written
 * against it only, so each workload file is library-agnostic and each peer file holds all the
 * code specific to one library. Data always arrives as host Float32Arrays (see lib/rng.ts);
 * a peer uploads it in its own way and reads results back to the host, which is what forces
 * lazy or asynchronous libraries to finish the work being timed.
 */

import type { HostTensor } from '../lib/rng.js'

/** A dense layer's host weights: w [in, out], b [out]. */
export type DenseInit = { readonly w: HostTensor; readonly b: HostTensor }
/** MLP: dense layers with ReLU between them, softmax cross-entropy on the last. */
export type MlpInit = { readonly layers: readonly DenseInit[] }
/** CNN (NHWC data, HWIO filters, 'valid' padding): conv+ReLU, conv+ReLU, global average pool, dense. */
export type CnnInit = {
  readonly k1: HostTensor; readonly c1: HostTensor
  readonly k2: HostTensor; readonly c2: HostTensor
  readonly w: HostTensor; readonly b: HostTensor
}

/** Adam (Kingma & Ba 2015, Algorithm 1): p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). */
export type AdamConfig = { readonly lr: number; readonly beta1: number; readonly beta2: number; readonly eps: number }
export type Optimizer = { readonly kind: 'adam'; readonly adam: AdamConfig } | { readonly kind: 'sgd'; readonly lr: number }

/** A timed unit of work; `run` resolves with the result read back to the host. */
export interface Task {
  run(): Promise<Float32Array>
  dispose(): void
}

/** A batch uploaded to the peer's device (inputs and integer labels 0..classes-1). */
export interface Batch {
  readonly size: number
  dispose(): void
}

export interface Trainer {
  batch(x: HostTensor, y: Int32Array): Batch
  /** One forward + backward + optimizer update; resolves with the loss before the update. */
  step(b: Batch): Promise<number>
  /** Mean loss and number of correct argmax predictions on a batch, without updating. */
  evaluate(b: Batch): Promise<{ loss: number; correct: number }>
  dispose(): void
}

export interface Peer {
  /** Column name in the tables: 'puregrad-js', 'tfjs-cpu', 'tfjs-wasm', 'jax-js'. */
  readonly id: string
  readonly library: string
  readonly version: string
  /** The backend or device actually in use, as the library reports it after setup. */
  readonly backend: string
  /** Execution modes to try; a workload records each and keeps the fastest (jax-js: jit, eager). */
  readonly modes: readonly string[]
  /** Facts worth printing next to the figures (threads, fallbacks). */
  readonly notes: readonly string[]
  matmul(a: HostTensor, b: HostTensor, mode: string): Task
  /** Gradient of sum(x_L) with x_{i+1} = tanh(x_i * 1.01 + 0.1), through `links` links. */
  chainGrad(links: number, x: HostTensor, mode: string): Task
  mlp(init: MlpInit, opt: Optimizer, mode: string): Trainer
  cnn(init: CnnInit, opt: Optimizer, mode: string): Trainer
}

/** How a peer is found: `load` sets it up, or throws with the reason it is unavailable. */
export interface PeerFactory {
  readonly id: string
  readonly isPuregrad: boolean
  /** The workloads it runs in (ids such as 'W1'); all of them when absent. */
  readonly workloads?: readonly string[]
  load(): Promise<Peer>
}
