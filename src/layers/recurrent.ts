/**
 * Recurrent cells (SimpleRNN, LSTM, GRU) and the layers that run them over a sequence with
 * `scan`. A cell is a step function `step(params, carry, x_t) -> [carry, h_t]` over a batch
 * x_t [N, F]; the layer scans it over time.
 *
 * Layers take batch-major [N, T, F] input by default, so that inputShape [T, F] excludes the batch
 * axis like every other layer and an RNN can follow an embedding in `sequential`; `timeMajor: true`
 * takes [T, N, F] directly. Internally time is always axis 0, as scan wants.
 *
 * Equations (σ the logistic sigmoid, ⊙ elementwise, gate blocks in the order listed):
 * - SimpleRNN: h' = tanh(x Wx + h Wh + b)
 * - LSTM (gates i, f, g, o): z = x Wx + h Wh + b; i, f, o = σ(z_i), σ(z_f), σ(z_o); g = tanh(z_g);
 *   c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c'). The forget-gate bias starts at 1 (Jozefowicz et al., 2015).
 * - GRU (gates r, z, n; "reset after", as cuDNN, PyTorch and Keras's default): a = x Wx + bx,
 *   u = h Wh + bh; r = σ(a_r + u_r); z = σ(a_z + u_z); n = tanh(a_n + r ⊙ u_n); h' = (1 - z) ⊙ n + z ⊙ h.
 */

import type { Tensor } from '../core/tensor.js'
import { fmtShape } from '../core/errors.js'
import { full } from '../core/constructors.js'
import { scalarLike } from '../ops/convert.js'
import { add, mul, sub, tanh } from '../ops/elementwise.js'
import { matmul } from '../ops/linalg.js'
import { concat, reshape, slice, split as splitAxis, transpose } from '../ops/movement.js'
import { sigmoid } from '../ops/nn.js'
import { split, type Key } from '../random/key.js'
import type { FloatDType } from '../random/distributions.js'
import { glorotUniform, orthogonal, zeros, type Initializer } from './initializers.js'
import {
  EMPTY, checkInitKey, checkInputShape, checkPositiveInt, dtypeOf, expectFloat, expectLeaves, shapeError, zerosOn, type Empty, type Layer, type LeafSpec,
} from './layer.js'
import { scan } from './scan.js'

/** Options of the recurrent cells (and of the layers `simpleRnn`, `lstm`, `gru`). */
export interface CellOptions {
  /** For the input weights Wx [F, gates * H]: default glorotUniform. */
  readonly kernelInit?: Initializer
  /** For the recurrent weights Wh [H, gates * H]: default orthogonal (per gate block). */
  readonly recurrentInit?: Initializer
}

/**
 * A recurrent cell with parameters P and carry C: one time step over a batch, run over a sequence
 * by `rnn`. Its output h_t is [N, hiddenSize].
 */
export interface Cell<P, C> {
  /** Used in error messages; `rnn` names its layer after it without the `Cell` suffix. */
  readonly name: string
  /** H, the size of the hidden state and of each step's output. */
  readonly hiddenSize: number
  /**
   * Parameters for inputs of `inputSize` features (float32 unless `dtype`). Throws PuregradError
   * `INVALID_ARGUMENT` for a key that is not a Key or an inputSize that is not a positive integer.
   */
  init(key: Key, inputSize: number, dtype?: FloatDType): P
  /** The zero carry for a batch of `batch` sequences, with `like`'s dtype and on its backend. */
  initialCarry(batch: number, like: Tensor): C
  /**
   * One step: the next carry and the output h_t [N, H] for x_t [N, F]. Throws PuregradError
   * `SHAPE_MISMATCH` when x is not [N, inputSize], `DTYPE_MISMATCH` for a non-float x.
   */
  step(params: P, carry: C, x: Tensor): [C, Tensor]
}

/** SimpleRNN parameters: wx [F, H], wh [H, H], b [H]. */
export interface SimpleRnnParams { readonly wx: Tensor; readonly wh: Tensor; readonly b: Tensor }
/** LSTM parameters, gate blocks i, f, g, o side by side: wx [F, 4H], wh [H, 4H], b [4H]. */
export interface LstmParams { readonly wx: Tensor; readonly wh: Tensor; readonly b: Tensor }
/** GRU parameters, gate blocks r, z, n side by side: wx [F, 3H], wh [H, 3H], bx and bh [3H]. */
export interface GruParams { readonly wx: Tensor; readonly wh: Tensor; readonly bx: Tensor; readonly bh: Tensor }
/** An LSTM's carry: the hidden state h and the cell state c, [N, H] each. */
export interface LstmCarry { readonly h: Tensor; readonly c: Tensor }

