import type { RecordedRequest } from './script.ts';

/**
 * What the real APIs reject before generating anything, checked in strict mode: a request the fake accepts but
 * the real API would refuse should fail the test, not pass it. Returns the problem, or undefined when acceptable.
 */
export function validateRequest(request: RecordedRequest, options: { keyless?: boolean } = {}): string | undefined {
  const body = request.body as Record<string, unknown> | undefined;
  if (request.method !== 'POST') return `expected POST, got ${request.method}`;
  if (request.api !== 'gemini' && (typeof body !== 'object' || body === null)) return 'the body is not a JSON object';
  const headers = request.headers;
  switch (request.api) {
    case 'openai-chat': {
      // A local server (Ollama, LM Studio) takes requests with no key at all.
      if (!options.keyless && !headers.authorization?.startsWith('Bearer '))
        return 'missing Authorization: Bearer header';
      if (typeof body?.model !== 'string' || !body.model) return 'model: required';
      if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: a non-empty array is required';
      for (const [index, message] of (body.messages as Array<Record<string, unknown>>).entries()) {
        if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(String(message.role))) {
          return `messages[${index}].role: invalid`;
        }
        if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
          return `messages[${index}].tool_call_id: required`;
        }
      }
      if (body.max_tokens !== undefined && body.max_completion_tokens !== undefined) {
        return 'max_tokens and max_completion_tokens: only one may be set';
      }
      return undefined;
    }
    case 'openai-responses':
      if (!headers.authorization?.startsWith('Bearer ')) return 'missing Authorization: Bearer header';
      if (typeof body?.model !== 'string' || !body.model) return 'model: required';
      if (body.input === undefined && body.previous_response_id === undefined) return 'input: required';
      return undefined;
    case 'anthropic-messages': {
      if (!headers['x-api-key'] && !headers.authorization) return 'missing x-api-key or Authorization header';
      if (!headers['anthropic-version']) return 'missing anthropic-version header';
      if (typeof body?.model !== 'string' || !body.model) return 'model: required';
      if (typeof body.max_tokens !== 'number' || body.max_tokens < 1)
        return 'max_tokens: a positive integer is required';
      const messages = body.messages as Array<Record<string, unknown>> | undefined;
      if (!Array.isArray(messages) || messages.length === 0) return 'messages: a non-empty array is required';
      if (messages[0]?.role !== 'user') return 'messages: the first message must use the "user" role';
      for (const [index, message] of messages.entries()) {
        if (message.role !== 'user' && message.role !== 'assistant') return `messages.${index}.role: invalid`;
      }
      const thinking = body.thinking as { type?: string; budget_tokens?: number } | undefined;
      if (thinking?.type === 'enabled' && !(Number(thinking.budget_tokens) < Number(body.max_tokens))) {
        return '`max_tokens` must be greater than `thinking.budget_tokens`';
      }
      return undefined;
    }
    case 'gemini': {
      if (!headers['x-goog-api-key'] && !request.query.key) return 'missing x-goog-api-key header';
      const contents = body?.contents as Array<Record<string, unknown>> | undefined;
      if (!Array.isArray(contents) || contents.length === 0) return 'contents: a non-empty array is required';
      for (const [index, content] of contents.entries()) {
        if (content.role !== 'user' && content.role !== 'model')
          return `contents[${index}].role: must be user or model`;
        if (!Array.isArray(content.parts) || content.parts.length === 0) return `contents[${index}].parts: required`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
