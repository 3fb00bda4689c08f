// The `vtcode-sandbox` bin: the CLI with the real process streams. See cli.ts for the commands and exit codes.
import { runSandboxCli } from './cli.ts';

// Ctrl-C or SIGTERM: stop the command's whole process tree (through the sandbox) and report, rather than die at once.
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