const orthogonalDefault = orthogonal()

/** Recurrent weights [H, gates * H]: one independently initialised H x H block per gate, side by side. */
const recurrentWeights = (key: Key, h: number, gates: number, init: Initializer, dtype: FloatDType): Tensor =>
  concat(split(key, gates).map((k) => init(k, [h, h], dtype)), 1)

const weights = (name: string, key: Key, inputSize: number, h: number, gates: number, opts: CellOptions, dtype: FloatDType): [Tensor, Tensor, Key] => {
  checkInitKey(name, key)
  checkPositiveInt(name, 'inputSize', inputSize)
  const [kx, kh, kb] = split(key, 3)
  return [(opts.kernelInit ?? glorotUniform)(kx, [inputSize, gates * h], dtype), recurrentWeights(kh, h, gates, opts.recurrentInit ?? orthogonalDefault, dtype), kb]
}

/** Checks a step's input and the cell's parameters (`spec`, as expectLeaves) before any op runs. */
const checkStep = (name: string, x: Tensor, p: { readonly wx: Tensor }, spec: LeafSpec): void => {
  expectFloat(name, x)
  expectLeaves(name, 'params', p, spec, x)
  if (x.rank !== 2 || x.shape[1] !== p.wx.shape[0]) shapeError(name, `expected a step input [N, ${p.wx.shape[0]}], got ${fmtShape(x.shape)}`)
}

const one = (like: Tensor): Tensor => scalarLike(1, like)

/**
 * The SimpleRNN cell h' = tanh(x Wx + h Wh + b); the carry is h [N, H].
 *
 * @throws PuregradError `INVALID_ARGUMENT` when hiddenSize is not a positive integer; see `Cell`
 * for init and step.
 * @example
 * ```ts
 * import { ones, zeros } from 'puregrad'
 * import { simpleRnnCell, key } from 'puregrad/layers'
 *
 * const cell = simpleRnnCell(4)
 * const params = cell.init(key(0), 3)              // wx [3,4], wh [4,4], b [4]
 * const [h, out] = cell.step(params, zeros([2, 4]), ones([2, 3]))
 * if (h !== out || h.shape.join() !== '2,4') throw new Error(`got ${h.shape}`)
 * ```
 */
export const simpleRnnCell = (hiddenSize: number, opts: CellOptions = {}): Cell<SimpleRnnParams, Tensor> => {
  const name = 'simpleRnnCell'
  checkPositiveInt(name, 'hiddenSize', hiddenSize)
  return {
    name, hiddenSize,
    init: (key, inputSize, dtype = 'float32') => {
      const [wx, wh, kb] = weights(name, key, inputSize, hiddenSize, 1, opts, dtype)
      return { wx, wh, b: zeros(kb, [hiddenSize], dtype) }
    },
    initialCarry: (batch, like) => zerosOn([batch, hiddenSize], like),
    step: (p, h, x) => {
      checkStep(name, x, p, { wx: [null, hiddenSize], wh: [hiddenSize, hiddenSize], b: [hiddenSize] })
      const hNext = tanh(add(add(matmul(x, p.wx), matmul(h, p.wh)), p.b))
      return [hNext, hNext]
    },
  }
}

/**
 * The LSTM cell (gates i, f, g, o; see the module's equations); the carry is `{ h, c }`, [N, H]
 * each, and the forget-gate bias starts at 1.
 *
 * @throws PuregradError `INVALID_ARGUMENT` when hiddenSize is not a positive integer; see `Cell`
 * for init and step.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { lstmCell, key } from 'puregrad/layers'
 *
 * const cell = lstmCell(4)
 * const params = cell.init(key(0), 3)              // wx [3,16], wh [4,16], b [16]
 * const x = ones([2, 3])
 * const [carry, h] = cell.step(params, cell.initialCarry(2, x), x)
 * if (carry.c.shape.join() !== '2,4' || h !== carry.h) throw new Error(`got ${h.shape}`)
 * ```
 */
