import type { FakeHttpError, FakeLocalServer, RecordedRequest } from './script.ts';

/** What the imitated local server answers by itself (a JSON status and body), or undefined to play the script. */
export interface LocalAnswer {
  status: number;
  body: unknown;
}

/** Ollama's rule: a model name without a tag means `:latest`. */
function ollamaName(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

function hasModel(server: FakeLocalServer, model: string): boolean {
  if (server.kind === 'ollama') {
    const wanted = ollamaName(model);
    return server.models.some((name) => ollamaName(name) === wanted);
  }
  return server.models.includes(model);
}

/** Ollama's `GET /api/tags` body. */
function ollamaTags(server: FakeLocalServer) {
  return {
    models: server.models.map((name, index) => ({
      name: ollamaName(name),
      model: ollamaName(name),
      modified_at: '2026-11-01T09:00:00.000000000Z',
      size: 4_000_000_000 + index,
      digest: `${(index + 1).toString(16).padStart(2, '0')}${'ab'.repeat(31)}`,
      details: {
        parent_model: '',
        format: 'gguf',
        family: 'qwen3',
        families: ['qwen3'],
        parameter_size: '8.2B',
        quantization_level: 'Q4_K_M',
      },
    })),
  };
}

/** The OpenAI-style `GET /v1/models` body each server sends. */
function openaiModelList(server: FakeLocalServer) {
  return {
    object: 'list',
    data: server.models.map((name) =>
      server.kind === 'ollama'
        ? { id: ollamaName(name), object: 'model', created: 1_761_987_600, owned_by: 'library' }
        : { id: name, object: 'model', owned_by: 'organization_owner' },
    ),
  };
}

/** Ollama's 404 for a model that is not pulled, as its OpenAI-compatible endpoint sends it. */
export function ollamaModelNotFound(model: string): FakeHttpError {
  return {
    type: 'http-error',
    status: 404,
    body: {
      error: {
        message: `model ${JSON.stringify(model)} not found, try pulling it first`,
        type: 'not_found_error',
        param: null,
        code: null,
      },
    },
  };
}

/** LM Studio's answer to a model id it does not have (0.3.x and later: a 400 with code `model_not_found`). */
export function lmstudioModelNotFound(model: string, available: string[] = []): FakeHttpError {
  const examples = available.length > 0 ? ` (e.g., ${available.slice(0, 3).join(', ')})` : '';
  return {
    type: 'http-error',
    status: 400,
    body: {
      error: {
        message: `Invalid model identifier ${JSON.stringify(model)}. Please specify a valid downloaded model${examples}.`,
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    },
  };
}

/** LM Studio's answer when no model is loaded and just-in-time loading is off. */
export function lmstudioNoModelsLoaded(): FakeHttpError {
  return {
    type: 'http-error',
    status: 400,
    body: { error: "No models loaded. Please load a model in the developer page or use the 'lms load' command." },
  };
}

/** The imitated server's own answer to a request, when it has one. */
export function answerAsLocalServer(
  server: FakeLocalServer,
  request: RecordedRequest,
): LocalAnswer | FakeHttpError | undefined {
  if (request.method === 'GET') {
    if (server.kind === 'ollama' && request.path === '/api/tags') return { status: 200, body: ollamaTags(server) };
    if (server.kind === 'ollama' && request.path === '/api/version')
      return { status: 200, body: { version: server.version ?? '0.13.0' } };
    if (request.path === '/v1/models') return { status: 200, body: openaiModelList(server) };
    if (server.kind === 'ollama' && request.path === '/') return { status: 200, body: 'Ollama is running' };
    return undefined;
  }
  if (request.api === 'openai-chat' && typeof request.model === 'string' && !hasModel(server, request.model)) {
    return server.kind === 'ollama'
      ? ollamaModelNotFound(request.model)
      : lmstudioModelNotFound(request.model, server.models);
  }
  return undefined;
}
