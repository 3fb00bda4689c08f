import type OpenAI from 'openai';
import { APICallError, type ProviderConfigError } from '../errors/provider-error.ts';
import type {
  LanguageModel,
  ModelCapabilities,
  ModelRequest,
  StreamEvent,
  StreamOptions,
  Usage,
} from '../model/language-model.ts';
import type { ModelMessage, ToolChoice } from '../model/message.ts';
import type { AdapterConfig } from './adapter-config.ts';
import { imageUrl, textOfToolOutput } from './message-helpers.ts';
import { lazyOpenAIClient } from './openai-client.ts';
import {
  OpenAICompatibleOptionsSchema,
  OpenAIOptionsSchema,
  OpenRouterOptionsSchema,
  parseProviderOptions,
} from './provider-options.ts';
import {
  cancelledError,
  finishUsage,
  isJsonContentType,
  malformedChunkError,
  parseToolInputLenient,
  toAPICallError,
  truncatedStreamError,
  unexpectedBodyError,
} from './stream-helpers.ts';
import { ThinkTagSplitter } from './think-tag-splitter.ts';

/** How an OpenAI-compatible server differs from OpenAI's own Chat Completions. */
export interface OpenAIChatQuirks {
  /** The max-output field: OpenAI wants `max_completion_tokens`, most compatible servers `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** How `request.reasoning` is sent: `reasoning_effort` (OpenAI), `reasoning: {…}` (OpenRouter),
   * `thinking: { type }` (Z.AI), or not at all. */
  reasoning: 'reasoning_effort' | 'openrouter' | 'thinking-toggle' | 'none';
  /** Send an assistant message's reasoning text back in this field (DeepSeek / Moonshot thinking with tools). */
  echoReasoning: false | 'reasoning_content' | 'reasoning';
  /** Ask for usage in the stream with `stream_options.include_usage`. */
  streamUsage: boolean;
  /** Split `<think>…</think>` in the content into reasoning. */
  thinkTags: boolean;
  /** The provider-options key validated against OpenRouter's schema (`openrouter`), if any. */
  openRouterOptions: boolean;
  /** Send user text as a plain string when a message has no image (servers that reject content arrays). */
  plainTextContent: boolean;
  /** A local model server whose failures get its own fix in the message: connection refused → how to start it, an
   * unknown model → how to pull or download it. */
  localServer?: 'ollama' | 'lmstudio';
}

export const OPENAI_QUIRKS: OpenAIChatQuirks = {
  maxTokensField: 'max_completion_tokens',
  reasoning: 'reasoning_effort',
  echoReasoning: false,
  streamUsage: true,
  thinkTags: false,
  openRouterOptions: false,
  plainTextContent: false,
};

export interface OpenAIChatAdapterConfig extends AdapterConfig {
  quirks?: Partial<OpenAIChatQuirks>;
  /** Send no `Authorization` header at all (a local server and no key; `apiKey` is then only a placeholder the SDK
   * insists on). */
  noAuthorization?: boolean;
}

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming & Record<string, unknown>;

