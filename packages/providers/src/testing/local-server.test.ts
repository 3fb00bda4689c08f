import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeServer, type FakeServer, ollamaModelNotFound } from './index.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function ollama(models: string[]) {
  const server = await createFakeServer({ strict: true, localServer: { kind: 'ollama', models, version: '0.12.9' } });
  servers.push(server);
  return server;
}

/** An OpenAI client the way one talks to a local server: any key (the SDK wants one), none checked. */
function client(server: FakeServer) {
  return new OpenAI({ baseURL: server.openaiBaseURL, apiKey: 'unused', maxRetries: 0, logger: silent });
}

describe('the fake server imitating Ollama', () => {
  it('lists its models on /api/tags, /v1/models and says its version, using up nothing scripted', async () => {
    const server = await ollama(['qwen3-coder', 'llama3.2:3b']);
    server.enqueue({ content: [{ type: 'text', text: 'kept for later' }] });
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as {
      models: Array<{ name: string; model: string; size: number; details: { quantization_level: string } }>;
    };
    expect(tags.models.map((model) => model.name)).toEqual(['qwen3-coder:latest', 'llama3.2:3b']);
    expect(tags.models[0]).toMatchObject({ model: 'qwen3-coder:latest', details: { quantization_level: 'Q4_K_M' } });
    expect(await (await fetch(`${server.url}/api/version`)).json()).toEqual({ version: '0.12.9' });
    expect(await (await fetch(`${server.url}/`)).text()).toBe('Ollama is running');
    const listed = await client(server).models.list();
    expect(listed.data.map((model) => model.id)).toEqual(['qwen3-coder:latest', 'llama3.2:3b']);
    expect(server.pending).toBe(1);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/tags',
      'GET /api/version',
      'GET /',
      'GET /v1/models',
    ]);
  });

  it('answers an unknown model with its own 404 (a tag-less name means :latest)', async () => {
    const server = await ollama(['qwen3-coder:latest']);
    server.enqueue({ content: [{ type: 'text', text: 'hello' }] });
    const chat = (model: string) =>
      client(server).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    await expect(chat('qwen3-coder:30b')).rejects.toMatchObject({
      status: 404,
      error: { message: 'model "qwen3-coder:30b" not found, try pulling it first', type: 'not_found_error' },
    });
    expect(server.pending).toBe(1);
    const answer = await chat('qwen3-coder');
    expect(answer.choices[0]?.message.content).toBe('hello');
    expect(answer.system_fingerprint).toBe('fp_ollama');
    // strict mode, yet no Authorization needed by a local server
    expect(ollamaModelNotFound('x').status).toBe(404);
  });

  it('streams in Ollama’s dialect, which the OpenAI SDK parses: reasoning field, whole tool calls, bare usage', async () => {
    const server = await ollama(['qwen3:8b']);
    server.enqueue({
      content: [
        { type: 'reasoning', text: 'think' },
        { type: 'text', text: 'ok' },
        { type: 'tool-call', id: 'call_x1', name: 'read', arguments: { path: 'a.ts' } },
      ],
      usage: { inputTokens: 10, outputTokens: 3 },
    });
    const stream = await client(server).chat.completions.create({
      model: 'qwen3:8b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    expect(deltas.every((delta) => delta.role === 'assistant' && typeof delta.content === 'string')).toBe(true);
    expect(deltas.map((delta) => (delta as { reasoning?: string }).reasoning ?? '').join('')).toBe('think');
    const calls = deltas.flatMap((delta) => delta.tool_calls ?? []);
    expect(calls).toEqual([
      { id: 'call_x1', index: 0, type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } },
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
    });
    expect(chunks.at(-1)?.usage).not.toHaveProperty('prompt_tokens_details');
    expect(chunks[0]?.id).toMatch(/^chatcmpl-\d{1,3}$/);
  });
});

describe('the fake server imitating LM Studio', () => {
  it('lists its models and rejects an unknown id as LM Studio does (400, code model_not_found)', async () => {
    const server = await createFakeServer({
      localServer: { kind: 'lmstudio', models: ['qwen/qwen3-coder-30b', 'text-embedding-nomic-embed-text-v1.5'] },
    });
    servers.push(server);
    const listed = await client(server).models.list();
    expect(listed.data).toEqual([
      { id: 'qwen/qwen3-coder-30b', object: 'model', owned_by: 'organization_owner' },
      { id: 'text-embedding-nomic-embed-text-v1.5', object: 'model', owned_by: 'organization_owner' },
    ]);
    expect((await fetch(`${server.url}/api/tags`)).status).toBe(500); // not Ollama: falls to the script (empty)
    await expect(
      client(server).chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 400, code: 'model_not_found', param: 'model' });
  });
});
