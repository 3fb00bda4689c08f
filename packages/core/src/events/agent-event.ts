import type { AssistantMessage, FinishReason, Usage } from '@vtcode/providers';

/**
 * The one event stream of the engine. Every face of the product (exec, exec --json, the session log, the ATIF
 * writer, and later the TUI, ACP and A2A) consumes these events and nothing else.
 *
 * Events are flat JSON objects with a `type`, a per-session sequence number `seq` and an ISO `time`.
 */
export interface AgentEventBase {
  /** Monotonic sequence number within the session (continues across resumes). */
  seq: number;
  /** ISO 8601 time the event happened. */
  time: string;
}

export type ToolKind = 'read' | 'edit' | 'search' | 'execute' | 'fetch' | 'think' | 'other';

export type RunStatus = 'completed' | 'failed' | 'cancelled' | 'turn-limit';

export interface PlanItem {
  step: string;
  status: 'pending' | 'in_progress' | 'completed' | 'cancelled';
}

export interface ApprovalRequest {
  toolCallId: string;
  toolName: string;
  kind: ToolKind;
  /** What would happen, for a person to read: `run: npm test`, `edit: src/a.ts`. */
  summary: string;
  /** The command line, for execute tools. */
  command?: string;
  /** Paths the action touches, for edit tools. */
  paths?: string[];
  /** Why the policy asks. */
  reason: string;
}

export type ApprovalDecisionValue = 'allow' | 'allow-always' | 'deny';

export interface RunStartEvent extends AgentEventBase {
  type: 'run-start';
  sessionId: string;
  cwd: string;
  provider: string;
  modelId: string;
  resumed: boolean;
  approvalMode: string;
  sandboxMode: string;
  /** Set when the model is a replay of a recorded run: what is being replayed. */
  replayOf?: string;
}

export interface UserMessageEvent extends AgentEventBase {
  type: 'user-message';
  text: string;
}

export interface TurnStartEvent extends AgentEventBase {
  type: 'turn-start';
  turn: number;
  /** Attempt number within the turn (1 unless the turn was retried after a provider failure). */
  attempt: number;
  /** Estimated tokens of the request about to be sent. */
  estimatedInputTokens: number;
}

export interface MessageDeltaEvent extends AgentEventBase {
  type: 'message-delta';
  turn: number;
  delta: string;
}

export interface ReasoningDeltaEvent extends AgentEventBase {
  type: 'reasoning-delta';
  turn: number;
  delta: string;
}

/** The complete assistant message of a turn (text, reasoning, tool calls), as it goes back into the history. */
export interface AssistantMessageEvent extends AgentEventBase {
  type: 'assistant-message';
  turn: number;
  content: AssistantMessage['content'];
  finishReason: FinishReason;
}

export interface ToolCallStartedEvent extends AgentEventBase {
  type: 'tool-call-started';
  turn: number;
  toolCallId: string;
  toolName: string;
  kind: ToolKind;
  input: unknown;
}

export interface ToolCallOutputEvent extends AgentEventBase {
  type: 'tool-call-output';
  toolCallId: string;
  chunk: string;
}

export type ToolCallStatus = 'ok' | 'error' | 'denied' | 'cancelled';

export interface ToolCallFinishedEvent extends AgentEventBase {
  type: 'tool-call-finished';
  turn: number;
  toolCallId: string;
  toolName: string;
  status: ToolCallStatus;
  /** The result text the model reads. */
  output: string;
  /** A unified diff for edits. */
  diff?: string;
  /** Workspace-relative files the call changed. */
  changedFiles?: string[];
  durationMs: number;
}

export interface ApprovalRequestedEvent extends AgentEventBase {
  type: 'approval-requested';
  request: ApprovalRequest;
}

export interface ApprovalDecidedEvent extends AgentEventBase {
  type: 'approval-decided';
  toolCallId: string;
  decision: ApprovalDecisionValue;
  reason: string;
  /**
   * Who decided: the Approver's name (`headless`, `tui`, `acp`, `user`, …); `policy` when the engine decided without
   * asking (approval mode "never" denying what a tool asked for); `skill:<name>` when an active skill's
   * `allowed-tools` pre-approved the call (nobody was asked; `reason` names the rule).
   */
  decidedBy: string;
}

export interface PlanUpdatedEvent extends AgentEventBase {
  type: 'plan-updated';
  items: PlanItem[];
}

export interface UsageEvent extends AgentEventBase {
  type: 'usage';
  turn: number;
  usage: Usage;
  /** Sums over the whole session so far (across resumes). */
  session: Usage;
}

export interface ProviderEventEvent extends AgentEventBase {
  type: 'provider-event';
  /** `attempt`, `retry`, `failover`, `cooldown-opened`, … as reported by the router. */
  kind: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface CompactionEvent extends AgentEventBase {
  type: 'compaction';
  beforeTokens: number;
  afterTokens: number;
  /** Tool results whose output was pruned. */
  prunedToolOutputs: number;
  /** When older messages were replaced by a summary: the summary, and how many of the newest messages were kept. */
  summary?: string;
  keptMessages?: number;
  /** With a summary: the skills loaded so far (they stay active; a resumed session activates them again). */
  loadedSkills?: string[];
}

export interface ErrorEvent extends AgentEventBase {
  type: 'error';
  code: string;
  message: string;
  /** True when the engine handled it (e.g. retried the turn) and the run goes on. */
  recovered: boolean;
}

export interface WarningEvent extends AgentEventBase {
  type: 'warning';
  message: string;
}

export interface TurnEndEvent extends AgentEventBase {
  type: 'turn-end';
  turn: number;
  finishReason: FinishReason;
  toolCalls: number;
}

export interface RunEndEvent extends AgentEventBase {
  type: 'run-end';
  status: RunStatus;
  turns: number;
  usage: Usage;
  /** The final assistant text of the run. */
  finalMessage: string;
  error?: { code: string; message: string };
}

export type AgentEvent =
  | RunStartEvent
  | UserMessageEvent
  | TurnStartEvent
  | MessageDeltaEvent
  | ReasoningDeltaEvent
  | AssistantMessageEvent
  | ToolCallStartedEvent
  | ToolCallOutputEvent
  | ToolCallFinishedEvent
  | ApprovalRequestedEvent
  | ApprovalDecidedEvent
  | PlanUpdatedEvent
  | UsageEvent
  | ProviderEventEvent
  | CompactionEvent
  | ErrorEvent
  | WarningEvent
  | TurnEndEvent
  | RunEndEvent;

export type AgentEventType = AgentEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the emitter stamped it with `seq` and `time`. */
export type AgentEventInput = DistributiveOmit<AgentEvent, 'seq' | 'time'>;
