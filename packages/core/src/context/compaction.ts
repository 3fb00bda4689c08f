import type { ModelMessage, ToolDefinition } from '@vtcode/providers';
import type { PlanItem } from '../events/agent-event.ts';
import { estimateRequestTokens } from './token-estimate.ts';

export interface ContextBudget {
  /** The model's context window in tokens. */
  windowTokens: number;
  /** Tokens kept free for the answer. */
  reserveOutputTokens: number;
  /** Compact above this fraction of (window − reserve). */
  threshold: number;
  /** Newest messages never pruned or summarised. */
  keepRecentMessages: number;
}

export function budgetLimit(budget: ContextBudget): number {
  return Math.max(1_000, Math.floor((budget.windowTokens - budget.reserveOutputTokens) * budget.threshold));
}

const PRUNE_MIN_CHARS = 300;

/**
 * Step one of compaction (token counts include `systemTokens`, the system prompt), applied to the request (the history itself keeps the full output): tool results older
 * than the newest `keepRecentMessages` messages are replaced by a short note, oldest first, until the request fits.
 */
export function pruneToolOutputs(
  messages: readonly ModelMessage[],
  systemAndTools: { tools: readonly ToolDefinition[]; systemTokens?: number },
  budget: ContextBudget,
): { messages: ModelMessage[]; pruned: number; tokens: number } {
  const limit = budgetLimit(budget);
  const fixed = systemAndTools.systemTokens ?? 0;
  let tokens = estimateRequestTokens(messages, systemAndTools.tools) + fixed;
  if (tokens <= limit) return { messages: [...messages], pruned: 0, tokens };
  const result = [...messages];
  let pruned = 0;
  const protectedFrom = Math.max(0, result.length - budget.keepRecentMessages);
  for (let index = 0; index < protectedFrom && tokens > limit; index++) {
    const message = result[index];
    if (message?.role !== 'tool') continue;
    let changed = false;
    const content = message.content.map((part) => {
      const text = typeof part.output === 'string' ? part.output : JSON.stringify(part.output);
      if (text.length < PRUNE_MIN_CHARS) return part;
      changed = true;
      pruned++;
      return {
        ...part,
        output: `[older output pruned to save context: ${text.length} characters, began "${text.slice(0, 120).replace(/\s+/g, ' ')}…"; run the tool again if you need it]`,
      };
    });
    if (changed) {
      result[index] = { role: 'tool', content };
      tokens = estimateRequestTokens(result, systemAndTools.tools) + fixed;
    }
  }
  return { messages: result, pruned, tokens };
}

export interface SummaryInput {
  goal: string;
  userMessages: string[];
  assistantNotes: string[];
  touchedFiles: string[];
  commands: string[];
  plan: PlanItem[];
  /** Skills loaded so far (with `load_skill`): they stay active, though their instructions are summarised away. */
  loadedSkills?: readonly string[];
}

/** Step two: a structured summary that replaces older messages — goal, decisions, touched files, todo list. */
export function renderSummary(input: SummaryInput): string {
  const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
  const lines = [
    '[Context summary: the earlier part of this session was compacted by VT Code to fit the context window.]',
    '',
    `## Goal\n${clip(input.goal, 2_000)}`,
  ];
  if (input.userMessages.length > 1) {
    lines.push('', '## Later user requests', ...input.userMessages.slice(1).map((text) => `- ${clip(text, 400)}`));
  }
  if (input.assistantNotes.length) {
    lines.push(
      '',
      '## Decisions and findings so far',
      ...input.assistantNotes.slice(-8).map((text) => `- ${clip(text.replace(/\s+/g, ' '), 400)}`),
    );
  }
  lines.push(
    '',
    '## Files touched',
    input.touchedFiles.length ? input.touchedFiles.map((file) => `- ${file}`).join('\n') : '- none yet',
  );
  if (input.commands.length)
    lines.push(
      '',
      '## Commands run (latest last)',
      ...input.commands.slice(-10).map((command) => `- ${clip(command, 200)}`),
    );
  if (input.loadedSkills?.length)
    lines.push(
      '',
      '## Skills loaded (still active; load one again with load_skill to reread its instructions)',
      ...input.loadedSkills.map((name) => `- ${name}`),
    );
  lines.push(
    '',
    '## Todo list',
    input.plan.length
      ? input.plan
          .map(
            (item) =>
              `- [${item.status === 'completed' ? 'x' : item.status === 'in_progress' ? '~' : ' '}] ${item.step}`,
          )
          .join('\n')
      : '- (no plan recorded)',
    '',
    'Continue the task from here; the most recent messages follow.',
  );
  return lines.join('\n');
}

/** Where the kept tail of the history starts: the newest `keep` messages, never starting at a tool result. */
export function keptTailStart(messages: readonly ModelMessage[], keep: number): number {
  let start = Math.max(0, messages.length - keep);
  while (start > 0 && messages[start]?.role === 'tool') start--;
  return start;
}
