// float32 broadcasting kernels (AssemblyScript): binary ops, comparisons (bool output, one byte
// 0/1) and where. Each op has its own export (binary_add, compare_less, ..., named after the
// primitive) whose loops are specialised for it: the helpers are @inline and take the op as a
// constant. One export switching on a run-time op code would not do: Binaryen folds the per-op
// copies back into one loop that tests the op at every vector.
//
// Results agree with the JS reference, which computes in float64 and rounds once: + - * / in
// float32 are exactly that rounding; maximum/minimum copy its tie and NaN rules bit for bit; pow
// runs in float64 (musl) and rounds once, as the reference does with V8's Math.pow.
//
// Binary ops and where walk rows through the broadcast geometry of walk.ts; the innermost stride
// of an operand is 1 (contiguous) or 0 (one value for the whole row), and each combination gets
// its own SIMD loop.

import { W_LEN, wget, winner, wnext, woff, wseek } from './walk'

const ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAXIMUM = 5, MINIMUM = 6
const EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5

// ---------------------------------------------------------------------------------------------
// Binary.

/** JS's Math.pow, whose ±1 to a non-finite power is NaN where C's pow gives 1. */
@inline
function powJs(a: f64, b: f64): f64 {
  if (Math.abs(a) == 1 && !isFinite(b)) return NaN
  return Math.pow(a, b)
}

@inline
function vbinary(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b)
  if (op == SUB) return f32x4.sub(a, b)
  if (op == MUL) return f32x4.mul(a, b)
  if (op == DIV) return f32x4.div(a, b)
  // numpy's maximum/minimum as the reference writes them: a if (a > b or a is NaN), else b.
  if (op == MAXIMUM) return v128.bitselect(a, b, v128.or(f32x4.gt(a, b), f32x4.ne(a, a)))
  return v128.bitselect(a, b, v128.or(f32x4.lt(a, b), f32x4.ne(a, a)))
}

@inline
function sbinary(op: i32, a: f32, b: f32): f32 {
  if (op == POW) return <f32>powJs(<f64>a, <f64>b)
  return f32x4.extract_lane(vbinary(op, f32x4.splat(a), f32x4.splat(b)), 0)
}

// One output row per operand pattern: both contiguous, or one of them a single value for the row.
// Written out separately (not one loop specialised by constant strides): Binaryen would merge
// such copies back into one loop that tests the strides at every vector.

@inline
function binaryRowVV(op: i32, pa: usize, pb: usize, py: usize, len: i32): void {
  let j = 0
  if (op != POW) {
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2
      v128.store(py + o, vbinary(op, v128.load(pa + o), v128.load(pb + o)))
    }
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<f32>(py + o, sbinary(op, load<f32>(pa + o), load<f32>(pb + o)))
  }
}

@inline
function binaryRowVS(op: i32, pa: usize, b: f32, py: usize, len: i32): void {
  let j = 0
  if (op != POW) {
    const vb = f32x4.splat(b)
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2
      v128.store(py + o, vbinary(op, v128.load(pa + o), vb))
    }
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<f32>(py + o, sbinary(op, load<f32>(pa + o), b))
  }
}

@inline
function binaryRowSV(op: i32, a: f32, pb: usize, py: usize, len: i32): void {
  let j = 0
  if (op != POW) {
    const va = f32x4.splat(a)
    for (; j + 4 <= len; j += 4) {
      const o = <usize>j << 2
      v128.store(py + o, vbinary(op, va, v128.load(pb + o)))
    }
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<f32>(py + o, sbinary(op, a, load<f32>(pb + o)))
  }
}

