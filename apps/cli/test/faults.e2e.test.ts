import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeServer, type FakeServer } from '@vtcode/providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  collect,
  contentText,
  createTestHome,
  fakeProviderConfig,
  parseEvents,
  processesMatching,
  runCli,
  spawnCli,
  type TestHome,
  waitFor,
} from './cli-harness.ts';
import { fixCartScript } from './scripts.ts';

let servers: FakeServer[] = [];
let home: TestHome;
const FAST_ROUTER = '[router]\nmax_retries = 1\ninitial_delay_ms = 5';

beforeEach(async () => {
  servers = [await createFakeServer(), await createFakeServer()];
  home = createTestHome();
});

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  home.cleanup();
});

const primary = () => servers[0] as FakeServer;
const secondary = () => servers[1] as FakeServer;

function sessionEvents(): Array<Record<string, unknown> & { type: string }> {
  const [file] = readdirSync(home.sessionsDir);
  return readFileSync(join(home.sessionsDir, file as string), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(1)
    .map((line) => JSON.parse(line));
}

describe('provider faults', () => {
  it('fails over to the fallback provider when the primary breaks mid-run, and finishes the task', async () => {
    home.writeUserConfig(
      fakeProviderConfig(
        [
          { id: 'primary', baseURL: primary().openaiBaseURL },
          { id: 'backup', baseURL: secondary().openaiBaseURL },
        ],
        FAST_ROUTER,
      ),
    );
    const [first, ...rest] = fixCartScript();
    primary().enqueue(first as never);
    primary().setFallback({ type: 'http-error', status: 503, message: 'overloaded' });
    secondary().enqueue(...rest);
    const result = await runCli(['exec', '--json', 'Fix the failing test.'], { cwd: home.workspace, env: home.env });
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const failovers = events.filter((event) => event.type === 'provider-event' && event.kind === 'failover');
    expect(failovers.length).toBeGreaterThan(0);
    expect(failovers[0]?.message).toContain('switched to backup/test-model');
    expect(secondary().requests).toHaveLength(5);
    const started = events.filter((event) => event.type === 'tool-call-started').map((event) => event.toolCallId);
    expect(new Set(started).size).toBe(started.length);
    expect(readFileSync(join(home.workspace, 'src/cart.js'), 'utf8')).toContain('item.price * item.quantity');
  });

  it('retries a turn whose stream broke after text but before any tool call', async () => {
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: primary().openaiBaseURL }], FAST_ROUTER));
    primary().enqueue(
      {
        content: [{ type: 'text', text: 'Let me think about this carefully, step by step.' }],
        chunkSize: 4,
        fault: { type: 'reset', afterFrames: 4 },
      },
      { content: [{ type: 'text', text: 'All good.' }] },
    );
    const result = await runCli(['exec', '--json', 'hi'], { cwd: home.workspace, env: home.env });
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    const error = events.find((event) => event.type === 'error');
    expect(error).toMatchObject({ recovered: true });
    expect(error?.message).toContain('no tool call was delivered');
    expect(events.filter((event) => event.type === 'turn-start').map((event) => event.attempt)).toEqual([1, 2]);
    expect(events.filter((event) => event.type === 'assistant-message')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', finalMessage: 'All good.' });
  });

  it('does not retry (or run anything) when the stream broke after a tool call was delivered', async () => {
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: primary().openaiBaseURL }], FAST_ROUTER));
    primary().enqueue({
      content: [
        {
          type: 'tool-call',
          id: 'c1',
          name: 'shell',
          arguments: { command: 'touch should-not-exist && echo a long argument string' },
        },
      ],
      chunkSize: 4,
      fault: { type: 'reset', afterFrames: 4 },
    });
    primary().setFallback({ content: [{ type: 'text', text: 'should never be requested' }] });
    const result = await runCli(['exec', '--json', 'go'], { cwd: home.workspace, env: home.env });
    expect(result.code).toBe(1);
    const events = parseEvents(result.stdout);
    expect(events.find((event) => event.type === 'error')?.message).toContain('not retried');
    expect(events.filter((event) => event.type === 'tool-call-started')).toHaveLength(0);
    expect(existsSync(join(home.workspace, 'should-not-exist'))).toBe(false);
    expect(primary().requests).toHaveLength(1);
  });
});

