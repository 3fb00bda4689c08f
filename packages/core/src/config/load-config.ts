import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors/core-error.ts';
import { type VtcodeConfig, VtcodeConfigSchema } from './config-schema.ts';

/** One layer of configuration, lowest precedence first: defaults < user < project < env < flags. */
export interface ConfigLayer {
  /** `defaults`, a file path, `env` or `flags`. */
  source: string;
  kind: 'defaults' | 'user' | 'project' | 'env' | 'flags';
  values: Record<string, unknown>;
}

export interface LoadConfigOptions {
  /** The project directory (where `.vtcode/vtcode.toml` is looked up, walking up to the repository root). */
  cwd: string;
  /** Environment to read `VTCODE_*` and `XDG_CONFIG_HOME` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Command-line settings, highest precedence, in the file's shape (`{ model, approval, agent: { max_turns } }`). */
  flags?: Record<string, unknown>;
  /** Override the user config file path (default `$XDG_CONFIG_HOME/vtcode/vtcode.toml`). */
  userConfigPath?: string;
}

export interface EffectiveConfig {
  config: VtcodeConfig;
  layers: ConfigLayer[];
  /** For every leaf setting (`agent.max_turns`), where its value came from: `defaults`, a file, `env` or `flags`. */
  sources: Record<string, string>;
  userConfigPath: string;
  projectConfigPath: string | undefined;
  /** Settings that were ignored, with why (a project config may not loosen security, see `restrictProjectLayer`). */
  warnings: string[];
}

/** Maps environment variables onto settings. */
const ENV_SETTINGS: Array<{ name: string; path: string[]; parse?: (value: string) => unknown }> = [
  { name: 'VTCODE_MODEL', path: ['model'] },
  {
    name: 'VTCODE_FALLBACKS',
    path: ['fallbacks'],
    parse: (value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
  },
  { name: 'VTCODE_APPROVAL', path: ['approval'] },
  { name: 'VTCODE_SANDBOX', path: ['sandbox'] },
  { name: 'VTCODE_MAX_TURNS', path: ['agent', 'max_turns'], parse: Number },
  { name: 'VTCODE_SESSIONS_DIR', path: ['sessions', 'dir'] },
  { name: 'VTCODE_CONTEXT_WINDOW', path: ['context', 'window_tokens'], parse: Number },
];

export const ENV_VARIABLES: readonly string[] = ENV_SETTINGS.map((setting) => setting.name);

export function userConfigPath(env: Record<string, string | undefined> = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'vtcode', 'vtcode.toml');
}

