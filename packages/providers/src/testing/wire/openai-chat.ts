import type { FakeReply, FakeUsage, RecordedRequest } from '../script.ts';
import {
  finishOf,
  joinText,
  modelOf,
  nextId,
  partsOf,
  splitText,
  sse,
  toolArguments,
  toolCallId,
  type WireRenderer,
} from './common.ts';

/**
 * OpenAI Chat Completions (and every OpenAI-compatible server): `POST /v1/chat/completions`.
 * Streaming: `data: <chat.completion.chunk>` frames, a usage-only chunk with `choices: []` when the request set
 * `stream_options.include_usage`, then `data: [DONE]`.
 */
const FINISH = { stop: 'stop', length: 'length', 'tool-calls': 'tool_calls', 'content-filter': 'content_filter' };

function usageOf(usage: FakeUsage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Ollama reports only the three token counts. */
function ollamaUsageOf(usage: FakeUsage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Ollama's ids: `chatcmpl-<0..998>` for the response, `call_<8 random characters>` for tool calls. */
function ollamaIds() {
  const random = () => Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return { id: `chatcmpl-${Math.floor(Math.random() * 999)}`, callId: () => `call_${random()}` };
}

/**
 * Ollama's `/v1/chat/completions` stream (github.com/ollama/ollama `openai/openai.go` `ToChunk`, `middleware/openai.go`
 * `ChatWriter`): every chunk's delta carries `role` and `content` (empty when there is none), thinking goes in
 * `reasoning`, a tool call arrives whole in one chunk, the last content chunk carries the finish reason
 * (`tool_calls` once a tool call was sent), then with `include_usage` a chunk with empty choices and the usage.
 */
function ollamaFrames(reply: FakeReply, request: RecordedRequest): string[] {
  const { id, callId } = ollamaIds();
  const created = Math.floor(Date.now() / 1000);
  const model = modelOf(reply, request);
  const body = request.body as { stream_options?: { include_usage?: boolean } } | undefined;
  const chunkSize = reply.chunkSize ?? 8;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) =>
    sse({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, delta: { role: 'assistant', content: '', ...delta }, finish_reason: finish }],
      ...extra,
    });
  const frames: string[] = [];
  let toolIndex = 0;
  for (const part of partsOf(reply)) {
    if (part.type === 'text') {
      for (const delta of splitText(part.text, chunkSize)) frames.push(chunk({ content: delta }));
    } else if (part.type === 'reasoning') {
      const field = reply.chatReasoningField ?? 'reasoning';
      for (const delta of splitText(part.text, chunkSize)) frames.push(chunk({ [field]: delta }));
    } else {
      const call = {
        id: part.id ?? callId(),
        index: toolIndex,
        type: 'function',
        function: { name: part.name, arguments: toolArguments(part) },
      };
      toolIndex += 1;
      frames.push(chunk({ tool_calls: [call] }));
    }
  }
  const finish = FINISH[finishOf(reply)];
  frames.push(chunk({}, toolIndex > 0 ? 'tool_calls' : finish));
  if (reply.usage && body?.stream_options?.include_usage === true) {
    frames.push(
      sse({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_ollama',
        choices: [],
        usage: ollamaUsageOf(reply.usage),
      }),
    );
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** Ollama's non-streaming `chat.completion` (`ToChatCompletion`). */
function ollamaBody(reply: FakeReply, request: RecordedRequest) {
  const { id, callId } = ollamaIds();
  let content = '';
  let reasoning = '';
  const calls: unknown[] = [];
  for (const part of partsOf(reply)) {
    if (part.type === 'text') content += joinText(part.text);
    else if (part.type === 'reasoning') reasoning += joinText(part.text);
    else {
      calls.push({
        id: part.id ?? callId(),
        index: calls.length,
        type: 'function',
        function: { name: part.name, arguments: toolArguments(part) },
      });
    }
  }
  const message: Record<string, unknown> = { role: 'assistant', content };
  if (reasoning) message[reply.chatReasoningField ?? 'reasoning'] = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  const usage = reply.usage ?? { inputTokens: 0, outputTokens: 0 };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: modelOf(reply, request),
    system_fingerprint: 'fp_ollama',
    choices: [{ index: 0, message, finish_reason: calls.length > 0 ? 'tool_calls' : FINISH[finishOf(reply)] }],
    usage: ollamaUsageOf(usage),
  };
}

