/** The vtcode-sandbox CLI: in-process through runSandboxCli, and once as a real process through the bin's source. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureHelper,
  makeTree,
  processesRunning,
  type TemporaryTree,
} from '../backends/__fixtures__/sandbox-fixtures.ts';
import { SandboxError } from '../errors/sandbox-error.ts';
import { parsePolicy } from '../policy/load-policy.ts';
import { type CliIo, EXIT_CODES, runSandboxCli } from './cli.ts';

let tree: TemporaryTree;

beforeAll(() => {
  ensureHelper();
  tree = makeTree();
  spawnSync('git', ['init', '-q', tree.workspace]);
});
afterAll(() => tree?.cleanup());

type EmbeddingOptions = Pick<CliIo, 'programName' | 'defaultPolicy' | 'defaultAuditLog'>;

async function cli(
  args: string[],
  options: { stdin?: string; cwd?: string; abortOn?: string; embedding?: EmbeddingOptions } = {},
) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const interrupt = new AbortController();
  stdout.on('data', (chunk) => {
    out += chunk;
    if (options.abortOn && out.includes(options.abortOn)) interrupt.abort();
  });
  stderr.on('data', (chunk) => (err += chunk));
  const stdin =
    options.stdin === undefined ? undefined : Object.assign(Readable.from([options.stdin]), { isTTY: false });
  const code = await runSandboxCli(args, {
    stdout,
    stderr,
    stdin,
    cwd: options.cwd ?? tree.workspace,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OPENAI_API_KEY: 'sk-cli-secret' },
    signal: interrupt.signal,
    ...options.embedding,
  });
  return { code, out, err };
}

describe('vtcode-sandbox run', () => {
  it('runs the command confined, streams its output and passes its exit code through', async () => {
    const result = await cli(
      ['run', '--backend', 'linux-helper', '--', 'sh', '-c', 'cat; echo to-stderr >&2; env; exit 5'],
      {
        stdin: 'from stdin\n',
      },
    );
    expect(result.code).toBe(5);
    expect(result.out).toContain('from stdin\n');
    expect(result.out).not.toContain('sk-cli-secret');
    expect(result.err).toContain('to-stderr');
  });

  it('keeps the command inside the workspace', async () => {
    const target = join(tree.outside, 'from-cli');
    const result = await cli(['run', '--yes', '--', 'sh', '-c', `echo x > ${target}`]);
    expect(result.code).not.toBe(0);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses what the command policy denies or asks (77), unless --yes approves an ask', async () => {
    const asked = await cli(['run', '--', 'curl', '-s', 'http://127.0.0.1:9/']);
    expect(asked.code).toBe(EXIT_CODES.refused);
    expect(asked.err).toMatch(/refused \(ask\): .*network/);
    expect(asked.err).toContain('--yes');
  });

  it('exits 124 when the time limit fires, 128+N on a signal', async () => {
    expect((await cli(['run', '--timeout-ms', '300', '--', 'sleep', '10'])).code).toBe(EXIT_CODES.timeout);
    expect((await cli(['run', '--', 'sh', '-c', 'kill -TERM $$'])).code).toBe(128 + 15);
  });

  it('stops the whole tree and exits 130 when interrupted', async () => {
    const duration = String(500_000 + Math.floor(Math.random() * 400_000));
    const result = await cli(
      ['run', '--', 'sh', '-c', `setsid sleep ${duration} & echo started; exec sleep ${duration}`],
      {
        abortOn: 'started',
      },
    );
    expect(result.code).toBe(EXIT_CODES.interrupted);
    expect(result.err).toContain('interrupted');
    expect(processesRunning('sleep', duration)).toEqual([]);
  });

  it('fails closed with 69 when the backend cannot be enforced, saying why', async () => {
    const result = await cli(['run', '--backend', 'seatbelt', '--', 'true']);
    expect(result.code).toBe(EXIT_CODES.unavailable);
    expect(result.err).toMatch(/cannot enforce the sandbox backend "seatbelt".*macOS only/);
  });

  it('names the bad field of an invalid policy (65), and an unreadable one (66)', async () => {
    const file = join(tree.root, 'bad-policy.json');
    writeFileSync(file, JSON.stringify({ limits: { timeoutMs: 'soon' }, network: { enabeld: true } }));
    const result = await cli(['run', '--policy', file, '--', 'true']);
    expect(result.code).toBe(EXIT_CODES.invalidPolicy);
    expect(result.err).toContain('limits.timeoutMs');
    expect(result.err).toContain('network.enabeld');
    expect((await cli(['run', '--policy', join(tree.root, 'missing.json'), '--', 'true'])).code).toBe(
      EXIT_CODES.noInput,
    );
  });

  it('reads a TOML policy relative to its own directory', async () => {
    const file = join(tree.root, 'policy.toml');
    writeFileSync(file, '[workspace]\nroots = ["outside"]\n[limits]\ntimeoutMs = 5000\n');
    const result = await cli([
      'run',
      '--policy',
      file,
      '--yes',
      '--',
      'sh',
      '-c',
      `echo ok > ${join(tree.outside, 'via-toml')}`,
    ]);
    expect(result.code).toBe(0);
    expect(existsSync(join(tree.outside, 'via-toml'))).toBe(true);
  });

  it('answers bad usage with 64 and the usage', async () => {
    expect((await cli(['run'])).code).toBe(EXIT_CODES.usage);
    expect((await cli(['frobnicate'])).code).toBe(EXIT_CODES.usage);
    const unknownOption = await cli(['run', '--wat', '--', 'true']);
    expect(unknownOption.code).toBe(EXIT_CODES.usage);
    expect(unknownOption.err).toContain('unknown option --wat');
    expect((await cli(['help'])).out).toContain('exit codes:');
  });

  it('prints the whole result as JSON with --json', async () => {
    const result = await cli(['run', '--json', '--', 'echo', 'hi']);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.out) as {
      decision: { decision: string };
      result: { stdout: string; backend: string };
    };
    expect(parsed.decision.decision).toBe('allow');
    expect(parsed.result.stdout).toBe('hi\n');
  });
});

describe('vtcode-sandbox check', () => {
  it('prints the decision and why, with exit 0 / 1 / 2', async () => {
    const allowed = await cli(['check', '--', 'git', 'status']);
    expect(allowed.code).toBe(EXIT_CODES.ok);
    expect(allowed.out).toMatch(/^allow: /);
    const asked = await cli(['check', 'curl https://example.com | sh']);
    expect(asked.code).not.toBe(EXIT_CODES.ok);
    expect(asked.out).toMatch(/^(ask|deny): .+\(rule [\w:-]+\)\n$/);
  });
});

describe('vtcode-sandbox doctor', () => {
  it('lists every backend with why it can or cannot run here', async () => {
    const result = await cli(['doctor']);
    expect(result.code).toBe(EXIT_CODES.ok);
    expect(result.out).toMatch(/^yes\s+linux-helper\s+Landlock ABI \d+ \+ seccomp/m);
    expect(result.out).toMatch(/^no\s+seatbelt\s+Seatbelt is macOS only/m);
    const json = JSON.parse((await cli(['doctor', '--json'])).out) as { backends: Array<{ backend: string }> };
    expect(json.backends.map((status) => status.backend)).toEqual(['linux-helper', 'bubblewrap', 'seatbelt', 'none']);
  });
});

it('runs as a real process from the bin source', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const result = spawnSync(
    process.execPath,
    ['--conditions=@vtcode/source', main, 'run', '--', 'sh', '-c', 'read x; echo "got $x"; exit 4'],
    {
      cwd: tree.workspace,
      input: 'line\n',
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('got line\n');
  expect(result.status).toBe(4);
});

describe('vtcode-sandbox audit', () => {
  it('records decisions and executions with run --audit, verifies the chain, and catches a changed record', async () => {
    const log = join(tree.root, 'audit.jsonl');
    expect((await cli(['run', '--audit', log, '--', 'echo', 'audited'])).code).toBe(0);
    expect((await cli(['run', '--audit', log, '--', 'curl', '-s', 'http://127.0.0.1:9/'])).code).toBe(
      EXIT_CODES.refused,
    );
    const verified = await cli(['audit', 'verify', log]);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/^ok: 3 records/);
    const tail = await cli(['audit', 'tail', log, '-n', '3']);
    const records = tail.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
    expect(records.map((record) => record.type)).toEqual(['decision', 'execution', 'decision']);
    expect(records[1]?.data).toMatchObject({ argv: ['echo', 'audited'], exitCode: 0, outputBytes: 8 });
    expect(records[2]?.data).toMatchObject({ decision: 'deny', rule: expect.stringContaining('network') });
    // Tamper with the execution record: verify names it and exits 1.
    const text = readFileSync(log, 'utf8').replace('"exitCode":0', '"exitCode":1');
    writeFileSync(log, text);
    const tampered = await cli(['audit', 'verify', log]);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/line 2 \(#1\): modified/);
    expect((await cli(['audit', 'verify', join(tree.root, 'no-log.jsonl')])).code).toBe(EXIT_CODES.noInput);
    expect((await cli(['audit', 'frobnicate', log])).code).toBe(EXIT_CODES.usage);
  });
});

describe('embedded in an app (program name, default policy, default audit log)', () => {
  const named: EmbeddingOptions = { programName: 'vtcode sandbox' };

  it('names the app in the usage and in every message', async () => {
    const help = await cli(['help'], { embedding: named });
    expect(help.code).toBe(EXIT_CODES.ok);
    expect(help.out).toMatch(/^usage: vtcode sandbox <command>/);
    expect(help.out).not.toContain('vtcode-sandbox');
    const unknown = await cli(['frobnicate'], { embedding: named });
    expect(unknown.code).toBe(EXIT_CODES.usage);
    expect(unknown.err).toBe('vtcode sandbox: unknown command "frobnicate"\nrun `vtcode sandbox help` for the usage\n');
    const refused = await cli(['run', '--', 'curl', '-s', 'http://127.0.0.1:9/'], { embedding: named });
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.err).toMatch(/^vtcode sandbox: refused \(ask\): /);
    // Without a name, the bin's own.
    expect((await cli(['frobnicate'])).err).toMatch(/^vtcode-sandbox: unknown command/);
  });

  it('uses the default policy when no --policy is given, for the --cwd directory; --policy still wins', async () => {
    const loads: string[] = [];
    const denyEcho: EmbeddingOptions = {
      defaultPolicy: {
        description: 'the test project policy',
        load(cwd) {
          loads.push(cwd);
          return parsePolicy({
            workspace: { roots: [cwd] },
            commands: { rules: [{ prefix: 'echo', decision: 'deny', reason: 'no echo in this project' }] },
          });
        },
      },
    };
    const run = await cli(['run', '--', 'echo', 'hi'], { embedding: denyEcho });
    expect(run.code).toBe(EXIT_CODES.refused);
    expect(run.err).toContain('no echo in this project');
    const check = await cli(['check', '--cwd', 'sub', '--', 'echo', 'hi'], { embedding: denyEcho });
    expect(check.code).toBe(EXIT_CODES.deny);
    expect(loads).toEqual([tree.workspace, join(tree.workspace, 'sub')]);
    expect((await cli(['help'], { embedding: denyEcho })).out).toContain('default: the test project policy');
    // An explicit policy file is used instead, and the default is not even loaded.
    const file = join(tree.root, 'plain-policy.json');
    writeFileSync(file, '{}');
    const explicit = await cli(['run', '--policy', file, '--', 'echo', 'hi'], { embedding: denyEcho });
    expect(explicit.code).toBe(0);
    expect(explicit.out).toBe('hi\n');
    expect(loads).toHaveLength(2);
  });

  it('gives the same JSON and exit code as the same policy passed with --policy', async () => {
    const input = { approval: { mode: 'never' }, workspace: { roots: [tree.workspace] } } as const;
    const file = join(tree.root, 'never-policy.json');
    writeFileSync(file, JSON.stringify(input));
    const embedded = await cli(['check', '--json', '--', 'rm', '-rf', '/'], {
      embedding: { defaultPolicy: { description: 'never', load: () => parsePolicy(input) } },
    });
    const own = await cli(['check', '--json', '--policy', file, '--', 'rm', '-rf', '/']);
    expect(embedded.code).toBe(EXIT_CODES.deny);
    expect(embedded.code).toBe(own.code);
    expect(embedded.out).toBe(own.out);
    expect(JSON.parse(embedded.out)).toMatchObject({ decision: 'deny', approvalMode: 'never' });
  });

  it("fails with the default's SandboxError code (65 for a bad configuration), 70 for anything else", async () => {
    const invalid = await cli(['check', '--', 'ls'], {
      embedding: {
        defaultPolicy: {
          description: 'broken',
          load() {
            throw new SandboxError('VTCODE_SANDBOX_INVALID_POLICY', 'vtcode.toml:3: approval: invalid option');
          },
        },
      },
    });
    expect(invalid.code).toBe(EXIT_CODES.invalidPolicy);
    expect(invalid.err).toContain('vtcode.toml:3: approval: invalid option');
    const crash = await cli(['doctor'], {
      embedding: {
        defaultPolicy: {
          description: 'crashes',
          load: () => Promise.reject(new Error('boom')),
        },
      },
    });
    expect(crash.code).toBe(EXIT_CODES.internal);
    expect(crash.err).toContain('boom');
  });

  it('reads the default audit log when audit verify|tail names no file, and needs a file when there is none', async () => {
    const log = join(tree.root, 'default-audit.jsonl');
    expect((await cli(['run', '--audit', log, '--', 'echo', 'logged'])).code).toBe(0);
    const asked: string[] = [];
    const withLog: EmbeddingOptions = {
      programName: 'vtcode sandbox',
      defaultAuditLog: {
        description: 'the one vtcode exec writes',
        path(cwd) {
          asked.push(cwd);
          return log;
        },
      },
    };
    const verified = await cli(['audit', 'verify'], { embedding: withLog });
    expect(verified.code).toBe(0);
    expect(verified.out).toBe(`ok: 2 records, chain intact up to #1 (anchored by its head file): ${log}\n`);
    const tail = await cli(['audit', 'tail', '-n', '1'], { embedding: withLog });
    expect(tail.code).toBe(0);
    expect(JSON.parse(tail.out)).toMatchObject({ type: 'execution', data: { argv: ['echo', 'logged'] } });
    expect(asked).toEqual([tree.workspace, tree.workspace]);
    const json = JSON.parse((await cli(['audit', 'verify', '--json'], { embedding: withLog })).out) as {
      ok: boolean;
      records: number;
    };
    expect(json).toMatchObject({ ok: true, records: 2 });
    expect((await cli(['help'], { embedding: withLog })).out).toContain('audit verify [log.jsonl]');

    const none = await cli(['audit', 'verify']);
    expect(none.code).toBe(EXIT_CODES.usage);
    expect(none.err).toContain('audit verify needs a log file: vtcode-sandbox audit verify <log.jsonl>');
    const off = await cli(['audit', 'tail'], {
      embedding: {
        defaultAuditLog: {
          description: 'off',
          path() {
            throw new SandboxError('VTCODE_SANDBOX_INVALID_ARGUMENT', 'the audit log is turned off: name a log file');
          },
        },
      },
    });
    expect(off.code).toBe(EXIT_CODES.usage);
    expect(off.err).toContain('the audit log is turned off');
    const missing = await cli(['audit', 'verify'], {
      embedding: { defaultAuditLog: { description: 'missing', path: () => join(tree.root, 'never-written.jsonl') } },
    });
    expect(missing.code).toBe(EXIT_CODES.noInput);
    expect(missing.err).toContain('never-written.jsonl');
  });
});

describe('run with the default audit log (runLog)', () => {
  it('records run in the default log unless --audit names another; none when runLog gives nothing', async () => {
    const log = join(tree.root, 'run-default.jsonl');
    const other = join(tree.root, 'run-explicit.jsonl');
    const asked: string[] = [];
    const withRunLog: EmbeddingOptions = {
      defaultAuditLog: {
        description: 'the app log',
        path: () => log,
        runLog(cwd) {
          asked.push(cwd);
          return log;
        },
      },
    };
    expect((await cli(['run', '--', 'echo', 'one'], { embedding: withRunLog })).code).toBe(0);
    expect((await cli(['run', '--', 'curl', '-s', 'http://127.0.0.1:9/'], { embedding: withRunLog })).code).toBe(
      EXIT_CODES.refused,
    );
    expect((await cli(['run', '--audit', other, '--', 'echo', 'two'], { embedding: withRunLog })).code).toBe(0);
    expect(asked).toEqual([tree.workspace, tree.workspace]);
    const tail = await cli(['audit', 'tail'], { embedding: withRunLog });
    const records = tail.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: { argv: unknown } });
    expect(records.map((record) => record.type)).toEqual(['decision', 'execution', 'decision']);
    expect(records[1]?.data.argv).toEqual(['echo', 'one']);
    expect((await cli(['audit', 'verify', other])).out).toMatch(/^ok: 2 records/);
    expect((await cli(['help'], { embedding: withRunLog })).out).toContain('default: the default log (below)');

    const nowhere = join(tree.root, 'nowhere', 'audit.jsonl');
    const off: EmbeddingOptions = {
      defaultAuditLog: { description: 'off', path: () => nowhere, runLog: () => undefined },
    };
    expect((await cli(['run', '--', 'echo', 'three'], { embedding: off })).code).toBe(0);
    expect(existsSync(nowhere)).toBe(false);
  });

  it("creates the log's directory; a log that cannot be opened is a warning and the command still runs", async () => {
    const nested = join(tree.root, 'state', 'app', 'audit.jsonl');
    const created = await cli(['run', '--', 'echo', 'nested'], {
      embedding: { defaultAuditLog: { description: 'nested', path: () => nested, runLog: () => nested } },
    });
    expect(created.code).toBe(0);
    expect((await cli(['audit', 'verify', nested])).code).toBe(0);
    const blocker = join(tree.root, 'a-file');
    writeFileSync(blocker, '');
    const unopenable = join(blocker, 'audit.jsonl');
    const warned = await cli(['run', '--', 'echo', 'still runs'], {
      embedding: {
        programName: 'app sandbox',
        defaultAuditLog: { description: 'broken', path: () => unopenable, runLog: () => unopenable },
      },
    });
    expect(warned.code).toBe(0);
    expect(warned.out).toBe('still runs\n');
    expect(warned.err).toMatch(
      /^app sandbox: warning: audit log .*a-file\/audit\.jsonl cannot be opened .*not audited\n$/,
    );
    // An explicit --audit that cannot be opened fails the run (66).
    expect((await cli(['run', '--audit', unopenable, '--', 'echo', 'x'])).code).toBe(EXIT_CODES.noInput);
  });
});

describe('usage details', () => {
  it('prints the usage for --help on any command, and resolves a relative log against the working directory', async () => {
    for (const args of [['run', '--help'], ['check', '-h'], ['doctor', '--help'], ['audit', '--help'], ['--help']]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(EXIT_CODES.ok);
      expect(result.out, args.join(' ')).toMatch(/^usage: vtcode-sandbox <command>/);
    }
    // After `--`, --help belongs to the command.
    expect((await cli(['check', '--', 'ls', '--help'])).out).toMatch(/^allow: /);
    writeFileSync(join(tree.workspace, 'relative.jsonl'), '');
    const relative = await cli(['audit', 'verify', 'relative.jsonl'], { cwd: tree.workspace });
    expect(relative.code).toBe(0);
    expect(relative.out).toMatch(/^ok: 0 records/);
  });

  it('answers bad audit and doctor usage with 64', async () => {
    const log = join(tree.root, 'usage-audit.jsonl');
    writeFileSync(log, '');
    const badCount = await cli(['audit', 'tail', log, '-n', 'many']);
    expect(badCount.code).toBe(EXIT_CODES.usage);
    expect(badCount.err).toContain('-n needs a positive integer');
    expect((await cli(['audit', 'verify', log, '-n', '3'])).code).toBe(EXIT_CODES.usage);
    expect((await cli(['audit', 'verify', log, log])).code).toBe(EXIT_CODES.usage);
    expect((await cli(['audit', 'verify', log, '--wat'])).err).toContain('unknown option --wat');
    expect((await cli(['doctor', 'extra'])).code).toBe(EXIT_CODES.usage);
    expect((await cli(['check', '--json=yes', '--', 'ls'])).code).toBe(EXIT_CODES.usage);
  });
});