/** The nearest `.vtcode/vtcode.toml` from `cwd` up to the repository root (a directory holding `.git`). */
export function findProjectConfig(cwd: string): string | undefined {
  let directory = resolve(cwd);
  for (;;) {
    const candidate = join(directory, '.vtcode', 'vtcode.toml');
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(directory, '.git'))) return undefined;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Loads, validates and merges every layer. Throws a ConfigError naming file, key and line for every problem. */
export function loadConfig(options: LoadConfigOptions): EffectiveConfig {
  const env = options.env ?? process.env;
  const userPath = options.userConfigPath ?? userConfigPath(env);
  const projectPath = findProjectConfig(options.cwd);
  const layers: ConfigLayer[] = [{ source: 'defaults', kind: 'defaults', values: {} }];
  const issues: ConfigIssue[] = [];
  const texts = new Map<string, string>();

  for (const [kind, path] of [
    ['user', userPath],
    ['project', projectPath],
  ] as const) {
    if (!path || !existsSync(path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      issues.push({ source: path, key: '', message: `cannot read the file: ${(error as Error).message}` });
      continue;
    }
    texts.set(path, text);
    try {
      layers.push({ source: path, kind, values: parseToml(text) as Record<string, unknown> });
    } catch (error) {
      if (error instanceof TomlError) {
        issues.push({
          source: path,
          key: '',
          message: `TOML syntax error: ${error.message.split('\n')[0]}`,
          line: error.line,
          column: error.column,
        });
      } else {
        issues.push({ source: path, key: '', message: `cannot parse: ${(error as Error).message}` });
      }
    }
  }

  const envValues: Record<string, unknown> = {};
  for (const setting of ENV_SETTINGS) {
    const raw = env[setting.name];
    if (raw === undefined || raw === '') continue;
    setPath(envValues, setting.path, setting.parse ? setting.parse(raw) : raw);
  }
  if (Object.keys(envValues).length > 0) layers.push({ source: 'env', kind: 'env', values: envValues });
  if (options.flags && Object.keys(options.flags).length > 0) {
    layers.push({ source: 'flags', kind: 'flags', values: options.flags });
  }

  // Each layer is validated on its own so that an error names the file it is in.
  for (const layer of layers) {
    const result = VtcodeConfigSchema.safeParse(layer.values);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      issues.push(toIssue(layer, issue, texts.get(layer.source)));
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const warnings: string[] = [];
  const projectIndex = layers.findIndex((layer) => layer.kind === 'project');
  const projectLayer = layers[projectIndex];
  if (projectLayer) {
    const below: Record<string, unknown> = {};
    for (const layer of layers.slice(0, projectIndex)) mergeInto(below, layer.values, [], {}, layer.source);
    const restricted = restrictProjectLayer(projectLayer.values, VtcodeConfigSchema.parse(below));
    layers[projectIndex] = { ...projectLayer, values: restricted.values };
    warnings.push(
      ...restricted.ignored.map(
        (item) =>
          `${projectLayer.source}: ${item} (a project's config may not loosen security; set it in your user config, ${userPath})`,
      ),
    );
  }

  const merged: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  for (const layer of layers) mergeInto(merged, layer.values, [], sources, layer.source);
  const config = VtcodeConfigSchema.parse(merged);
  const allSources: Record<string, string> = {};
  for (const leaf of leafPaths(config)) allSources[leaf] = sourceOf(leaf, sources);
  return { config, layers, sources: allSources, userConfigPath: userPath, projectConfigPath: projectPath, warnings };
}

function toIssue(layer: ConfigLayer, issue: z.core.$ZodIssue, text: string | undefined): ConfigIssue {
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    path = [...path, keys[0] ?? ''];
    message = `unknown key${keys.length > 1 ? `s ${keys.join(', ')}` : ''}`;
  }
  const key = path.join('.');
  const envName =
    layer.kind === 'env' ? ENV_SETTINGS.find((setting) => setting.path.join('.') === key)?.name : undefined;
  const result: ConfigIssue = { source: envName ? `env ${envName}` : layer.source, key, message };
  if (text) {
    const line = locateKey(text, path);
    if (line !== undefined) result.line = line;
  }
  return result;
}

/**
 * Finds the line (1-based) where a dotted key is set in TOML text: walks table headers and `key = value` lines.
 * Best effort: returns the header line of the nearest enclosing table when the key itself is not found.
 */
export function locateKey(text: string, path: readonly string[]): number | undefined {
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  let best: { line: number; depth: number } | undefined;
  const target = path.join('.');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (line.startsWith('#') || line === '') continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (header?.[1]) {
      table = splitDotted(header[1]);
      const depth = commonPrefix(table, path);
      if (depth === table.length && (!best || depth > best.depth)) best = { line: index + 1, depth };
      continue;
    }
    const assignment = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.\- ]+?))\s*=/.exec(line);
    if (!assignment?.[1]) continue;
    const full = [...table, ...splitDotted(assignment[1])];
    if (full.join('.') === target) return index + 1;
    const depth = commonPrefix(full, path);
    if (depth === full.length && (!best || depth > best.depth)) best = { line: index + 1, depth };
  }
  return best?.line;
}

function splitDotted(key: string): string[] {
  return (key.match(/"[^"]*"|'[^']*'|[^.\s]+/g) ?? []).map((part) => part.replace(/^["']|["']$/g, ''));
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return index;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  prefix: string[],
  sources: Record<string, string>,
  label: string,
): void {
  for (const [key, value] of Object.entries(source)) {
    const path = [...prefix, key];
    if (isPlainObject(value)) {
      if (!isPlainObject(target[key])) target[key] = {};
      mergeInto(target[key] as Record<string, unknown>, value, path, sources, label);
    } else {
      target[key] = value;
      sources[path.join('.')] = label;
    }
  }
}

function leafPaths(value: unknown, prefix = ''): string[] {
  if (!isPlainObject(value)) return [prefix];
  const entries = Object.entries(value);
  if (entries.length === 0) return prefix ? [prefix] : [];
  return entries.flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

function sourceOf(path: string, sources: Record<string, string>): string {
  let candidate = path;
  for (;;) {
    const found = sources[candidate];
    if (found) return found;
    const cut = candidate.lastIndexOf('.');
    if (cut < 0) return 'defaults';
    candidate = candidate.slice(0, cut);
  }
}

/** Reads one dotted setting from a config. */
export function getSetting(config: VtcodeConfig, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) node = isPlainObject(node) ? node[key] : undefined;
  return node;
}

