import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeServer, type FakeResponse, type FakeServer } from '@vtcode/providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentText, createTestHome, fakeProviderConfig, parseEvents, runCli, type TestHome } from './cli-harness.ts';

let server: FakeServer;
let home: TestHome;

beforeEach(async () => {
  server = await createFakeServer();
  home = createTestHome();
  mkdirSync(join(home.root, 'outside'));
  writeFileSync(join(home.root, 'outside', 'keep.txt'), 'outside the workspace');
});

afterEach(async () => {
  await server.close();
  home.cleanup();
});

/** One turn that edits a file and runs two commands (an ordinary one, and one deleting outside the workspace). */
function script(): FakeResponse[] {
  return [
    {
      content: [
        { type: 'tool-call', id: 'c_read', name: 'read_file', arguments: { path: 'README.md' } },
        {
          type: 'tool-call',
          id: 'c_edit',
          name: 'edit_file',
          arguments: { path: 'README.md', old_text: 'deliberately broken', new_text: 'small' },
        },
        { type: 'tool-call', id: 'c_test', name: 'shell', arguments: { command: 'node --test' } },
        { type: 'tool-call', id: 'c_rm', name: 'shell', arguments: { command: 'rm -rf ../outside' } },
      ],
    },
    { content: [{ type: 'text', text: 'Done.' }] },
  ];
}

async function runMode(args: string[], extraConfig = '') {
  home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: server.openaiBaseURL }], extraConfig));
  server.enqueue(...script());
  const result = await runCli(['exec', '--json', ...args, 'tidy up'], { cwd: home.workspace, env: home.env });
  const events = parseEvents(result.stdout);
  const finished = Object.fromEntries(
    events
      .filter((event) => event.type === 'tool-call-finished' && event.toolCallId !== 'c_read')
      .map((event) => [event.toolCallId as string, event]),
  );
  const asked = events
    .filter((event) => event.type === 'approval-requested')
    .map((event) => (event.request as { toolCallId: string }).toolCallId);
  const toolResults = (
    (server.requests[1]?.body.messages ?? []) as Array<{ role: string; tool_call_id: string; content: string }>
  ).filter((message) => message.role === 'tool');
  return { result, events, finished, asked, toolResults };
}

const readme = () => readFileSync(join(home.workspace, 'README.md'), 'utf8');

describe('approval modes in a headless run', () => {
  it('on-request (default): edits and ordinary commands run; a destructive command asks, and headless denies it with the reason', async () => {
    const { result, finished, asked, toolResults } = await runMode([]);
    expect(result.code).toBe(0);
    expect(asked).toEqual(['c_rm']);
    expect(finished.c_edit?.status).toBe('ok');
    // It ran (the example project's tests fail until the bug is fixed).
    expect(finished.c_test?.output).toMatch(/\[exit code 1\]$/);
    expect(finished.c_rm?.status).toBe('denied');
    expect(existsSync(join(home.root, 'outside', 'keep.txt'))).toBe(true);
    expect(readme()).toContain('A small shopping-cart');
    // The model reads why, and how it could be allowed.
    const denial = contentText(toolResults.find((message) => message.tool_call_id === 'c_rm')?.content);
    expect(denial).toContain('non-interactive');
    expect(denial).toContain('--approval full-auto');
    // Calls ran in the order given: the edit finished before the commands started.
    expect(Object.keys(finished)).toEqual(['c_edit', 'c_test', 'c_rm']);
  });

  it('untrusted: the edit and every command not known safe ask, and are denied', async () => {
    const { finished, asked } = await runMode(['--approval', 'untrusted']);
    expect(asked).toEqual(['c_edit', 'c_test', 'c_rm']);
    expect(Object.values(finished).map((event) => event.status)).toEqual(['denied', 'denied', 'denied']);
    expect(readme()).toContain('deliberately broken');
  });

  it('never: nothing is asked; what would ask is denied at once', async () => {
    const { finished, asked } = await runMode(['--approval', 'never']);
    expect(asked).toEqual([]);
    expect(finished.c_edit?.status).toBe('ok');
    expect(finished.c_rm?.status).toBe('denied');
    expect(finished.c_rm?.output).toContain('approval mode "never"');
  });

  it('full-auto: nothing is asked; the command runs (confined by the OS sandbox where one is enforced)', async () => {
    const { finished, asked } = await runMode(['--approval', 'full-auto']);
    expect(asked).toEqual([]);
    expect(finished.c_edit?.output).toContain('Edited README.md');
    expect(finished.c_test?.output).toMatch(/\[exit code 1\]$/);
    expect(finished.c_rm?.output).toMatch(/\[exit code \d+\]$/);
  });

  it('a read-only sandbox refuses edits; a tool policy in vtcode.toml denies a tool outright', async () => {
    const { finished } = await runMode(
      ['--sandbox', 'read-only', '--approval', 'full-auto'],
      '[tools.policies]\nshell = "deny"',
    );
    expect(finished.c_edit?.status).toBe('denied');
    expect(finished.c_edit?.output).toContain('read-only');
    expect(finished.c_test?.output).toContain('tools.policies.shell = "deny"');
    expect(readme()).toContain('deliberately broken');
  });

  it('read-only: the OS sandbox keeps the workspace read-only; a write the engine lets through fails there', async () => {
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: server.openaiBaseURL }]));
    const write = `node -e "require('fs').writeFileSync('created.txt', 'y')"`;
    for (const approval of ['full-auto', 'on-request']) {
      server.enqueue(
        {
          content: [
            { type: 'tool-call', id: 'c_ls', name: 'shell', arguments: { command: 'ls src' } },
            // A write no command policy can see: the engine lets it run, inside the read-only sandbox.
            { type: 'tool-call', id: 'c_node', name: 'shell', arguments: { command: write } },
            // A write the policy sees (a protected path): full-auto lets it through, on-request asks (denied).
            { type: 'tool-call', id: 'c_touch', name: 'shell', arguments: { command: 'touch created.txt' } },
          ],
        },
        { content: [{ type: 'text', text: 'Done.' }] },
      );
      const result = await runCli(['exec', '--json', '--sandbox', 'read-only', '--approval', approval, 'look'], {
        cwd: home.workspace,
        env: home.env,
      });
      expect(result.code, result.stderr).toBe(0);
      const finished = Object.fromEntries(
        parseEvents(result.stdout)
          .filter((event) => event.type === 'tool-call-finished')
          .map((event) => [event.toolCallId as string, event]),
      );
      expect(finished.c_ls?.status, approval).toBe('ok');
      expect(finished.c_ls?.output).toContain('cart.js');
      expect(finished.c_node?.status, approval).toBe('ok');
      expect(finished.c_node?.output).toMatch(/EROFS|read-only file system/i);
      expect(finished.c_node?.output).toMatch(/\[exit code [1-9]\d*\]$/);
      if (approval === 'full-auto') {
        expect(finished.c_touch?.output).toMatch(/read-only file system/i);
      } else {
        expect(finished.c_touch?.status).toBe('denied');
        expect(finished.c_touch?.output).toContain('protected path');
      }
      expect(existsSync(join(home.workspace, 'created.txt')), approval).toBe(false);
    }
  });
});
