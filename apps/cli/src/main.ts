import { parseArgs } from 'node:util';
import type { CommandIO } from './commands/command-io.ts';
import { EXIT } from './exit-codes.ts';
import { VERSION } from './version.ts';

export { VERSION };

const HELP = `vtcode — an open-source coding agent

Usage:
  vtcode exec [options] "<prompt>"     run the agent headless (prompt from stdin when omitted or "-")
  vtcode demo [--replay]               run the agent on a copy of the example project (replay when no provider)
  vtcode sessions list|show|export     recorded sessions (show <id|last>, export <id|last> --atif <file>)
  vtcode config [--json]               the effective configuration and where each value came from
  vtcode doctor                        providers and keys, sandbox backends, rg / ast-grep, Node
  vtcode atif|sandbox|skills …         the library CLIs

exec options:
  -m, --model <provider/model>   model to use (e.g. openai/gpt-5.4-mini, ollama/qwen3-coder)
      --provider <id>            provider (with --model <name>, or its default model)
  -a, --approval <mode>          untrusted | on-request | never | full-auto (default on-request)
  -s, --sandbox <mode>           read-only | workspace-write | danger-full-access (default workspace-write)
      --resume [id]              continue a session (the last one when no id); --last is the same as --resume last
      --atif <file>              write the session as an ATIF v1.7 trajectory
      --replay <file>            replay the model turns of a session (.jsonl) or trajectory (.json); tools run for real
  -C, --cwd <dir>                workspace directory (default: the current one)
      --json                     the event stream as JSONL on stdout
      --max-turns <n>            stop after n model turns
  -v, --verbose                  show command output live

Exit codes: 0 success, 1 agent failure, 2 configuration or usage error, 3 auth error, 130 cancelled.
vtcode sandbox uses vtcode-sandbox's own codes instead (e.g. run: the command's code, 77 refused by the policy,
69 no sandbox can be enforced here; check: 0 allow, 1 ask, 2 deny; 64 bad usage): see \`vtcode sandbox help\`.
`;

/** `vtcode exec --json | head -1`: a reader that goes away is not an error worth a stack trace. */
function ignoreBrokenPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

function makeIO(cwd: string): CommandIO {
  ignoreBrokenPipes();
  return {
    cwd,
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
  };
}

/** Ctrl-C once: cancel the run cleanly (exit 130). Twice: exit at once. */
function cancellation(): AbortController {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      process.stderr.write(`\nvtcode: ${signal} received, cancelling (again to exit at once)\n`);
      controller.abort(new Error(`cancelled by ${signal}`));
    } else process.exit(EXIT.cancelled);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command ? EXIT.success : EXIT.configError;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`vtcode ${VERSION}\n`);
    return EXIT.success;
  }
  // zod compiles a parser for each object schema (`new Function`) on its first parse, which pays off only after many
  // parses of the same schema; vtcode parses its configuration and each tool input a few times (measured: 7 ms sooner
  // to the first model request). The bundle holds the one copy of zod every package uses.
  const { config: configureZod } = await import('zod');
  configureZod({ jitless: true });
  const io = makeIO(process.cwd());
  if (rest.includes('--help') || rest.includes('-h')) {
    if (command === 'atif' || command === 'skills' || command === 'sandbox') {
      // the library CLIs have their own help
    } else {
      process.stdout.write(HELP);
      return EXIT.success;
    }
  }
  switch (command) {
    case 'exec':
      return execCommand(rest, io);
    case 'demo': {
      const { runDemo } = await import('./commands/demo.ts');
      return runDemo(rest, io, cancellation().signal);
    }
    case 'sessions': {
      const { runSessions } = await import('./commands/sessions.ts');
      return runSessions(rest, io);
    }
    case 'config': {
      const { runConfig } = await import('./commands/config.ts');
      return runConfig(rest, io);
    }
    case 'doctor': {
      const { runDoctor } = await import('./commands/doctor.ts');
      return runDoctor(rest, io);
    }
    case 'atif':
    case 'sandbox':
    case 'skills': {
      const { runLibraryCli } = await import('./commands/library-clis.ts');
      return runLibraryCli(command, rest, io);
    }
    default:
      process.stderr.write(`vtcode: unknown command "${command}"\n\n${HELP}`);
      return EXIT.configError;
  }
}

async function execCommand(args: string[], io: CommandIO): Promise<number> {
  let parsed: ReturnType<typeof parseExecArgs>;
  try {
    parsed = parseExecArgs(args);
  } catch (error) {
    io.stderr(`vtcode exec: ${(error as Error).message}\n`);
    return EXIT.configError;
  }
  const { values, positionals } = parsed;
  let prompt = positionals.join(' ');
  if (!prompt || prompt === '-') {
    const { readStdin } = await import('./commands/exec.ts');
    prompt = (await readStdin()).trim();
  }
  if (!prompt) {
    io.stderr('vtcode exec: no prompt: pass it as an argument or on stdin (vtcode exec "fix the failing test")\n');
    return EXIT.configError;
  }
  const maxTurns = values['max-turns'] !== undefined ? Number(values['max-turns']) : undefined;
  if (maxTurns !== undefined && (!Number.isInteger(maxTurns) || maxTurns <= 0)) {
    io.stderr(`vtcode exec: --max-turns must be a positive integer, got "${values['max-turns']}"\n`);
    return EXIT.configError;
  }
  const resume = values.last ? 'last' : values.resume === undefined ? undefined : values.resume || 'last';
  const { runExec } = await import('./commands/exec.ts');
  return runExec({
    prompt,
    cwd: values.cwd ?? io.cwd,
    json: values.json ?? false,
    ...(values.model ? { model: values.model } : {}),
    ...(values.provider ? { provider: values.provider } : {}),
    ...(values.approval ? { approval: values.approval } : {}),
    ...(values.sandbox ? { sandbox: values.sandbox } : {}),
    ...(resume ? { resume } : {}),
    ...(values.atif ? { atif: values.atif } : {}),
    ...(values.replay ? { replay: values.replay } : {}),
    ...(maxTurns ? { maxTurns } : {}),
    verbose: values.verbose ?? false,
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    color: io.color,
    signal: cancellation().signal,
  });
}

function parseExecArgs(args: string[]) {
  // `--resume` takes an optional id: a following word that looks like a session id is taken as it.
  const normalized: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--resume') {
      const next = args[index + 1];
      if (next && /^\d{8}-\d{6}(-\d{3})?-[0-9a-f]{6}$|^last$|^[0-9a-f]{6}$/.test(next)) {
        normalized.push(`--resume=${next}`);
        index++;
      } else normalized.push('--resume=');
      continue;
    }
    normalized.push(arg);
  }
  return parseArgs({
    args: normalized,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      provider: { type: 'string' },
      approval: { type: 'string', short: 'a' },
      sandbox: { type: 'string', short: 's' },
      resume: { type: 'string' },
      last: { type: 'boolean' },
      atif: { type: 'string' },
      replay: { type: 'string' },
      cwd: { type: 'string', short: 'C' },
      json: { type: 'boolean' },
      'max-turns': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
}