/** OpenAI Chat Completions — and, with a base URL and quirks, every OpenAI-compatible server. */
export function createOpenAIChatModel(config: OpenAIChatAdapterConfig): LanguageModel {
  const quirks: OpenAIChatQuirks = { ...OPENAI_QUIRKS, ...config.quirks };
  const ref = { provider: config.provider, modelId: config.modelId };
  const getClient = lazyOpenAIClient(config);

  return {
    provider: config.provider,
    modelId: config.modelId,
    capabilities: config.capabilities,
    stream(request: ModelRequest, options: StreamOptions = {}): AsyncIterable<StreamEvent> {
      return streamChat(request, options);
    },
  };

  async function* streamChat(request: ModelRequest, options: StreamOptions): AsyncGenerator<StreamEvent> {
    const { signal } = options;
    if (signal?.aborted) throw cancelledError(ref, signal);
    const body = buildChatBody(config, quirks, request);
    const openai = await getClient();
    const headers: Record<string, string | null> | undefined = config.noAuthorization
      ? { ...request.headers, Authorization: null }
      : request.headers;
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk> & { controller: AbortController };
    try {
      const { data, response } = await openai.chat.completions
        .create(body, { ...(signal ? { signal } : {}), ...(headers ? { headers } : {}) })
        .withResponse();
      if (isJsonContentType(response.headers)) {
        const text = await response.text().catch(() => '');
        data.controller.abort();
        throw unexpectedBodyError(ref, response.status, response.headers, text);
      }
      stream = data;
    } catch (error) {
      const failure = toAPICallError(ref, error, signal);
      throw quirks.localServer ? withLocalServerHint(failure, quirks.localServer, config) : failure;
    }

    const toolCalls = new Map<number, { id: string; name: string; arguments: string; ended: boolean }>();
    // Where each `index` of the stream is kept. A call that arrives with a new id at an index already used (a server
    // that numbers every whole call 0) is a new call, not more arguments for the old one: OpenAI's continuation
    // deltas carry no id, and servers that repeat one repeat the same.
    const slots = new Map<number, number>();
    const slotOf = (call: { index: number; id?: string | undefined }): number => {
      const slot = slots.get(call.index);
      const existing = slot === undefined ? undefined : toolCalls.get(slot);
      if (slot !== undefined && (!call.id || !existing || existing.id === call.id)) return slot;
      const next = toolCalls.size;
      slots.set(call.index, next);
      return next;
    };
    const splitter = quirks.thinkTags ? new ThinkTagSplitter() : undefined;
    let textOpen = false;
    let reasoningOpen = false;
    let blockCounter = 0;
    let textId = '';
    let reasoningId = '';
    let finishReason: string | undefined;
    let usage: Usage = {};
    let metadataSent = false;
    let reasoningDetails: unknown[] | undefined;

    const closeText = function* (): Generator<StreamEvent> {
      if (textOpen) {
        textOpen = false;
        yield { type: 'text-end', id: textId };
      }
    };
    const closeReasoning = function* (): Generator<StreamEvent> {
      if (reasoningOpen) {
        reasoningOpen = false;
        yield {
          type: 'reasoning-end',
          id: reasoningId,
          ...(reasoningDetails ? { providerMetadata: { openrouter: { reasoningDetails } } } : {}),
        };
      }
    };
    const text = function* (delta: string): Generator<StreamEvent> {
      if (!delta) return;
      yield* closeReasoning();
      if (!textOpen) {
        textOpen = true;
        textId = `text-${blockCounter++}`;
        yield { type: 'text-start', id: textId };
      }
      yield { type: 'text-delta', id: textId, delta };
    };
    const reasoning = function* (delta: string): Generator<StreamEvent> {
      if (!delta) return;
      yield* closeText();
      if (!reasoningOpen) {
        reasoningOpen = true;
        reasoningId = `reasoning-${blockCounter++}`;
        yield { type: 'reasoning-start', id: reasoningId };
      }
      yield { type: 'reasoning-delta', id: reasoningId, delta };
    };
    const endToolCalls = function* (): Generator<StreamEvent> {
      for (const call of toolCalls.values()) {
        if (call.ended) continue;
        call.ended = true;
        const parsed = parseToolInputLenient(call.arguments);
        yield {
          type: 'tool-call-end',
          toolCallId: call.id,
          toolName: call.name,
          input: parsed.input,
          rawInput: call.arguments,
        };
        if (parsed.error) {
          yield { type: 'warning', message: `tool call ${call.id} has invalid JSON arguments: ${parsed.error}` };
        }
      }
    };

    try {
      for await (const chunk of stream) {
        if (!metadataSent) {
          metadataSent = true;
          yield { type: 'response-metadata', id: chunk.id, modelId: chunk.model, provider: config.provider };
        }
        if (chunk.usage) usage = usageOf(chunk.usage as OpenAI.CompletionUsage & Record<string, unknown>);
        for (const choice of chunk.choices ?? []) {
          if (choice.index !== 0 || !choice.delta) {
            if (choice.index === 0 && choice.finish_reason) finishReason = choice.finish_reason;
            continue;
          }
          const delta = choice.delta as Record<string, unknown> &
            OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta;
          const content = delta.content;
          // The hot path: one more text delta in an open text block.
          if (
            textOpen &&
            !splitter &&
            typeof content === 'string' &&
            content !== '' &&
            delta.tool_calls == null &&
            delta.reasoning_content == null &&
            delta.reasoning == null &&
            delta.reasoning_details == null
          ) {
            yield { type: 'text-delta', id: textId, delta: content };
            if (choice.finish_reason) finishReason = choice.finish_reason;
            continue;
          }
          const reasoningText =
            typeof delta.reasoning_content === 'string'
              ? delta.reasoning_content
              : typeof delta.reasoning === 'string'
                ? delta.reasoning
                : '';
          if (Array.isArray(delta.reasoning_details)) {
            reasoningDetails = [...(reasoningDetails ?? []), ...delta.reasoning_details];
          }
          if (reasoningText) yield* reasoning(reasoningText);
          if (typeof content === 'string' && content) {
            if (splitter) {
              for (const piece of splitter.push(content)) {
                yield* piece.kind === 'text' ? text(piece.text) : reasoning(piece.text);
              }
            } else yield* text(content);
          }
          for (const call of delta.tool_calls ?? []) {
            const slot = slotOf(call);
            let entry = toolCalls.get(slot);
            if (!entry) {
              yield* closeText();
              yield* closeReasoning();
              entry = {
                id: call.id ?? `call_${call.index}`,
                name: call.function?.name ?? '',
                arguments: '',
                ended: false,
              };
              toolCalls.set(slot, entry);
              yield { type: 'tool-call-start', toolCallId: entry.id, toolName: entry.name };
            }
            const argumentsDelta = call.function?.arguments;
            if (argumentsDelta) {
              entry.arguments += argumentsDelta;
              yield { type: 'tool-call-delta', toolCallId: entry.id, argumentsDelta };
            }
          }
          if (choice.finish_reason) finishReason = choice.finish_reason;
        }
      }
    } catch (error) {
      if (error instanceof SyntaxError && !signal?.aborted) throw malformedChunkError(ref, error);
      throw toAPICallError(ref, error, signal);
    }
    if (signal?.aborted) throw cancelledError(ref, signal);
    if (finishReason === undefined) throw truncatedStreamError(ref, 'a finish_reason');
    if (splitter) {
      for (const piece of splitter.flush()) yield* piece.kind === 'text' ? text(piece.text) : reasoning(piece.text);
    }
    yield* closeReasoning();
    yield* closeText();
    yield* endToolCalls();
    const finalUsage = finishUsage(usage, config.pricing);
    yield { type: 'usage', usage: finalUsage };
    yield {
      type: 'finish',
      finishReason: mapFinishReason(finishReason, toolCalls.size > 0),
      rawFinishReason: finishReason,
      usage: finalUsage,
    };
  }
}

