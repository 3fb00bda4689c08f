import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerAsLocalServer } from './local-server.ts';
import type {
  FakeLocalServer,
  FakeReply,
  FakeResponder,
  FakeResponse,
  FakeWireApi,
  RecordedRequest,
} from './script.ts';
import { validateRequest } from './validate-request.ts';
import { anthropicMessagesWire } from './wire/anthropic-messages.ts';
import type { WireRenderer } from './wire/common.ts';
import { geminiWire } from './wire/gemini.ts';
import { openaiChatWire } from './wire/openai-chat.ts';
import { openaiResponsesWire } from './wire/openai-responses.ts';

const RENDERERS: Record<FakeWireApi, WireRenderer> = {
  'openai-chat': openaiChatWire,
  'openai-responses': openaiResponsesWire,
  'anthropic-messages': anthropicMessagesWire,
  gemini: geminiWire,
};

export interface FakeServerOptions {
  /** Played when the queue is empty. Default: a 500 saying the script ran out (so a test sees an unexpected call). */
  fallback?: FakeResponder;
  /** Reject, with the API's own 400, what the real API would reject (missing model, max_tokens, auth headers, …)
   * before a scripted response is used. Default false. */
  strict?: boolean;
  /** Imitate a local model server (Ollama or LM Studio): its model-list endpoints, its not-found errors, its chat
   * dialect, no key required. See `FakeLocalServer`. */
  localServer?: FakeLocalServer;
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Base URL for the OpenAI SDK and OpenAI-compatible clients: `<url>/v1`. */
  readonly openaiBaseURL: string;
  /** Base URL for the Anthropic SDK (it appends `/v1/messages`): `<url>`. */
  readonly anthropicBaseURL: string;
  /** Base URL for `@google/genai` (`httpOptions.baseUrl`; it appends `/v1beta/models/…`): `<url>`. */
  readonly geminiBaseURL: string;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queue responses; each request takes the next one in order, whatever its API. */
  enqueue(...responses: FakeResponder[]): void;
  /** Replace what is played once the queue is empty. */
  setFallback(responder: FakeResponder | undefined): void;
  /** How many queued responses are left. */
  readonly pending: number;
  /** Clear the queue and the recorded requests. */
  reset(): void;
  /** The number of connections open right now. */
  readonly openConnections: number;
  /** Stop listening, destroy open connections, cancel stalls. */
  close(): Promise<void>;
}