describe('cancellation and crashes', () => {
  const marker = `sleep ${(30 + Math.random()).toFixed(6)}`;
  const slowTool = {
    type: 'tool-call' as const,
    id: 'c_sleep',
    name: 'shell',
    arguments: { command: `echo started > started.txt; ${marker}` },
  };
  const started = () => existsSync(join(home.workspace, 'started.txt')) || undefined;

  it('Ctrl-C mid-tool kills the command, records it as cancelled and exits 130', async () => {
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: primary().openaiBaseURL }]));
    primary().enqueue({ content: [slowTool] });
    const child = spawnCli(['exec', '--json', 'run something slow'], { cwd: home.workspace, env: home.env });
    const done = collect(child);
    await waitFor(started);
    await waitFor(() => processesMatching(marker).length > 0 || undefined);
    const sentAt = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(processesMatching(marker)).toEqual([]);
    const events = sessionEvents();
    expect(events.find((event) => event.type === 'tool-call-finished')).toMatchObject({
      toolCallId: 'c_sleep',
      status: 'cancelled',
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'cancelled' });
    expect(primary().requests).toHaveLength(1);
  });

  it('kill -9 mid-run loses nothing: --resume continues the session with every earlier event', async () => {
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: primary().openaiBaseURL }]));
    primary().enqueue({
      content: [{ type: 'text', text: 'Starting the slow job.' }, slowTool],
      usage: { inputTokens: 100, outputTokens: 10 },
    });
    const child = spawnCli(['exec', '--json', 'start the job'], { cwd: home.workspace, env: home.env });
    const done = collect(child);
    await waitFor(started);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    // The sandboxed command dies with the killed process (no orphan keeps running).
    await waitFor(() => processesMatching(marker).length === 0 || undefined, 5_000).catch(() => undefined);
    const orphans = processesMatching(marker);
    for (const pid of orphans) process.kill(pid, 'SIGKILL');
    expect(orphans).toEqual([]);
    const printed = parseEvents(
      killed.stdout
        .split('\n')
        .filter((line) => line.endsWith('}'))
        .join('\n'),
    );
    const before = sessionEvents();
    // Every event that reached stdout was in the log first.
    expect(before.slice(0, printed.length)).toEqual(printed);
    expect(before.at(-1)?.type).toMatch(/^tool-call-(started|output)$/);
    // A crash while writing leaves a torn last line: it must be tolerated.
    const [file] = readdirSync(home.sessionsDir);
    appendFileSync(join(home.sessionsDir, file as string), '{"type":"tool-call-out');

    primary().enqueue({
      content: [{ type: 'text', text: 'Resumed and finished.' }],
      usage: { inputTokens: 150, outputTokens: 5 },
    });
    const resumed = await runCli(['exec', '--json', '--last', 'continue'], { cwd: home.workspace, env: home.env });
    expect(resumed.stderr).toContain('cut off by a crash');
    expect(resumed.code).toBe(0);
    const messages = primary().requests[1]?.body.messages as Array<Record<string, unknown>>;
    expect(messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
    expect(contentText(messages[1]?.content)).toBe('start the job');
    expect(contentText(messages[2]?.content)).toBe('Starting the slow job.');
    expect(messages[2]).toMatchObject({ tool_calls: [{ id: 'c_sleep' }] });
    expect(messages[3]).toMatchObject({ tool_call_id: 'c_sleep' });
    expect(contentText(messages[3]?.content)).toContain('interrupted');
    expect(contentText(messages[4]?.content)).toBe('continue');

    const after = parseEvents(resumed.stdout);
    expect(after[0]?.seq).toBe((before.at(-1)?.seq as number) + 1);
    expect(after.find((event) => event.type === 'run-start')).toMatchObject({ resumed: true });
    expect(after.at(-1)).toMatchObject({ type: 'run-end', status: 'completed' });
    expect(readdirSync(home.sessionsDir)).toHaveLength(1);
    const usage = after.filter((event) => event.type === 'usage').at(-1);
    expect(usage?.session).toMatchObject({ inputTokens: 250, outputTokens: 15 });
  });
});
