import { afterEach, describe, expect, it } from 'vitest';
import { APICallError } from '../errors/provider-error.ts';
import { generate } from '../model/generate.ts';
import { createModel } from '../provider-registry/create-model.ts';
import {
  closedPortUrl,
  createFakeServer,
  type FakeServer,
  type FakeServerOptions,
  lmstudioNoModelsLoaded,
} from '../testing/index.ts';
import { collectEvents, conversation, ofType, weatherTool } from './__fixtures__/collect.ts';

/**
 * Ollama and LM Studio through `createModel` and the real `openai` SDK, against the fake server imitating each one's
 * wire (github.com/ollama/ollama `openai/openai.go` + `middleware/openai.go`; lmstudio.ai/docs/developer).
 */
const servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(localServer: FakeServerOptions['localServer'], strict = true): Promise<FakeServer> {
  const server = await createFakeServer({ strict, ...(localServer ? { localServer } : {}) });
  servers.push(server);
  return server;
}

const ask = { messages: conversation, tools: [weatherTool], maxOutputTokens: 512 };

describe('Ollama (OpenAI-compatible endpoint)', () => {
  it('runs a thinking model with two tool calls: reasoning deltas, whole tool calls, usage in the last chunk, no key', async () => {
    const server = await start({ kind: 'ollama', models: ['qwen3-coder:latest', 'llama3.2:3b'] });
    server.enqueue({
      content: [
        { type: 'reasoning', text: 'Two cities, so two calls.' },
        { type: 'text', text: 'Checking both.' },
        { type: 'tool-call', name: 'get_weather', arguments: { city: 'Paris' } },
        { type: 'tool-call', name: 'get_weather', arguments: { city: 'Rome' } },
      ],
      usage: { inputTokens: 812, outputTokens: 61 },
    });
    const model = createModel('ollama/qwen3-coder', { env: { OLLAMA_HOST: server.url.replace('http://', '') } });
    const { events, error } = await collectEvents(model, ask);
    expect(error).toBeUndefined();

    expect(
      ofType(events, 'reasoning-delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe('Two cities, so two calls.');
    expect(
      ofType(events, 'text-delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe('Checking both.');
    const calls = ofType(events, 'tool-call-end');
    expect(calls.map((call) => call.input)).toEqual([{ city: 'Paris' }, { city: 'Rome' }]);
    expect(new Set(calls.map((call) => call.toolCallId)).size).toBe(2);
    expect(calls.every((call) => /^call_[a-z0-9]{8}$/.test(call.toolCallId))).toBe(true);
    // each call came whole: one start and one delta carrying all of its arguments
    expect(ofType(events, 'tool-call-delta').map((event) => event.argumentsDelta)).toEqual([
      '{"city":"Paris"}',
      '{"city":"Rome"}',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      // a local model costs nothing, even one the catalogue does not know
      usage: { inputTokens: 812, outputTokens: 61, totalTokens: 873, costUsd: 0 },
    });

    const request = server.requests.find((recorded) => recorded.api === 'openai-chat');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.model).toBe('qwen3-coder');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_tokens: 512 });
    expect(request?.body).not.toHaveProperty('max_completion_tokens');
    expect(request?.body).not.toHaveProperty('reasoning_effort');
  });

  it('older models that think in <think> tags inside the content, split anywhere', async () => {
    const server = await start({ kind: 'ollama', models: ['deepseek-r1:8b'] });
    server.enqueue({ content: [{ type: 'text', text: ['<th', 'ink>\nadd them</thi', 'nk>\n\n4'] }] });
    const model = createModel('ollama/deepseek-r1:8b', { env: { OLLAMA_HOST: server.url } });
    const result = await generate(model, { messages: conversation });
    expect(result.reasoning.map((part) => part.text.trim())).toEqual(['add them']);
    expect(result.text.trim()).toBe('4');
  });

  it('tool calls numbered 0 each, with distinct ids, are separate calls (a server numbering every whole call 0)', async () => {
    const server = await start({ kind: 'ollama', models: ['qwen3:8b'] });
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-7',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'qwen3:8b',
        system_fingerprint: 'fp_ollama',
        choices: [{ index: 0, delta: { role: 'assistant', content: '', ...delta }, finish_reason: finish }],
      })}\n\n`;
    const call = (id: string, city: string) => ({
      tool_calls: [
        { id, index: 0, type: 'function', function: { name: 'get_weather', arguments: `{"city":"${city}"}` } },
      ],
    });
    server.enqueue({
      type: 'raw',
      chunks: [
        chunk(call('call_aaaa1111', 'Paris')),
        chunk(call('call_bbbb2222', 'Rome')),
        chunk({}, 'tool_calls'),
        'data: [DONE]\n\n',
      ],
    });
    const result = await generate(createModel('ollama/qwen3:8b', { env: { OLLAMA_HOST: server.url } }), ask);
    expect(result.toolCalls.map((part) => [part.toolCallId, part.input])).toEqual([
      ['call_aaaa1111', { city: 'Paris' }],
      ['call_bbbb2222', { city: 'Rome' }],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('a model that is not pulled → not-found, not retried, with the `ollama pull` command', async () => {
    const server = await start({ kind: 'ollama', models: ['llama3.2:3b'] });
    const { error } = await collectEvents(createModel('ollama/qwen3-coder', { env: { OLLAMA_HOST: server.url } }), ask);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'not-found', retryable: false, statusCode: 404 });
    const message = (error as Error).message;
    expect(message).toContain('ollama pull qwen3-coder');
    expect(message).toContain('model "qwen3-coder" not found, try pulling it first'); // Ollama's own words
    expect(server.pending).toBe(0);
  });

  it('nothing listening → network (retryable), asking whether Ollama runs and how to start it', async () => {
    const url = await closedPortUrl();
    const { error } = await collectEvents(createModel('ollama/qwen3-coder', { env: { OLLAMA_HOST: url } }), ask);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    const message = (error as Error).message;
    expect(message).toContain(`nothing answers at ${url} (connection refused): is Ollama running?`);
    expect(message).toContain('`ollama serve`');
    expect(message).not.toMatch(/^.*TypeError/);
  });

  it('a wrong base URL (404 with no model in the message) says to check the URL, not to pull', async () => {
    const server = await start(undefined, false);
    server.enqueue({
      type: 'http-error',
      status: 404,
      body: '404 page not found',
      headers: { 'content-type': 'text/plain' },
    });
    const model = createModel('ollama/qwen3-coder', {
      env: {},
      providers: { ollama: { baseURL: `${server.url}/api` } },
    });
    const { error } = await collectEvents(model, ask);
    expect((error as Error).message).toContain('check the base URL');
    expect((error as Error).message).not.toContain('ollama pull');
  });

  it('Ollama Cloud sends OLLAMA_API_KEY as the bearer token and gets no local-server hints', async () => {
    const server = await start(undefined);
    server.enqueue({ content: [{ type: 'text', text: 'hi' }], chatDialect: 'ollama' });
    const model = createModel('ollama-cloud/gpt-oss:120b', {
      env: { OLLAMA_API_KEY: 'ollama-secret', OLLAMA_CLOUD_BASE_URL: server.openaiBaseURL },
    });
    expect((await generate(model, { messages: conversation })).text).toBe('hi');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer ollama-secret');
    expect(server.requests[0]?.model).toBe('gpt-oss:120b');
    const refused = createModel('ollama-cloud/gpt-oss:120b', {
      env: { OLLAMA_API_KEY: 'k', OLLAMA_CLOUD_BASE_URL: `${await closedPortUrl()}/v1` },
    });
    const { error } = await collectEvents(refused, ask);
    expect(error).toMatchObject({ kind: 'network' });
    expect((error as Error).message).not.toContain('ollama serve');
  });
});

describe('LM Studio (OpenAI-compatible endpoint)', () => {
  it('reasoning_content deltas, tool calls, usage; no Authorization header without LM_API_TOKEN', async () => {
    const server = await start({ kind: 'lmstudio', models: ['qwen/qwen3-coder-30b', 'openai/gpt-oss-20b'] });
    server.enqueue({
      content: [
        { type: 'reasoning', text: 'Look it up.' },
        { type: 'tool-call', id: '365174485', name: 'get_weather', arguments: { city: 'Oslo' } },
      ],
      usage: { inputTokens: 300, outputTokens: 20 },
    });
    const model = createModel('lmstudio/qwen/qwen3-coder-30b', {
      env: {},
      providers: { lmstudio: { baseURL: server.openaiBaseURL } },
    });
    const result = await generate(model, ask);
    expect(result.reasoning.map((part) => part.text)).toEqual(['Look it up.']);
    expect(result.toolCalls).toMatchObject([
      { toolCallId: '365174485', toolName: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(result.usage).toMatchObject({ inputTokens: 300, outputTokens: 20 });
    expect(server.requests[0]?.model).toBe('qwen/qwen3-coder-30b');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('LM_API_TOKEN (LM Studio 0.4 authentication) is sent as the bearer token; LMSTUDIO_BASE_URL moves it', async () => {
    const server = await start({ kind: 'lmstudio', models: ['openai/gpt-oss-20b'] });
    server.enqueue({ content: [{ type: 'text', text: 'ok' }] });
    const model = createModel('lmstudio/openai/gpt-oss-20b', {
      env: { LM_API_TOKEN: 'sk-lm-123', LMSTUDIO_BASE_URL: server.openaiBaseURL },
    });
    expect((await generate(model, { messages: conversation })).text).toBe('ok');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-lm-123');
  });

  it('an unknown model id → not-found with `lms ls` and `lms get`; no model loaded → `lms load`', async () => {
    const server = await start({ kind: 'lmstudio', models: ['qwen/qwen3-coder-30b'] });
    const settings = { env: {}, providers: { lmstudio: { baseURL: server.openaiBaseURL } } };
    const unknown = await collectEvents(createModel('lmstudio/local-model', settings), ask);
    expect(unknown.error).toMatchObject({ kind: 'not-found', retryable: false, statusCode: 400 });
    expect((unknown.error as Error).message).toContain('LM Studio has no model "local-model"');
    expect((unknown.error as Error).message).toContain('`lms ls`');
    expect((unknown.error as Error).message).toContain('Invalid model identifier "local-model"');

    server.enqueue(lmstudioNoModelsLoaded());
    const none = await collectEvents(createModel('lmstudio/qwen/qwen3-coder-30b', settings), ask);
    expect((none.error as Error).message).toContain('`lms load <model>`');
  });

  it('nothing listening → how to start the LM Studio server', async () => {
    const url = await closedPortUrl();
    const model = createModel('lmstudio/any', { env: {}, providers: { lmstudio: { baseURL: `${url}/v1` } } });
    const { error } = await collectEvents(model, ask);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect((error as Error).message).toContain("is LM Studio's server running? Start it with `lms server start`");
  });
});
