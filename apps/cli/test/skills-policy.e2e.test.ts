import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeServer, type FakeServer } from '@vtcode/providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentText, createTestHome, fakeProviderConfig, parseEvents, runCli, type TestHome } from './cli-harness.ts';

let server: FakeServer;
let home: TestHome;
const TRUST_PROJECT_SKILLS = '[skills]\ntrust_project_skills = true';

beforeEach(async () => {
  server = await createFakeServer();
  home = createTestHome();
  // The skills below come with the project; the user trusts project skills (the default, off, is tested below).
  home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: server.openaiBaseURL }], TRUST_PROJECT_SKILLS));
  const skill = join(home.workspace, '.agents', 'skills', 'run-tests');
  mkdirSync(skill, { recursive: true });
  writeFileSync(
    join(skill, 'SKILL.md'),
    [
      '---',
      'name: run-tests',
      "description: Runs the project's tests. Use before and after changing code.",
      'allowed-tools: Bash(node --test:*) Read',
      '---',
      '',
      '# Running the tests',
      '',
      'Run `node --test` from the project root and read the failures.',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await server.close();
  home.cleanup();
});

const shell = (id: string, command: string) => ({
  type: 'tool-call' as const,
  id,
  name: 'shell',
  arguments: { command },
});

type Event = ReturnType<typeof parseEvents>[number];
const byCall = (events: Event[], type: string, id: string) =>
  events.filter(
    (event) =>
      event.type === type &&
      (event.toolCallId === id || (event.request as { toolCallId?: string } | undefined)?.toolCallId === id),
  );