/** Whether a failure (or anything in its cause chain) is a refused TCP connection. */
function isConnectionRefused(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 'ECONNREFUSED' || (typeof message === 'string' && message.includes('ECONNREFUSED'))) return true;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((inner) => isConnectionRefused(inner))) return true;
    current = cause;
  }
  return false;
}

/** What the server said: the vendor body's message (OpenAI shape, the SDK's copy of its `error` object, or Ollama's
 * and LM Studio's bare `{"error": "…"}`). */
function vendorMessage(error: APICallError): string | undefined {
  try {
    const parsed = JSON.parse(error.responseBody ?? '') as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    const message = (parsed.error as { message?: unknown } | undefined)?.message ?? parsed.message;
    if (typeof message === 'string') return message;
  } catch {}
  const sdkError = (error.cause as { error?: unknown } | undefined)?.error;
  if (typeof sdkError === 'string') return sdkError;
  return undefined;
}

/**
 * A local server's failure with the fix in its message: how to start the server when nothing listens, how to get a
 * model it does not have. The kind, status and retryability stay as classified (so failover still works).
 */
export function withLocalServerHint(
  error: APICallError | ProviderConfigError,
  server: 'ollama' | 'lmstudio',
  config: Pick<AdapterConfig, 'baseURL' | 'modelId' | 'provider'>,
): APICallError | ProviderConfigError {
  if (!APICallError.isInstance(error)) return error;
  const where = `${config.provider}/${config.modelId}`;
  const origin = (() => {
    try {
      return new URL(config.baseURL ?? '').origin;
    } catch {
      return config.baseURL ?? '';
    }
  })();
  const said = vendorMessage(error);
  const status = error.statusCode !== undefined ? ` (HTTP ${error.statusCode})` : '';
  let hint: string | undefined;
  if (error.kind === 'network' && isConnectionRefused(error)) {
    hint =
      server === 'ollama'
        ? `nothing answers at ${origin} (connection refused): is Ollama running? Start it with \`ollama serve\` ` +
          `(or open the Ollama app), or set OLLAMA_HOST to where it listens`
        : `nothing answers at ${origin} (connection refused): is LM Studio's server running? Start it with ` +
          `\`lms server start\` (or Developer → Start Server in the app), or set [providers.lmstudio] base_url ` +
          `(LMSTUDIO_BASE_URL) to where it listens`;
  } else if (
    (error.kind === 'not-found' && /model/i.test(said ?? '')) ||
    /model[_ ]not[_ ]found|invalid model identifier/i.test(`${said ?? ''} ${error.responseBody ?? ''}`)
  ) {
    hint =
      server === 'ollama'
        ? `Ollama has no model "${config.modelId}": pull it with \`ollama pull ${config.modelId}\` ` +
          `(\`ollama list\` shows the models you have)`
        : `LM Studio has no model "${config.modelId}": \`lms ls\` lists the models you have (use one as ` +
          `lmstudio/<id>), \`lms get ${config.modelId}\` downloads one`;
  } else if (server === 'lmstudio' && /no models loaded/i.test(said ?? '')) {
    hint = `LM Studio has no model loaded: load one with \`lms load <model>\`, or turn on just-in-time loading`;
  } else if (error.statusCode === 404) {
    hint = `${origin} has no OpenAI-compatible chat endpoint at ${config.baseURL}/chat/completions: check the base URL (${
      server === 'ollama' ? "Ollama's is http://<host>:11434/v1" : "LM Studio's is http://<host>:1234/v1"
    })`;
  }
  if (!hint) return error;
  const serverName = server === 'ollama' ? 'Ollama' : 'LM Studio';
  return new APICallError(`${where}: ${error.kind}${status}: ${hint}${said ? ` (${serverName} said: ${said})` : ''}`, {
    provider: error.provider,
    ...(error.modelId !== undefined ? { modelId: error.modelId } : {}),
    ...(error.url !== undefined ? { url: error.url } : {}),
    ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
    ...(error.responseHeaders !== undefined ? { responseHeaders: error.responseHeaders } : {}),
    ...(error.responseBody !== undefined ? { responseBody: error.responseBody } : {}),
    kind: error.kind,
    retryable: error.retryable,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    cause: error,
  });
}

