/**
 * Shape and dtype rules, one per primitive: given the operands' shapes and dtypes and the
 * (already normalised) parameters, the output's shape and dtype, or a PuregradError naming the op
 * and the shapes. They run at every level of tracing, before any kernel, so a mismatch is caught
 * the same way on every backend.
 */

import { type DType, isFloat } from '../core/dtype.js'
import { fail, fmtShape } from '../core/errors.js'
import { broadcastShapes, checkSize, isBroadcastableTo, shapesEqual, sizeOf, reducedShape, type Shape } from '../core/shape.js'
import type { Conv2dParams, Pool2dParams, Primitive, PrimitiveParams, PrimitiveTable } from './primitives.js'

interface Operand { readonly shape: Shape; readonly dtype: DType }
type Result = readonly [Shape, DType]
type ShapeRule<P extends Primitive> = (inputs: readonly Operand[], params: PrimitiveParams[P]) => Result

const needFloat = (op: string, x: Operand): void => {
  if (!isFloat(x.dtype)) fail('DTYPE_MISMATCH', op, `needs a float32 or float64 operand, got ${x.dtype}; cast it first`)
}

const needNumeric = (op: string, x: Operand): void => {
  if (x.dtype === 'bool') fail('DTYPE_MISMATCH', op, 'needs a numeric operand, got bool; cast it first')
}

const sameDtype = (op: string, xs: readonly Operand[]): DType => {
  for (let i = 1; i < xs.length; i++) {
    if (xs[i].dtype !== xs[0].dtype) {
      fail('DTYPE_MISMATCH', op, `operands have dtypes ${xs[0].dtype} and ${xs[i].dtype}; cast one explicitly`)
    }
  }
  return xs[0].dtype
}

const unaryFloat = <P extends Primitive>(op: P): ShapeRule<P> => ([x]) => { needFloat(op, x); return [x.shape, x.dtype] }
const unaryNumeric = <P extends Primitive>(op: P): ShapeRule<P> => ([x]) => { needNumeric(op, x); return [x.shape, x.dtype] }

const binary = <P extends Primitive>(op: P, floatOnly: boolean): ShapeRule<P> => ([a, b]) => {
  const dt = sameDtype(op, [a, b])
  if (floatOnly) needFloat(op, a); else needNumeric(op, a)
  return [broadcastShapes(op, a.shape, b.shape), dt]
}

const compare = <P extends Primitive>(op: P, allowBool: boolean): ShapeRule<P> => ([a, b]) => {
  sameDtype(op, [a, b])
  if (!allowBool) needNumeric(op, a)
  return [broadcastShapes(op, a.shape, b.shape), 'bool']
}

const reduction = <P extends 'sum' | 'max'>(op: P): ShapeRule<P> => ([x], { axes, keepDims }) => {
  needNumeric(op, x)
  return [reducedShape(x.shape, axes, keepDims), x.dtype]
}

/** Output spatial size of a strided, dilated, padded window (the convolution arithmetic). */
const windowOut = (op: string, x: Shape, axis: number, k: number, stride: number, dil: number, lo: number, hi: number): number => {
  const n = x[axis]
  const span = (k - 1) * dil + 1
  const out = Math.floor((n + lo + hi - span) / stride) + 1
  if (out < 1) fail('SHAPE_MISMATCH', op, `window of extent ${span} does not fit axis ${axis} of ${fmtShape(x)} (size ${n}) padded by ${lo}+${hi}`)
  return out
}

const convOut = (op: string, x: Shape, w: Shape, p: Conv2dParams): Shape => {
  if (x.length !== 4) fail('SHAPE_MISMATCH', op, `input must be NHWC (rank 4), got ${fmtShape(x)}`)
  if (w.length !== 4) fail('SHAPE_MISMATCH', op, `filter must be HWIO (rank 4), got ${fmtShape(w)}`)
  if (x[3] !== w[2]) fail('SHAPE_MISMATCH', op, `input has ${x[3]} channels but the filter ${fmtShape(w)} expects ${w[2]}`)
  return [
    x[0],
    windowOut(op, x, 1, w[0], p.strides[0], p.dilations[0], p.pads[0], p.pads[1]),
    windowOut(op, x, 2, w[1], p.strides[1], p.dilations[1], p.pads[2], p.pads[3]),
    w[3],
  ]
}

const poolOut = (op: string, x: Shape, p: Pool2dParams): Shape => {
  if (x.length !== 4) fail('SHAPE_MISMATCH', op, `input must be NHWC (rank 4), got ${fmtShape(x)}`)
  return [
    x[0],
    windowOut(op, x, 1, p.window[0], p.strides[0], 1, p.pads[0], p.pads[1]),
    windowOut(op, x, 2, p.window[1], p.strides[1], 1, p.pads[2], p.pads[3]),
    x[3],
  ]
}

