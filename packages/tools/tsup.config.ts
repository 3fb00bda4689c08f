import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node22',
  // Chunks, so what a tool loads on first use (the web client, the HTML converter) stays out of the entry point.
  splitting: true,
});
