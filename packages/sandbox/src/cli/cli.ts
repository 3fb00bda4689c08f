/**
 * `vtcode-sandbox`: run a command in the OS sandbox under a policy, check what the policy says about a command,
 * tell which sandbox backends this machine can enforce, verify and read an audit log.
 *
 * `runSandboxCli(args, io)` does the work and returns the exit code (the bin calls it with process.argv and the real
 * streams), so it is tested in-process, and an app embeds it: `vtcode sandbox …` is this CLI with vtcode's program
 * name, the policy of the project's vtcode.toml and the audit log `vtcode exec` writes (see `CliIo`).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AuditLog } from '../audit/audit-log.ts';
import { runSandboxed } from '../backends/run-sandboxed.ts';
import { detectBackends, selectBackend } from '../backends/select-backend.ts';
import { evaluate } from '../command/evaluate.ts';
import { SandboxError, type SandboxErrorCode } from '../errors/sandbox-error.ts';
import { loadPolicyFile, parsePolicy } from '../policy/load-policy.ts';
import { BACKENDS, type SandboxBackendName, type SandboxPolicy } from '../policy/policy.ts';
import { HelpRequest, UsageError } from './usage-error.ts';

/** Exit codes of `vtcode-sandbox` and of `vtcode sandbox` (besides a command's own code, passed through by `run`). */
export const EXIT_CODES = {
  /** `check`: the policy allows the command. `doctor`: a confining backend is available. */
  ok: 0,
  /** `check`: the policy would ask. */
  ask: 1,
  /** `check`: the policy denies. */
  deny: 2,
  /** Bad usage: unknown command or option, missing argument. */
  usage: 64,
  /** The policy file is invalid (its message names the field). */
  invalidPolicy: 65,
  /** An input file (the policy, an audit log) cannot be read. */
  noInput: 66,
  /** The sandbox cannot be enforced here (fail closed): backend unavailable or helper missing. */
  unavailable: 69,
  /** The sandbox could not be set up, or another internal failure. */
  internal: 70,
  /** `run`: the command policy refused the command (deny, or ask without --yes). */
  refused: 77,
  /** `run`: the command ran past its time limit. */
  timeout: 124,
  /** `run`: interrupted (SIGINT / SIGTERM to the CLI): the command's tree was stopped. */
  interrupted: 130,
} as const;

/**
 * A policy an embedding app supplies for when no `--policy` is given (`vtcode sandbox` passes the one derived from
 * the project's vtcode.toml). Without it, the built-in defaults apply, with the workspace at the working directory.
 */
export interface CliDefaultPolicy {
  /** How the usage describes it: `--policy FILE … default: <description>`. */
  description: string;
  /**
   * The policy for a working directory (`--cwd`, else `io.cwd`); its relative paths resolve against that directory.
   * Throw a `SandboxError` to fail with its exit code (`VTCODE_SANDBOX_INVALID_POLICY`: 65, `VTCODE_SANDBOX_IO`: 66).
   */
  load(cwd: string): SandboxPolicy | Promise<SandboxPolicy>;
}

/**
 * The audit log an embedding app supplies (`vtcode sandbox`: the one `vtcode exec` writes): read by
 * `audit verify|tail` when no file is named, and appended to by `run` without `--audit` when `runLog` gives it.
 */
export interface CliDefaultAuditLog {
  /** How the usage describes it: `audit verify [log.jsonl] … default: <description>`. */
  description: string;
  /**
   * The log's path (a relative one resolves against `io.cwd`). Throw a `SandboxError` when there is none
   * (`VTCODE_SANDBOX_INVALID_ARGUMENT`: exit 64, with your message).
   */
  path(cwd: string): string | Promise<string>;
  /**
   * Where `run` without `--audit` records its decision and execution (`vtcode sandbox`: the log `vtcode exec`
   * writes), for the command's working directory; `undefined` for nowhere. A relative path resolves against
   * `io.cwd` and its directory is created. A log that cannot be opened is a warning and the command still runs, as in
   * `vtcode exec` (an explicit `--audit` log that cannot be opened fails the run with 66).
   */
  runLog?(cwd: string): string | undefined | Promise<string | undefined>;
}