const expectShape = (op: string, what: string, got: Shape, want: Shape): void => {
  if (!shapesEqual(got, want)) fail('SHAPE_MISMATCH', op, `${what}: expected shape ${fmtShape(want)}, got ${fmtShape(got)}`)
}

const needIndices = (op: string, ix: Operand): void => {
  if (ix.dtype !== 'int32') fail('DTYPE_MISMATCH', op, `indices must be int32, got ${ix.dtype}`)
}

const matmulShape: ShapeRule<'matmul'> = ([a, b], { transposeA, transposeB }) => {
  const op = 'matmul'
  const dt = sameDtype(op, [a, b])
  needNumeric(op, a)
  if (a.shape.length < 2 || b.shape.length < 2) fail('SHAPE_MISMATCH', op, `operands must have rank >= 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`)
  const ra = a.shape.length, rb = b.shape.length
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2]
  const ka = transposeA ? a.shape[ra - 2] : a.shape[ra - 1]
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2]
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1]
  if (ka !== kb) {
    fail('SHAPE_MISMATCH', op, `inner dimensions differ: ${fmtShape(a.shape)}${transposeA ? 'ᵀ' : ''} x ${fmtShape(b.shape)}${transposeB ? 'ᵀ' : ''} (${ka} vs ${kb})`)
  }
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2))
  return [[...batch, m, n], dt]
}

