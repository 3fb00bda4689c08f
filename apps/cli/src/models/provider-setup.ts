import { ModelSetupError, type VtcodeConfig } from '@vtcode/core';
import { type LanguageModel, type ModelSettings, PROVIDER_PRESETS, ProviderError } from '@vtcode/providers';

/**
 * The model `vtcode` picks for a built-in provider when the configuration names none, in the order providers are
 * tried when only a key is set. Everything else about a provider (URL, key variables, name) is its preset in
 * `@vtcode/providers`, never repeated here.
 */
const DEFAULT_MODELS: ReadonlyArray<readonly [provider: string, model: string]> = [
  ['openai', 'gpt-5.4-mini'],
  ['anthropic', 'claude-sonnet-5-5'],
  ['google', 'gemini-2.5-flash'],
  ['deepseek', 'deepseek-chat'],
  ['openrouter', 'openai/gpt-6-sol'],
  ['zai', 'glm-5.3'],
  ['moonshot', 'kimi-k3'],
  ['minimax', 'MiniMax-M3'],
  ['ollama-cloud', 'gpt-oss:120b'],
  ['ollama', 'qwen3-coder'],
  ['lmstudio', 'local-model'],
];

export interface KnownProvider {
  label: string;
  baseURL: string;
  /** The key variables, in order of preference; empty for local servers. */
  keyEnvs: readonly string[];
  /** The first key variable (what the set-up help names). */
  keyEnv?: string;
  defaultModel: string;
  /** A server on the user's machine (Ollama, LM Studio): no key needed; a key variable, if any, is optional. */
  local: boolean;
}

/** Built-in providers with the model picked by default: their presets from `@vtcode/providers`. */
export const KNOWN_PROVIDERS: Record<string, KnownProvider> = Object.fromEntries(
  DEFAULT_MODELS.flatMap(([id, defaultModel]) => {
    const preset = PROVIDER_PRESETS[id];
    if (!preset) return [];
    const [keyEnv] = preset.apiKeyEnv;
    const known: KnownProvider = {
      label: preset.displayName,
      baseURL: preset.baseURL,
      keyEnvs: preset.apiKeyEnv,
      ...(keyEnv ? { keyEnv } : {}),
      defaultModel,
      local: !preset.requiresKey,
    };
    return [[id, known]];
  }),
);

/** The ways to set a provider up (the body of the set-up help). */
const SETUP_WAYS = `  • A hosted provider: export its key and pick a model
      export OPENAI_API_KEY=…      vtcode exec --model openai/gpt-5.4-mini "…"
      export ANTHROPIC_API_KEY=…   vtcode exec --model anthropic/claude-sonnet-5-5 "…"
      export GEMINI_API_KEY=…      (also DEEPSEEK_API_KEY, OPENROUTER_API_KEY)
  • Ollama on this machine (no key):   ollama serve; vtcode exec --model ollama/qwen3-coder "…"
  • LM Studio on this machine (no key): start its server; vtcode exec --model lmstudio/<model> "…"
  • Any OpenAI-compatible endpoint, in your user config ~/.config/vtcode/vtcode.toml:
      model = "atlas/deepseek-v3"
      [providers.atlas]
      kind = "openai-compatible"
      base_url = "https://api.atlascloud.ai/v1"
      api_key_env = "ATLAS_API_KEY"

Or try the agent with no key at all: \`vtcode demo\` replays a recorded session on an example project.`;

export const SETUP_HELP = `No model provider is configured. Set one up in any of these ways:\n\n${SETUP_WAYS}`;

/**
 * The set-up help, led by any local server that answers right now (Ollama, LM Studio) with its models and the exact
 * command to use it — never picked silently. Only reached when nothing is configured, so a configured run never
 * pays for the probes (two GETs in parallel, at most ~300 ms).
 */
export async function setupHelp(
  config: VtcodeConfig,
  env: Record<string, string | undefined>,
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const { localServersHelp, probeLocalServers } = await import('./local-servers.ts');
  const statuses = await probeLocalServers(config, env, options);
  const found = localServersHelp(statuses, {
    ollama: KNOWN_PROVIDERS.ollama?.defaultModel,
    lmstudio: KNOWN_PROVIDERS.lmstudio?.defaultModel,
  });
  return found
    ? `No model provider is configured.\n\n${found}Or set one up in any of these ways:\n\n${SETUP_WAYS}`
    : SETUP_HELP;
}

