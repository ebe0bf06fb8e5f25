// float32 unary kernels (AssemblyScript), one export per op (unary_exp, ...), each a loop
// specialised for its op (see elementwise.ts for why not one export switching on an op code).
//
// Results agree with the JS reference, which computes in float64 and rounds once: neg, abs, sqrt,
// floor, ceil are exact or correctly rounded in float32; sign and round copy its rules for
// zeros, NaN and halves (ties to even) bit for bit; the transcendental functions run in float64
// (musl's, in AssemblyScript's standard library) and round once, as the reference does with V8's
// float64 Math, so they differ from it by at most one float32 ulp, and only rarely.

const NEG = 0, EXP = 1, LOG = 2, SIN = 3, COS = 4, SQRT = 5, TANH = 6, ABS = 7, SIGN = 8
const FLOOR = 9, CEIL = 10, ROUND = 11, ERF = 12, LOG1P = 13, EXPM1 = 14

@inline
function isVectorUnary(op: i32): bool {
  return op == NEG || op == SQRT || op == ABS || op == SIGN || op == FLOOR || op == CEIL || op == ROUND
}

@inline
function vunary(op: i32, x: v128): v128 {
  if (op == NEG) return f32x4.neg(x)
  if (op == SQRT) return f32x4.sqrt(x)
  if (op == ABS) return f32x4.abs(x)
  if (op == FLOOR) return f32x4.floor(x)
  if (op == CEIL) return f32x4.ceil(x)
  if (op == ROUND) return f32x4.nearest(x)
  // sign: 1 or -1 for non-zero numbers, x itself for 0, -0 and NaN (Math.sign).
  const zero = f32x4.splat(0), one = f32x4.splat(1)
  return v128.bitselect(one, v128.bitselect(f32x4.neg(one), x, f32x4.lt(x, zero)), f32x4.gt(x, zero))
}

/** erf in float64, W. J. Cody's rational approximations: the JS reference's algorithm, step for step. */
function erf64(x: f64): f64 {
  if (x == 0 || x != x) return x
  const ax = Math.abs(x)
  let r: f64
  if (ax <= 0.46875) {
    const z = ax * ax
    let num = 1.85777706184603153e-1 * z
    let den = z
    num = (num + 3.16112374387056560e0) * z; den = (den + 2.36012909523441209e1) * z
    num = (num + 1.13864154151050156e2) * z; den = (den + 2.44024637934444173e2) * z
    num = (num + 3.77485237685302021e2) * z; den = (den + 1.28261652607737228e3) * z
    r = (ax * (num + 3.20937758913846947e3)) / (den + 2.84423683343917062e3)
  } else if (ax <= 4) {
    let num = 2.15311535474403846e-8 * ax
    let den = ax
    num = (num + 5.64188496988670089e-1) * ax; den = (den + 1.57449261107098347e1) * ax
    num = (num + 8.88314979438837594e0) * ax; den = (den + 1.17693950891312499e2) * ax
    num = (num + 6.61191906371416295e1) * ax; den = (den + 5.37181101862009858e2) * ax
    num = (num + 2.98635138197400131e2) * ax; den = (den + 1.62138957456669019e3) * ax
    num = (num + 8.81952221241769090e2) * ax; den = (den + 3.29079923573345963e3) * ax
    num = (num + 1.71204761263407058e3) * ax; den = (den + 4.36261909014324716e3) * ax
    num = (num + 2.05107837782607147e3) * ax; den = (den + 3.43936767414372164e3) * ax
    r = 0.5 - expNegSquare(ax) * ((num + 1.23033935479799725e3) / (den + 1.23033935480374942e3)) + 0.5
  } else if (ax < 6) {
    let t = ax
    for (let k = 40; k >= 1; k--) t = ax + (<f64>k / 2) / t
    r = 0.5 - (0.5641895835477563 * expNegSquare(ax)) / t + 0.5
  } else {
    r = 1
  }
  return x < 0 ? -r : r
}

/** e^{-x^2} with x split on a 1/16 grid so that the square of the big part is exact. */
@inline
function expNegSquare(x: f64): f64 {
  const xs = Math.trunc(x * 16) / 16
  return Math.exp(-xs * xs) * Math.exp(-(x - xs) * (x + xs))
}

@inline
function sunary(op: i32, x: f64): f64 {
  if (op == EXP) return Math.exp(x)
  if (op == LOG) return Math.log(x)
  if (op == SIN) return Math.sin(x)
  if (op == COS) return Math.cos(x)
  if (op == TANH) return Math.tanh(x)
  if (op == LOG1P) return Math.log1p(x)
  if (op == EXPM1) return Math.expm1(x)
  return erf64(x)
}

@inline
function unaryRange(op: i32, x: usize, y: usize, start: i32, end: i32): void {
  let i = start
  if (isVectorUnary(op)) {
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2
      v128.store(y + o, vunary(op, v128.load(x + o)))
    }
    for (; i < end; i++) {
      const o = <usize>i << 2
      store<f32>(y + o, f32x4.extract_lane(vunary(op, f32x4.splat(load<f32>(x + o))), 0))
    }
  } else {
    for (; i < end; i++) {
      const o = <usize>i << 2
      store<f32>(y + o, <f32>sunary(op, <f64>load<f32>(x + o)))
    }
  }
}

// y[i] = op(x[i]) for i in [start, end), one export per op.
export function unary_neg(x: usize, y: usize, start: i32, end: i32): void { unaryRange(NEG, x, y, start, end) }
export function unary_exp(x: usize, y: usize, start: i32, end: i32): void { unaryRange(EXP, x, y, start, end) }
export function unary_log(x: usize, y: usize, start: i32, end: i32): void { unaryRange(LOG, x, y, start, end) }
export function unary_sin(x: usize, y: usize, start: i32, end: i32): void { unaryRange(SIN, x, y, start, end) }
export function unary_cos(x: usize, y: usize, start: i32, end: i32): void { unaryRange(COS, x, y, start, end) }
export function unary_sqrt(x: usize, y: usize, start: i32, end: i32): void { unaryRange(SQRT, x, y, start, end) }
export function unary_tanh(x: usize, y: usize, start: i32, end: i32): void { unaryRange(TANH, x, y, start, end) }
export function unary_abs(x: usize, y: usize, start: i32, end: i32): void { unaryRange(ABS, x, y, start, end) }
export function unary_sign(x: usize, y: usize, start: i32, end: i32): void { unaryRange(SIGN, x, y, start, end) }
export function unary_floor(x: usize, y: usize, start: i32, end: i32): void { unaryRange(FLOOR, x, y, start, end) }
export function unary_ceil(x: usize, y: usize, start: i32, end: i32): void { unaryRange(CEIL, x, y, start, end) }
export function unary_round(x: usize, y: usize, start: i32, end: i32): void { unaryRange(ROUND, x, y, start, end) }
export function unary_erf(x: usize, y: usize, start: i32, end: i32): void { unaryRange(ERF, x, y, start, end) }
export function unary_log1p(x: usize, y: usize, start: i32, end: i32): void { unaryRange(LOG1P, x, y, start, end) }
export function unary_expm1(x: usize, y: usize, start: i32, end: i32): void { unaryRange(EXPM1, x, y, start, end) }
