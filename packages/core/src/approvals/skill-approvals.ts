import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ModelMessage } from '@vtcode/providers';
import type { SkillToolPolicy, ToolPolicyOptions, ToolRule } from '@vtcode/skills';
import type { ToolKind } from '../events/agent-event.ts';
import type { SkillRuleMatch } from './approval-policy.ts';

/**
 * The tool names skills use (Claude Code's: `Bash`, `Read`, `Edit`, …) onto VT Code's. A rule may also name a
 * VT Code tool directly (`shell(git status:*)`, `web_fetch`); names compare case-insensitively, ignoring `_`/`-`.
 */
export const SKILL_TOOL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  Bash: ['shell', 'pty_start'],
  Read: ['read_file', 'list_files'],
  LS: ['list_files'],
  Edit: ['edit_file', 'apply_patch', 'write_file', 'code_rewrite'],
  MultiEdit: ['edit_file', 'apply_patch'],
  Write: ['write_file'],
  Grep: ['grep', 'code_search'],
  Glob: ['glob', 'list_files'],
  WebFetch: ['web_fetch'],
  TodoWrite: ['todo_write'],
  TodoRead: ['todo_read'],
};

/** One tool call as the skill rules see it. */
export interface SkillCallSubject {
  toolName: string;
  kind: ToolKind;
  input: unknown;
  /** The command line (execute tools). */
  command?: string;
  /** The paths the call touches (file tools). */
  paths?: readonly string[];
}

type FindRule = (
  policy: SkillToolPolicy,
  call: { tool: string; argument?: string },
  options?: ToolPolicyOptions,
) => ToolRule | undefined;

/**
 * The skills activated in a session (by a successful `load_skill`) and what their `allowed-tools` pre-approve.
 *
 * Names are activated at once; each skill's policy is resolved on the first decision that needs it, so a session
 * that never asks never reads a SKILL.md again. A skill that cannot be resolved (removed, invalid, modified after
 * install) pre-approves nothing.
 */
export class SkillApprovals {
  private readonly policies = new Map<string, SkillToolPolicy | undefined>();
  private readonly pending = new Set<string>();
  private readonly resolvePolicy: (name: string) => Promise<SkillToolPolicy | undefined>;
  private readonly workspaceRoot: string;
  private findRule: FindRule | undefined;

  constructor(options: {
    /** The `allowed-tools` policy of a skill by name (the `load_skill` tool's `skillToolPolicy`). */
    resolve: (name: string) => Promise<SkillToolPolicy | undefined>;
    /** Paths are matched relative to it. */
    workspaceRoot: string;
  }) {
    this.resolvePolicy = options.resolve;
    this.workspaceRoot = options.workspaceRoot;
  }

  /** Marks a skill active for the rest of the session (idempotent). */
  activate(name: string): void {
    if (this.policies.has(name) || this.pending.has(name)) return;
    this.pending.add(name);
  }

  /** The active skills, in the order they were activated. */
  get active(): string[] {
    return [...new Set([...this.policies.keys(), ...this.pending])];
  }

  /** The first active skill's rule that pre-approves the call, or undefined. */
  async match(subject: SkillCallSubject): Promise<SkillRuleMatch | undefined> {
    if (this.policies.size === 0 && this.pending.size === 0) return undefined;
    await this.settle();
    const find = this.findRule;
    if (!find) return undefined;
    const options: ToolPolicyOptions = { aliases: SKILL_TOOL_ALIASES };
    for (const [skill, policy] of this.policies) {
      if (!policy || policy.preApproved.length === 0) continue;
      const rule = matchCall(find, policy, subject, this.workspaceRoot, options);
      if (rule) return { skill, rule: rule.raw };
    }
    return undefined;
  }

