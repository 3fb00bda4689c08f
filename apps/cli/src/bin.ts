#!/usr/bin/env node
import module from 'node:module';

// Cache V8's compiled code on disk between runs (Node >= 22.1): start-up then skips most parsing and compiling.
module.enableCompileCache?.();

// No V8 flags are set here, on purpose (measured in bench/suites/exec, 2026-11-22): changing most flags at run time
// (`--no-wasm-tier-up`, `--semi-space-growth-factor`, `--max-lazy`, …) makes V8 reject Node's built-in code cache, so
// undici, http2 and crypto compile from scratch: +33 ms before the first model request, for a peak-memory saving of
// about 25 MB in a ten-step run. Start-up matters on every invocation; the memory does not, at this size.

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
