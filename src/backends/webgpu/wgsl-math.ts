/**
 * WGSL source shared by the webgpu kernels: the thread-index prologue, NaN/infinity tests done on
 * the bits, and float32 maths written out in full instead of WGSL's builtins.
 *
 * Why not the builtins: WGSL only promises e.g. 2^-11 absolute error for sin/cos and leaves
 * log(x < 0) undefined, and the software drivers CI runs on differ (measured: SwiftShader's sin is
 * off by 3% at 1e5, its exp(NaN) is +Inf and log(-13.7) is 2.6; both drivers fold `x != x` to
 * false, so NaN can only be detected from the bits). The versions here (fdlibm / Cephes
 * polynomials after Cody-Waite reduction) match the JS reference to a few float32 ulps with
 * numpy's special values on every driver.
 */

/** Workgroup size of every 1-D kernel. */
export const WG = 64

/**
 * Binding 0 of every kernel: the small per-dispatch parameter block (shapes, strides, flags), the
 * thread count first. `tid` flattens a 2-D grid of workgroups (see Runtime.grid).
 */
export const PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> pm: array<u32>;
var<private> ZERO_U: u32 = 0u;
fn tid(g: vec3u, n: vec3u) -> u32 { return g.x + g.y * n.x * ${WG}u; }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn nan_f() -> f32 { return bitcast<f32>(0x7fc00000u | ZERO_U); }
fn inf_f() -> f32 { return bitcast<f32>(0x7f800000u | ZERO_U); }
fn pm_f(i: u32) -> f32 { return bitcast<f32>(pm[i]); }
`

/**
 * Largest meta window a dispatch binds, in words. Each dispatch binds the smallest window that
 * holds its parameters and the 8 place words (a multiple of the device's offset alignment, 256
 * bytes on the drivers here), so most kernels upload 256 bytes per dispatch, not 1 KiB: the
 * queued uploads are what a loop that never yields piles up (see runtime.ts).
 */
export const META_WORDS = 256
/**
 * The last PLACE_WORDS words of a kernel's window say where its operands live:
 * pl + 2k / pl + 2k + 1 are the chunk slot and word offset of input k (k < 3), k = 3 the output,
 * with pl = arrayLength(&pm) - PLACE_WORDS (the window's size varies by dispatch).
 */
export const PLACE_WORDS = 8

/**
 * Accessors for a kernel's operands, which live in `chunks` large storage buffers (each bound
 * once: WebGPU forbids binding one buffer twice when either binding is writable): `x0(i)`..`x2(i)`
 * read input k's element i as its WGSL type, `sty(i, v)` writes the output. Values are stored as
 * 32-bit words and bitcast, so the same chunk holds float32, int32 and bool (u32) tensors.
 */
export const io = (inputs: readonly string[], out: string, chunks: number): string => {
  const bindings = Array.from({ length: chunks }, (_, c) => `@group(0) @binding(${c + 1}) var<storage, read_write> c${c}: array<u32>;`)
  const pick = (body: (c: number) => string): string => chunks === 1 ? body(0)
    : `switch s { ${Array.from({ length: chunks }, (_, c) => `${c === chunks - 1 ? 'default' : `case ${c}u`}: { ${body(c)} }`).join(' ')} }`
  const cast = (t: string, e: string): string => (t === 'u32' ? e : `bitcast<${t}>(${e})`)
  return `${bindings.join('\n')}