  private async settle(): Promise<void> {
    if (this.pending.size > 0) {
      const names = [...this.pending];
      this.pending.clear();
      const resolved = await Promise.all(
        names.map((name) => this.resolvePolicy(name).catch((): SkillToolPolicy | undefined => undefined)),
      );
      names.forEach((name, index) => {
        const policy = resolved[index];
        this.policies.set(name, policy ? normalizePolicy(policy) : undefined);
      });
    }
    if (!this.findRule && [...this.policies.values()].some((policy) => policy && policy.preApproved.length > 0)) {
      this.findRule = (await import('@vtcode/skills')).findPreApprovingRule;
    }
  }
}

/**
 * Rules match a shell tool's command line, a file tool's path(s) (every path of the call must match one rule),
 * `web_fetch`'s URL (or `domain:<host>`, as in `WebFetch(domain:example.com)`); a rule without a specifier matches
 * any call of the tool.
 */
function matchCall(
  find: FindRule,
  policy: SkillToolPolicy,
  subject: SkillCallSubject,
  workspaceRoot: string,
  options: ToolPolicyOptions,
): ToolRule | undefined {
  const tool = subject.toolName;
  if (subject.kind === 'execute' && subject.command !== undefined) {
    return find(policy, { tool, argument: subject.command }, options);
  }
  if (subject.kind === 'fetch') {
    const url = urlOf(subject.input);
    if (url === undefined) return find(policy, { tool }, options);
    const byUrl = find(policy, { tool, argument: url }, options);
    if (byUrl) return byUrl;
    const host = hostOf(url);
    return host ? find(policy, { tool, argument: `domain:${host}` }, options) : undefined;
  }
  const paths = subject.paths ?? [];
  if (paths.length === 0) return find(policy, { tool }, options);
  let first: ToolRule | undefined;
  for (const path of paths) {
    const rule = find(policy, { tool, argument: workspacePath(path, workspaceRoot) }, options);
    if (!rule) return undefined;
    first ??= rule;
  }
  return first;
}

/** `src/a.ts` for a path inside the workspace (however the model wrote it), the absolute path otherwise. */
export function workspacePath(path: string, workspaceRoot: string): string {
  const absolute = resolve(workspaceRoot, path);
  const inside = relative(workspaceRoot, absolute);
  if (inside === '') return '.';
  if (inside.startsWith('..') || isAbsolute(inside)) return absolute.split(sep).join('/');
  return inside.split(sep).join('/');
}

/** Path rules as agents write them: `./src/**` is `src/**`, `//etc/x` is `/etc/x`. */
function normalizePolicy(policy: SkillToolPolicy): SkillToolPolicy {
  return {
    skill: policy.skill,
    preApproved: policy.preApproved.map((rule) => {
      if (rule.pattern === undefined) return rule;
      if (rule.pattern.startsWith('./')) return { ...rule, pattern: rule.pattern.slice(2) };
      if (rule.pattern.startsWith('//')) return { ...rule, pattern: rule.pattern.slice(1) };
      return rule;
    }),
  };
}

function urlOf(input: unknown): string | undefined {
  const url = typeof input === 'object' && input !== null ? (input as { url?: unknown }).url : undefined;
  return typeof url === 'string' ? url : undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The skills a conversation loaded successfully, in order: the `load_skill` calls whose result is not an error.
 * A resumed session activates them again.
 */
export function skillsLoadedIn(messages: readonly ModelMessage[], loaderName: string): string[] {
  const requested = new Map<string, string>();
  const loaded: string[] = [];
  for (const message of messages) {
    if (message.role === 'assistant') {
      for (const part of message.content) {
        if (part.type !== 'tool-call' || part.toolName !== loaderName) continue;
        const name = (part.input as { name?: unknown } | undefined)?.name;
        if (typeof name === 'string') requested.set(part.toolCallId, name);
      }
    } else if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result' || part.isError) continue;
        const name = requested.get(part.toolCallId);
        if (name !== undefined && !loaded.includes(name)) loaded.push(name);
      }
    }
  }
  return loaded;
}