export const lstmCell = (hiddenSize: number, opts: CellOptions = {}): Cell<LstmParams, LstmCarry> => {
  const name = 'lstmCell'
  checkPositiveInt(name, 'hiddenSize', hiddenSize)
  return {
    name, hiddenSize,
    init: (key, inputSize, dtype = 'float32') => {
      const [wx, wh] = weights(name, key, inputSize, hiddenSize, 4, opts, dtype)
      return { wx, wh, b: concat([full([hiddenSize], 0, { dtype }), full([hiddenSize], 1, { dtype }), full([2 * hiddenSize], 0, { dtype })], 0) }
    },
    initialCarry: (batch, like) => ({ h: zerosOn([batch, hiddenSize], like), c: zerosOn([batch, hiddenSize], like) }),
    step: (p, { h, c }, x) => {
      checkStep(name, x, p, { wx: [null, 4 * hiddenSize], wh: [hiddenSize, 4 * hiddenSize], b: [4 * hiddenSize] })
      const z = add(add(matmul(x, p.wx), matmul(h, p.wh)), p.b)
      const [zi, zf, zg, zo] = splitAxis(z, 4, 1)
      const cNext = add(mul(sigmoid(zf), c), mul(sigmoid(zi), tanh(zg)))
      const hNext = mul(sigmoid(zo), tanh(cNext))
      return [{ h: hNext, c: cNext }, hNext]
    },
  }
}

/**
 * The GRU cell ("reset after": gates r, z, n; see the module's equations); the carry is h [N, H].
 *
 * @throws PuregradError `INVALID_ARGUMENT` when hiddenSize is not a positive integer; see `Cell`
 * for init and step.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { gruCell, key } from 'puregrad/layers'
 *
 * const cell = gruCell(4)
 * const params = cell.init(key(0), 3)              // wx [3,12], wh [4,12], bx and bh [12]
 * const x = ones([2, 3])
 * const [h] = cell.step(params, cell.initialCarry(2, x), x)
 * if (h.shape.join() !== '2,4') throw new Error(`got ${h.shape}`)
 * ```
 */
export const gruCell = (hiddenSize: number, opts: CellOptions = {}): Cell<GruParams, Tensor> => {
  const name = 'gruCell'
  checkPositiveInt(name, 'hiddenSize', hiddenSize)
  return {
    name, hiddenSize,
    init: (key, inputSize, dtype = 'float32') => {
      const [wx, wh, kb] = weights(name, key, inputSize, hiddenSize, 3, opts, dtype)
      return { wx, wh, bx: zeros(kb, [3 * hiddenSize], dtype), bh: zeros(kb, [3 * hiddenSize], dtype) }
    },
    initialCarry: (batch, like) => zerosOn([batch, hiddenSize], like),
    step: (p, h, x) => {
      checkStep(name, x, p, { wx: [null, 3 * hiddenSize], wh: [hiddenSize, 3 * hiddenSize], bx: [3 * hiddenSize], bh: [3 * hiddenSize] })
      const [ar, az, an] = splitAxis(add(matmul(x, p.wx), p.bx), 3, 1)
      const [ur, uz, un] = splitAxis(add(matmul(h, p.wh), p.bh), 3, 1)
      const r = sigmoid(add(ar, ur))
      const z = sigmoid(add(az, uz))
      const n = tanh(add(an, mul(r, un)))
      const hNext = add(mul(sub(one(z), z), n), mul(z, h))
      return [hNext, hNext]
    },
  }
}

/** Options of `rnn` (and of `simpleRnn`, `lstm`, `gru`). */
export interface RnnOptions {
  /** Output every step's h ([N, T, H]) or only the last ([N, H]). Default true. */
  readonly returnSequences?: boolean
  /** Input (and sequence output) as [T, N, F] instead of [N, T, F]. Default false. */
  readonly timeMajor?: boolean
  /** Run from the last step to the first (outputs stay aligned with the inputs). Default false. */
  readonly reverse?: boolean
}

/**
 * A layer running `cell` over a sequence from a zero initial carry; params are the cell's.
 * inputShape [T, F]; x [N, T, F] (or [T, N, F] with `timeMajor`) gives [N, T, H] (every step) or
 * [N, H] (the last step, with `returnSequences: false`).
 *
 * @throws PuregradError `SHAPE_MISMATCH` for an inputShape that is not [T, F] or an x that is not
 * rank 3 with F features; `DTYPE_MISMATCH` for a non-float x.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { rnn, gruCell, key } from 'puregrad/layers'
 *
 * const layer = rnn(gruCell(4), { returnSequences: false })
 * const { params, state, outputShape } = layer.init(key(0), [10, 3])
 * const [y] = layer.apply(params, state, ones([2, 10, 3]))
 * if (y.shape.join() !== '2,4' || outputShape.join() !== '4') throw new Error(`got ${y.shape}`)
 * ```
 */
