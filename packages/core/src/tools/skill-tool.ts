import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Skill, SkillDiscovery, SkillToolPolicy } from '@vtcode/skills';
import type { AgentTool } from './agent-tool.ts';

export interface SkillsSetup {
  /** The catalogue for the system prompt (empty when no skill was found). */
  catalog: string;
  /** The `load_skill` tool, present when there are skills. */
  tool?: SkillLoaderTool;
  /** The skills found (empty when the catalogue came from the cache). */
  skills: readonly Skill[];
  /** Problems found while discovering (invalid skills are skipped, not fatal). */
  warnings: string[];
}

/** Where a rendered catalogue may be kept between runs, keyed by a fingerprint of every SKILL.md it came from. */
export interface SkillsCatalogCache {
  read(key: string): { catalog: string; warnings: string[] } | undefined;
  write(key: string, value: { catalog: string; warnings: string[] }): void;
}

export interface SetupSkillsOptions {
  cwd: string;
  homeDir?: string;
  extraRoots?: readonly string[];
  signal?: AbortSignal;
  /** With a cache, an unchanged set of skills costs a directory walk instead of parsing every frontmatter. */
  cache?: SkillsCatalogCache;
  /**
   * Whether skills found in the project (scope `project`) may pre-approve tools through their `allowed-tools`
   * (default false: a repository's files may not loosen security). User, system and embedded skills always may.
   */
  trustProjectSkills?: boolean;
}

export const LOAD_SKILL_TOOL = 'load_skill';

/**
 * The `load_skill` tool. Besides loading instructions it tells the engine what a loaded skill's `allowed-tools`
 * pre-approve: the Agent activates a skill after a successful call and asks `skillToolPolicy` when a decision needs it.
 */
export interface SkillLoaderTool extends AgentTool {
  /**
   * The `allowed-tools` policy of the skill `name`: the one read when this tool loaded it, else read now (a resumed
   * session). Undefined when there is no such skill or it cannot be loaded (then it pre-approves nothing).
   */
  skillToolPolicy(name: string): Promise<SkillToolPolicy | undefined>;
}

/** Is `tool` a skill loader (it can tell the engine what a loaded skill pre-approves)? */
export function isSkillLoaderTool(tool: AgentTool | undefined): tool is SkillLoaderTool {
  return typeof (tool as Partial<SkillLoaderTool> | undefined)?.skillToolPolicy === 'function';
}

/**
 * Agent Skills through `@vtcode/skills`: names and descriptions go into the system prompt (progressive disclosure);
 * the `load_skill` tool loads a skill's full instructions when the model activates it.
 */
export async function setupSkills(options: SetupSkillsOptions): Promise<SkillsSetup> {
  const skillsModule = await import('@vtcode/skills');
  const rootOptions = {
    cwd: options.cwd,
    ...(options.homeDir ? { homeDir: options.homeDir } : {}),
    ...(options.extraRoots?.length ? { extraRoots: options.extraRoots } : {}),
  };
  let discovery: Promise<SkillDiscovery> | undefined;
  const discover = () => {
    discovery ??= skillsModule.discoverSkills({
      ...rootOptions,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return discovery;
  };
  const key = options.cache
    ? fingerprint(skillsModule.defaultSkillRoots(rootOptions).map((root) => root.path))
    : undefined;
  const cached = key ? options.cache?.read(key) : undefined;
  let catalog: string;
  let warnings: string[];
  let skills: readonly Skill[] = [];
  if (cached) {
    ({ catalog, warnings } = cached);
  } else {
    const found = await discover();
    skills = found.skills;
    warnings = found.diagnostics.map((diagnostic) => `${diagnostic.file ?? ''}: ${diagnostic.message}`);
    catalog = found.skills.length
      ? skillsModule.renderCatalog(found.skills, { activation: { tool: LOAD_SKILL_TOOL }, includeLocation: false })
      : '';
    if (key) options.cache?.write(key, { catalog, warnings });
  }
  if (!catalog) return { catalog: '', skills, warnings };
  // The policy each skill had when this run loaded it: what the model read is what is pre-approved.
  const policies = new Map<string, SkillToolPolicy>();
  const tool: SkillLoaderTool = {
    name: LOAD_SKILL_TOOL,
    kind: 'read',
    description: 'Load the full instructions of one of the available skills (see the catalogue in the system prompt).',
    inputSchema: {
      type: 'object',
      properties: { name: { type: 'string', description: 'The skill name, as in the catalogue' } },
      required: ['name'],
      additionalProperties: false,
    },
    async execute(input) {
      const found = await discover();
      const name = typeof input === 'object' && input !== null ? (input as { name?: unknown }).name : undefined;
      const skill = typeof name === 'string' ? found.byName.get(name) : undefined;
      if (!skill) {
        return {
          output: `no skill named ${JSON.stringify(name)}; the skills are: ${found.skills.map((item) => item.name).join(', ')}`,
          isError: true,
        };
      }
      try {
        const loaded = await skillsModule.loadSkill(skill);
        const policy = grantedPolicy(skill, loaded.toolPolicy);
        policies.set(skill.name, policy);
        const withheld =
          policy.preApproved.length < loaded.toolPolicy.preApproved.length
            ? `\n\n(Its allowed-tools are not applied: it comes with the project, and project skills pre-approve nothing unless the user sets [skills] trust_project_skills = true in their own configuration. Its commands follow the approval policy.)`
            : '';
        return { output: `${skillsModule.renderSkillContent(loaded)}${withheld}` };
      } catch (error) {
        return { output: `could not load skill ${skill.name}: ${(error as Error).message}`, isError: true };
      }
    },
    async skillToolPolicy(name) {
      const known = policies.get(name);
      if (known) return known;
      try {
        const skill = (await discover()).byName.get(name);
        if (!skill) return undefined;
        const loaded = await skillsModule.loadSkill(skill);
        const policy = grantedPolicy(skill, loaded.toolPolicy);
        policies.set(name, policy);
        return policy;
      } catch {
        return undefined;
      }
    },
  };
  return { catalog, tool, skills, warnings };

  /** What a skill's `allowed-tools` may grant: nothing for a project skill unless the user trusts project skills. */
  function grantedPolicy(skill: Skill, policy: SkillToolPolicy): SkillToolPolicy {
    return skill.scope === 'project' && options.trustProjectSkills !== true ? { ...policy, preApproved: [] } : policy;
  }
}

/** Every SKILL.md under the roots (two levels deep, as discovery looks) with its size and time. */
function fingerprint(roots: readonly string[]): string {
  const parts: string[] = [];
  const visit = (directory: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch {
      return;
    }
    // Code-unit order, not localeCompare: the order only has to be stable, and ICU collation costs 3 MB of memory.
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = join(directory, entry.name);
      for (const file of ['SKILL.md', 'skill.md']) {
        try {
          const info = statSync(join(path, file));
          parts.push(`${path}/${file}:${info.size}:${info.mtimeMs}`);
        } catch {
          // not a skill folder
        }
      }
      if (depth < 2) visit(path, depth + 1);
    }
  };
  for (const root of roots) {
    parts.push(`root:${root}`);
    visit(root, 1);
  }
  return parts.join('\n');
}
