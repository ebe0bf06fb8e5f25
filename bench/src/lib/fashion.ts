/**
 * Fashion-MNIST from the gzipped IDX files of the original distribution (shared data set, see
 * /work/shared/data/README.md): big-endian int32 magic 0x803 (images) or 0x801 (labels), the
 * count, rows and cols for images, then uint8 values. Pixels are scaled to [0, 1].
 */

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'

export interface Split { readonly images: Float32Array; readonly labels: Int32Array; readonly count: number; readonly pixels: number }

const readIdx = (file: string, magic: number): { dims: number[]; bytes: Uint8Array } => {
  const buf = gunzipSync(readFileSync(file))
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const m = view.getInt32(0)
  if (m !== magic) throw new Error(`${file}: IDX magic ${m.toString(16)}, expected ${magic.toString(16)}`)
  const ndim = m & 0xff
  const dims = Array.from({ length: ndim }, (_, i) => view.getInt32(4 + 4 * i))
  return { dims, bytes: buf.subarray(4 + 4 * ndim) }
}

export const loadSplit = (dir: string, split: 'train' | 't10k', limit: number): Split => {
  const img = readIdx(path.join(dir, `${split}-images-idx3-ubyte.gz`), 0x803)
  const lab = readIdx(path.join(dir, `${split}-labels-idx1-ubyte.gz`), 0x801)
  const count = Math.min(limit, img.dims[0], lab.dims[0])
  const pixels = img.dims[1] * img.dims[2]
  const images = new Float32Array(count * pixels)
  for (let i = 0; i < images.length; i++) images[i] = img.bytes[i] / 255
  return { images, labels: Int32Array.from(lab.bytes.subarray(0, count)), count, pixels }
}

/** Rows `idx` of a split as one batch. */
export const gatherBatch = (s: Split, idx: ArrayLike<number>): { x: { data: Float32Array; shape: number[] }; y: Int32Array } => {
  const x = new Float32Array(idx.length * s.pixels)
  const y = new Int32Array(idx.length)
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]
    x.set(s.images.subarray(r * s.pixels, (r + 1) * s.pixels), i * s.pixels)
    y[i] = s.labels[r]
  }
  return { x: { data: x, shape: [idx.length, s.pixels] }, y }
}