/** Splits `provider/model` (the model part may itself contain slashes: `openrouter/openai/gpt-5`). */
export function splitModelId(id: string): { provider: string; model: string } {
  const slash = id.indexOf('/');
  if (slash <= 0)
    throw new ModelSetupError('invalid', `model "${id}" must be written "provider/model", e.g. "openai/gpt-5.4-mini"`);
  return { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

/** The primary model id: the configured one, or the first hosted provider whose key is set (a local server's optional
 * token, such as LM_API_TOKEN, says nothing about which model to run: it is never picked that way). */
export function pickModelId(config: VtcodeConfig, env: Record<string, string | undefined>): string | undefined {
  if (config.model) return config.model;
  for (const [name, known] of Object.entries(KNOWN_PROVIDERS)) {
    if (!known.local && known.keyEnvs.some((variable) => env[variable])) return `${name}/${known.defaultModel}`;
  }
  return undefined;
}

/** Maps `[providers.<id>]` of vtcode.toml onto `@vtcode/providers` settings. */
export function providerSettings(config: VtcodeConfig, env: Record<string, string | undefined>): ModelSettings {
  const providers: NonNullable<ModelSettings['providers']> = {};
  for (const [id, provider] of Object.entries(config.providers)) {
    const api =
      provider.kind === 'anthropic'
        ? 'anthropic'
        : provider.kind === 'google'
          ? 'gemini'
          : provider.kind && provider.kind !== 'openai'
            ? 'openai-chat'
            : undefined;
    providers[id] = {
      ...(provider.base_url ? { baseURL: provider.base_url } : {}),
      ...(provider.api_key ? { apiKey: provider.api_key } : {}),
      ...(provider.api_key_env ? { apiKeyEnv: provider.api_key_env } : {}),
      ...(provider.headers ? { headers: provider.headers } : {}),
      ...(provider.display_name ? { displayName: provider.display_name } : {}),
      ...(api ? { api } : {}),
    };
  }
  return { providers, env };
}

/** Turns a provider configuration error into the CLI's model set-up error (missing key → exit 3, else exit 2). */
function toSetupError(error: unknown, id: string): unknown {
  if (!ProviderError.isInstance(error) || error.code !== 'PROVIDER_CONFIG') return error;
  const message = error.message.replace(/\.apiKey\b/g, '.api_key').replace(/\.baseURL\b/g, '.base_url');
  if (/missing API key/i.test(message)) {
    return new ModelSetupError(
      'missing-key',
      `${message} (in vtcode.toml: [providers.${id.split('/')[0]}] api_key or api_key_env)`,
      { cause: error },
    );
  }
  if (/unknown provider/i.test(message)) return new ModelSetupError('unknown-provider', message, { cause: error });
  return new ModelSetupError('invalid', message, { cause: error });
}

/**
 * Builds the model of a run: the primary and its fallbacks behind `@vtcode/providers`' failover router (retries,
 * cooldown, timeouts, the commit point). Provider code is imported only here, lazily.
 */
export async function createRunModel(
  config: VtcodeConfig,
  env: Record<string, string | undefined>,
  hooks: { onProviderEvent?: (kind: string, message: string, details?: Record<string, unknown>) => void } = {},
): Promise<LanguageModel> {
  const primary = pickModelId(config, env);
  if (!primary) throw new ModelSetupError('no-provider', await setupHelp(config, env));
  const { createModel, createRouter } = await import('@vtcode/providers');
  const settings = providerSettings(config, env);
  const models = [primary, ...config.fallbacks].map((id) => {
    splitModelId(id);
    try {
      return createModel(id, settings);
    } catch (error) {
      throw toSetupError(error, id);
    }
  });
  const windowOverride = config.providers[splitModelId(primary).provider]?.context_window;
  const router = config.router;
  return createRouter({
    targets: models,
    name: `${primary}${config.fallbacks.length ? ` (+${config.fallbacks.length} fallback${config.fallbacks.length > 1 ? 's' : ''})` : ''}`,
    retry: { maxRetries: router.max_retries, initialDelayMs: router.initial_delay_ms },
    cooldown: { cooldownMs: router.cooldown_ms },
    timeouts: { firstEventMs: router.first_event_timeout_ms, idleMs: router.idle_timeout_ms },
    ...(windowOverride
      ? { capabilities: { ...(models[0] as LanguageModel).capabilities, contextWindow: windowOverride } }
      : {}),
    onEvent: (event) => {
      switch (event.type) {
        case 'retry':
          hooks.onProviderEvent?.(
            'retry',
            `${event.target} failed (${event.error.kind}); retrying in ${Math.round(event.delayMs)} ms`,
            {
              target: event.target,
              attempt: event.attempt,
            },
          );
          break;
        case 'failover':
          hooks.onProviderEvent?.('failover', `${event.from} failed (${event.reason}); switched to ${event.to}`, {
            from: event.from,
            to: event.to,
            reason: event.reason,
          });
          break;
        case 'cooldown-opened':
          hooks.onProviderEvent?.(
            'cooldown-opened',
            `${event.target} is skipped for ${Math.round(event.durationMs / 1000)} s (${event.reason})`,
            { target: event.target },
          );
          break;
        case 'interrupted':
          hooks.onProviderEvent?.(
            'interrupted',
            `${event.target}: the stream broke after output was delivered (${event.error.kind})`,
            { target: event.target },
          );
          break;
        default:
          break;
      }
    },
  });
}
