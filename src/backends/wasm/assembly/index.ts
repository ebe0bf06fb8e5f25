// The kernels compiled into puregrad's WebAssembly module. Kernels keep no state in memory and use
// no stack, so threads can share one memory (the float64 maths the elementwise kernels call keep
// scratch in wasm globals, which each thread's instance has its own of); memory below 64 KiB
// holds static data (math tables), the JS side's arena owns the rest.
export { gemm } from './gemm'
export { im2col, col2im } from './im2col'
export * from './unary'
export * from './elementwise'
export { sumInto, maxInto, demote, fillF32, argmax, cumsum } from './reduce'
export { gather, scatterAdd } from './indexing'
export { maxPoolArg, selectArg, scatterArg, avgPool, avgPoolGrad } from './pool'
export { copyRows } from './movement'
export { adam } from './adam'
