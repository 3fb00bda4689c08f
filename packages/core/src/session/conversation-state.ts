import type { AssistantMessage, ModelMessage, ToolResultPart, Usage } from '@vtcode/providers';
import type { AgentEvent, PlanItem } from '../events/agent-event.ts';
import { addUsage } from '../usage/usage.ts';

/**
 * The conversation as the event stream defines it. The live loop and a resumed session build it the same way —
 * by applying events in order — so a resumed session sees exactly the history the original run had.
 */
export class ConversationState {
  messages: ModelMessage[] = [];
  usage: Usage = {};
  lastSeq = 0;
  turns = 0;
  plan: PlanItem[] = [];
  readonly touchedFiles = new Set<string>();
  readonly commands: string[] = [];
  goal = '';
  lastAssistantText = '';
  /** Skills loaded before the last summarising compaction (its event carries them): still loaded, still active. */
  skillsBeforeCompaction: string[] = [];
  private pendingCalls: Array<{ toolCallId: string; toolName: string }> = [];
  private readonly pendingResults = new Map<string, ToolResultPart>();

  static fromEvents(events: Iterable<AgentEvent>): ConversationState {
    const state = new ConversationState();
    for (const event of events) state.apply(event);
    return state;
  }

  apply(event: AgentEvent): void {
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    switch (event.type) {
      case 'user-message':
        this.flushToolResults();
        if (!this.goal) this.goal = event.text;
        this.messages.push({ role: 'user', content: [{ type: 'text', text: event.text }] });
        break;
      case 'turn-start':
        this.flushToolResults();
        break;
      case 'assistant-message': {
        this.flushToolResults();
        this.turns = Math.max(this.turns, event.turn);
        const content = event.content;
        if (content.length > 0) this.messages.push({ role: 'assistant', content } as AssistantMessage);
        const text = content
          .filter((part) => part.type === 'text')
          .map((part) => (part as { text: string }).text)
          .join('');
        if (text.trim()) this.lastAssistantText = text;
        this.pendingCalls = content
          .filter((part) => part.type === 'tool-call')
          .map((part) => ({
            toolCallId: (part as { toolCallId: string }).toolCallId,
            toolName: (part as { toolName: string }).toolName,
          }));
        break;
      }
      case 'tool-call-started': {
        const input = event.input as Record<string, unknown> | undefined;
        if (event.kind === 'execute' && typeof input?.command === 'string') this.commands.push(input.command);
        break;
      }
      case 'tool-call-finished':
        this.pendingResults.set(event.toolCallId, {
          type: 'tool-result',
          toolCallId: event.toolCallId,
          toolName: event.toolName,
          output: event.output,
          ...(event.status === 'ok' ? {} : { isError: true }),
        });
        for (const file of event.changedFiles ?? []) this.touchedFiles.add(file);
        if (
          this.pendingCalls.length > 0 &&
          this.pendingCalls.every((call) => this.pendingResults.has(call.toolCallId))
        ) {
          this.flushToolResults();
        }
        break;
      case 'plan-updated':
        this.plan = event.items;
        break;
      case 'usage':
        this.usage = addUsage(this.usage, event.usage);
        break;
      case 'compaction':
        this.flushToolResults();
        if (event.summary !== undefined) {
          const kept = event.keptMessages ? this.messages.slice(-event.keptMessages) : [];
          this.messages = [{ role: 'user', content: [{ type: 'text', text: event.summary }] }, ...kept];
          this.skillsBeforeCompaction = [...(event.loadedSkills ?? [])];
        }
        break;
      default:
        break;
    }
  }

  /** Closes an interrupted tool round (a crash or cancel mid-tool): every call gets a result, so the history is valid. */
  settleInterrupted(
    reason = 'interrupted: the run stopped before this tool call finished; its effects are unknown',
  ): void {
    this.flushToolResults(reason);
  }

  /** Tool calls of the last assistant message that have no result yet. */
  get unansweredToolCalls(): Array<{ toolCallId: string; toolName: string }> {
    return this.pendingCalls.filter((call) => !this.pendingResults.has(call.toolCallId));
  }

  private flushToolResults(missingReason = 'interrupted: no result was recorded for this tool call'): void {
    if (this.pendingCalls.length === 0) return;
    const content: ToolResultPart[] = this.pendingCalls.map(
      (call) =>
        this.pendingResults.get(call.toolCallId) ?? {
          type: 'tool-result',
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          output: missingReason,
          isError: true,
        },
    );
    this.messages.push({ role: 'tool', content });
    this.pendingCalls = [];
    this.pendingResults.clear();
  }
}