const APPROVAL_LOOSENESS: Record<string, number> = { untrusted: 0, never: 0, 'on-request': 1, 'full-auto': 2 };
const SANDBOX_LOOSENESS: Record<string, number> = { 'read-only': 0, 'workspace-write': 1, 'danger-full-access': 2 };

/**
 * A repository's `.vtcode/vtcode.toml` is written by whoever wrote the repository, so it may tighten security but
 * not loosen it: a looser approval or sandbox mode, network access, extra writable or readable roots, tools set to
 * "allow", another audit log, skills' pre-approvals turned back on, and any redirection of a provider that sends the
 * user's key (its `base_url`, `api_key_env` or `headers` for a known or user-configured provider; `api_key_env` for a
 * new one) are ignored.
 */
export function restrictProjectLayer(
  values: Record<string, unknown>,
  below: VtcodeConfig,
): { values: Record<string, unknown>; ignored: string[] } {
  const result = structuredClone(values);
  const ignored: string[] = [];
  const drop = (path: string[], why: string) => {
    let node: Record<string, unknown> | undefined = result;
    for (const key of path.slice(0, -1))
      node = isPlainObject(node?.[key]) ? (node?.[key] as Record<string, unknown>) : undefined;
    const last = path[path.length - 1] as string;
    if (node && last in node) {
      delete node[last];
      ignored.push(`${path.join('.')} ignored: ${why}`);
    }
  };
  if (
    typeof result.approval === 'string' &&
    (APPROVAL_LOOSENESS[result.approval] ?? 0) > (APPROVAL_LOOSENESS[below.approval] ?? 0)
  ) {
    drop(['approval'], `"${result.approval}" is looser than "${below.approval}"`);
  }
  if (
    typeof result.sandbox === 'string' &&
    (SANDBOX_LOOSENESS[result.sandbox] ?? 0) > (SANDBOX_LOOSENESS[below.sandbox] ?? 0)
  ) {
    drop(['sandbox'], `"${result.sandbox}" is looser than "${below.sandbox}"`);
  }
  const policy = isPlainObject(result.sandbox_policy) ? result.sandbox_policy : undefined;
  if (policy?.network === true && !below.sandbox_policy.network)
    drop(['sandbox_policy', 'network'], 'it turns network access on');
  for (const key of ['writable_roots', 'readable_roots', 'audit_log']) {
    if (policy && key in policy)
      drop(['sandbox_policy', key], 'it widens what commands may touch, or moves the audit log');
  }
  const skills = isPlainObject(result.skills) ? result.skills : undefined;
  if (skills?.pre_approve === true && !below.skills.pre_approve)
    drop(['skills', 'pre_approve'], "it lets skills' allowed-tools run commands without asking");
  if (skills?.trust_project_skills === true && !below.skills.trust_project_skills)
    drop(['skills', 'trust_project_skills'], "it lets the repository's own skills run commands without asking");
  const tools = isPlainObject(result.tools) ? result.tools : undefined;
  const policies = isPlainObject(tools?.policies) ? (tools?.policies as Record<string, unknown>) : undefined;
  for (const [name, value] of Object.entries(policies ?? {})) {
    if (value === 'allow') drop(['tools', 'policies', name], 'it allows a tool without asking');
  }
  const providers = isPlainObject(result.providers) ? result.providers : undefined;
  for (const [id, provider] of Object.entries(providers ?? {})) {
    if (!isPlainObject(provider)) continue;
    const known = id in below.providers || KNOWN_PROVIDER_IDS.has(id);
    for (const key of known ? ['base_url', 'api_key_env', 'headers'] : ['api_key_env']) {
      if (key in provider)
        drop(
          ['providers', id, key],
          known ? "it could send the user's key elsewhere" : "it could read the user's keys",
        );
    }
  }
  return { values: result, ignored };
}

/** Provider ids whose keys come from the user's environment by convention. */
const KNOWN_PROVIDER_IDS = new Set([
  'openai',
  'anthropic',
  'google',
  'gemini',
  'deepseek',
  'openrouter',
  'zai',
  'moonshot',
  'minimax',
  'ollama',
  'ollama-cloud',
  'lmstudio',
]);
