import type { VtcodeConfig } from '@vtcode/core';
import { createProvider, type ModelSettings } from '@vtcode/providers';
import { z } from 'zod';

/** The local model servers vtcode knows how to find: their preset id and how to reach and start them. */
export type LocalServerId = 'ollama' | 'lmstudio';

/** What one probe found. */
export interface LocalServerStatus {
  provider: LocalServerId;
  label: string;
  /** The OpenAI-compatible base URL a run would use (configured, from the environment, or the default). */
  baseURL: string;
  /** The URL probed: Ollama's `<host>/api/tags`, LM Studio's `<base>/models`. */
  probedURL: string;
  running: boolean;
  /** Model names as the server lists them (Ollama: `qwen3-coder:latest`; LM Studio: `qwen/qwen3-coder-30b`). */
  models: string[];
  /** Why it does not count as running: connection refused, timed out, an HTTP status, not the expected server. */
  problem?: string;
  /** How to start it, for the user. */
  start: string;
}

export interface ProbeOptions {
  /** Per-server time limit in ms (default 300): a local server answers in a few ms, or is not there. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A `fetch` to use (tests). */
  fetch?: typeof globalThis.fetch;
}

const OllamaTagsSchema = z.object({ models: z.array(z.looseObject({ name: z.string().min(1) })) }).loose();
const ModelListSchema = z.object({ data: z.array(z.looseObject({ id: z.string().min(1) })) }).loose();

const LABELS: Record<LocalServerId, { label: string; start: string }> = {
  ollama: { label: 'Ollama', start: 'ollama serve' },
  lmstudio: { label: 'LM Studio', start: 'lms server start' },
};