function mapFinishReason(
  reason: string,
  hadToolCalls: boolean,
): Extract<StreamEvent, { type: 'finish' }>['finishReason'] {
  switch (reason) {
    case 'stop':
      return hadToolCalls ? 'tool-calls' : 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}

function usageOf(raw: OpenAI.CompletionUsage & Record<string, unknown>): Usage {
  const usage: Usage = { inputTokens: raw.prompt_tokens, outputTokens: raw.completion_tokens };
  if (typeof raw.total_tokens === 'number') usage.totalTokens = raw.total_tokens;
  // OpenAI's field, DeepSeek's prompt_cache_hit_tokens, Moonshot's top-level cached_tokens.
  const cached =
    raw.prompt_tokens_details?.cached_tokens ??
    (typeof raw.prompt_cache_hit_tokens === 'number' ? raw.prompt_cache_hit_tokens : undefined) ??
    (typeof raw.cached_tokens === 'number' ? raw.cached_tokens : undefined);
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  const written = (raw.prompt_tokens_details as { cache_write_tokens?: unknown } | undefined)?.cache_write_tokens;
  if (typeof written === 'number' && written > 0) usage.cacheWriteTokens = written;
  const reasoning = raw.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  // OpenRouter reports what it charged (with `usage: { include: true }`); that beats a catalogue estimate.
  if (typeof raw.cost === 'number') usage.costUsd = raw.cost;
  return usage;
}

/** Builds the Chat Completions request body (exported for tests and the gateway). */
export function buildChatBody(config: AdapterConfig, quirks: OpenAIChatQuirks, request: ModelRequest): ChatBody {
  const openaiOptions = parseProviderOptions(OpenAIOptionsSchema, request.providerOptions, 'openai');
  const compatible = parseProviderOptions(OpenAICompatibleOptionsSchema, request.providerOptions, 'openaiCompatible');
  const openrouter = quirks.openRouterOptions
    ? parseProviderOptions(OpenRouterOptionsSchema, request.providerOptions, 'openrouter')
    : undefined;
  const body: ChatBody = {
    model: config.modelId,
    messages: toChatMessages(request.messages, quirks),
    stream: true,
  };
  if (quirks.streamUsage) body.stream_options = { include_usage: true };
  if (request.maxOutputTokens !== undefined) body[quirks.maxTokensField] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences?.length) body.stop = request.stopSequences;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
    }));
    if (request.toolChoice !== undefined) body.tool_choice = toChatToolChoice(request.toolChoice);
  }
  const effort = request.reasoning?.effort;
  if (request.reasoning) {
    if (quirks.reasoning === 'reasoning_effort' && effort) body.reasoning_effort = effort;
    else if (quirks.reasoning === 'openrouter') {
      body.reasoning =
        request.reasoning.budgetTokens !== undefined
          ? { max_tokens: request.reasoning.budgetTokens }
          : { effort: effort ?? 'medium' };
    } else if (quirks.reasoning === 'thinking-toggle') body.thinking = { type: 'enabled' };
  }
  if (openaiOptions) {
    if (openaiOptions.reasoningEffort !== undefined) body.reasoning_effort = openaiOptions.reasoningEffort as never;
    if (openaiOptions.user !== undefined) body.user = openaiOptions.user;
    if (openaiOptions.parallelToolCalls !== undefined && body.tools) {
      body.parallel_tool_calls = openaiOptions.parallelToolCalls;
    }
    if (openaiOptions.serviceTier !== undefined) body.service_tier = openaiOptions.serviceTier;
    if (openaiOptions.store !== undefined) body.store = openaiOptions.store;
    if (openaiOptions.promptCacheKey !== undefined) body.prompt_cache_key = openaiOptions.promptCacheKey;
    Object.assign(body, openaiOptions.extraBody);
  }
  if (openrouter) {
    if (openrouter.models) body.models = openrouter.models;
    if (openrouter.provider) body.provider = openrouter.provider;
    if (openrouter.reasoning) body.reasoning = { ...(body.reasoning as object | undefined), ...openrouter.reasoning };
    if (openrouter.transforms) body.transforms = openrouter.transforms;
    if (openrouter.route) body.route = openrouter.route;
    if (openrouter.usage) body.usage = openrouter.usage;
  }
  if (compatible?.extraBody) Object.assign(body, compatible.extraBody);
  return body;
}

