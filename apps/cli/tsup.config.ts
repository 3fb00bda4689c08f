import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, '..', '..', 'packages');

// Packages that find files of their own at run time (native addons, wasm, binaries) or are loaded only on demand
// (the Anthropic and Google SDKs): they stay external, as dependencies of this package. Everything else — the app, the engine,
// the @vtcode libraries, zod, the OpenAI SDK (a lazily loaded chunk) — is bundled into `dist/`, so start-up reads a few files instead of hundreds.
const external = [
  '@anthropic-ai/sdk',
  '@google/genai',
  /^@ast-grep\//,
  '@lydell/node-pty',
  '@vscode/ripgrep',
  '@xterm/headless',
  'ghostty-web',
  'tree-sitter-bash',
  'web-tree-sitter',
  'yaml',
];

// zod's translations of its error messages (`z.locales`, 48% of the bundled zod) are never used: vtcode's messages are
// English. Bundling only `en` (zod's default) saves parsing and memory at every start.
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer)
        ? { path: resolve(args.resolveDir, args.path), namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from './en.js';\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

export default defineConfig({
  entry: { vtcode: 'src/bin.ts' },
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  splitting: true,
  target: 'node22',
  platform: 'node',
  noExternal: [/^@vtcode\//, 'zod', 'smol-toml', 'diff', 'html-to-text', 'openai'],
  external,
  // Some bundled CommonJS code calls require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __vtcodeCreateRequire } from 'node:module';\nconst require = __vtcodeCreateRequire(import.meta.url);",
  },
  esbuildPlugins: [zodEnglishOnly],
  esbuildOptions(options) {
    options.conditions = ['@vtcode/source', ...(options.conditions ?? [])];
  },
  async onSuccess() {
    // The embedded Agent Skills: @vtcode/skills looks for them in `../skills` next to its code, i.e. here.
    rmSync(join(here, 'skills'), { recursive: true, force: true });
    cpSync(join(packages, 'skills', 'skills'), join(here, 'skills'), { recursive: true });
    // The sandbox helper (source and the binary @vtcode/sandbox's build compiled): it is looked for in ../helper.
    const helper = join(packages, 'sandbox', 'helper');
    rmSync(join(here, 'helper'), { recursive: true, force: true });
    if (existsSync(helper)) {
      mkdirSync(join(here, 'helper'), { recursive: true });
      cpSync(helper, join(here, 'helper'), { recursive: true });
    }
  },
});
