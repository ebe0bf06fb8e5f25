// The kernels compiled into puregrad's WebAssembly module. Kernels keep no globals and use no
// stack, so threads can share one memory; memory below 4096 holds static data, the JS side's
// arena owns the rest.
export { gemm } from './gemm'
export { im2col, col2im } from './im2col'