fn ld(k: u32, i: u32) -> u32 {
  let pl = arrayLength(&pm) - ${PLACE_WORDS}u;
  let s = pm[pl + 2u * k];
  let o = pm[pl + 1u + 2u * k] + i;
  ${pick((c) => `return c${c}[o];`)}
}
fn st(i: u32, v: u32) {
  let pl = arrayLength(&pm) - ${PLACE_WORDS}u;
  let s = pm[pl + 6u];
  let o = pm[pl + 7u] + i;
  ${pick((c) => `c${c}[o] = v;`)}
}
${inputs.map((t, k) => `fn x${k}(i: u32) -> ${t} { return ${cast(t, `ld(${k}u, i)`)}; }`).join('\n')}
fn sty(i: u32, v: ${out}) { st(i, bitcast<u32>(v)); }
`
}

/** Entry-point signature of a 1-D kernel; the body starts with `let i = ...` bounds-checked against pm[0]. */
export const MAIN_1D = /* wgsl */ `
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = tid(gid, nwg);
  if (i >= pm[0]) { return; }`

export const MATH = /* wgsl */ `
fn scale2(x: f32, k: i32) -> f32 {
  // Two steps so that 2^k itself never overflows or underflows when x * 2^k does not.
  let h = k / 2;
  return ldexp(ldexp(x, h), k - h);
}
fn m_exp(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.72284) { return inf_f(); }
  if (x < -103.97208) { return 0.0; }
  let k = round(x * 1.44269504);
  let r = (x - k * 0.693359375) - k * -2.12194440e-4;
  let z = r * r;
  let p = ((((((1.9875691500e-4 * r + 1.3981999507e-3) * r + 8.3334519073e-3) * r + 4.1665795894e-2) * r
    + 1.6666665459e-1) * r + 5.0000001201e-1) * z + r) + 1.0;
  return scale2(p, i32(k));
}
// log(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1] (fdlibm's core, no cancellation near 0).
fn log1p_core(f: f32) -> f32 {
  let s = f / (2.0 + f);
  let z = s * s;
  let w = z * z;
  let t1 = w * (0.40000972152 + w * 0.24279078841);
  let t2 = z * (0.66666662693 + w * 0.28498786688);
  let hfsq = 0.5 * f * f;
  return f - (hfsq - s * (hfsq + t1 + t2));
}
fn m_log(x0: f32) -> f32 {
  if (is_nan(x0)) { return x0; }
  if (x0 < 0.0) { return nan_f(); }
  if (x0 == 0.0) { return -inf_f(); }
  if (is_inf(x0)) { return x0; }
  var x = x0;
  var e = 0;
  if (bitcast<u32>(x) < 0x00800000u) { x = x * 8388608.0; e = -23; }
  let b = bitcast<u32>(x);
  e = e + i32(b >> 23u) - 127;
  var m = bitcast<f32>((b & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421356) { m = m * 0.5; e = e + 1; }
  let k = f32(e);
  return k * 0.693359375 + (log1p_core(m - 1.0) + k * -2.12194440e-4);
}
fn m_log1p(x: f32) -> f32 {
  if (x > -0.29289 && x < 0.41421) { return log1p_core(x); }
  return m_log(1.0 + x);
}
fn m_expm1(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    var p = 1.0 + x / 10.0;
    p = 1.0 + x / 9.0 * p; p = 1.0 + x / 8.0 * p; p = 1.0 + x / 7.0 * p; p = 1.0 + x / 6.0 * p;
    p = 1.0 + x / 5.0 * p; p = 1.0 + x / 4.0 * p; p = 1.0 + x / 3.0 * p; p = 1.0 + x / 2.0 * p;
    return x * p;
  }
  return m_exp(x) - 1.0;
}
fn m_tanh(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  var t = 1.0;
  if (a < 9.1) { let e = m_expm1(-2.0 * a); t = -e / (2.0 + e); }
  return select(t, -t, x < 0.0);
}
// sin(r) and cos(r) for |r| <= pi/4 (Cephes sinf/cosf polynomials).
fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
}
fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
}
// sin(x + q * pi/2): x reduced by multiples of pi/2 in three exact-product parts (good to |x| ~ 1e5).
fn sin_quadrant(x: f32, q: i32) -> f32 {
  if (is_nan(x) || is_inf(x)) { return nan_f(); }
  let k = round(x * 0.636619772);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
  let j = (i32(k) + q) & 3;
  if (j == 0) { return sin_poly(r); }
  if (j == 1) { return cos_poly(r); }
  if (j == 2) { return -sin_poly(r); }
  return -cos_poly(r);
}
fn m_sin(x: f32) -> f32 { return sin_quadrant(x, 0); }
fn m_cos(x: f32) -> f32 { return sin_quadrant(x, 1); }
fn m_sqrt(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f(); }
  return sqrt(x);
}
fn m_sign(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0);
}
fn m_erf(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 0.5) {
    // Maclaurin series 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)), n <= 7.
    let z = x * x;
    let s = 1.0 - z * (1.0 / 3.0 - z * (1.0 / 10.0 - z * (1.0 / 42.0 - z * (1.0 / 216.0 - z * (1.0 / 1320.0
      - z * (1.0 / 9360.0 - z * (1.0 / 75600.0)))))));
    return 1.1283791671 * x * s;
  }
  // erfc with fractional error < 1.2e-7 (Numerical Recipes' erfcc), so 1 - erfc is within float32 rounding.
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = 1.0 - t * m_exp(p);
  return select(r, -r, x < 0.0);
}
fn is_odd_int(y: f32) -> bool {
  return !is_inf(y) && abs(y) < 16777216.0 && floor(y) == y && floor(y * 0.5) != y * 0.5;
}
// JavaScript's Math.pow, special values included (1 ** NaN and 1 ** Infinity are NaN there).
fn m_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan_f(); }
  let neg = (bitcast<u32>(x) & 0x80000000u) != 0u;
  let odd = neg && is_odd_int(y);
  if (is_inf(x)) {
    let r = select(0.0, inf_f(), y > 0.0);
    return select(r, -r, odd);
  }
  if (neg && x != 0.0 && !is_inf(y) && floor(y) != y) { return nan_f(); }
  let r = m_exp(y * m_log(abs(x)));
  return select(r, -r, odd);
}
`
