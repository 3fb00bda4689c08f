import { z } from 'zod';
import type { AdapterConfig } from '../adapters/adapter-config.ts';
import { createAnthropicModel } from '../adapters/anthropic-adapter.ts';
import { createGeminiModel } from '../adapters/gemini-adapter.ts';
import { createOpenAIChatModel, UNKNOWN_MODEL_CAPABILITIES } from '../adapters/openai-chat-adapter.ts';
import { createOpenAIResponsesModel } from '../adapters/openai-responses-adapter.ts';
import { capabilitiesOf, findModel, parseModelId } from '../catalog/catalog.ts';
import { type CatalogEntry, CatalogEntrySchema } from '../catalog/catalog-entry.ts';
import { ProviderConfigError } from '../errors/provider-error.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { PROVIDER_ALIASES, PROVIDER_PRESETS, type ProviderPreset, type WireApi } from './provider-presets.ts';

/** Settings for one provider (`providers.<id>`), known or custom. */
export const ProviderSettingsSchema = z
  .object({
    /** The API key; else the provider's environment variable. */
    apiKey: z.string().min(1).optional(),
    /** The API's base URL; else `<ID>_BASE_URL` from the environment, else the preset's. */
    baseURL: z.url().optional(),
    /** Headers sent with every request. */
    headers: z.record(z.string(), z.string()).optional(),
    /** Whole-request timeout in ms enforced by the SDK (default 10 minutes). */
    timeoutMs: z.number().int().positive().optional(),
    /** The wire API: for a custom provider (default `openai-chat`), or to use Chat Completions for `openai`. */
    api: z.enum(['openai-chat', 'openai-responses', 'anthropic', 'gemini']).optional(),
    /** A name to show users ("Atlas Cloud"). */
    displayName: z.string().min(1).optional(),
    /** Environment variable holding the key, for a custom provider. */
    apiKeyEnv: z.string().min(1).optional(),
    /** Custom providers: whether a key is required (default true unless the base URL is on localhost). */
    requiresKey: z.boolean().optional(),
    /** OpenAI-compatible dialect tweaks for a custom provider. */
    quirks: z
      .object({
        maxTokensField: z.enum(['max_completion_tokens', 'max_tokens']).optional(),
        reasoning: z.enum(['reasoning_effort', 'openrouter', 'thinking-toggle', 'none']).optional(),
        echoReasoning: z.union([z.literal(false), z.enum(['reasoning_content', 'reasoning'])]).optional(),
        streamUsage: z.boolean().optional(),
        thinkTags: z.boolean().optional(),
        plainTextContent: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** OpenRouter: your app's URL and name (sent as `HTTP-Referer` and `X-Title`). */
    appUrl: z.string().min(1).optional(),
    appName: z.string().min(1).optional(),
  })
  .strict();
export type ProviderSettings = z.infer<typeof ProviderSettingsSchema>;

export const ModelSettingsSchema = z
  .object({
    /** Per-provider settings by provider id; an id that is not a preset defines a custom provider. */
    providers: z.record(z.string(), ProviderSettingsSchema).optional(),
    /** Extra or overriding catalogue entries (custom models, negotiated prices). */
    models: z.array(CatalogEntrySchema).optional(),
  })
  .strict();

export interface ModelSettings extends z.infer<typeof ModelSettingsSchema> {
  /** Where keys and URLs are looked up; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** A `fetch` for every SDK (proxies, tests). */
  fetch?: typeof globalThis.fetch;
}

/** A configured provider: makes models by id. */
export interface Provider {
  readonly id: string;
  readonly displayName: string;
  readonly api: WireApi;
  readonly baseURL: string;
  languageModel(modelId: string): LanguageModel;
}

function envName(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** Ollama's own OLLAMA_HOST (`127.0.0.1:11434`, `0.0.0.0`, `http://box:11434`) as an OpenAI-compatible base URL. */
function ollamaHostURL(host: string | undefined): string | undefined {
  if (!host?.trim()) return undefined;
  const withScheme = /^https?:\/\//.test(host) ? host : `http://${host}`;
  try {
    const url = new URL(withScheme);
    if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
    if (!url.port && !/^https?:\/\/[^/]+:\d+/.test(withScheme)) url.port = url.protocol === 'https:' ? '' : '11434';
    return `${url.origin}/v1`;
  } catch {
    return undefined;
  }
}

function isLocal(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === '[::1]';
  } catch {
    return false;
  }
}

function validateSettings(settings: ModelSettings): void {
  const { env: _env, fetch: _fetch, ...rest } = settings;
  const result = ModelSettingsSchema.safeParse(rest);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ProviderConfigError(`invalid provider settings: ${problems.join('; ')}`, { cause: result.error });
  }
}

/**
 * A provider by id, configured from `settings.providers[id]` and the environment. Known ids: openai, anthropic,
 * google (gemini), deepseek, openrouter, zai, moonshot, minimax, ollama, ollama-cloud, lmstudio. Any other id is a
 * custom provider and needs `providers.<id>.baseURL` (OpenAI-compatible Chat by default; `api` picks another).
 */
export function createProvider(id: string, settings: ModelSettings = {}): Provider {
  validateSettings(settings);
  const env = settings.env ?? process.env;
  const own = settings.providers?.[id] ?? {};
  const presetId = PROVIDER_ALIASES[id] ?? id;
  const preset: ProviderPreset | undefined = PROVIDER_PRESETS[presetId];
  let base: ProviderPreset;
  if (preset) base = preset;
  else {
    const baseURL = own.baseURL ?? env[`${envName(id)}_BASE_URL`];
    if (!baseURL) {
      throw new ProviderConfigError(
        `unknown provider "${id}": set providers.${id}.baseURL (or ${envName(id)}_BASE_URL) to use it as a custom ` +
          `OpenAI-compatible endpoint, or use one of ${Object.keys(PROVIDER_PRESETS).join(', ')}`,
      );
    }
    base = {
      id,
      displayName: own.displayName ?? id,
      api: own.api ?? 'openai-chat',
      baseURL,
      apiKeyEnv: [own.apiKeyEnv ?? `${envName(id)}_API_KEY`],
      requiresKey: own.requiresKey ?? !isLocal(baseURL),
      quirks: { maxTokensField: 'max_tokens', reasoning: 'none' },
    };
  }
  const baseURL =
    own.baseURL ??
    env[`${envName(id)}_BASE_URL`] ??
    env[`${envName(presetId)}_BASE_URL`] ??
    (presetId === 'ollama' ? ollamaHostURL(env.OLLAMA_HOST) : undefined) ??
    base.baseURL;
  const api: WireApi = own.api ?? base.api;
  const apiKeyEnv = own.apiKeyEnv ? [own.apiKeyEnv] : base.apiKeyEnv;
  const apiKey = own.apiKey ?? apiKeyEnv.map((name) => env[name]).find((value) => value !== undefined && value !== '');
  const requiresKey = own.requiresKey ?? base.requiresKey;
  if (!apiKey && requiresKey) {
    const vars = apiKeyEnv.length > 0 ? apiKeyEnv.join(' or ') : `${envName(id)}_API_KEY`;
    throw new ProviderConfigError(`missing API key for ${base.displayName}: set ${vars} or providers.${id}.apiKey`);
  }
  const headers: Record<string, string> = { ...own.headers };
  if (presetId === 'openrouter') {
    if (own.appUrl) headers['HTTP-Referer'] = own.appUrl;
    if (own.appName) headers['X-Title'] = own.appName;
  }
  const quirks = { ...base.quirks, ...own.quirks };

  return {
    id,
    displayName: own.displayName ?? base.displayName,
    api,
    baseURL,
    languageModel(modelId: string): LanguageModel {
      if (!modelId) throw new ProviderConfigError(`missing model id for provider "${id}"`);
      const known: CatalogEntry | undefined =
        settings.models?.find((model) => model.provider === id && model.id === modelId) ??
        findModel(`${presetId}/${modelId}`, settings.models ?? []);
      const config: AdapterConfig = {
        provider: id,
        modelId,
        // Local servers ignore the key, but the SDKs insist on one.
        apiKey: apiKey ?? 'no-key',
        baseURL,
        capabilities: known ? capabilitiesOf(known) : UNKNOWN_MODEL_CAPABILITIES,
        // A model on the user's own Ollama or LM Studio costs nothing per token, catalogued or not.
        ...(known ? { pricing: known.pricing } : base.quirks?.localServer ? { pricing: { input: 0, output: 0 } } : {}),
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        ...(own.timeoutMs ? { timeoutMs: own.timeoutMs } : {}),
        ...(settings.fetch ? { fetch: settings.fetch } : {}),
      };
      switch (api) {
        case 'openai-chat':
          // No key (a local server): no Authorization header at all rather than a made-up bearer token.
          return createOpenAIChatModel({ ...config, quirks, ...(apiKey ? {} : { noAuthorization: true }) });
        case 'openai-responses':
          return createOpenAIResponsesModel(config);
        case 'anthropic':
          return createAnthropicModel(config);
        case 'gemini':
          return createGeminiModel(config);
      }
    },
  };
}

/**
 * A model by `"provider/model"` id: `createModel('anthropic/claude-sonnet-4-5')`,
 * `createModel('openrouter/anthropic/claude-sonnet-4.5')`, `createModel('atlas/deepseek-v3', { providers: { atlas:
 * { baseURL: 'https://api.atlascloud.ai/v1', displayName: 'Atlas Cloud' } } })`.
 * Capabilities and prices come from the catalogue (or `settings.models`); the SDK is imported on first use.
 */
export function createModel(id: string, settings: ModelSettings = {}): LanguageModel {
  const { provider, modelId } = parseModelId(id);
  return createProvider(provider, settings).languageModel(modelId);
}
