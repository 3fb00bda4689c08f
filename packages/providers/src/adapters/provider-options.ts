import { z } from 'zod';
import { ProviderConfigError } from '../errors/provider-error.ts';

/**
 * Per-provider request options (`request.providerOptions.<key>`), validated with zod: an unknown or mistyped option
 * is a ProviderConfigError naming the key and the path, never silently dropped. The schemas are `z.lazy`: they are
 * built on their first use, not when the package loads (most requests carry no provider options).
 */

/** `providerOptions.openai` — OpenAI Chat Completions and Responses. */
export const OpenAIOptionsSchema = z.lazy(() =>
  z
    .object({
      /** A stable end-user id for abuse monitoring. */
      user: z.string().optional(),
      parallelToolCalls: z.boolean().optional(),
      serviceTier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).optional(),
      /** Responses: store the response server-side (default false: reasoning round-trips as encrypted content). */
      store: z.boolean().optional(),
      /** Routes requests with the same key to the same prompt cache. */
      promptCacheKey: z.string().optional(),
      /** The model's full effort scale (GPT-6: `none` … `max`); overrides `request.reasoning.effort`. */
      reasoningEffort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']).optional(),
      /** Responses: reasoning summary detail (default `auto` when reasoning is asked for). */
      reasoningSummary: z.enum(['auto', 'concise', 'detailed']).optional(),
      /** Responses: continue from a stored response. */
      previousResponseId: z.string().optional(),
      /** Responses: text verbosity. */
      textVerbosity: z.enum(['low', 'medium', 'high']).optional(),
      /** Extra JSON fields merged into the request body as they are. */
      extraBody: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
);
export type OpenAIOptions = z.infer<typeof OpenAIOptionsSchema>;

/** `providerOptions.openrouter` — OpenRouter's own request fields. */
export const OpenRouterOptionsSchema = z.lazy(() =>
  z
    .object({
      /** Fallback models OpenRouter tries in order when the first is unavailable. */
      models: z.array(z.string().min(1)).min(1).optional(),
      /** Provider routing preferences (`order`, `allow_fallbacks`, `only`, `sort`, …), passed through. */
      provider: z.record(z.string(), z.unknown()).optional(),
      /** Reasoning: `{ effort }` or `{ max_tokens }`, `exclude` to hide it, `enabled`. */
      reasoning: z
        .object({
          effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
          max_tokens: z.number().int().positive().optional(),
          exclude: z.boolean().optional(),
          enabled: z.boolean().optional(),
        })
        .strict()
        .optional(),
      transforms: z.array(z.string()).optional(),
      route: z.literal('fallback').optional(),
      /** Usage accounting in the final chunk (cost as OpenRouter reports it). */
      usage: z.object({ include: z.boolean() }).strict().optional(),
    })
    .strict(),
);
export type OpenRouterOptions = z.infer<typeof OpenRouterOptionsSchema>;

/** `providerOptions.openaiCompatible` — any other OpenAI-compatible server. */
export const OpenAICompatibleOptionsSchema = z.lazy(() =>
  z
    .object({
      extraBody: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
);

const CacheControlSchema = z.lazy(() =>
  z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).strict(),
);

/** `providerOptions.anthropic` — Anthropic Messages. */
export const AnthropicOptionsSchema = z.lazy(() =>
  z
    .object({
      /** Thinking, overriding what `request.reasoning` would choose: `adaptive` (Claude 4.6+), `enabled` with a budget
       * (older models), `between_tools`, or `disabled`. `display` picks summarized or omitted thinking text. */
      thinking: z
        .union([
          z
            .object({
              type: z.literal('enabled'),
              budgetTokens: z.number().int().min(1024),
              display: z.enum(['summarized', 'omitted']).optional(),
            })
            .strict(),
          z.object({ type: z.literal('adaptive'), display: z.enum(['summarized', 'omitted']).optional() }).strict(),
          z.object({ type: z.literal('between_tools') }).strict(),
          z.object({ type: z.literal('disabled') }).strict(),
        ])
        .optional(),
      /** `output_config.effort`; defaults to `request.reasoning.effort` on adaptive-thinking models. */
      effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).optional(),
      /** Put a cache breakpoint on the system prompt. */
      cacheSystem: z.union([z.boolean(), CacheControlSchema]).optional(),
      /** Put a cache breakpoint on the last tool definition. */
      cacheTools: z.union([z.boolean(), CacheControlSchema]).optional(),
      /** `metadata.user_id`. */
      userId: z.string().optional(),
      /** Sent as the `anthropic-beta` header. */
      betas: z.array(z.string()).optional(),
      /** Disallow parallel tool use. */
      disableParallelToolUse: z.boolean().optional(),
      topK: z.number().int().positive().optional(),
    })
    .strict(),
);
export type AnthropicOptions = z.infer<typeof AnthropicOptionsSchema>;

/** Part-level `providerOptions.anthropic` (text, image, tool-result parts and system messages). */
export const AnthropicPartOptionsSchema = z.lazy(() =>
  z.object({ cacheControl: CacheControlSchema.optional() }).strict(),
);

/** `providerOptions.google` — Gemini. */
export const GoogleOptionsSchema = z.lazy(() =>
  z
    .object({
      thinkingConfig: z
        .object({
          thinkingBudget: z.number().int().optional(),
          thinkingLevel: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
          includeThoughts: z.boolean().optional(),
        })
        .strict()
        .optional(),
      safetySettings: z.array(z.object({ category: z.string(), threshold: z.string() }).strict()).optional(),
      /** The name of a cached content resource (`cachedContents/…`). */
      cachedContent: z.string().optional(),
      topK: z.number().int().positive().optional(),
      seed: z.number().int().optional(),
    })
    .strict(),
);
export type GoogleOptions = z.infer<typeof GoogleOptionsSchema>;

/** Validates one provider's options; a failure names the key and every bad path. */
export function parseProviderOptions<T>(
  schema: z.ZodType<T>,
  options: Record<string, Record<string, unknown>> | undefined,
  key: string,
  where = 'providerOptions',
): T | undefined {
  const value = options?.[key];
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${[where, key, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
  throw new ProviderConfigError(`invalid ${where}.${key}: ${problems}`, { cause: result.error });
}
