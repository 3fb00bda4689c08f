import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeServer } from '@vtcode/providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CliResult,
  collect,
  createTestHome,
  fakeProviderConfig,
  processesMatching,
  repoRoot,
  runCli,
  spawnCli,
  type TestHome,
  waitFor,
} from './cli-harness.ts';

let home: TestHome;
beforeEach(() => {
  home = createTestHome();
});
afterEach(() => home.cleanup());

/** @vtcode/sandbox's own `vtcode-sandbox` bin, from source like the vtcode under test. */
function runSandboxBin(args: string[], options: { cwd: string; env: Record<string, string> }): Promise<CliResult> {
  const main = join(repoRoot, 'packages', 'sandbox', 'src', 'cli', 'main.ts');
  const child = spawn(process.execPath, ['--conditions=@vtcode/source', '--no-warnings', main, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collect(child);
}

describe('vtcode sandbox is vtcode-sandbox with the project defaults', () => {
  it('run confines a command to the workspace and passes its exit code and stdin; check explains a decision', async () => {
    const options = { cwd: home.workspace, env: home.env };
    const outside = join(home.root, 'escape.txt');
    const script = `echo inside > made.txt; echo escape > ${outside}; exit 3`;
    // The command policy asks about a write outside the workspace: refused (77) unless --yes approves it…
    const refused = await runCli(['sandbox', 'run', '--', 'sh', '-c', script], options);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toMatch(/^vtcode sandbox: refused \(ask\): .*outside the workspace.*--yes/);
    expect(existsSync(join(home.workspace, 'made.txt'))).toBe(false);
    // …and once approved, the OS sandbox still keeps the write inside.
    const run = await runCli(['sandbox', 'run', '--yes', '--', 'sh', '-c', script], options);
    expect(run.code).toBe(3);
    expect(existsSync(join(home.workspace, 'made.txt'))).toBe(true);
    expect(existsSync(outside)).toBe(false);
    expect(run.stderr).toMatch(/Read-only file system/);

    const piped = await runCli(['sandbox', 'run', '--', 'sh', '-c', 'read line; echo "got $line"'], {
      ...options,
      input: 'from stdin\n',
    });
    expect(piped).toMatchObject({ code: 0, stdout: 'got from stdin\n', stderr: '' });

    const check = await runCli(['sandbox', 'check', '--', 'sudo', 'ls'], options);
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(/^deny: sudo .*\(rule builtin:privilege-escalation\)\n$/);
  });

  it('check --json gives the same JSON and exit code as vtcode-sandbox with the same policy', async () => {
    const options = { cwd: home.workspace, env: home.env };
    const command = ['check', '--json', '--', 'rm', '-rf', '/'];
    // The policy vtcode derives from an empty configuration, written out for vtcode-sandbox.
    const policyFile = join(home.root, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ workspace: { roots: [home.workspace] } }));
    const embedded = await runCli(['sandbox', ...command], options);
    const own = await runSandboxBin(['check', '--json', '--policy', policyFile, '--', 'rm', '-rf', '/'], options);
    expect(embedded.code).toBe(1);
    expect(JSON.parse(embedded.stdout)).toMatchObject({
      decision: 'ask',
      rule: { id: 'builtin:path-outside-workspace' },
    });
    expect(embedded).toEqual(own);

    // The same policy file given to both.
    const bothWithFile = await runCli(
      ['sandbox', 'check', '--json', '--policy', policyFile, '--', 'rm', '-rf', '/'],
      options,
    );
    expect(bothWithFile).toEqual(own);

    // The project's vtcode.toml changes the decision: approval "never" denies what would be asked.
    home.writeProjectConfig('approval = "never"\n');
    writeFileSync(policyFile, JSON.stringify({ workspace: { roots: [home.workspace] }, approval: { mode: 'never' } }));
    const never = await runCli(['sandbox', ...command], options);
    expect(never.code).toBe(2);
    expect(JSON.parse(never.stdout)).toMatchObject({ decision: 'deny', approvalMode: 'never' });
    expect(never).toEqual(
      await runSandboxBin(['check', '--json', '--policy', policyFile, '--', 'rm', '-rf', '/'], options),
    );
  });

  it("run honours the project's vtcode.toml: what it makes the policy refuse exits 77", async () => {
    const options = { cwd: home.workspace, env: home.env };
    const write = ['sandbox', 'run', '--', 'sh', '-c', 'echo hi > note.txt'];
    expect((await runCli(write, options)).code).toBe(0);
    home.writeProjectConfig('approval = "untrusted"\n');
    const refused = await runCli(write, options);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('approval mode "untrusted" asks for anything not known safe');
    // A project config may not loosen security: its network setting is ignored, and vtcode says so.
    home.writeProjectConfig('approval = "never"\n[sandbox_policy]\nnetwork = true\n');
    const curl = await runCli(['sandbox', 'run', '--', 'curl', '-s', 'http://127.0.0.1:9/'], options);
    expect(curl.code).toBe(77);
    expect(curl.stderr.split('sandbox_policy.network ignored')).toHaveLength(2); // said once
    expect(curl.stderr).toMatch(/refused \(deny\): .*network/);
    // sandbox = "read-only": a write the policy sees is refused, one it cannot see fails in the OS sandbox.
    home.writeProjectConfig('sandbox = "read-only"\n');
    const readOnly = await runCli(['sandbox', 'run', '--', 'sh', '-c', 'echo again > note.txt'], options);
    expect(readOnly.code).toBe(77);
    expect(readOnly.stderr).toContain('a protected path');
    const hidden = await runCli(
      ['sandbox', 'run', '--yes', '--', 'sh', '-c', 'echo again > "$(echo note.txt)"'],
      options,
    );
    expect(hidden.code).not.toBe(0);
    expect(hidden.stderr).toContain('Read-only file system');
    expect(readFileSync(join(home.workspace, 'note.txt'), 'utf8')).toBe('hi\n');
    expect((await runCli(['sandbox', 'run', '--', 'cat', 'note.txt'], options)).stdout).toBe('hi\n');
    // A broken vtcode.toml fails like an invalid policy (65), naming the file and the key.
    home.writeProjectConfig('approval = "sometimes"\n');
    const broken = await runCli(['sandbox', 'check', '--', 'ls'], options);
    expect(broken.code).toBe(65);
    expect(broken.stderr).toMatch(/vtcode\.toml:1: approval/);
  });

  it('audit verify with no file verifies the log vtcode exec wrote, and catches a changed record', async () => {
    const server = await createFakeServer();
    try {
      home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: server.openaiBaseURL }]));
      server.enqueue(
        {
          content: [{ type: 'tool-call', id: 'call_shell', name: 'shell', arguments: { command: 'echo audited' } }],
          usage: { inputTokens: 100, outputTokens: 10 },
        },
        { content: [{ type: 'text', text: 'Done.' }], usage: { inputTokens: 120, outputTokens: 5 } },
      );
      const exec = await runCli(['exec', 'say something'], { cwd: home.workspace, env: home.env });
      expect(exec.code).toBe(0);
    } finally {
      await server.close();
    }
    const log = join(home.env.XDG_STATE_HOME as string, 'vtcode', 'audit.jsonl');
    const options = { cwd: home.workspace, env: home.env };
    const verified = await runCli(['sandbox', 'audit', 'verify'], options);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`^ok: \\d+ records, chain intact .*: ${log}\\n$`));
    const tail = await runCli(['sandbox', 'audit', 'tail', '-n', '5'], options);
    expect(tail.code).toBe(0);
    const records = tail.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
    expect(records).toContainEqual(
      expect.objectContaining({ type: 'execution', data: expect.objectContaining({ exitCode: 0 }) }),
    );
    // The same command as vtcode-sandbox, with the file named, says the same.
    const own = await runSandboxBin(['audit', 'verify', log], options);
    expect(own.code).toBe(0);
    expect(verified.stdout.startsWith(own.stdout.trimEnd())).toBe(true);

    // vtcode sandbox run appends to the same log (a decision and an execution), and the chain still holds.
    const recordCount = Number(/^ok: (\d+) records/.exec(verified.stdout)?.[1]);
    expect((await runCli(['sandbox', 'run', '--', 'echo', 'by hand'], options)).code).toBe(0);
    const after = await runCli(['sandbox', 'audit', 'verify'], options);
    expect(after.stdout).toMatch(new RegExp(`^ok: ${recordCount + 2} records`));
    const last = JSON.parse((await runCli(['sandbox', 'audit', 'tail', '-n', '1'], options)).stdout) as {
      data: { argv: string[] };
    };
    expect(last.data.argv).toEqual(['echo', 'by hand']);

    writeFileSync(log, readFileSync(log, 'utf8').replace('"exitCode":0', '"exitCode":7'));
    const tampered = await runCli(['sandbox', 'audit', 'verify'], options);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^FAILED: .*\n {2}line \d+ \(#\d+\): modified/);
  });

  it('run and audit use the log sandbox_policy.audit_log names; turned off, run records nothing and audit needs a file', async () => {
    const options = { cwd: home.workspace, env: home.env };
    const custom = join(home.root, 'custom-audit.jsonl');
    home.writeUserConfig(`[sandbox_policy]\naudit_log = "${custom}"\n`);
    expect((await runCli(['sandbox', 'run', '--', 'echo', 'x'], options)).code).toBe(0);
    const verified = await runCli(['sandbox', 'audit', 'verify', '--json'], options);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, records: 2 });
    // No log yet where the default points: 66, naming the file.
    home.writeUserConfig('');
    const missing = await runCli(['sandbox', 'audit', 'verify'], options);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toContain(join(home.env.XDG_STATE_HOME as string, 'vtcode', 'audit.jsonl'));
    // Turned off: run records nothing, and audit needs a file.
    home.writeUserConfig('[sandbox_policy]\naudit_log = false\n');
    expect((await runCli(['sandbox', 'run', '--', 'echo', 'x'], options)).code).toBe(0);
    expect(existsSync(join(home.env.XDG_STATE_HOME as string, 'vtcode', 'audit.jsonl'))).toBe(false);
    const off = await runCli(['sandbox', 'audit', 'tail'], options);
    expect(off.code).toBe(64);
    expect(off.stderr).toContain('the audit log is turned off (sandbox_policy.audit_log = false)');
  });

  it('help names vtcode sandbox; bad usage exits 64; Ctrl-C during run stops the command tree and exits 130', async () => {
    const options = { cwd: home.workspace, env: home.env };
    for (const args of [
      ['sandbox', 'help'],
      ['sandbox', '--help'],
      ['sandbox', 'run', '--help'],
    ]) {
      const help = await runCli(args, options);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout, args.join(' ')).toMatch(/^usage: vtcode sandbox <command>/);
      expect(help.stdout).toContain("default: this project's vtcode.toml");
      expect(help.stdout).not.toContain('vtcode-sandbox');
    }
    // vtcode's own help: its exit codes are the agent's; vtcode sandbox keeps vtcode-sandbox's.
    const top = await runCli(['--help'], options);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Exit codes: 0 success, 1 agent failure/);
    expect(top.stdout).toMatch(/vtcode sandbox uses vtcode-sandbox's own codes[\s\S]*77 refused by the policy/);
    const unknown = await runCli(['sandbox', 'frobnicate'], options);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toBe(
      'vtcode sandbox: unknown command "frobnicate"\nrun `vtcode sandbox help` for the usage\n',
    );

    const marker = String(700_000 + Math.floor(Math.random() * 200_000));
    const child = spawnCli(
      ['sandbox', 'run', '--', 'sh', '-c', `echo started; setsid sleep ${marker} & exec sleep ${marker}`],
      options,
    );
    const done = collect(child);
    let output = '';
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    await waitFor(() => output.includes('started'));
    await waitFor(() => processesMatching(`sleep ${marker}`).length >= 2);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('vtcode sandbox: interrupted: the command was stopped');
    expect(processesMatching(`sleep ${marker}`)).toEqual([]);
  });

  it('vtcode skills list shows the embedded skills; vtcode atif formats lists the converters', async () => {
    const skills = await runCli(['skills', 'list'], { cwd: home.workspace, env: home.env });
    expect(skills.code).toBe(0);
    expect(skills.stdout).toMatch(/writing-commit-messages\s+embedded/);
    const atif = await runCli(['atif', 'formats'], { cwd: home.workspace, env: home.env });
    expect(atif.code).toBe(0);
    expect(atif.stdout).toContain('claude-code');
  });
});