@inline
function binaryRows(op: i32, a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void {
  const len = wget(g, W_LEN), sa = winner(g, 0), sb = winner(g, 1)
  const rowBytes = <usize>len << 2
  let py = y + <usize>r0 * rowBytes
  wseek(g, r0)
  for (let r = r0; r < r1; r++) {
    const pa = a + (<usize>woff(g, 0) << 2), pb = b + (<usize>woff(g, 1) << 2)
    if (sa != 0 && sb != 0) binaryRowVV(op, pa, pb, py, len)
    else if (sa != 0) binaryRowVS(op, pa, load<f32>(pb), py, len)
    else binaryRowSV(op, load<f32>(pa), pb, py, len)
    py += rowBytes
    wnext(g)
  }
}

// Output rows [r0, r1) of a broadcasting binary op, one export per op; `g` is a two-operand walk (walk.ts).
export function binary_add(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(ADD, a, b, y, g, r0, r1) }
export function binary_sub(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(SUB, a, b, y, g, r0, r1) }
export function binary_mul(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(MUL, a, b, y, g, r0, r1) }
export function binary_div(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(DIV, a, b, y, g, r0, r1) }
export function binary_pow(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(POW, a, b, y, g, r0, r1) }
export function binary_maximum(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(MAXIMUM, a, b, y, g, r0, r1) }
export function binary_minimum(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { binaryRows(MINIMUM, a, b, y, g, r0, r1) }

// ---------------------------------------------------------------------------------------------
// Comparisons: all-ones lanes become the byte 1.

@inline
function vcompare(op: i32, a: v128, b: v128): v128 {
  if (op == EQ) return f32x4.eq(a, b)
  if (op == NE) return f32x4.ne(a, b)
  if (op == LT) return f32x4.lt(a, b)
  if (op == LE) return f32x4.le(a, b)
  if (op == GT) return f32x4.gt(a, b)
  return f32x4.ge(a, b)
}

/** The low 4 bytes hold lanes 0-3 of a 32-bit mask as 0 or 1. */
@inline
function maskBytes(m: v128): i32 {
  const b = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m, m), m)
  return i32x4.extract_lane(v128.and(b, i8x16.splat(1)), 0)
}

// As for the binary rows, one loop per operand pattern.

@inline
function compareRowVV(op: i32, pa: usize, pb: usize, py: usize, len: i32): void {
  let j = 0
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 2
    store<i32>(py + <usize>j, maskBytes(vcompare(op, v128.load(pa + o), v128.load(pb + o))))
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<u8>(py + <usize>j, <u8>maskBytes(vcompare(op, f32x4.splat(load<f32>(pa + o)), f32x4.splat(load<f32>(pb + o)))))
  }
}

@inline
function compareRowVS(op: i32, pa: usize, b: f32, py: usize, len: i32): void {
  const vb = f32x4.splat(b)
  let j = 0
  for (; j + 4 <= len; j += 4) store<i32>(py + <usize>j, maskBytes(vcompare(op, v128.load(pa + (<usize>j << 2)), vb)))
  for (; j < len; j++) store<u8>(py + <usize>j, <u8>maskBytes(vcompare(op, f32x4.splat(load<f32>(pa + (<usize>j << 2))), vb)))
}

@inline
function compareRowSV(op: i32, a: f32, pb: usize, py: usize, len: i32): void {
  const va = f32x4.splat(a)
  let j = 0
  for (; j + 4 <= len; j += 4) store<i32>(py + <usize>j, maskBytes(vcompare(op, va, v128.load(pb + (<usize>j << 2)))))
  for (; j < len; j++) store<u8>(py + <usize>j, <u8>maskBytes(vcompare(op, va, f32x4.splat(load<f32>(pb + (<usize>j << 2))))))
}

