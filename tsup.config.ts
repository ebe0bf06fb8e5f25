import { defineConfig } from 'tsup'

// ESM + CJS + .d.ts for every public entry; subpath entries are added here as they land.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    layers: 'src/layers/index.ts',
    optim: 'src/optim/index.ts',
    laws: 'laws/index.ts',
    wasm: 'src/backends/wasm/index.ts',
    webgpu: 'src/backends/webgpu/index.ts',
    io: 'src/io/index.ts',
    'io-node': 'src/io/node.ts',
    datasets: 'src/datasets/index.ts',
    'datasets-node': 'src/datasets/node.ts',
    diagnostics: 'src/diagnostics/index.ts',
    graph: 'src/graph/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  // Entries must share one module graph (one backend registry), in CommonJS too.
  splitting: true,
  target: 'es2022',
  // The shipped digits are found next to the module (import.meta.url), in CommonJS too.
  shims: true,
})