function toChatToolChoice(choice: ToolChoice): OpenAI.Chat.Completions.ChatCompletionToolChoiceOption {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.toolName } };
}

function toChatMessages(
  messages: ModelMessage[],
  quirks: OpenAIChatQuirks,
): OpenAI.Chat.Completions.ChatCompletionMessageParam[] {
  const out: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        out.push({ role: 'system', content: message.content });
        break;
      case 'user': {
        const hasImage = message.content.some((part) => part.type === 'image');
        if (quirks.plainTextContent && !hasImage) {
          out.push({
            role: 'user',
            content: message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
          });
        } else {
          out.push({
            role: 'user',
            content: message.content.map((part) =>
              part.type === 'text'
                ? { type: 'text' as const, text: part.text }
                : { type: 'image_url' as const, image_url: { url: imageUrl(part) } },
            ),
          });
        }
        break;
      }
      case 'assistant': {
        let content = '';
        let reasoning = '';
        let reasoningDetails: unknown[] | undefined;
        const toolCalls: OpenAI.Chat.Completions.ChatCompletionMessageToolCall[] = [];
        for (const part of message.content) {
          if (part.type === 'text') content += part.text;
          else if (part.type === 'reasoning') {
            reasoning += part.text;
            const details = part.providerMetadata?.openrouter?.reasoningDetails;
            if (Array.isArray(details)) reasoningDetails = [...(reasoningDetails ?? []), ...details];
          } else {
            toolCalls.push({
              id: part.toolCallId,
              type: 'function',
              function: { name: part.toolName, arguments: JSON.stringify(part.input ?? {}) },
            });
          }
        }
        const assistant: OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam & Record<string, unknown> = {
          role: 'assistant',
          content: content || (toolCalls.length > 0 ? null : ''),
        };
        if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
        if (quirks.echoReasoning && reasoning) assistant[quirks.echoReasoning] = reasoning;
        if (quirks.openRouterOptions && reasoningDetails) assistant.reasoning_details = reasoningDetails;
        out.push(assistant);
        break;
      }
      case 'tool':
        for (const part of message.content) {
          out.push({ role: 'tool', tool_call_id: part.toolCallId, content: textOfToolOutput(part.output) });
        }
        break;
    }
  }
  return out;
}

/** Capabilities default for an OpenAI-compatible model nobody described. */
export const UNKNOWN_MODEL_CAPABILITIES: ModelCapabilities = {
  tools: true,
  vision: false,
  reasoning: false,
  caching: false,
  contextWindow: 128_000,
  maxOutputTokens: 8_192,
};