const rules: PrimitiveTable<{ [P in Primitive]: ShapeRule<P> }> = {
  neg: unaryNumeric('neg'), abs: unaryNumeric('abs'), sign: unaryNumeric('sign'),
  exp: unaryFloat('exp'), log: unaryFloat('log'), sin: unaryFloat('sin'), cos: unaryFloat('cos'),
  sqrt: unaryFloat('sqrt'), tanh: unaryFloat('tanh'), floor: unaryFloat('floor'), ceil: unaryFloat('ceil'),
  round: unaryFloat('round'), erf: unaryFloat('erf'), log1p: unaryFloat('log1p'), expm1: unaryFloat('expm1'),
  add: binary('add', false), sub: binary('sub', false), mul: binary('mul', false),
  div: binary('div', true), pow: binary('pow', true),
  maximum: binary('maximum', false), minimum: binary('minimum', false),
  equal: compare('equal', true), notEqual: compare('notEqual', true),
  less: compare('less', false), lessEqual: compare('lessEqual', false),
  greater: compare('greater', false), greaterEqual: compare('greaterEqual', false),
  where: ([c, a, b]) => {
    if (c.dtype !== 'bool') fail('DTYPE_MISMATCH', 'where', `condition must be bool, got ${c.dtype}`)
    const dt = sameDtype('where', [a, b])
    return [broadcastShapes('where', c.shape, broadcastShapes('where', a.shape, b.shape)), dt]
  },
  sum: reduction('sum'),
  max: reduction('max'),
  argmax: ([x], { axis, keepDims }) => {
    needNumeric('argmax', x)
    return [reducedShape(x.shape, [axis], keepDims), 'int32']
  },
  cumsum: ([x]) => { needNumeric('cumsum', x); return [x.shape, x.dtype] },
  matmul: matmulShape,
  reshape: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x.shape)) {
      fail('SHAPE_MISMATCH', 'reshape', `cannot reshape ${fmtShape(x.shape)} (${sizeOf(x.shape)} elements) to ${fmtShape(shape)} (${sizeOf(shape)} elements)`)
    }
    return [shape, x.dtype]
  },
  transpose: ([x], { perm }) => {
    const seen = new Set(perm)
    if (perm.length !== x.shape.length || seen.size !== perm.length || perm.some((p) => !(p >= 0 && p < perm.length && Number.isInteger(p)))) {
      fail('INVALID_AXIS', 'transpose', `perm [${perm.join(',')}] is not a permutation of the ${x.shape.length} axes of ${fmtShape(x.shape)}`)
    }
    return [perm.map((p) => x.shape[p]), x.dtype]
  },
  broadcastTo: ([x], { shape }) => {
    if (!isBroadcastableTo(x.shape, shape)) fail('BROADCAST', 'broadcastTo', `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`)
    return [shape, x.dtype]
  },
  slice: ([x], { begin, size }) => {
    if (begin.length !== x.shape.length || size.length !== x.shape.length) {
      fail('SHAPE_MISMATCH', 'slice', `begin [${begin.join(',')}] and size [${size.join(',')}] must have one entry per axis of ${fmtShape(x.shape)}`)
    }
    for (let i = 0; i < begin.length; i++) {
      if (begin[i] < 0 || size[i] < 0 || begin[i] + size[i] > x.shape[i]) {
        fail('INVALID_ARGUMENT', 'slice', `axis ${i}: [${begin[i]}, ${begin[i] + size[i]}) is outside [0, ${x.shape[i]}) of ${fmtShape(x.shape)}`)
      }
    }
    return [size, x.dtype]
  },
  concat: (xs, { axis }) => {
    if (xs.length === 0) fail('INVALID_ARGUMENT', 'concat', 'needs at least one tensor')
    const dt = sameDtype('concat', xs)
    const first = xs[0].shape
    let total = 0
    for (const x of xs) {
      if (x.shape.length !== first.length || x.shape.some((d, i) => i !== axis && d !== first[i])) {
        fail('SHAPE_MISMATCH', 'concat', `shapes ${xs.map((y) => fmtShape(y.shape)).join(', ')} differ outside axis ${axis}`)
      }
      total += x.shape[axis]
    }
    return [first.map((d, i) => (i === axis ? total : d)), dt]
  },
  pad: ([x], { widths }) => {
    if (widths.length !== x.shape.length) fail('SHAPE_MISMATCH', 'pad', `needs one [before, after] pair per axis of ${fmtShape(x.shape)}, got ${widths.length}`)
    return [x.shape.map((d, i) => d + widths[i][0] + widths[i][1]), x.dtype]
  },
  gather: ([x, ix], { axis }) => {
    needIndices('gather', ix)
    return [[...x.shape.slice(0, axis), ...ix.shape, ...x.shape.slice(axis + 1)], x.dtype]
  },
  scatterAdd: ([u, ix], { axis, size }) => {
    needIndices('scatterAdd', ix)
    needNumeric('scatterAdd', u)
    const mid = u.shape.slice(axis, axis + ix.shape.length)
    if (!shapesEqual(mid, ix.shape)) fail('SHAPE_MISMATCH', 'scatterAdd', `updates ${fmtShape(u.shape)} do not hold indices ${fmtShape(ix.shape)} at axis ${axis}`)
    return [[...u.shape.slice(0, axis), size, ...u.shape.slice(axis + ix.shape.length)], u.dtype]
  },
  conv2d: ([x, w], p) => {
    const dt = sameDtype('conv2d', [x, w]); needFloat('conv2d', x)
    return [convOut('conv2d', x.shape, w.shape, p), dt]
  },
  conv2dBackInput: ([dy, w], p) => {
    const dt = sameDtype('conv2dBackInput', [dy, w])
    expectShape('conv2dBackInput', 'output gradient', dy.shape, convOut('conv2dBackInput', p.inputShape, w.shape, p))
    return [p.inputShape, dt]
  },
  conv2dBackFilter: ([x, dy], p) => {
    const dt = sameDtype('conv2dBackFilter', [x, dy])
    expectShape('conv2dBackFilter', 'output gradient', dy.shape, convOut('conv2dBackFilter', x.shape, p.filterShape, p))
    return [p.filterShape, dt]
  },
  maxPool: ([x], p) => { needFloat('maxPool2d', x); return [poolOut('maxPool2d', x.shape, p), x.dtype] },
  maxPoolSelect: ([x, t], p) => {
    const dt = sameDtype('maxPoolSelect', [x, t])
    expectShape('maxPoolSelect', 'tangent', t.shape, x.shape)
    return [poolOut('maxPoolSelect', x.shape, p), dt]
  },
  maxPoolScatter: ([x, g], p) => {
    const dt = sameDtype('maxPoolScatter', [x, g])
    expectShape('maxPoolScatter', 'output gradient', g.shape, poolOut('maxPoolScatter', x.shape, p))
    return [x.shape, dt]
  },
  avgPool: ([x], p) => { needFloat('avgPool2d', x); return [poolOut('avgPool2d', x.shape, p), x.dtype] },
  avgPoolGrad: ([g], p) => {
    expectShape('avgPoolGrad', 'output gradient', g.shape, poolOut('avgPoolGrad', p.inputShape, p))
    return [p.inputShape, g.dtype]
  },
  cast: ([x], { dtype }) => [x.shape, dtype],
  stopGradient: ([x]) => [x.shape, x.dtype],
}

/**
 * Every rule, followed by the size check: an output of more than MAX_ELEMENTS elements is an
 * OUT_OF_MEMORY error naming the op, raised before any kernel allocates (never an engine RangeError).
 */
export const shapeRules = Object.fromEntries(
  (Object.keys(rules) as Primitive[]).map((p) => {
    const rule = rules[p] as ShapeRule<Primitive>
    const checked: ShapeRule<Primitive> = (inputs, params) => {
      const out = rule(inputs, params)
      checkSize(p, out[0])
      return out
    }
    return [p, checked]
  }),
) as unknown as PrimitiveTable<{ [P in Primitive]: ShapeRule<P> }>
