import { existsSync, readFileSync } from 'node:fs';
import { platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface SystemPromptOptions {
  cwd: string;
  /** The project's AGENTS.md text (see `readAgentsMd`), already capped. */
  agentsMd?: { path: string; text: string };
  /** The skills catalogue rendered by `@vtcode/skills`, if any skills were found. */
  skillsCatalog?: string;
  /** Names of the tools offered, for the guidance section. */
  toolNames: readonly string[];
  approvalMode: string;
  sandboxMode: string;
  /** A line saying this run replays a recording, when it does. */
  replayNote?: string;
  date?: Date;
}

/** A lean system prompt: who the agent is, how to work, the environment, AGENTS.md, the skills catalogue. */
export function buildSystemPrompt(options: SystemPromptOptions): string {
  const tools = new Set(options.toolNames);
  const guidance = [
    "You are VT Code, a coding agent working in the user's repository. Do the task end to end: investigate, change the code, verify, then answer briefly.",
    '',
    '# How to work',
    '- Read before you edit. Search with grep / list_files rather than guessing paths.',
    tools.has('edit_file')
      ? '- Make focused edits with edit_file (copy old_string exactly from what you read); create files with write_file.'
      : '',
    tools.has('apply_patch') ? '- Use apply_patch for multi-file or multi-hunk changes.' : '',
    tools.has('shell')
      ? "- Run the project's tests or build with shell to verify a change. Commands run in a sandbox; a denied command comes back with the reason — do not retry it unchanged."
      : '',
    tools.has('update_plan') ? '- For multi-step work, keep a short todo list with update_plan.' : '',
    '- Independent read-only calls (read, search) can be issued together in one turn; they run in parallel.',
    '- Keep the final answer short: what changed and how it was verified.',
  ].filter(Boolean);
  const environment = [
    '# Environment',
    `- Working directory: ${options.cwd}`,
    `- Platform: ${platform()} ${release()}; Node ${process.version}`,
    `- Date: ${(options.date ?? new Date()).toISOString().slice(0, 10)}`,
    `- Approval mode: ${options.approvalMode}; sandbox: ${options.sandboxMode}`,
    options.sandboxMode === 'read-only'
      ? '- The workspace is read-only: edits are refused and commands cannot write it (they may write under $TMPDIR). Investigate and answer; do not try to change files.'
      : '',
  ].filter(Boolean);
  const sections = [guidance.join('\n'), environment.join('\n')];
  if (options.replayNote) sections.push(`# Replay\n${options.replayNote}`);
  if (options.agentsMd) sections.push(`# Project instructions (${options.agentsMd.path})\n${options.agentsMd.text}`);
  if (options.skillsCatalog) sections.push(`# Skills\n${options.skillsCatalog}`);
  return sections.join('\n\n');
}

/** The nearest AGENTS.md from `cwd` up to the repository root, capped at `maxChars`. */
export function readAgentsMd(cwd: string, maxChars = 16_000): { path: string; text: string } | undefined {
  let directory = resolve(cwd);
  for (;;) {
    const candidate = join(directory, 'AGENTS.md');
    if (existsSync(candidate)) {
      const text = readFileSync(candidate, 'utf8');
      return {
        path: candidate,
        text:
          text.length > maxChars ? `${text.slice(0, maxChars)}\n[AGENTS.md truncated at ${maxChars} characters]` : text,
      };
    }
    if (existsSync(join(directory, '.git'))) return undefined;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}
