import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { closedPortUrl, createFakeServer, type FakeServer, type FakeServerOptions } from '@vtcode/providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeLocalServers } from '../src/models/local-servers.ts';
import {
  collect,
  contentText,
  createTestHome,
  fakeProviderConfig,
  parseEvents,
  repoRoot,
  runCli,
  type TestHome,
} from './cli-harness.ts';

/**
 * Local providers end to end through the real `vtcode` process: Ollama (OLLAMA_HOST), LM Studio (its base URL from
 * the user config or LMSTUDIO_BASE_URL), Ollama Cloud (OLLAMA_API_KEY), with no other key in the environment; the
 * errors a user meets when the server is down or the model missing; `vtcode doctor`; the set-up help that points at a
 * server found on this machine. The fake server imitates each one's wire (`localServer`).
 */
const servers: FakeServer[] = [];
const hanging: Array<{ server: Server; sockets: Set<Socket>; acceptedAt: number[] }> = [];
let home: TestHome;

beforeEach(() => {
  home = createTestHome();
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const { server, sockets } of hanging.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
  home.cleanup();
});

async function fake(options: FakeServerOptions = {}): Promise<FakeServer> {
  const server = await createFakeServer({ strict: true, ...options });
  servers.push(server);
  return server;
}

/** A TCP server that accepts connections and never answers: a hung local server. */
async function hangingServer(): Promise<{ url: string; acceptedAt: number[] }> {
  const sockets = new Set<Socket>();
  const acceptedAt: number[] = [];
  const server = createServer((socket) => {
    acceptedAt.push(performance.now());
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  hanging.push({ server, sockets, acceptedAt });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, acceptedAt };
}

/** Chat requests only (a probe's GETs aside). */
const chats = (server: FakeServer) => server.requests.filter((request) => request.api === 'openai-chat');

/** A two-turn task on the example project: read a file (a tool call), then answer. */
function readCartScript(thinking = 'The bug is probably in cart.js.') {
  return [
    {
      content: [
        { type: 'reasoning' as const, text: thinking },
        { type: 'tool-call' as const, name: 'read_file', arguments: { path: 'src/cart.js' } },
      ],
      usage: { inputTokens: 900, outputTokens: 40 },
    },
    {
      content: [{ type: 'text' as const, text: 'cartTotal ignores the quantity.' }],
      usage: { inputTokens: 1400, outputTokens: 12 },
    },
  ];
}

async function closedPort(): Promise<string> {
  return closedPortUrl();
}

describe('vtcode exec with a local Ollama', () => {
  it('runs a task with a tool call against OLLAMA_HOST, with no key anywhere', async () => {
    const server = await fake({ localServer: { kind: 'ollama', models: ['qwen3-coder:latest', 'llama3.2:3b'] } });
    server.enqueue(...readCartScript());
    const result = await runCli(['exec', '--json', '--model', 'ollama/qwen3-coder', 'Why is the cart total wrong?'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: `127.0.0.1:${server.port}` },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', turns: 2 });
    const read = events.find((event) => event.type === 'tool-call-finished' && event.toolName === 'read_file');
    expect(read?.output).toContain('export function cartTotal');
    expect(
      events
        .filter((event) => event.type === 'reasoning-delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe('The bug is probably in cart.js.');
    expect(events.at(-1)).toMatchObject({ usage: { inputTokens: 2300, outputTokens: 52, costUsd: 0 } });

    const [first, second] = chats(server);
    expect(chats(server)).toHaveLength(2);
    for (const request of [first, second]) {
      expect(request?.path).toBe('/v1/chat/completions');
      expect(request?.model).toBe('qwen3-coder');
      expect(request?.headers.authorization).toBeUndefined();
      expect(request?.body.stream_options).toEqual({ include_usage: true });
    }
    // The tool result goes back under the id Ollama gave the call.
    const callId = read?.toolCallId as string;
    expect(callId).toMatch(/^call_[a-z0-9]{8}$/);
    const messages = (second?.body.messages ?? []) as Array<{ role: string; tool_call_id?: string; content: unknown }>;
    const toolMessage = messages.find((message) => message.role === 'tool');
    // Ollama takes the turn's thinking back in `reasoning` (thinking models want it on tool-call turns).
    expect(messages.find((message) => message.role === 'assistant')).toMatchObject({
      reasoning: 'The bug is probably in cart.js.',
    });
    expect(toolMessage?.tool_call_id).toBe(callId);
    expect(contentText(toolMessage?.content)).toContain('cartTotal');
  });

  it('a model that is not pulled: exit 1, one request (not retried), and the `ollama pull` command', async () => {
    const server = await fake({ localServer: { kind: 'ollama', models: ['llama3.2:3b'] } });
    const result = await runCli(['exec', '--model', 'ollama/qwen3-coder', 'hi'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: server.url },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Ollama has no model "qwen3-coder": pull it with `ollama pull qwen3-coder`');
    expect(chats(server)).toHaveLength(1);
  });

  it('Ollama not running: says so and how to start it, not a bare ECONNREFUSED', async () => {
    const url = await closedPort();
    const result = await runCli(['exec', '--model', 'ollama/qwen3-coder', 'hi'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: url },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`nothing answers at ${url} (connection refused): is Ollama running?`);
    expect(result.stderr).toContain('`ollama serve`');
  });
});

describe('vtcode exec with LM Studio', () => {
  const lmstudioModels = ['qwen/qwen3-coder-30b', 'text-embedding-nomic-embed-text-v1.5'];

  it('runs a task with a tool call, its base URL from [providers.lmstudio] base_url in the user config', async () => {
    const server = await fake({ localServer: { kind: 'lmstudio', models: lmstudioModels } });
    server.enqueue(...readCartScript());
    home.writeUserConfig(`[providers.lmstudio]\nbase_url = "${server.openaiBaseURL}"\n`);
    const result = await runCli(['exec', '--json', '--model', 'lmstudio/qwen/qwen3-coder-30b', 'Why?'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', turns: 2 });
    expect(events.some((event) => event.type === 'tool-call-finished' && event.toolName === 'read_file')).toBe(true);
    expect(chats(server).map((request) => [request.path, request.model, request.headers.authorization])).toEqual([
      ['/v1/chat/completions', 'qwen/qwen3-coder-30b', undefined],
      ['/v1/chat/completions', 'qwen/qwen3-coder-30b', undefined],
    ]);
  });

  it('LMSTUDIO_BASE_URL moves it and LM_API_TOKEN is sent when LM Studio requires authentication', async () => {
    const server = await fake({ localServer: { kind: 'lmstudio', models: lmstudioModels } });
    server.enqueue(...readCartScript());
    const result = await runCli(['exec', '--model', 'lmstudio/qwen/qwen3-coder-30b', 'Why?'], {
      cwd: home.workspace,
      env: { ...home.env, LMSTUDIO_BASE_URL: server.openaiBaseURL, LM_API_TOKEN: 'sk-lm-test' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('cartTotal ignores the quantity.\n');
    expect(chats(server).map((request) => request.headers.authorization)).toEqual([
      'Bearer sk-lm-test',
      'Bearer sk-lm-test',
    ]);
  });

  it('a project .vtcode/vtcode.toml cannot move it (it could send the code elsewhere): the user is told', async () => {
    const server = await fake({ localServer: { kind: 'lmstudio', models: lmstudioModels } });
    const refused = await closedPort();
    home.writeProjectConfig(`[providers.lmstudio]\nbase_url = "${server.openaiBaseURL}"\n`);
    const result = await runCli(['exec', '--model', 'lmstudio/qwen/qwen3-coder-30b', 'hi'], {
      cwd: home.workspace,
      env: { ...home.env, LMSTUDIO_BASE_URL: `${refused}/v1` },
    });
    expect(server.requests).toHaveLength(0);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('providers.lmstudio.base_url ignored');
    expect(result.stderr).toContain("is LM Studio's server running? Start it with `lms server start`");
  });

  it('an unknown model id: the `lms ls` / `lms get` hint', async () => {
    const server = await fake({ localServer: { kind: 'lmstudio', models: lmstudioModels } });
    const result = await runCli(['exec', '--provider', 'lmstudio', 'hi'], {
      cwd: home.workspace,
      env: { ...home.env, LMSTUDIO_BASE_URL: server.openaiBaseURL },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('LM Studio has no model "local-model"');
    expect(result.stderr).toContain('`lms ls`');
  });
});

describe('vtcode exec with Ollama Cloud', () => {
  it('sends OLLAMA_API_KEY as the bearer token', async () => {
    const server = await fake();
    server.enqueue(...readCartScript().map((reply) => ({ ...reply, chatDialect: 'ollama' as const })));
    const result = await runCli(['exec', '--json', '--model', 'ollama-cloud/gpt-oss:120b', 'Why?'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_API_KEY: 'ollama-cloud-secret', OLLAMA_CLOUD_BASE_URL: server.openaiBaseURL },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(parseEvents(result.stdout).at(-1)).toMatchObject({ type: 'run-end', status: 'completed', turns: 2 });
    expect(chats(server).map((request) => [request.path, request.model, request.headers.authorization])).toEqual([
      ['/v1/chat/completions', 'gpt-oss:120b', 'Bearer ollama-cloud-secret'],
      ['/v1/chat/completions', 'gpt-oss:120b', 'Bearer ollama-cloud-secret'],
    ]);
  });

  it('without the key it stops before any request and names the variable (exit 3)', async () => {
    const result = await runCli(['exec', '--model', 'ollama-cloud/gpt-oss:120b', 'hi'], {
      cwd: home.workspace,
      env: home.env,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('OLLAMA_API_KEY');
  });
});

describe('vtcode doctor and local servers', () => {
  it('reports a running Ollama with its models and LM Studio not running, and keeps the key report', async () => {
    const ollama = await fake({ localServer: { kind: 'ollama', models: ['qwen3-coder:latest', 'llama3.2:3b'] } });
    const refused = await closedPort();
    const result = await runCli(['doctor'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: ollama.url, LMSTUDIO_BASE_URL: `${refused}/v1`, OPENAI_API_KEY: 'sk' },
    });
    expect(result.stdout).toContain(
      `ok   Ollama: no key needed (${ollama.openaiBaseURL}) — running, 2 models (qwen3-coder:latest, llama3.2:3b)`,
    );
    expect(result.stdout).toContain(
      `no   LM Studio: no key needed (${refused}/v1) — not running at ${refused}/v1 (connection refused; start it: lms server start)`,
    );
    expect(result.stdout).toContain('OPENAI_API_KEY is set');
    expect(result.stdout).toContain('Ollama Cloud: OLLAMA_API_KEY is not set');
    expect(result.stdout).toContain('start it with OLLAMA_CONTEXT_LENGTH=32768');
    expect(ollama.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/tags']);
  });

  it('a configured Ollama model with Ollama down is a blocking problem', async () => {
    const refused = await closedPort();
    home.writeUserConfig('model = "ollama/qwen3-coder"\n');
    const result = await runCli(['doctor'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: refused, LMSTUDIO_BASE_URL: `${refused}/v1` },
    });
    expect(result.stdout).toContain(
      `no   Ollama: no key needed (${refused}/v1) — not running at ${refused} (connection refused; start it: ollama serve)`,
    );
    expect(result.stdout).toContain('ollama/qwen3-coder is configured, but Ollama does not answer');
    expect(result.code).not.toBe(0);
  });

  it('an LM Studio that requires a token and got none says so', async () => {
    const locked = await fake({ strict: false });
    locked.setFallback({ type: 'http-error', status: 401, body: { error: 'Unauthorized' } });
    const [, status] = await probeLocalServers({ providers: { lmstudio: { base_url: locked.openaiBaseURL } } }, {});
    expect(status).toMatchObject({
      running: false,
      problem: 'it answers but refuses the request (HTTP 401): it requires an API token, set LM_API_TOKEN',
    });
    expect(locked.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('LM Studio running (with its token) and a configured Ollama model that is not pulled → a blocking problem', async () => {
    const ollama = await fake({ localServer: { kind: 'ollama', models: ['llama3.2:3b'] } });
    const lmstudio = await fake({ localServer: { kind: 'lmstudio', models: ['qwen/qwen3-coder-30b'] } });
    home.writeUserConfig('model = "ollama/qwen3-coder"\n');
    const result = await runCli(['doctor'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: ollama.url, LMSTUDIO_BASE_URL: lmstudio.openaiBaseURL, LM_API_TOKEN: 'tok' },
    });
    expect(result.stdout).toContain('model: ollama/qwen3-coder');
    expect(result.stdout).toContain(
      `ok   LM Studio: LM_API_TOKEN is set (${lmstudio.openaiBaseURL}) — running, 1 model (qwen/qwen3-coder-30b)`,
    );
    expect(result.stdout).toContain(
      'ollama/qwen3-coder is configured, but Ollama does not have it: ollama pull qwen3-coder',
    );
    expect(result.stdout).toMatch(/\d+ problem\(s\) found/);
    expect(result.code).not.toBe(0);
    expect(lmstudio.requests[0]?.headers.authorization).toBe('Bearer tok');
  });

  it('probes both servers in parallel with a short time limit: two hung servers cost one time limit', async () => {
    const [first, second] = [await hangingServer(), await hangingServer()];
    const config = { providers: { lmstudio: { base_url: `${second.url}/v1` } } };
    const started = performance.now();
    const statuses = await probeLocalServers(config, { OLLAMA_HOST: first.url });
    const elapsed = performance.now() - started;
    expect(statuses.map((status) => [status.provider, status.running, status.problem])).toEqual([
      ['ollama', false, 'no answer within 300 ms'],
      ['lmstudio', false, 'no answer within 300 ms'],
    ]);
    // Side by side: both servers had their connection before the first time limit ran out.
    const [ollamaAt] = first.acceptedAt;
    const [lmstudioAt] = second.acceptedAt;
    expect(Math.abs((ollamaAt ?? Number.NaN) - (lmstudioAt ?? Number.NaN))).toBeLessThan(300);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000); // the time limit holds (a hung server would otherwise hang doctor)
  });

  it('something else on the port is not taken for Ollama', async () => {
    const other = await fake({ strict: false });
    other.setFallback({ type: 'http-error', status: 404, body: 'not here' });
    const [status] = await probeLocalServers({ providers: {} }, { OLLAMA_HOST: other.url });
    expect(status).toMatchObject({ running: false, problem: 'something answers there, but not Ollama (HTTP 404)' });
  });
});

describe('the set-up help when no provider is configured', () => {
  it('names the Ollama and LM Studio it finds, their models and the exact command, without picking one', async () => {
    const ollama = await fake({ localServer: { kind: 'ollama', models: ['llama3.2:3b', 'qwen3-coder:latest'] } });
    const lmstudio = await fake({
      localServer: { kind: 'lmstudio', models: ['text-embedding-nomic-embed-text-v1.5', 'qwen/qwen3-coder-30b'] },
    });
    const result = await runCli(['exec', 'hi'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: ollama.url, LMSTUDIO_BASE_URL: lmstudio.openaiBaseURL },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No model provider is configured.');
    expect(result.stderr).toContain(
      `Ollama is running at ${ollama.url} with 2 models (llama3.2:3b, qwen3-coder:latest). Use it:\n      vtcode exec --model ollama/qwen3-coder "…"`,
    );
    expect(result.stderr).toContain(`vtcode exec --model lmstudio/qwen/qwen3-coder-30b "…"`);
    expect(result.stderr).toContain('model = "ollama/qwen3-coder"');
    expect(result.stderr).toContain('export OPENAI_API_KEY'); // the other ways are still there
    // Found, not used: only the model lists were read.
    expect([...ollama.requests, ...lmstudio.requests].map((request) => request.method)).toEqual(['GET', 'GET']);
  });

  it('an Ollama with no models gets the pull command; nothing found → the plain help', async () => {
    const empty = await fake({ localServer: { kind: 'ollama', models: [] } });
    const refused = await closedPort();
    const env = { ...home.env, LMSTUDIO_BASE_URL: `${refused}/v1` };
    const withEmpty = await runCli(['exec', 'hi'], { cwd: home.workspace, env: { ...env, OLLAMA_HOST: empty.url } });
    expect(withEmpty.stderr).toContain(
      `Ollama is running at ${empty.url} but has no models yet: ollama pull qwen3-coder`,
    );
    const none = await runCli(['exec', 'hi'], { cwd: home.workspace, env: { ...env, OLLAMA_HOST: refused } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No model provider is configured. Set one up in any of these ways:');
    expect(none.stderr).not.toContain('Found on this machine');
  });

  it('a configured run never probes: the local servers see no request', async () => {
    const model = await fake({ strict: false });
    const ollama = await fake({ localServer: { kind: 'ollama', models: ['qwen3-coder'] } });
    const lmstudio = await fake({ localServer: { kind: 'lmstudio', models: ['m'] } });
    model.enqueue({ content: [{ type: 'text', text: 'hello' }] });
    home.writeUserConfig(fakeProviderConfig([{ id: 'fake', baseURL: model.openaiBaseURL }]));
    const result = await runCli(['exec', 'hi'], {
      cwd: home.workspace,
      env: { ...home.env, OLLAMA_HOST: ollama.url, LMSTUDIO_BASE_URL: lmstudio.openaiBaseURL },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(ollama.requests).toHaveLength(0);
    expect(lmstudio.requests).toHaveLength(0);
  });
});

const dist = join(repoRoot, 'apps', 'cli', 'dist', 'vtcode.js');
if (!existsSync(dist)) {
  console.warn(
    `SKIPPING the bundled-app local-provider test: ${dist} is not built (run \`pnpm --filter @vtcode/cli build\`)`,
  );
}

describe.skipIf(!existsSync(dist))('the bundled app (dist/vtcode.js) with Ollama', () => {
  it('runs the tool-call task against OLLAMA_HOST and points at a found server when nothing is configured', async () => {
    const server = await fake({ localServer: { kind: 'ollama', models: ['qwen3-coder:latest'] } });
    server.enqueue(...readCartScript());
    const env = { ...home.env, OLLAMA_HOST: server.url };
    const run = (args: string[]) =>
      collect(
        spawn(process.execPath, [dist, ...args], { cwd: home.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] }),
      );
    const result = await run(['exec', '--model', 'ollama/qwen3-coder', 'Why is the cart total wrong?']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('cartTotal ignores the quantity.\n');
    expect(chats(server).every((request) => request.headers.authorization === undefined)).toBe(true);
    const help = await run(['exec', 'hi']);
    expect(help.code).toBe(2);
    expect(help.stderr).toContain('vtcode exec --model ollama/qwen3-coder "…"');
  });
});
