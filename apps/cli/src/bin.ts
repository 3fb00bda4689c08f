#!/usr/bin/env node
import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

// Cache V8's compiled code on disk between runs (Node >= 22.1): start-up then skips most parsing and compiling.
module.enableCompileCache?.();

// V8 settings for a short-lived agent process, set before any of the app loads (measured in bench/suites/exec:
// ten-step peak RSS 123 → 96 MB, no change in start-up or per-step time):
// - WebAssembly (the bash grammar of the command policy) stays on the baseline compiler (Liftoff): tiering up to the
//   optimizing compiler cost 12 MB of code for a parser that reads a few short command lines. (`--liftoff-only`
//   does not take effect when set at run time, so the flags it implies are named.)
// - a small young generation that does not grow: the engine's garbage is short-lived events and stream chunks.
// `vtcode` is a process of its own, so it may set these; the libraries never touch their host's heap.
const V8_FLAGS = [
  '--no-wasm-tier-up',
  '--no-wasm-dynamic-tiering',
  '--max-semi-space-size=1',
  '--semi-space-growth-factor=1',
];
for (const flag of V8_FLAGS) setFlagsFromString(flag);

const { main } = await import('./main.ts');
const { EXIT } = await import('./exit-codes.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `vtcode: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.agentFailure;
  },
);
