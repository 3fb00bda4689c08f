/**
 * `@vtcode/providers/testing` — a wire-level fake LLM server for tests: a real `node:http` server on 127.0.0.1
 * (ephemeral port) that speaks OpenAI Chat Completions (`POST …/chat/completions`), OpenAI Responses
 * (`POST …/responses`), Anthropic Messages (`POST …/messages`) and Gemini (`POST …/models/{m}:generateContent`,
 * `…:streamGenerateContent?alt=sse`), streaming (SSE framed as each real API frames it) and not.
 *
 * ```ts
 * const server = await createFakeServer();
 * server.enqueue(
 *   { content: [{ type: 'text', text: 'Hello!' }], usage: { inputTokens: 10, outputTokens: 2 } },
 *   { type: 'http-error', status: 429, headers: { 'retry-after': '1' } },
 *   { content: [{ type: 'tool-call', name: 'read', arguments: { path: 'a' } }], fault: { type: 'reset', afterFrames: 3 } },
 * );
 * const client = new OpenAI({ baseURL: server.openaiBaseURL, apiKey: 'k', maxRetries: 0 });
 * // … drive the client; then assert on what it sent:
 * expect(server.requests[0]?.body.messages).toEqual([...]);
 * await server.close();
 * ```
 *
 * Stable API (other packages code against it):
 * - `createFakeServer({ fallback?, strict?, localServer? })` → `FakeServer { url, port, openaiBaseURL, anthropicBaseURL, geminiBaseURL,
 *   requests, enqueue(...), setFallback(r), pending, reset(), openConnections, close() }`.
 * - Responses are played one per request in order, whatever the API (`FakeResponder` = a `FakeResponse` or a
 *   function of the `RecordedRequest`). An empty queue plays the fallback, by default a 500 naming the request.
 * - `FakeResponse` is one of:
 *   - a reply `{ content: [text | reasoning | tool-call parts], usage, finishReason, chunkSize, firstByteDelayMs,
 *     frameDelayMs, headers, fault, chatReasoningField, chatDialect }`, rendered in the request's wire format; streaming when the
 *     body says `stream: true` (or the Gemini path is `streamGenerateContent`);
 *   - `{ type: 'http-error', status, body?, message?, errorType?, headers? }` — any status, any body (default: the
 *     vendor's error shape), any headers such as `retry-after`; a status 200 with an error body works too;
 *   - `{ type: 'drop', delayMs? }` — the connection is reset without a response;
 *   - `{ type: 'raw', status?, headers?, chunks, frameDelayMs?, firstByteDelayMs? }` — exact bytes.
 * - Faults inside a 200 stream (`fault` on a reply, `afterFrames` counts SSE frames written): `reset` (TCP reset
 *   mid-stream), `truncate` (clean end with no terminator), `malformed` (a frame that is not JSON), `error-event`
 *   (the API's own in-stream error: `{"error":…}` chunk, Anthropic/Responses `event: error`), `stall` (a pause
 *   between frames). `firstByteDelayMs` stalls before the status line.
 * - `strict: true` answers, with the API's own 400 shape, what the real API would reject before generating (no
 *   model, no Anthropic max_tokens or anthropic-version, no auth header, empty messages/contents, a thinking budget not
 *   below max_tokens, …); the request is still recorded and no scripted response is used up.
 * - `localServer: { kind: 'ollama' | 'lmstudio', models, version? }` imitates a local model server: Ollama's
 *   `GET /api/tags`, `/api/version` and `/v1/models`, LM Studio's `GET /v1/models`, each one's own error for a chat
 *   request naming a model it does not have, no key required (also in strict mode), and Ollama's chat dialect
 *   (`chatDialect: 'ollama'`: `reasoning` deltas, each tool call whole in one chunk, a bare usage chunk).
 *   `ollamaModelNotFound(model)`, `lmstudioModelNotFound(model, models)` and `lmstudioNoModelsLoaded()` are those
 *   errors as scripted responses.
 * - `closedPortUrl()` gives a URL whose port refuses connections.
 * - `RecordedRequest { method, path, query, headers (lower-case), body (parsed JSON), rawBody, api, stream, model,
 *   receivedAt, closedBeforeEnd }` — `closedBeforeEnd` is set once the response is over: true when the connection
 *   closed first (the client aborted or broke off, or a fault cut it).
 * - Base URLs: `openaiBaseURL` (`<url>/v1`, for `openai` and every OpenAI-compatible client), `anthropicBaseURL`
 *   and `geminiBaseURL` (`<url>`; the SDKs append `/v1/messages` and `/v1beta/models/…`).
 */
export type { FakeServer, FakeServerOptions } from './fake-server.ts';
export { closedPortUrl, createFakeServer } from './fake-server.ts';
export { lmstudioModelNotFound, lmstudioNoModelsLoaded, ollamaModelNotFound } from './local-server.ts';
export type {
  FakeDrop,
  FakeHttpError,
  FakeLocalServer,
  FakePart,
  FakeRaw,
  FakeReasoningPart,
  FakeReply,
  FakeResponder,
  FakeResponse,
  FakeStreamFault,
  FakeTextPart,
  FakeToolCallPart,
  FakeUsage,
  FakeWireApi,
  RecordedRequest,
} from './script.ts';
