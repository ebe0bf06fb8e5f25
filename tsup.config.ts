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
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  // Entries must share one module graph (one backend registry), in CommonJS too.
  splitting: true,
  target: 'es2022',
})