/**
 * Where the CLI reads and writes, and the defaults of the program it runs in. It writes only to these streams (never
 * to `process.stdout`), so it can be embedded and tested in-process.
 */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Standard input for `run` (passed to the command when it is not a terminal). */
  stdin?: Readable & { isTTY?: boolean };
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Fires on Ctrl-C / SIGTERM: `run` then stops the command's whole tree and exits 130. */
  signal?: AbortSignal;
  /** The command as users type it, in the usage and in messages. Default `vtcode-sandbox`. */
  programName?: string;
  /** The policy when no `--policy` is given. Default: the built-in defaults (workspace = the working directory). */
  defaultPolicy?: CliDefaultPolicy;
  /** The log `audit verify|tail` read when no file is named. Default: none (the file is required). */
  defaultAuditLog?: CliDefaultAuditLog;
}

/** The program name of this CLI when `io.programName` is not given. */
export const DEFAULT_PROGRAM_NAME = 'vtcode-sandbox';

function programNameOf(io: CliIo): string {
  return io.programName?.trim() || DEFAULT_PROGRAM_NAME;
}

/** The usage text of the CLI as `io` runs it (program name and defaults). */
export function usage(io: CliIo): string {
  const program = programNameOf(io);
  const policyDefault = io.defaultPolicy?.description ?? 'the built-in defaults (workspace = --cwd)';
  const log = io.defaultAuditLog ? '[log.jsonl]' : '<log.jsonl>';
  const logDefault = io.defaultAuditLog ? `\n      default log: ${io.defaultAuditLog.description}` : '';
  const runLog = io.defaultAuditLog?.runLog ? '; default: the default log (below)' : '';
  return `usage: ${program} <command> [options]

commands:
  run [options] -- <program> [argument ...]   run a command in the OS sandbox under the policy
      --policy FILE      policy (.json or .toml); default: ${policyDefault}
      --backend NAME     ${BACKENDS.join(' | ')} (overrides the policy)
      --cwd DIR          working directory (default: the current one)
      --timeout-ms N     time limit (overrides limits.timeoutMs)
      --yes              run commands the policy would ask about (no one is there to ask)
      --json             print the result as JSON instead of streaming the output
      --audit FILE       append the decision and the execution to a hash-chained audit log (JSONL)${runLog}
  check [options] -- <program> [argument ...]  what the policy decides, and why (no command runs)
  check [options] '<shell command line>'
      --policy FILE, --cwd DIR, --json
  doctor [--policy FILE] [--cwd DIR] [--json]  which sandbox backends this machine can enforce, and why not
  audit verify ${log} [--json]           check the audit log's hash chain
  audit tail ${log} [-n N]               print the last N records (default 20)${logDefault}
  help                                        this text (also: <command> --help)

exit codes:
  run      the command's own exit code; 128+N when it was killed by signal N; 124 time limit; 130 interrupted;
           77 refused by the command policy; 69 the sandbox cannot be enforced here (fail closed);
           70 the sandbox could not be set up; 65 invalid policy; 66 unreadable policy file; 64 bad usage
  check    0 allow, 1 ask, 2 deny; 65 invalid policy; 66 unreadable policy file; 64 bad usage
  doctor   0 at least one confining backend works here, 69 none does
  audit    0 the chain verifies, 1 it does not (the first bad record is named); 66 unreadable log; 64 bad usage
`;
}

const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGSYS: 31,
};

interface ParsedOptions {
  values: Record<string, string | true>;
  rest: string[];
}

/** Options up to `--` (or the first non-option); what follows is the command, untouched. `--help` / `-h`: the usage. */
function parseOptions(args: string[], withValue: readonly string[], flags: readonly string[]): ParsedOptions {
  const values: Record<string, string | true> = {};
  let index = 0;
  for (; index < args.length; index++) {
    const argument = args[index] as string;
    if (argument === '--') {
      index++;
      break;
    }
    if (!argument.startsWith('-') || argument === '-') break;
    if (argument === '--help' || argument === '-h') throw new HelpRequest();
    const [name, inline] = argument.includes('=') ? argument.split(/=(.*)/s, 2) : [argument, undefined];
    const key = (name as string).replace(/^--?/, '');
    if (withValue.includes(key)) {
      const value = inline ?? args[++index];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      values[key] = value;
    } else if (flags.includes(key)) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      values[key] = true;
    } else {
      throw new UsageError(`unknown option ${name}`);
    }
  }
  return { values, rest: args.slice(index) };
}

