// The kernels compiled into puregrad's WebAssembly module. Memory below 4096 is reserved: the
// static data and the GEMM edge-tile scratch at offset 0. The JS side's arena owns the rest.
export { packA, packB, gemmBlock } from './gemm'
export { im2col, col2im } from './im2col'