function recognise(path: string): { api: FakeWireApi | undefined; geminiModel?: string; geminiStream?: boolean } {
  if (path.endsWith('/chat/completions')) return { api: 'openai-chat' };
  if (path.endsWith('/responses')) return { api: 'openai-responses' };
  if (path.endsWith('/messages')) return { api: 'anthropic-messages' };
  const gemini = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (gemini) {
    return {
      api: 'gemini',
      geminiModel: decodeURIComponent(gemini[1] ?? ''),
      geminiStream: gemini[2] !== 'generateContent',
    };
  }
  return { api: undefined };
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Start a fake LLM server on 127.0.0.1 with an ephemeral port. See `src/testing/index.ts` for the guide.
 */
export async function createFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const queue: FakeResponder[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<{ cancel: () => void }>();
  let fallback: FakeResponder | undefined = options.fallback;
  let closed = false;

  const sleep = (ms: number, response: ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (ms <= 0) {
        resolve(!response.destroyed);
        return;
      }
      const entry = {
        cancel: () => {
          clearTimeout(timer);
          timers.delete(entry);
          resolve(false);
        },
      };
      const timer = setTimeout(() => {
        timers.delete(entry);
        response.off('close', onClose);
        resolve(!response.destroyed);
      }, ms);
      const onClose = () => entry.cancel();
      response.once('close', onClose);
      timers.add(entry);
    });

  const write = (response: ServerResponse, chunk: string) =>
    new Promise<void>((resolve) => {
      if (response.destroyed) {
        resolve();
        return;
      }
      if (response.write(chunk)) resolve();
      else {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.once('drain', done);
        response.once('close', done);
      }
    });

  async function play(recorded: RecordedRequest, response: ServerResponse, scripted: FakeResponse): Promise<void> {
    const api = recorded.api;
    const type = scripted.type ?? 'reply';
    if (type === 'drop') {
      const drop = scripted as Extract<FakeResponse, { type: 'drop' }>;
      if (!(await sleep(drop.delayMs ?? 0, response))) return;
      response.socket?.resetAndDestroy();
      return;
    }
    if (type === 'raw') {
      const raw = scripted as Extract<FakeResponse, { type: 'raw' }>;
      if (!(await sleep(raw.firstByteDelayMs ?? 0, response))) return;
      response.writeHead(raw.status ?? 200, raw.headers ?? { 'content-type': 'text/event-stream' });
      response.flushHeaders();
      for (const chunk of raw.chunks) {
        await write(response, chunk);
        if (!(await sleep(raw.frameDelayMs ?? 0, response))) return;
      }
      response.end();
      return;
    }
    if (type === 'http-error') {
      const error = scripted as Extract<FakeResponse, { type: 'http-error' }>;
      if (!(await sleep(error.firstByteDelayMs ?? 0, response))) return;
      const message = error.message ?? `fake error ${error.status}`;
      let body: string;
      if (typeof error.body === 'string') body = error.body;
      else if (error.body) body = JSON.stringify(error.body);
      else {
        const renderer = api ? RENDERERS[api] : openaiChatWire;
        body = JSON.stringify(renderer.errorBody(error.status, message, error.errorType));
      }
      response.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
      response.end(body);
      return;
    }
    let reply = scripted as FakeReply;
    if (options.localServer?.kind === 'ollama' && reply.chatDialect === undefined) {
      reply = { ...reply, chatDialect: 'ollama' };
    }
    if (!api) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `fake server: no wire API at ${recorded.path}` } }));
      return;
    }
    const renderer = RENDERERS[api];
    if (!(await sleep(reply.firstByteDelayMs ?? 0, response))) return;
    const requestId = `req_fake_${requests.indexOf(recorded) + 1}`;
    if (!recorded.stream) {
      response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId, ...reply.headers });
      response.end(JSON.stringify(renderer.body(reply, recorded)));
      return;
    }
    const frames = renderer.frames(reply, recorded);
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': requestId,
      ...reply.headers,
    });
    response.flushHeaders();
    const fault = reply.fault;
    for (let index = 0; index <= frames.length; index += 1) {
      if (fault && fault.afterFrames === index) {
        if (fault.type === 'reset') {
          // Let the client read what was written before the RST, or the kernel would discard it.
          if (!(await sleep(fault.graceMs ?? 30, response))) return;
          response.socket?.resetAndDestroy();
          return;
        }
        if (fault.type === 'truncate') {
          response.end();
          return;
        }
        if (fault.type === 'malformed') await write(response, renderer.malformedFrame());
        if (fault.type === 'error-event') {
          await write(
            response,
            renderer.errorFrame(fault.message ?? 'fake in-stream error', fault.errorType, fault.status),
          );
          response.end();
          return;
        }
        if (fault.type === 'stall' && !(await sleep(fault.ms, response))) return;
      }
      const frame = frames[index];
      if (frame === undefined) break;
      if (index > 0 && !(await sleep(reply.frameDelayMs ?? 0, response))) return;
      await write(response, frame);
    }
    response.end();
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const recognised = recognise(url.pathname);
      const streamFlag = (body as { stream?: unknown } | undefined)?.stream === true;
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: headersOf(request),
        body,
        rawBody,
        api: recognised.api,
        stream: recognised.api === 'gemini' ? recognised.geminiStream === true : streamFlag,
        model: recognised.geminiModel ?? (body as { model?: string } | undefined)?.model,
        receivedAt: performance.now(),
      };
      requests.push(recorded);
      response.once('close', () => {
        recorded.closedBeforeEnd = !response.writableFinished;
      });
      const local = options.localServer ? answerAsLocalServer(options.localServer, recorded) : undefined;
      if (local) {
        const body = local.body ?? {};
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const contentType = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
        response.writeHead(local.status, { 'content-type': contentType });
        response.end(text);
        return;
      }
      const problem = options.strict
        ? validateRequest(recorded, { keyless: options.localServer !== undefined })
        : undefined;
      if (problem) {
        const renderer = recorded.api ? RENDERERS[recorded.api] : openaiChatWire;
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify(renderer.errorBody(400, `fake server (strict): ${problem}`, undefined)));
        return;
      }
      const responder: FakeResponder = queue.shift() ??
        fallback ?? {
          type: 'http-error',
          status: 500,
          message: `fake server: no scripted response left for request #${requests.length} ${recorded.method} ${recorded.path}`,
        };
      let scripted: FakeResponse;
      try {
        scripted = typeof responder === 'function' ? responder(recorded) : responder;
      } catch (error) {
        scripted = { type: 'http-error', status: 500, message: `fake server: responder threw: ${String(error)}` };
      }
      play(recorded, response, scripted).catch(() => {
        response.destroy();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    geminiBaseURL: url,
    requests,
    enqueue(...responses) {
      queue.push(...responses);
    },
    setFallback(responder) {
      fallback = responder;
    },
    get pending() {
      return queue.length;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    get openConnections() {
      return sockets.size;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of [...timers]) timer.cancel();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}

/**
 * A URL on 127.0.0.1 where nothing listens: connecting gets ECONNREFUSED. The port was free a moment ago;
 * another process could take it in between, which is unlikely within a test.
 */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
