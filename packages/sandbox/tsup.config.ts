import { existsSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

const binEntry = 'src/cli/main.ts';

// The library: the main entry and `@vtcode/sandbox/cli` (runSandboxCli, for apps that embed the CLI).
const library: Options = {
  entry: { index: 'src/index.ts', cli: 'src/cli/cli.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  platform: 'node',
};

// The `vtcode-sandbox` bin: the only file with a shebang.
const bin: Options = {
  entry: { 'vtcode-sandbox': binEntry },
  format: ['esm'],
  dts: false,
  clean: false,
  sourcemap: true,
  target: 'node22',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
};

export default defineConfig(existsSync(binEntry) ? [library, bin] : [library]);