export const rnn = <P, C>(cell: Cell<P, C>, opts: RnnOptions = {}): Layer<P, Empty> => {
  const name = cell.name.replace(/Cell$/, '')
  const returnSequences = opts.returnSequences ?? true
  const timeMajor = opts.timeMajor ?? false
  const H = cell.hiddenSize
  return {
    name,
    init: (key, inputShape, initOpts) => {
      checkInitKey(name, key)
      const s = checkInputShape(name, inputShape, 2, '[T, F] (one sequence)')
      if (s.length !== 2) shapeError(name, `expected inputShape [T, F] (one sequence, without the batch axis), got ${fmtShape(s)}`)
      const params = cell.init(key, s[1], dtypeOf(name, initOpts))
      return { params, state: EMPTY, outputShape: returnSequences ? [s[0], H] : [H] }
    },
    apply: (params, state, x) => {
      expectFloat(name, x)
      if (x.rank !== 3) shapeError(name, `expected a sequence batch ${timeMajor ? '[T, N, F]' : '[N, T, F]'}, got ${fmtShape(x.shape)}`)
      const xs = timeMajor ? x : transpose(x, [1, 0, 2])
      const init = cell.initialCarry(xs.shape[1], x)
      const [, ys] = scan((carry: C, xt: Tensor) => cell.step(params, carry, xt), init, xs, { reverse: opts.reverse })
      if (!returnSequences) {
        const last = opts.reverse === true ? 0 : xs.shape[0] - 1
        return [reshape(slice(ys, [last, 0, 0], [1, -1, -1]), [xs.shape[1], H]), state]
      }
      return [timeMajor ? ys : transpose(ys, [1, 0, 2]), state]
    },
  }
}

/**
 * A SimpleRNN layer: `rnn(simpleRnnCell(hiddenSize, opts), opts)`. [N, T, F] to [N, T, H].
 *
 * @throws PuregradError as `simpleRnnCell` and `rnn`.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { simpleRnn, key } from 'puregrad/layers'
 *
 * const layer = simpleRnn(8)
 * const { params, state } = layer.init(key(0), [5, 3])
 * const [y] = layer.apply(params, state, ones([2, 5, 3]))
 * if (y.shape.join() !== '2,5,8') throw new Error(`got ${y.shape}`)
 * ```
 */
export const simpleRnn = (hiddenSize: number, opts: RnnOptions & CellOptions = {}): Layer<SimpleRnnParams, Empty> => rnn(simpleRnnCell(hiddenSize, opts), opts)
/**
 * An LSTM layer: `rnn(lstmCell(hiddenSize, opts), opts)`. [N, T, F] to [N, T, H].
 *
 * @throws PuregradError as `lstmCell` and `rnn`.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { lstm, key } from 'puregrad/layers'
 *
 * const layer = lstm(8, { returnSequences: false })
 * const { params, state } = layer.init(key(0), [5, 3])
 * const [y] = layer.apply(params, state, ones([2, 5, 3]))
 * if (y.shape.join() !== '2,8') throw new Error(`got ${y.shape}`)
 * ```
 */
export const lstm = (hiddenSize: number, opts: RnnOptions & CellOptions = {}): Layer<LstmParams, Empty> => rnn(lstmCell(hiddenSize, opts), opts)
/**
 * A GRU layer: `rnn(gruCell(hiddenSize, opts), opts)`. [N, T, F] to [N, T, H].
 *
 * @throws PuregradError as `gruCell` and `rnn`.
 * @example
 * ```ts
 * import { ones } from 'puregrad'
 * import { gru, key } from 'puregrad/layers'
 *
 * const layer = gru(8, { timeMajor: true })
 * const { params, state } = layer.init(key(0), [5, 3])
 * const [y] = layer.apply(params, state, ones([5, 2, 3]))   // [T, N, F]
 * if (y.shape.join() !== '5,2,8') throw new Error(`got ${y.shape}`)
 * ```
 */
export const gru = (hiddenSize: number, opts: RnnOptions & CellOptions = {}): Layer<GruParams, Empty> => rnn(gruCell(hiddenSize, opts), opts)
