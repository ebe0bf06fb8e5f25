/**
 * Shape and stride arithmetic shared by the JS kernels. Every strided walk (broadcasting,
 * transpose, slice, pad) goes through `RowCursor`, so index bookkeeping lives in one place and the
 * kernels keep a tight innermost loop with no per-element allocation.
 */

export const sizeOf = (shape: readonly number[]): number => {
  let n = 1
  for (let i = 0; i < shape.length; i++) n *= shape[i]
  return n
}

/** Row-major (C order) strides, in elements. */
export const stridesOf = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= shape[i]
  }
  return s
}

export const sameShape = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * Strides that read `inShape` as if it were broadcast to `outShape` (numpy rules: right-aligned,
 * missing leading axes and axes of length 1 get stride 0, so every output index along them
 * reads the same element).
 */
export const broadcastStrides = (inShape: readonly number[], outShape: readonly number[]): number[] => {
  const inStrides = stridesOf(inShape)
  const lead = outShape.length - inShape.length
  const s = new Array<number>(outShape.length)
  for (let d = 0; d < outShape.length; d++) {
    const e = d - lead
    s[d] = e < 0 || inShape[e] === 1 ? 0 : inStrides[e]
  }
  return s
}

/** Product of shape[from, to). */
export const spanSize = (shape: readonly number[], from: number, to: number): number => {
  let n = 1
  for (let i = from; i < to; i++) n *= shape[i]
  return n
}

/**
 * An iteration shape and its operands' element strides with axes of length 1 dropped and
 * neighbouring axes merged where every operand steps through them as one (from the innermost axis
 * outwards). Shared by RowCursor and the wasm kernels' walks, so both visit rows identically.
 */
export const coalesce = (
  shape: readonly number[], strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } => {
  const k = strides.length
  const cShape: number[] = []
  const cStrides: number[][] = strides.map(() => [])
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]
    if (n === 1) continue
    const top = cShape.length - 1
    let merge = top >= 0
    for (let j = 0; merge && j < k; j++) {
      if (strides[j][d] !== cStrides[j][top] * cShape[top]) merge = false
    }
    if (merge) {
      cShape[top] *= n
    } else {
      cShape.push(n)
      for (let j = 0; j < k; j++) cStrides[j].push(strides[j][d])
    }
  }
  cShape.reverse()
  for (const s of cStrides) s.reverse()
  return { shape: cShape, strides: cStrides }
}

/**
 * Walks the rows of `shape` (every axis but the last) in row-major order, keeping one flat offset
 * per operand in step. The caller runs the innermost axis itself with `len` and `inner[k]`,
 * then calls `next()`.
 *
 * Axes are coalesced first: an axis of length 1 is dropped, and two neighbouring axes merge when
 * every operand steps through them as one (stride[d] == stride[d+1] * shape[d+1]). Broadcasting
 * [2,1,3] with [4,1] thus runs inner loops of length 3 instead of walking 24 scalar positions, and
 * contiguous operands collapse to a single row.
 */
export class RowCursor {
  /** Number of rows to visit (0 when the shape holds no elements). */
  readonly rows: number
  /** Length of the innermost (coalesced) axis. */
  readonly len: number
  /** Per-operand stride along the innermost axis. */
  readonly inner: number[]
  /** Per-operand flat offset of the current row's first element. */
  readonly off: number[]
  private readonly shape: number[]
  private readonly strides: number[][]
  private readonly idx: number[]

  constructor(shape: readonly number[], strides: readonly (readonly number[])[], start?: readonly number[]) {
    const k = strides.length
    this.off = start === undefined ? new Array<number>(k).fill(0) : start.slice()
    const total = sizeOf(shape)
    const { shape: cShape, strides: cStrides } = coalesce(shape, strides)
    const r = cShape.length
    this.len = r === 0 ? 1 : cShape[r - 1]
    this.inner = cStrides.map((s) => (r === 0 ? 0 : s[r - 1]))
    this.rows = total === 0 ? 0 : total / this.len
    this.shape = cShape.slice(0, Math.max(0, r - 1))
    this.strides = cStrides.map((s) => s.slice(0, Math.max(0, r - 1)))
    this.idx = new Array<number>(this.shape.length).fill(0)
  }

  /** Advances to the next row; after the last row the offsets are meaningless. */
  next(): void {
    const { idx, shape, strides, off } = this
    const k = off.length
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d]++
      if (idx[d] < shape[d]) {
        for (let j = 0; j < k; j++) off[j] += strides[j][d]
        return
      }
      idx[d] = 0
      for (let j = 0; j < k; j++) off[j] -= strides[j][d] * (shape[d] - 1)
    }
  }
}