describe("a skill's allowed-tools in a headless run (approval untrusted)", () => {
  it('before load_skill the command is denied; after, it runs by the skill; others stay denied; --resume keeps it', async () => {
    server.enqueue(
      { content: [shell('c_before', 'node --test')] },
      { content: [{ type: 'tool-call', id: 'c_load', name: 'load_skill', arguments: { name: 'run-tests' } }] },
      {
        content: [
          shell('c_after', 'node --test'),
          shell('c_compound', 'node --test && touch pwned.txt'),
          shell('c_other', 'touch pwned.txt'),
        ],
      },
      { content: [{ type: 'text', text: 'The tests fail in cart.js.' }] },
    );
    const first = await runCli(['exec', '--json', '--approval', 'untrusted', 'run the tests'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(first.code).toBe(0);
    const events = parseEvents(first.stdout);
    const finished = (id: string) => byCall(events, 'tool-call-finished', id)[0];
    const decided = (id: string) => byCall(events, 'approval-decided', id);

    // Before the skill is loaded: asked, and the headless approver denies.
    expect(finished('c_before')?.status).toBe('denied');
    expect(decided('c_before').map((event) => event.decidedBy)).toEqual(['headless']);
    // The model is told what the skill pre-approves.
    expect(finished('c_load')).toMatchObject({ status: 'ok' });
    expect(finished('c_load')?.output).toContain('Bash(node --test:*), Read');
    // After: the same command runs, decided by the skill (nobody was asked).
    expect(byCall(events, 'approval-requested', 'c_after')).toEqual([]);
    expect(decided('c_after')).toEqual([
      expect.objectContaining({
        decision: 'allow',
        decidedBy: 'skill:run-tests',
        reason: expect.stringContaining('allowed-tools: Bash(node --test:*)'),
      }),
    ]);
    expect(finished('c_after')?.status).toBe('ok');
    expect(finished('c_after')?.output).toMatch(/\[exit code 1\]$/); // it ran: the demo project's tests fail
    // A compound command and a command outside the rule are still asked, and denied.
    for (const id of ['c_compound', 'c_other']) {
      expect(
        decided(id).map((event) => event.decidedBy),
        id,
      ).toEqual(['headless']);
      expect(finished(id)?.status, id).toBe('denied');
    }
    expect(existsSync(join(home.workspace, 'pwned.txt'))).toBe(false);
    // The model read the denial reason for the command outside the rule.
    const toolResults = (
      (server.requests[3]?.body.messages ?? []) as Array<{ role: string; tool_call_id: string; content: string }>
    ).filter((message) => message.role === 'tool');
    expect(contentText(toolResults.find((message) => message.tool_call_id === 'c_other')?.content)).toContain(
      'non-interactive',
    );
    // The sandbox audit log records the skill as the reason the command was approved.
    const audit = readFileSync(join(home.env.XDG_STATE_HOME as string, 'vtcode', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data: { commandLine?: string; reason?: string } });
    const approvedByAudit = audit.filter(
      (record) => record.type === 'decision' && record.data.commandLine === 'node --test',
    );
    expect(approvedByAudit.map((record) => record.data.reason)).toEqual([
      expect.stringContaining('pre-approved by the skill "run-tests"'),
    ]);

    // --resume: the skill loaded earlier in the session is active again, without loading it anew.
    const sessionId = events.find((event) => event.type === 'run-start')?.sessionId as string;
    server.enqueue({ content: [shell('c_resumed', 'node --test')] }, { content: [{ type: 'text', text: 'Same.' }] });
    const resumed = await runCli(
      ['exec', '--json', '--approval', 'untrusted', '--resume', sessionId, 'run them again'],
      { cwd: home.workspace, env: home.env },
    );
    expect(resumed.code).toBe(0);
    const later = parseEvents(resumed.stdout);
    expect(later.find((event) => event.type === 'run-start')).toMatchObject({ resumed: true });
    expect(byCall(later, 'approval-decided', 'c_resumed')[0]).toMatchObject({ decidedBy: 'skill:run-tests' });
    expect(byCall(later, 'tool-call-finished', 'c_resumed')[0]?.output).toMatch(/\[exit code 1\]$/);
  });

  it('a session that never loaded the skill pre-approves nothing, and the progress output names the skill when it decides', async () => {
    server.enqueue(
      { content: [shell('c_plain', 'node --test')] },
      { content: [{ type: 'text', text: 'Denied.' }] },
      { content: [{ type: 'tool-call', id: 'c_load', name: 'load_skill', arguments: { name: 'run-tests' } }] },
      { content: [shell('c_after', 'node --test')] },
      { content: [{ type: 'text', text: 'Ran.' }] },
    );
    const plain = await runCli(['exec', '--json', '--approval', 'untrusted', 'run the tests'], {
      cwd: home.workspace,
      env: home.env,
    });
    const plainEvents = parseEvents(plain.stdout);
    expect(byCall(plainEvents, 'tool-call-finished', 'c_plain')[0]?.status).toBe('denied');
    expect(plainEvents.some((event) => String(event.decidedBy ?? '').startsWith('skill:'))).toBe(false);

    const human = await runCli(['exec', '--approval', 'untrusted', 'load the skill, then run the tests'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(human.code).toBe(0);
    expect(human.stderr).toContain('approved by skill:run-tests');
    expect(human.stderr).not.toContain('approval needed');
  });
});

describe("a skill's allowed-tools with approval mode never", () => {
  const writeFmtSkill = () => {
    const skill = join(home.workspace, '.agents', 'skills', 'fmt');
    mkdirSync(skill, { recursive: true });
    writeFileSync(
      join(skill, 'SKILL.md'),
      '---\nname: fmt\ndescription: Normalises the notes.\nallowed-tools: Bash(sed:*) Bash(touch:*)\n---\n\nRun sed on notes.txt.\n',
    );
    writeFileSync(join(home.workspace, 'notes.txt'), 'teh notes\n');
  };
  const script = () =>
    server.enqueue(
      { content: [shell('c_before', 'sed -i s/teh/the/ notes.txt')] },
      { content: [{ type: 'tool-call', id: 'c_load', name: 'load_skill', arguments: { name: 'fmt' } }] },
      {
        content: [
          shell('c_after', 'sed -i s/teh/the/ notes.txt'),
          shell('c_uncovered', 'find . -name "*.orig" -delete'),
          shell('c_outside', 'touch ../escaped.txt'),
        ],
      },
      { content: [{ type: 'text', text: 'Formatted.' }] },
    );

  it('the pre-approved command runs (approved by the skill, then run); the rest and escalations stay denied', async () => {
    writeFmtSkill();
    script();
    const result = await runCli(['exec', '--json', '--approval', 'never', 'fix the notes'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    const finished = (id: string) => byCall(events, 'tool-call-finished', id)[0];
    expect(finished('c_before')?.status).toBe('denied');
    expect(finished('c_before')?.output).toContain('approval mode "never"');
    expect(byCall(events, 'approval-decided', 'c_after')).toEqual([
      expect.objectContaining({ decision: 'allow', decidedBy: 'skill:fmt' }),
    ]);
    expect(finished('c_after')?.status).toBe('ok');
    expect(finished('c_after')?.output).toMatch(/\[exit code 0\]$/);
    expect(readFileSync(join(home.workspace, 'notes.txt'), 'utf8')).toBe('the notes\n');
    for (const id of ['c_uncovered', 'c_outside']) expect(finished(id)?.status, id).toBe('denied');
    expect(finished('c_outside')?.output).toContain('outside the workspace');
    expect(existsSync(join(home.root, 'escaped.txt'))).toBe(false);
    // Mode never asks nobody.
    expect(events.filter((event) => event.type === 'approval-requested')).toEqual([]);
    // The audit log names the skill as the approver of the command it ran.
    const audit = readFileSync(join(home.env.XDG_STATE_HOME as string, 'vtcode', 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
    expect(
      audit.filter((record) => record.type === 'decision' && record.data.commandLine === 'sed -i s/teh/the/ notes.txt'),
    ).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ decision: 'allow', approver: 'skill:fmt' }) }),
    ]);
  });

  it('[skills] pre_approve = false: the skill loads, and its commands stay denied', async () => {
    writeFmtSkill();
    home.writeProjectConfig('[skills]\npre_approve = false\n');
    script();
    const result = await runCli(['exec', '--json', '--approval', 'never', 'fix the notes'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    expect(byCall(events, 'tool-call-finished', 'c_load')[0]?.status).toBe('ok');
    expect(byCall(events, 'tool-call-finished', 'c_after')[0]?.status).toBe('denied');
    expect(events.some((event) => String(event.decidedBy ?? '').startsWith('skill:'))).toBe(false);
    expect(readFileSync(join(home.workspace, 'notes.txt'), 'utf8')).toBe('teh notes\n');
    const config = await runCli(['config'], { cwd: home.workspace, env: home.env });
    expect(config.stdout).toMatch(/skills\.pre_approve\s+false\s+.*\.vtcode\/vtcode\.toml/);
  });
});

describe('loaded skills across a compaction', () => {
  it('a skill loaded before the conversation was summarised is still active, and again after --resume', async () => {
    home.writeUserConfig(
      fakeProviderConfig(
        [{ id: 'fake', baseURL: server.openaiBaseURL }],
        `${TRUST_PROJECT_SKILLS}\n[context]\nwindow_tokens = 4000\nreserve_output_tokens = 500\nkeep_recent_messages = 2`,
      ),
    );
    server.enqueue({
      content: [{ type: 'tool-call', id: 'c_load', name: 'load_skill', arguments: { name: 'run-tests' } }],
    });
    for (let index = 1; index <= 6; index++) {
      server.enqueue({
        content: [
          { type: 'text', text: `Finding ${index}: ${'the cart total is computed twice in checkout. '.repeat(40)}` },
          { type: 'tool-call', id: `c_read${index}`, name: 'read_file', arguments: { path: 'README.md' } },
        ],
      });
    }
    server.enqueue({ content: [shell('c_after', 'node --test')] }, { content: [{ type: 'text', text: 'Done.' }] });
    const first = await runCli(['exec', '--json', '--approval', 'untrusted', 'investigate the cart'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(first.code, first.stderr).toBe(0);
    const events = parseEvents(first.stdout);
    const summarised = events.filter((event) => event.type === 'compaction' && event.summary !== undefined);
    expect(summarised.length).toBeGreaterThan(0);
    expect(summarised.at(-1)?.loadedSkills).toEqual(['run-tests']);
    expect(String(summarised.at(-1)?.summary)).toContain('- run-tests');
    // The request after the compaction no longer holds the load_skill call; the skill still decides.
    const lastRequest = JSON.stringify(server.requests.at(-1)?.body.messages ?? []);
    expect(lastRequest).not.toContain('c_load');
    expect(byCall(events, 'approval-decided', 'c_after')[0]).toMatchObject({ decidedBy: 'skill:run-tests' });

    const sessionId = events.find((event) => event.type === 'run-start')?.sessionId as string;
    server.enqueue({ content: [shell('c_resumed', 'node --test')] }, { content: [{ type: 'text', text: 'Same.' }] });
    const resumed = await runCli(
      ['exec', '--json', '--approval', 'untrusted', '--resume', sessionId, 'run them again'],
      { cwd: home.workspace, env: home.env },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const later = parseEvents(resumed.stdout);
    expect(byCall(later, 'approval-decided', 'c_resumed')[0]).toMatchObject({ decidedBy: 'skill:run-tests' });
    expect(byCall(later, 'tool-call-finished', 'c_resumed')[0]?.output).toMatch(/\[exit code 1\]$/);
  });
});

describe('project skills are not trusted by default', () => {
  it("a repository's own skill loads, but its allowed-tools pre-approve nothing until the user trusts project skills", async () => {
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: server.openaiBaseURL }]));
    server.enqueue(
      { content: [{ type: 'tool-call', id: 'c_load', name: 'load_skill', arguments: { name: 'run-tests' } }] },
      { content: [shell('c_test', 'node --test')] },
      { content: [{ type: 'text', text: 'Done.' }] },
    );
    const result = await runCli(['exec', '--json', '--approval', 'untrusted', 'run the tests'], {
      cwd: home.workspace,
      env: home.env,
    });
    const events = parseEvents(result.stdout);
    const loaded = byCall(events, 'tool-call-finished', 'c_load')[0];
    expect(loaded?.status).toBe('ok');
    expect(String(loaded?.output)).toContain('Its allowed-tools are not applied: it comes with the project');
    expect(byCall(events, 'tool-call-finished', 'c_test')[0]?.status).toBe('denied');
    expect(byCall(events, 'approval-decided', 'c_test')[0]?.decidedBy).toBe('headless');
  });
});