/** Ollama's own API lives at the host of its OpenAI-compatible base URL: `http://host:11434/v1` → `http://host:11434`. */
function ollamaRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The base URL a run of this provider would use, exactly as `@vtcode/providers` resolves it. */
function baseURLOf(id: LocalServerId, settings: ModelSettings): string {
  try {
    return createProvider(id, settings).baseURL;
  } catch {
    return id === 'ollama' ? 'http://localhost:11434/v1' : 'http://localhost:1234/v1';
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (name === 'AbortError') return 'cancelled';
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (typeof code === 'string' && code.startsWith('E')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return (error as Error).message ?? String(error);
}

/** Probes one server: one GET with a short time limit. Never throws. */
export async function probeLocalServer(
  id: LocalServerId,
  baseURL: string,
  options: ProbeOptions & { apiKey?: string } = {},
): Promise<LocalServerStatus> {
  const timeoutMs = options.timeoutMs ?? 300;
  const doFetch = options.fetch ?? globalThis.fetch;
  const probedURL = id === 'ollama' ? `${ollamaRoot(baseURL)}/api/tags` : `${baseURL.replace(/\/+$/, '')}/models`;
  const { label, start } = LABELS[id];
  const status = (running: boolean, models: string[], problem?: string): LocalServerStatus => ({
    provider: id,
    label,
    baseURL,
    probedURL,
    running,
    models,
    ...(problem ? { problem } : {}),
    start,
  });
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
  let response: Response;
  try {
    response = await doFetch(probedURL, {
      signal: AbortSignal.any(signals),
      headers: { accept: 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
    });
  } catch (error) {
    return status(false, [], describeFailure(error, timeoutMs));
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return status(false, [], describeFailure(error, timeoutMs));
  }
  if (response.status === 401 || response.status === 403) {
    return status(
      false,
      [],
      `it answers but refuses the request (HTTP ${response.status})${
        id === 'lmstudio' ? ': it requires an API token, set LM_API_TOKEN' : ''
      }`,
    );
  }
  if (!response.ok) return status(false, [], `something answers there, but not ${label} (HTTP ${response.status})`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return status(false, [], `something answers there, but not ${label} (the body is not JSON)`);
  }
  if (id === 'ollama') {
    const parsed = OllamaTagsSchema.safeParse(json);
    if (!parsed.success) return status(false, [], `something answers there, but not ${label} (no model list)`);
    return status(
      true,
      parsed.data.models.map((model) => model.name),
    );
  }
  const parsed = ModelListSchema.safeParse(json);
  if (!parsed.success) return status(false, [], `something answers there, but not ${label} (no model list)`);
  return status(
    true,
    parsed.data.data.map((model) => model.id),
  );
}

/**
 * Probes Ollama and LM Studio in parallel, where a run would reach them (the configured `base_url`, OLLAMA_HOST,
 * `<ID>_BASE_URL`, or the default port). Each probe is one GET with a short time limit; nothing is ever thrown.
 */
export async function probeLocalServers(
  config: Pick<VtcodeConfig, 'providers'>,
  env: Record<string, string | undefined>,
  options: ProbeOptions = {},
): Promise<LocalServerStatus[]> {
  const providers: NonNullable<ModelSettings['providers']> = {};
  for (const id of ['ollama', 'lmstudio'] as const) {
    const own = config.providers[id];
    if (own?.base_url) providers[id] = { baseURL: own.base_url };
  }
  const settings: ModelSettings = { providers, env };
  const lmstudioKey =
    config.providers.lmstudio?.api_key ??
    (config.providers.lmstudio?.api_key_env ? env[config.providers.lmstudio.api_key_env] : undefined) ??
    env.LM_API_TOKEN;
  return Promise.all([
    probeLocalServer('ollama', baseURLOf('ollama', settings), options),
    probeLocalServer('lmstudio', baseURLOf('lmstudio', settings), {
      ...options,
      ...(lmstudioKey ? { apiKey: lmstudioKey } : {}),
    }),
  ]);
}

/** The model to suggest: the usual default when the server has it, else the first chat model it lists. */
export function suggestedModel(status: LocalServerStatus, preferred?: string): string | undefined {
  const chat = status.models.filter((name) => !/embed/i.test(name));
  const match = preferred ? chat.find((name) => name === preferred || name === `${preferred}:latest`) : undefined;
  const model = match ?? chat[0];
  // Ollama reads a name without a tag as `:latest`: the shorter name is the one people type.
  return status.provider === 'ollama' ? model?.replace(/:latest$/, '') : model;
}

/** Up to `limit` names, then how many more. */
export function listNames(names: string[], limit = 4): string {
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown}, … ${names.length - limit} more` : shown;
}

/** `running, 2 models (a, b)` or `not running at <url> (connection refused; start it: ollama serve)`. */
export function describeStatus(status: LocalServerStatus): string {
  if (status.running) {
    const count = `${status.models.length} model${status.models.length === 1 ? '' : 's'}`;
    return status.models.length > 0 ? `running, ${count} (${listNames(status.models)})` : `running, no models`;
  }
  const where = status.provider === 'ollama' ? ollamaRoot(status.baseURL) : status.baseURL;
  return `not running at ${where} (${status.problem ?? 'no answer'}; start it: ${status.start})`;
}

/**
 * The part of the set-up help about local servers that answered: each one, its models and the exact command to use
 * it. Empty when none answered. Nothing is picked for the user.
 */
export function localServersHelp(
  statuses: LocalServerStatus[],
  defaults: Partial<Record<LocalServerId, string>>,
): string {
  const lines: string[] = [];
  for (const status of statuses.filter((candidate) => candidate.running)) {
    const where = status.provider === 'ollama' ? ollamaRoot(status.baseURL) : status.baseURL;
    const model = suggestedModel(status, defaults[status.provider]);
    if (!model) {
      const get =
        status.provider === 'ollama'
          ? `ollama pull ${defaults.ollama ?? 'qwen3-coder'}`
          : 'lms get <model> (or download one in the app)';
      lines.push(`  • ${status.label} is running at ${where} but has no models yet: ${get}`);
      continue;
    }
    lines.push(
      `  • ${status.label} is running at ${where} with ${status.models.length} model${status.models.length === 1 ? '' : 's'} (${listNames(status.models)}). Use it:`,
      `      vtcode exec --model ${status.provider}/${model} "…"`,
      `    or make it the default in ~/.config/vtcode/vtcode.toml:  model = "${status.provider}/${model}"`,
    );
  }
  return lines.length > 0 ? `Found on this machine (not used until you choose it):\n${lines.join('\n')}\n\n` : '';
}
