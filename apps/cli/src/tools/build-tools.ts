import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AgentTool,
  auditLogPath,
  type CommandEvaluator,
  createLazyTools,
  createSandboxCommandEvaluator,
  createVtcodeTools,
  describeCall,
  type SkillsCatalogCache,
  sandboxPolicyFromConfig,
  setupSkills,
  type ToolDescriptor,
  toolDescriptors,
  type VtcodeConfig,
} from '@vtcode/core';
import { VERSION } from '../version.ts';

export interface RunTools {
  tools: AgentTool[];
  evaluateCommand?: CommandEvaluator;
  skillsCatalog?: string;
  warnings: string[];
  /** Starts loading the tool code now (it loads on first use otherwise). */
  warm(): void;
  dispose(): Promise<void>;
}

interface LoadedTools {
  tools: readonly AgentTool[];
  evaluateCommand: CommandEvaluator;
  warnings: string[];
  dispose(): Promise<void>;
}

/**
 * The tools, the sandbox's command evaluator and the skills catalogue of a run.
 *
 * Start-up: the tools' descriptors (names, descriptions, JSON schemas) are cached per build, so the first model
 * request goes out without loading the tools, the sandbox and their parsers; those load while the model answers
 * (`warm()`, called on its first output) or at the first tool call.
 */
export async function buildTools(
  config: VtcodeConfig,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<RunTools> {
  let loading: Promise<LoadedTools> | undefined;
  let loaded: LoadedTools | undefined;
  const load = () => {
    loading ??= loadTools(config, cwd, env).then((tools) => {
      loaded = tools;
      return tools;
    });
    return loading;
  };
  const skillsCache = catalogCache(env);
  const skills = config.skills.enabled
    ? await setupSkills({
        cwd,
        ...(env.HOME ? { homeDir: env.HOME } : {}),
        extraRoots: config.skills.roots,
        trustProjectSkills: config.skills.trust_project_skills,
        ...(skillsCache ? { cache: skillsCache } : {}),
      })
    : undefined;
  const skillWarnings = skills?.warnings.map((warning) => `skills: ${warning}`) ?? [];
  const extra = skills?.tool ? [skills.tool] : [];
  const cache = descriptorCache(env);
  const cached = cache?.read();
  if (!cached) {
    const loaded = await load();
    cache?.write(toolDescriptors(loaded.tools));
    return {
      tools: [...loaded.tools, ...extra],
      evaluateCommand: loaded.evaluateCommand,
      ...(skills?.catalog ? { skillsCatalog: skills.catalog } : {}),
      warnings: [...skillWarnings, ...loaded.warnings],
      warm: () => undefined,
      dispose: () => loaded.dispose(),
    };
  }
  return {
    tools: [...createLazyTools(cached, async () => (await load()).tools, describeCall), ...extra],
    evaluateCommand: async (command, options) => (await load()).evaluateCommand(command, options),
    ...(skills?.catalog ? { skillsCatalog: skills.catalog } : {}),
    warnings: skillWarnings,
    warm: () => void load().catch(() => undefined),
    dispose: async () => {
      // Only a loaded tool session can hold anything (PTYs); one still loading has run nothing.
      if (loaded) await loaded.dispose();
    },
  };
}

async function loadTools(
  config: VtcodeConfig,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<LoadedTools> {
  const policy = await sandboxPolicyFromConfig(config, cwd);
  const audit = await openAudit(config, env);
  const [evaluateCommand, toolset] = await Promise.all([
    createSandboxCommandEvaluator(policy),
    createVtcodeTools({
      workspaceRoot: cwd,
      policy,
      shellTimeoutMs: config.tools.shell_timeout_ms,
      ...(audit.log ? { audit: audit.log } : {}),
    }),
  ]);
  return { tools: toolset.tools, evaluateCommand, warnings: audit.warnings, dispose: () => toolset.dispose() };
}

/**
 * A per-build cache of the tool descriptors in `$XDG_CACHE_HOME/vtcode/`. Only for the bundled app: its key is the
 * version and the bundle file's size and time, so a rebuild never reads stale schemas. Sources run uncached.
 */
function descriptorCache(env: Record<string, string | undefined>) {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts') || env.VTCODE_NO_CACHE) return undefined;
  let key: string;
  try {
    const info = statSync(here);
    key = createHash('sha256').update(`${VERSION}:${here}:${info.size}:${info.mtimeMs}`).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
  const file = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'vtcode', `tools-${key}.json`);
  return {
    read(): ToolDescriptor[] | undefined {
      try {
        const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
        return Array.isArray(value) && value.length > 0 ? (value as ToolDescriptor[]) : undefined;
      } catch {
        return undefined;
      }
    },
    write(descriptors: ToolDescriptor[]): void {
      try {
        mkdirSync(dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, JSON.stringify(descriptors));
        renameSync(temporary, file);
      } catch {
        // A cache that cannot be written only costs start-up time.
      }
    },
  };
}

/** The skills catalogue cache (bundled app only, like the descriptor cache), keyed by the skills' fingerprint. */
function catalogCache(env: Record<string, string | undefined>): SkillsCatalogCache | undefined {
  if (fileURLToPath(import.meta.url).endsWith('.ts') || env.VTCODE_NO_CACHE) return undefined;
  const directory = join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'vtcode');
  const fileOf = (key: string) =>
    join(directory, `skills-${createHash('sha256').update(`${VERSION}\n${key}`).digest('hex').slice(0, 16)}.json`);
  return {
    read(key) {
      try {
        const value = JSON.parse(readFileSync(fileOf(key), 'utf8')) as { catalog?: unknown; warnings?: unknown };
        return typeof value.catalog === 'string' && Array.isArray(value.warnings)
          ? { catalog: value.catalog, warnings: value.warnings.map(String) }
          : undefined;
      } catch {
        return undefined;
      }
    },
    write(key, value) {
      try {
        mkdirSync(directory, { recursive: true });
        const file = fileOf(key);
        writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(value));
        renameSync(`${file}.${process.pid}.tmp`, file);
      } catch {
        // only start-up time is lost
      }
    },
  };
}

/** The sandbox's audit log (every command decision and execution), unless `sandbox_policy.audit_log = false`. */
async function openAudit(config: VtcodeConfig, env: Record<string, string | undefined>) {
  const path = auditLogPath(config, env);
  if (path === undefined) return { log: undefined, warnings: [] as string[] };
  try {
    mkdirSync(dirname(path), { recursive: true });
    const { AuditLog } = await import('@vtcode/sandbox');
    return { log: await AuditLog.open(path), warnings: [] as string[] };
  } catch (error) {
    return {
      log: undefined,
      warnings: [`audit log ${path} cannot be opened (${(error as Error).message}); commands are not audited`],
    };
  }
}
