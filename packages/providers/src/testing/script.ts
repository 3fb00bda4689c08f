/**
 * The scripts the fake server plays. One script is provider-neutral: the server renders it in the wire format of the
 * API the request came in on (OpenAI Chat Completions, OpenAI Responses, Anthropic Messages, Gemini), streaming or not.
 */

/** The wire APIs the fake server speaks, recognised from the request path. */
export type FakeWireApi = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini';

export interface FakeTextPart {
  type: 'text';
  /** The text; a string is split into deltas of `chunkSize` characters, an array is sent one delta per element. */
  text: string | string[];
}

export interface FakeReasoningPart {
  type: 'reasoning';
  text: string | string[];
  /** Anthropic `signature_delta`, Gemini `thoughtSignature`, OpenAI Responses `encrypted_content`. */
  signature?: string;
  /** Renders an Anthropic `redacted_thinking` block with this data instead of a thinking block. */
  redactedData?: string;
}

export interface FakeToolCallPart {
  type: 'tool-call';
  /** Defaults to `call_<n>` (`toolu_<n>` on Anthropic). */
  id?: string;
  name: string;
  /** Arguments as JSON text (split into deltas) or as an object (serialised). */
  arguments: string | Record<string, unknown>;
  /** Gemini `thoughtSignature` on the function-call part. */
  signature?: string;
}

export type FakePart = FakeTextPart | FakeReasoningPart | FakeToolCallPart;

export interface FakeUsage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** Something to go wrong in the middle of a 200 stream. `afterFrames` counts SSE frames already written. */
export type FakeStreamFault =
  /** Destroy the socket with a TCP reset after N frames (after `graceMs`, default 30, so the client reads them). */
  | { type: 'reset'; afterFrames: number; graceMs?: number }
  /** End the response cleanly after N frames: no finish, no `[DONE]`, no `message_stop`. */
  | { type: 'truncate'; afterFrames: number }
  /** Write a frame whose data is not valid JSON after N frames, then continue. */
  | { type: 'malformed'; afterFrames: number }
  /** Write the API's own in-stream error event after N frames (OpenAI-style `{"error":…}` chunk, Anthropic
   * `event: error`, Responses `event: error`, Gemini `{"error":…}` chunk), then end the response. */
  | {
      type: 'error-event';
      afterFrames: number;
      message?: string;
      /** Vendor error type/code, e.g. `overloaded_error`, `rate_limit_exceeded`, `RESOURCE_EXHAUSTED`. */
      errorType?: string;
      /** HTTP-like status the vendor puts in the body (Gemini `code`). */
      status?: number;
    }
  /** Pause for `ms` after N frames (a stalled stream); the client's idle timeout should fire. */
  | { type: 'stall'; afterFrames: number; ms: number };

/** A normal answer. */
export interface FakeReply {
  type?: 'reply';
  content?: FakePart[];
  usage?: FakeUsage;
  /** Defaults to `tool-calls` when there is a tool call, else `stop`. */
  finishReason?: 'stop' | 'length' | 'tool-calls' | 'content-filter';
  /** Response id; generated when absent. */
  id?: string;
  /** Model name reported back; defaults to the model the request named. */
  model?: string;
  /** Characters per text delta when a part's text is a string (default 8). */
  chunkSize?: number;
  /** Wait this long before sending the status line and headers (a stall before the first byte). */
  firstByteDelayMs?: number;
  /** Wait this long between SSE frames. */
  frameDelayMs?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** A fault to inject into the stream (streaming requests only; ignored for non-streaming ones). */
  fault?: FakeStreamFault;
  /** OpenAI-compatible Chat: the delta field reasoning goes in (`reasoning_content` DeepSeek style, the default,
   * or `reasoning` OpenRouter and Ollama style). */
  chatReasoningField?: 'reasoning_content' | 'reasoning';
  /** OpenAI-compatible Chat: how the stream is framed. `openai` (the default): a role chunk first, text and
   * reasoning in `chunkSize` deltas, each tool call's arguments split over several chunks. `ollama`: what Ollama's
   * `/v1/chat/completions` sends — every delta carries `role` and `content`, reasoning goes in `reasoning`, each tool
   * call arrives whole (id, name and all its arguments) in one chunk, the usage chunk has only the three token
   * counts. The default is the imitated local server's dialect (see `FakeServerOptions.localServer`). */
  chatDialect?: 'openai' | 'ollama';
}

/** An HTTP error: any status, any body, any headers (e.g. `retry-after`). A 200 with an error body works too. */
export interface FakeHttpError {
  type: 'http-error';
  status: number;
  /** The body as sent; an object is JSON-encoded. Defaults to the vendor's error shape for the API and status. */
  body?: string | Record<string, unknown>;
  /** Used in the default body. */
  message?: string;
  /** Vendor error type in the default body (e.g. `rate_limit_error`, `insufficient_quota`). */
  errorType?: string;
  headers?: Record<string, string>;
  firstByteDelayMs?: number;
}

/** Close the connection without an HTTP response (the client sees a socket hang up / reset). */
export interface FakeDrop {
  type: 'drop';
  /** Wait this long before dropping. */
  delayMs?: number;
}

/** Raw bytes: status, headers and body chunks written as given. */
export interface FakeRaw {
  type: 'raw';
  status?: number;
  headers?: Record<string, string>;
  chunks: string[];
  frameDelayMs?: number;
  firstByteDelayMs?: number;
}

export type FakeResponse = FakeReply | FakeHttpError | FakeDrop | FakeRaw;

/** What the server recorded about one request. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  body: any;
  rawBody: string;
  /** The wire API recognised from the path, when one was. */
  api: FakeWireApi | undefined;
  /** Whether the request asked for a stream. */
  stream: boolean;
  /** The model named by the request (body `model`, or the Gemini path segment). */
  model: string | undefined;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  /** Set once the response is over: true when the connection closed before the response ended (the client went
   * away, or a fault cut it), false when the response was written to its end. Undefined while in flight. */
  closedBeforeEnd?: boolean;
}

/**
 * A local model server to imitate (`createFakeServer({ localServer })`), as Ollama and LM Studio really answer:
 * - Ollama: `GET /api/tags` lists `models` (`{ models: [{ name, model, size, digest, details, … }] }`),
 *   `GET /api/version` gives `version`, `GET /v1/models` the OpenAI-style list; a chat request naming a model it does
 *   not have gets Ollama's 404 (`model "x" not found, try pulling it first`, type `not_found_error`); chat replies
 *   use the `ollama` dialect unless a reply says otherwise. A name without a tag means `:latest`.
 * - LM Studio: `GET /v1/models` lists `models` (`{ data: [{ id, object: 'model', owned_by }], object: 'list' }`); a
 *   chat request naming a model it does not have gets its 400 `Invalid model identifier "x"` (code `model_not_found`).
 * These answers use up no scripted response; the requests are still recorded. Neither server needs a key.
 */
export interface FakeLocalServer {
  kind: 'ollama' | 'lmstudio';
  /** The models it has (Ollama: pulled, e.g. `qwen3-coder:30b`; LM Studio: downloaded, e.g. `qwen/qwen3-coder-30b`). */
  models: string[];
  /** Ollama's version for `GET /api/version` (default `0.13.0`). */
  version?: string;
}

/** A scripted response, or a function of the request that returns one. */
export type FakeResponder = FakeResponse | ((request: RecordedRequest) => FakeResponse);
