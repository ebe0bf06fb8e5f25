// Patch extraction for convolution as GEMM (AssemblyScript). im2col copies each output
// position's receptive field (KH x KW x Ci, zero where it falls in the padding) into one row of
// a [N*OH*OW, KH*KW*Ci] matrix; col2im is its exact transpose, adding rows back into the image.
// Geometry arrives as one i32 array (see GEO_* below) to keep the call signature short.

const N = 0, H = 1, W = 2, CI = 3, OH = 4, OW = 5, KH = 6, KW = 7
const SH = 8, SW = 9, DH = 10, DW = 11, PT = 12, PL = 13

@inline
function geo(g: usize, i: i32): i32 {
  return load<i32>(g + <usize>i * 4)
}

export function im2col(x: usize, g: usize, cols: usize): void {
  const n = geo(g, N), h = geo(g, H), w = geo(g, W), ci = geo(g, CI)
  const oh = geo(g, OH), ow = geo(g, OW), kh = geo(g, KH), kw = geo(g, KW)
  const sh = geo(g, SH), sw = geo(g, SW), dh = geo(g, DH), dw = geo(g, DW), pt = geo(g, PT), pl = geo(g, PL)
  let out = cols
  const rowBytes = <usize>ci * 4
  for (let b = 0; b < n; b++) {
    const img = x + <usize>(b * h * w * ci) * 4
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh + ky * dh - pt
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw + kx * dw - pl
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              memory.copy(out, img + <usize>((iy * w + ix) * ci) * 4, rowBytes)
            } else {
              memory.fill(out, 0, rowBytes)
            }
            out += rowBytes
          }
        }
      }
    }
  }
}

export function col2im(cols: usize, g: usize, x: usize): void {
  const n = geo(g, N), h = geo(g, H), w = geo(g, W), ci = geo(g, CI)
  const oh = geo(g, OH), ow = geo(g, OW), kh = geo(g, KH), kw = geo(g, KW)
  const sh = geo(g, SH), sw = geo(g, SW), dh = geo(g, DH), dw = geo(g, DW), pt = geo(g, PT), pl = geo(g, PL)
  memory.fill(x, 0, <usize>(n * h * w * ci) * 4)
  let src = cols
  for (let b = 0; b < n; b++) {
    const img = x + <usize>(b * h * w * ci) * 4
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh + ky * dh - pt
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw + kx * dw - pl
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
              const dst = img + <usize>((iy * w + ix) * ci) * 4
              let c = 0
              for (; c + 4 <= ci; c += 4) {
                const o = <usize>c * 4
                v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)))
              }
              for (; c < ci; c++) {
                const o = <usize>c * 4
                store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o))
              }
            }
            src += <usize>ci * 4
          }
        }
      }
    }
  }
}
