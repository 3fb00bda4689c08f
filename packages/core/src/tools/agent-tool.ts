import type { JsonSchema, ToolDefinition } from '@vtcode/providers';
import type { ApprovalMode, SandboxMode } from '../config/config-schema.ts';
import type { ApprovalRequest, PlanItem, ToolKind } from '../events/agent-event.ts';

/** The outcome of an approval the tool asked for itself (e.g. the shell tool after its own policy check). */
export interface ApprovalOutcome {
  approved: boolean;
  reason: string;
}

/** What the engine hands a tool when it runs. */
export interface AgentToolContext {
  /** The workspace root. */
  cwd: string;
  /** The model's id of this call. */
  toolCallId: string;
  signal: AbortSignal;
  /** True when the engine's policy already allowed (or the Approver approved) this call: a tool that checks again
   * need not ask a second time. */
  preApproved: boolean;
  /**
   * Who allowed the call, when `preApproved`: `policy` (nothing to ask), the Approver's name, or `skill:<name>` (an
   * active skill's `allowed-tools`). A skill answers only the policy's ordinary asks: a tool whose own check finds an
   * escalation (the network, paths outside the workspace) or a hard ask must still ask through `requestApproval`.
   */
  approvedBy?: string;
  /** Why the call was allowed, when `preApproved` (e.g. the skill and rule that pre-approved it), for the audit log. */
  approvalReason?: string;
  approvalMode: ApprovalMode;
  sandboxMode: SandboxMode;
  /** Streams live output (command output) to the event stream. */
  onOutput(chunk: string): void;
  /**
   * Asks the Approver (through the engine, which records the request and the decision). A skill never answers it;
   * in approval mode "never" the engine denies it without asking anyone (`decidedBy: "policy"`).
   */
  requestApproval(request: Omit<ApprovalRequest, 'toolCallId' | 'toolName'>): Promise<ApprovalOutcome>;
}

export interface AgentToolResult {
  /** What the model reads. */
  output: string;
  isError?: boolean;
  /** A unified diff when the tool changed files. */
  diff?: string;
  /** Files changed (workspace-relative), for the context summary. */
  changedFiles?: string[];
  /** A new plan (todo list), when the tool is the plan tool. */
  plan?: PlanItem[];
}

/** What the engine needs to know to decide about a call before running it. */
export interface ToolCallDescription {
  summary: string;
  command?: string;
  /** Where the command runs, when not the workspace root (relative to it, or absolute). */
  cwd?: string;
  paths?: string[];
}

/**
 * The tool seam of the engine: the shape the loop needs, whatever library provides the tool.
 * `@vtcode/tools` is adapted to it in one file.
 */
export interface AgentTool {
  name: string;
  description: string;
  kind: ToolKind;
  inputSchema: JsonSchema;
  /**
   * When true the engine leaves approval to the tool itself (it calls `ctx.requestApproval` after its own policy
   * check, e.g. the sandbox's command evaluation); the engine still applies deny rules from configuration.
   */
  handlesOwnApproval?: boolean;
  /** Validates the model's input; returns a message a model can act on when it is wrong. */
  validate?(input: unknown): { ok: true; value: unknown } | { ok: false; message: string };
  describe?(input: unknown): ToolCallDescription;
  execute(input: unknown, context: AgentToolContext): Promise<AgentToolResult>;
}

/** The set of tools a run offers the model. */
export interface ToolRegistry {
  list(): readonly AgentTool[];
  get(name: string): AgentTool | undefined;
}

export function createToolRegistry(tools: readonly AgentTool[], disabled: readonly string[] = []): ToolRegistry {
  const map = new Map<string, AgentTool>();
  for (const tool of tools) if (!disabled.includes(tool.name)) map.set(tool.name, tool);
  const list = [...map.values()];
  return { list: () => list, get: (name) => map.get(name) };
}

export function toToolDefinitions(registry: ToolRegistry): ToolDefinition[] {
  return registry
    .list()
    .map((tool) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }));
}

/** Read-only kinds run in parallel; everything else runs in order. */
export function isReadOnlyKind(kind: ToolKind): boolean {
  return kind === 'read' || kind === 'search' || kind === 'think';
}
