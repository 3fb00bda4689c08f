// The `vtcode-sandbox` bin: the CLI with the real process streams. See cli.ts for the commands and exit codes.
import module from 'node:module';

// This process is ours: cache V8's compiled code on disk between runs (Node >= 22.1), so start-up skips most
// parsing and compiling. Set before the CLI loads.
module.enableCompileCache?.();
const { runSandboxCli } = await import('./cli.ts');

// Ctrl-C or SIGTERM: stop the command's whole tree (through the sandbox) and report, rather than die at once.
const interrupt = new AbortController();
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, () => interrupt.abort());

const code = await runSandboxCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
  signal: interrupt.signal,
});
process.exitCode = code;
// `run` may have piped our stdin into the command: let go of it so the process can end.
if (!process.stdin.isTTY) process.stdin.destroy();