@inline
function compareRows(op: i32, a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void {
  const len = wget(g, W_LEN), sa = winner(g, 0), sb = winner(g, 1)
  let py = y + <usize>r0 * <usize>len
  wseek(g, r0)
  for (let r = r0; r < r1; r++) {
    const pa = a + (<usize>woff(g, 0) << 2), pb = b + (<usize>woff(g, 1) << 2)
    if (sa != 0 && sb != 0) compareRowVV(op, pa, pb, py, len)
    else if (sa != 0) compareRowVS(op, pa, load<f32>(pb), py, len)
    else compareRowSV(op, load<f32>(pa), pb, py, len)
    py += <usize>len
    wnext(g)
  }
}

// Output rows [r0, r1) of a broadcasting comparison into bytes 0/1, one export per op.
export function compare_equal(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { compareRows(EQ, a, b, y, g, r0, r1) }
export function compare_notEqual(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { compareRows(NE, a, b, y, g, r0, r1) }
export function compare_less(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { compareRows(LT, a, b, y, g, r0, r1) }
export function compare_lessEqual(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { compareRows(LE, a, b, y, g, r0, r1) }
export function compare_greater(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { compareRows(GT, a, b, y, g, r0, r1) }
export function compare_greaterEqual(a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void { compareRows(GE, a, b, y, g, r0, r1) }

// ---------------------------------------------------------------------------------------------
// where(cond, a, b): bits are selected, never combined, so a NaN on the unpicked side stays there.

/** The selection mask of 4 condition bytes. */
@inline
function condMask(pc: usize): v128 {
  return i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(pc))), i32x4.splat(0))
}

// One loop per pattern of the two sides (row or single value); the condition is a row.

function whereRowVV(pc: usize, pa: usize, pb: usize, py: usize, len: i32): void {
  let j = 0
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 2
    v128.store(py + o, v128.bitselect(v128.load(pa + o), v128.load(pb + o), condMask(pc + <usize>j)))
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<u32>(py + o, load<u8>(pc + <usize>j) != 0 ? load<u32>(pa + o) : load<u32>(pb + o))
  }
}

function whereRowVS(pc: usize, pa: usize, b: v128, py: usize, len: i32): void {
  let j = 0
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 2
    v128.store(py + o, v128.bitselect(v128.load(pa + o), b, condMask(pc + <usize>j)))
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<u32>(py + o, load<u8>(pc + <usize>j) != 0 ? load<u32>(pa + o) : i32x4.extract_lane(b, 0))
  }
}

function whereRowSV(pc: usize, a: v128, pb: usize, py: usize, len: i32): void {
  let j = 0
  for (; j + 4 <= len; j += 4) {
    const o = <usize>j << 2
    v128.store(py + o, v128.bitselect(a, v128.load(pb + o), condMask(pc + <usize>j)))
  }
  for (; j < len; j++) {
    const o = <usize>j << 2
    store<u32>(py + o, load<u8>(pc + <usize>j) != 0 ? i32x4.extract_lane(a, 0) : load<u32>(pb + o))
  }
}

function whereRowSS(pc: usize, a: v128, b: v128, py: usize, len: i32): void {
  let j = 0
  for (; j + 4 <= len; j += 4) v128.store(py + (<usize>j << 2), v128.bitselect(a, b, condMask(pc + <usize>j)))
  for (; j < len; j++) store<i32>(py + (<usize>j << 2), i32x4.extract_lane(load<u8>(pc + <usize>j) != 0 ? a : b, 0))
}

/** Output rows [r0, r1) of where; `g` is a three-operand walk (cond, a, b). */
export function where(c: usize, a: usize, b: usize, y: usize, g: usize, r0: i32, r1: i32): void {
  const len = wget(g, W_LEN), sc = winner(g, 0), sa = winner(g, 1), sb = winner(g, 2)
  const rowBytes = <usize>len << 2
  let py = y + <usize>r0 * rowBytes
  wseek(g, r0)
  for (let r = r0; r < r1; r++) {
    const pc = c + <usize>woff(g, 0), pa = a + (<usize>woff(g, 1) << 2), pb = b + (<usize>woff(g, 2) << 2)
    if (sc == 0) {
      // One condition for the whole row: it is a copy (or a fill) of one side.
      if (load<u8>(pc) != 0) rowCopy(pa, sa, py, len)
      else rowCopy(pb, sb, py, len)
    } else if (sa != 0 && sb != 0) whereRowVV(pc, pa, pb, py, len)
    else if (sa != 0) whereRowVS(pc, pa, v128.load32_splat(pb), py, len)
    else if (sb != 0) whereRowSV(pc, v128.load32_splat(pa), pb, py, len)
    else whereRowSS(pc, v128.load32_splat(pa), v128.load32_splat(pb), py, len)
    py += rowBytes
    wnext(g)
  }
}

@inline
function rowCopy(p: usize, s: i32, py: usize, len: i32): void {
  if (s != 0) {
    memory.copy(py, p, <usize>len << 2)
  } else {
    const v = load<u32>(p)
    for (let j = 0; j < len; j++) store<u32>(py + (<usize>j << 2), v)
  }
}