export const openaiChatWire: WireRenderer = {
  body(reply: FakeReply, request: RecordedRequest) {
    if (reply.chatDialect === 'ollama') return ollamaBody(reply, request);
    let content: string | null = null;
    let reasoning: string | undefined;
    const calls: unknown[] = [];
    let index = 0;
    for (const part of partsOf(reply)) {
      if (part.type === 'text') content = (content ?? '') + joinText(part.text);
      else if (part.type === 'reasoning') reasoning = (reasoning ?? '') + joinText(part.text);
      else {
        calls.push({
          id: toolCallId(part, index),
          type: 'function',
          function: { name: part.name, arguments: toolArguments(part) },
        });
        index += 1;
      }
    }
    const message: Record<string, unknown> = { role: 'assistant', content, refusal: null };
    if (reasoning !== undefined) message[reply.chatReasoningField ?? 'reasoning_content'] = reasoning;
    if (calls.length > 0) message.tool_calls = calls;
    return {
      id: reply.id ?? nextId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: modelOf(reply, request),
      choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[finishOf(reply)] }],
      ...(reply.usage ? { usage: usageOf(reply.usage) } : {}),
      system_fingerprint: 'fp_fake',
    };
  },

  frames(reply: FakeReply, request: RecordedRequest) {
    if (reply.chatDialect === 'ollama') return ollamaFrames(reply, request);
    const id = reply.id ?? nextId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const model = modelOf(reply, request);
    const body = request.body as { stream_options?: { include_usage?: boolean } } | undefined;
    const includeUsage = body?.stream_options?.include_usage === true;
    // With include_usage every chunk carries `usage: null` and one last chunk with empty choices carries the usage.
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      sse({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier: 'default',
        system_fingerprint: 'fp_fake',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
      });
    const chunkSize = reply.chunkSize ?? 8;
    const frames = [chunk({ role: 'assistant', content: '', refusal: null })];
    let toolIndex = 0;
    for (const part of partsOf(reply)) {
      if (part.type === 'text') {
        for (const delta of splitText(part.text, chunkSize)) frames.push(chunk({ content: delta }));
      } else if (part.type === 'reasoning') {
        const field = reply.chatReasoningField ?? 'reasoning_content';
        for (const delta of splitText(part.text, chunkSize)) frames.push(chunk({ [field]: delta }));
      } else {
        const index = toolIndex;
        toolIndex += 1;
        frames.push(
          chunk({
            tool_calls: [
              { index, id: toolCallId(part, index), type: 'function', function: { name: part.name, arguments: '' } },
            ],
          }),
        );
        for (const delta of splitText(toolArguments(part), chunkSize)) {
          frames.push(chunk({ tool_calls: [{ index, function: { arguments: delta } }] }));
        }
      }
    }
    frames.push(chunk({}, FINISH[finishOf(reply)]));
    if (reply.usage && includeUsage) {
      frames.push(
        sse({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          service_tier: 'default',
          system_fingerprint: 'fp_fake',
          choices: [],
          usage: usageOf(reply.usage),
        }),
      );
    }
    frames.push('data: [DONE]\n\n');
    return frames;
  },

  errorBody(status, message, errorType) {
    return { error: { message, type: errorType ?? defaultType(status), param: null, code: errorType ?? null } };
  },

  errorFrame(message, errorType, status) {
    return sse({
      error: { message, type: errorType ?? defaultType(status ?? 500), param: null, code: errorType ?? null },
    });
  },

  malformedFrame() {
    return 'data: {"id":"chatcmpl-broken","choices":[{"index":0,"delta":{"content":"oops\n\n';
  },
};

function defaultType(status: number): string {
  if (status === 401) return 'invalid_authentication';
  if (status === 429) return 'rate_limit_exceeded';
  if (status === 404) return 'not_found_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