async function loadPolicy(values: Record<string, string | true>, cwd: string, io: CliIo) {
  const file = typeof values.policy === 'string' ? resolve(cwd, values.policy) : undefined;
  let policy: SandboxPolicy = file
    ? await loadPolicyFile(file)
    : io.defaultPolicy
      ? await io.defaultPolicy.load(cwd)
      : parsePolicy({});
  if (typeof values.backend === 'string') {
    if (!(BACKENDS as readonly string[]).includes(values.backend))
      throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}`);
    policy = parsePolicy({ ...policy, backend: values.backend as SandboxBackendName });
  }
  return { policy, baseDirectory: file ? dirname(file) : cwd };
}

function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (!SandboxError.isInstance(error)) return EXIT_CODES.internal;
  const byCode: Partial<Record<SandboxErrorCode, number>> = {
    VTCODE_SANDBOX_INVALID_POLICY: EXIT_CODES.invalidPolicy,
    VTCODE_SANDBOX_POLICY_SYNTAX: EXIT_CODES.invalidPolicy,
    VTCODE_SANDBOX_BACKEND_UNAVAILABLE: EXIT_CODES.unavailable,
    VTCODE_SANDBOX_HELPER_MISSING: EXIT_CODES.unavailable,
    VTCODE_SANDBOX_INVALID_ARGUMENT: EXIT_CODES.usage,
    VTCODE_SANDBOX_DENIED: EXIT_CODES.refused,
    VTCODE_SANDBOX_AUDIT_CORRUPT: 1,
    VTCODE_SANDBOX_IO: EXIT_CODES.noInput,
    VTCODE_SANDBOX_ABORTED: EXIT_CODES.interrupted,
  };
  return byCode[error.code] ?? EXIT_CODES.internal;
}

function workingDirectory(values: Record<string, string | true>, io: CliIo): string {
  return resolve(io.cwd, typeof values.cwd === 'string' ? values.cwd : '.');
}

/** The app's default log for `run` (see `CliDefaultAuditLog.runLog`), or undefined. */
async function openRunLog(io: CliIo, cwd: string): Promise<AuditLog | undefined> {
  const configured = await io.defaultAuditLog?.runLog?.(cwd);
  if (configured === undefined) return undefined;
  const path = resolve(io.cwd, configured);
  try {
    await mkdir(dirname(path), { recursive: true });
    return await AuditLog.open(path);
  } catch (error) {
    io.stderr.write(
      `${programNameOf(io)}: warning: audit log ${path} cannot be opened (${(error as Error).message}); this run is not audited\n`,
    );
    return undefined;
  }
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const program = programNameOf(io);
  const { values, rest } = parseOptions(args, ['policy', 'backend', 'cwd', 'timeout-ms', 'audit'], ['yes', 'json']);
  if (rest.length === 0)
    throw new UsageError(`run needs a command: ${program} run [options] -- <program> [argument ...]`);
  const cwd = workingDirectory(values, io);
  const timeoutMs = typeof values['timeout-ms'] === 'string' ? Number(values['timeout-ms']) : undefined;
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0))
    throw new UsageError('--timeout-ms needs a positive integer');
  const { policy, baseDirectory } = await loadPolicy(values, cwd, io);

  const verdict = await evaluate(rest, policy, { cwd, baseDirectory });
  const audit =
    typeof values.audit === 'string' ? await AuditLog.open(resolve(io.cwd, values.audit)) : await openRunLog(io, cwd);
  const approvedAsk = verdict.decision === 'ask' && values.yes === true;
  await audit?.recordDecision({
    commandLine: verdict.commandLine,
    argv: [rest],
    cwd,
    decision: verdict.decision === 'ask' ? (approvedAsk ? 'allow' : 'deny') : verdict.decision,
    reason: verdict.reason,
    rule: verdict.rule.id,
    approver: verdict.decision === 'ask' ? 'cli --yes' : undefined,
    approved: verdict.decision === 'ask' ? approvedAsk : undefined,
  });
  if (verdict.decision === 'deny' || (verdict.decision === 'ask' && values.yes !== true)) {
    const hint = verdict.decision === 'ask' ? ' (the policy asks for approval: rerun with --yes to approve)' : '';
    io.stderr.write(`${program}: refused (${verdict.decision}): ${verdict.reason}${hint}\n`);
    return EXIT_CODES.refused;
  }
  const json = values.json === true;
  const stdin = io.stdin && !io.stdin.isTTY ? io.stdin : undefined;
  const result = await runSandboxed(rest, {
    policy,
    cwd,
    env: io.env,
    policyBaseDirectory: baseDirectory,
    timeoutMs,
    stdin,
    signal: io.signal,
    onOutput: json ? undefined : (chunk) => (chunk.stream === 'stdout' ? io.stdout : io.stderr).write(chunk.data),
    onEvent: audit ? (event) => void audit.recordExecution({ ...event }) : undefined,
  });
  await audit?.flush();
  stdin?.unpipe();
  if (json) io.stdout.write(`${JSON.stringify({ decision: verdict, result }, null, 2)}\n`);
  for (const warning of result.warnings) io.stderr.write(`${program}: warning: ${warning}\n`);
  if (result.outputLimitExceeded) io.stderr.write(`${program}: output limit reached: the command was stopped\n`);
  if (result.timedOut) {
    io.stderr.write(
      `${program}: time limit reached: the command was stopped after ${Math.round(result.durationMs)} ms\n`,
    );
    return EXIT_CODES.timeout;
  }
  if (result.aborted) {
    io.stderr.write(`${program}: interrupted: the command was stopped\n`);
    return EXIT_CODES.interrupted;
  }
  if (result.signal) return 128 + (SIGNAL_NUMBERS[result.signal] ?? 9);
  return result.exitCode ?? EXIT_CODES.internal;
}

async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values, rest } = parseOptions(args, ['policy', 'cwd'], ['json']);
  if (rest.length === 0)
    throw new UsageError(
      `check needs a command: ${programNameOf(io)} check -- <program> [argument ...] or check '<command line>'`,
    );
  const cwd = workingDirectory(values, io);
  const { policy, baseDirectory } = await loadPolicy(values, cwd, io);
  const commandLine = rest.length === 1 ? (rest[0] as string) : rest;
  const verdict = await evaluate(commandLine, policy, { cwd, baseDirectory });
  if (values.json === true) io.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  else io.stdout.write(`${verdict.decision}: ${verdict.reason} (rule ${verdict.rule.id})\n`);
  return verdict.decision === 'allow' ? EXIT_CODES.ok : verdict.decision === 'ask' ? EXIT_CODES.ask : EXIT_CODES.deny;
}

async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values, rest } = parseOptions(args, ['policy', 'cwd'], ['json']);
  if (rest.length > 0) throw new UsageError(`doctor takes no arguments (got "${rest[0]}")`);
  const cwd = workingDirectory(values, io);
  const { policy } = await loadPolicy(values, cwd, io);
  const statuses = detectBackends();
  let chosen: string;
  try {
    const selected = selectBackend(policy);
    chosen = `${selected.backend}${selected.layeredHelper ? ' (with the helper inside)' : ''}`;
  } catch (error) {
    chosen = `none: ${(error as Error).message}`;
  }
  const confining = statuses.some((status) => status.available && status.backend !== 'none');
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify({ backends: statuses, policyBackend: policy.backend, chosen }, null, 2)}\n`);
  } else {
    for (const status of statuses) {
      io.stdout.write(`${status.available ? 'yes' : 'no '}  ${status.backend.padEnd(12)} ${status.reason}\n`);
      if (!status.available && status.fix) io.stdout.write(`     ${''.padEnd(12)} fix: ${status.fix}\n`);
    }
    io.stdout.write(`\npolicy backend "${policy.backend}" → ${chosen}\n`);
  }
  return confining ? EXIT_CODES.ok : EXIT_CODES.unavailable;
}

/**
 * Runs the CLI with `args` (without `node` and the script) and returns the exit code (see `EXIT_CODES`). It writes
 * only to `io.stdout` / `io.stderr`; an app embedding it passes its program name and defaults in `io`.
 */
export async function runSandboxCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  const program = programNameOf(io);
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest, io);
      case 'check':
        return await checkCommand(rest, io);
      case 'doctor':
        return await doctorCommand(rest, io);
      case 'audit': {
        const { auditCommand } = await import('./audit-command.ts');
        return await auditCommand(rest, io, program);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        (command === undefined ? io.stderr : io.stdout).write(usage(io));
        return command === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof HelpRequest) {
      io.stdout.write(usage(io));
      return EXIT_CODES.ok;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${program}: ${message}\n`);
    if (error instanceof UsageError) io.stderr.write(`run \`${program} help\` for the usage\n`);
    return exitCodeFor(error);
  }
}
