import { resolve } from 'node:path';
import type {
  AssistantMessage,
  FinishReason,
  LanguageModel,
  ModelMessage,
  ModelRequest,
  StreamEvent,
  ToolDefinition,
  Usage,
} from '@vtcode/providers';
import { APICallError, createResponseAccumulator, ProviderError } from '@vtcode/providers';
import { basicCommandEvaluator, type CommandEvaluator, decideToolCall } from '../approvals/approval-policy.ts';
import type { Approver } from '../approvals/approver.ts';
import { SkillApprovals, skillsLoadedIn } from '../approvals/skill-approvals.ts';
import type { VtcodeConfig } from '../config/config-schema.ts';
import {
  budgetLimit,
  type ContextBudget,
  keptTailStart,
  pruneToolOutputs,
  renderSummary,
} from '../context/compaction.ts';
import { estimateRequestTokens, estimateTokens } from '../context/token-estimate.ts';
import type { AgentEvent, AgentEventInput, RunStatus, ToolCallStatus } from '../events/agent-event.ts';
import { ConversationState } from '../session/conversation-state.ts';
import {
  type AgentTool,
  type AgentToolResult,
  isReadOnlyKind,
  type ToolRegistry,
  toToolDefinitions,
} from '../tools/agent-tool.ts';
import { isSkillLoaderTool, type SkillLoaderTool } from '../tools/skill-tool.ts';

/** Anything that consumes the event stream as it happens (session log, trajectory writer, a UI). */
export interface EventSink {
  write(event: AgentEvent): void;
}

export interface AgentOptions {
  model: LanguageModel;
  tools: ToolRegistry;
  approver: Approver;
  config: VtcodeConfig;
  /** The workspace root. */
  cwd: string;
  systemPrompt: string;
  sessionId: string;
  /** The history to continue (a resumed session); a fresh one otherwise. */
  state?: ConversationState;
  sinks?: EventSink[];
  onEvent?: (event: AgentEvent) => void;
  /** Judges command lines for execute tools (default: the built-in evaluator; `@vtcode/sandbox` plugs in here). */
  evaluateCommand?: CommandEvaluator;
  /** Set when the model replays a recording (recorded in run-start). */
  replayOf?: string;
  /** Problems found while setting up the run (skills, tools), reported as warnings after run-start. */
  setupWarnings?: readonly string[];
  /** Sees every raw model stream event as it arrives (e.g. to start loading tools when a tool call begins). */
  onModelEvent?: (event: StreamEvent) => void;
  /**
   * Whether a skill loaded with `load_skill` pre-approves the calls its `allowed-tools` match (default true). With
   * false, skills still load but every call follows the approval policy alone.
   */
  skillPreApprovals?: boolean;
  now?: () => Date;
}

export interface RunResult {
  status: RunStatus;
  sessionId: string;
  turns: number;
  finalMessage: string;
  /** Usage of this run. */
  usage: Usage;
  /** Usage of the whole session (across resumes). */
  sessionUsage: Usage;
  error?: { code: string; message: string; kind?: string };
}

interface CollectedTurn {
  content: AssistantMessage['content'];
  toolCalls: Array<{ toolCallId: string; toolName: string; input: unknown }>;
  finishReason: FinishReason;
  usage: Usage;
}

/** The engine's answer for one call: denied with the reason, or allowed (and how). */
type ApprovalOutcomeOfCall =
  | { ok: false; reason: string }
  | {
      ok: true;
      /** The engine's policy allowed the call, the Approver or a skill approved it: the tool need not ask again. */
      preApproved: boolean;
      /** Who allowed it (`policy`, the Approver's name, `skill:<name>`) and why, when preApproved. */
      approvedBy?: string;
      reason?: string;
    };

class TurnStreamError extends Error {
  readonly deliveredToolCall: boolean;
  constructor(cause: unknown, deliveredToolCall: boolean) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.deliveredToolCall = deliveredToolCall;
  }
}

/**
 * The agent engine: streams the model, runs its tool calls (read-only ones in parallel, edits and commands in order,
 * asking the Approver where the policy says ask), feeds the results back, and repeats until the model is done, the
 * turn limit, or cancellation. Everything it does is an AgentEvent.
 */
export class Agent {
  readonly sessionId: string;
  readonly state: ConversationState;
  private readonly options: AgentOptions;
  private readonly toolDefinitions: ToolDefinition[];
  private lastPruned = 0;
  /** Real input tokens / estimated tokens of the last request: calibrates the estimate to the model's tokenizer. */
  private calibration = 1;
  /** Skills loaded in this session: their `allowed-tools` pre-approve matching calls (absent without `load_skill`). */
  private readonly skillApprovals: SkillApprovals | undefined;
  /** The `load_skill` tool, if the run has one. */
  private readonly skillLoader: SkillLoaderTool | undefined;

  constructor(options: AgentOptions) {
    this.options = options;
    this.sessionId = options.sessionId;
    this.state = options.state ?? new ConversationState();
    this.toolDefinitions = toToolDefinitions(options.tools);
    const loader = options.tools.list().find(isSkillLoaderTool);
    this.skillLoader = loader;
    if (loader && options.skillPreApprovals !== false) {
      this.skillApprovals = new SkillApprovals({
        resolve: (name) => loader.skillToolPolicy(name),
        workspaceRoot: options.cwd,
      });
      // A resumed session: the skills its history loaded are active again (those summarised away by a compaction
      // too: the compaction event carries them).
      for (const name of this.loadedSkills) this.skillApprovals.activate(name);
    }
  }

  /**
   * The skills active in this session (loaded by `load_skill`, here or before a resume or a compaction), in load
   * order; empty when skills do not pre-approve (`skillPreApprovals: false`).
   */
  get activeSkills(): string[] {
    return this.skillApprovals?.active ?? [];
  }

  /** Every skill this session loaded successfully, in load order, whether or not skills pre-approve calls. */
  get loadedSkills(): string[] {
    const names = [...this.state.skillsBeforeCompaction];
    if (this.skillLoader) {
      for (const name of skillsLoadedIn(this.state.messages, this.skillLoader.name))
        if (!names.includes(name)) names.push(name);
    }
    return names;
  }

  /** Stamps and delivers one event: state first, then the sinks (the session log), then the listener. */
  emit(input: AgentEventInput): AgentEvent {
    const event = {
      ...input,
      seq: this.state.lastSeq + 1,
      time: (this.options.now?.() ?? new Date()).toISOString(),
    } as AgentEvent;
    this.state.apply(event);
    for (const sink of this.options.sinks ?? []) sink.write(event);
    this.options.onEvent?.(event);
    return event;
  }

  /** Reports a provider/router event (attempt, retry, failover, cooldown) into the stream. */
  reportProviderEvent(kind: string, message: string, details?: Record<string, unknown>): void {
    this.emit({ type: 'provider-event', kind, message, ...(details ? { details } : {}) });
  }

  /** The request the next turn would send (system prompt, pruned history, tools). */
  buildRequest(messages: readonly ModelMessage[]): ModelRequest {
    const agent = this.options.config.agent;
    return {
      messages: [{ role: 'system', content: this.options.systemPrompt }, ...messages],
      tools: this.toolDefinitions,
      ...(this.toolDefinitions.length ? { toolChoice: 'auto' as const } : {}),
      ...(agent.max_output_tokens ? { maxOutputTokens: agent.max_output_tokens } : {}),
      ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
      ...(agent.reasoning_effort ? { reasoning: { effort: agent.reasoning_effort } } : {}),
    };
  }

  get budget(): ContextBudget {
    const context = this.options.config.context;
    return {
      windowTokens: context.window_tokens ?? this.options.model.capabilities.contextWindow,
      reserveOutputTokens: Math.min(
        context.reserve_output_tokens,
        this.options.model.capabilities.maxOutputTokens || context.reserve_output_tokens,
      ),
      threshold: context.compact_threshold,
      keepRecentMessages: context.keep_recent_messages,
    };
  }

  /** Runs one user prompt to the end. Never throws for agent failures: the result says how it ended. */
  async run(prompt: string, options: { signal?: AbortSignal } = {}): Promise<RunResult> {
    const signal = options.signal ?? new AbortController().signal;
    const { model, config } = this.options;
    const resumed = this.state.messages.length > 0;
    const usageBefore = this.state.usage;
    const startTurns = this.state.turns;
    if (resumed && this.state.unansweredToolCalls.length > 0) {
      this.emit({
        type: 'warning',
        message: `the previous run stopped during ${this.state.unansweredToolCalls.length} tool call(s); they are recorded as interrupted`,
      });
      for (const call of this.state.unansweredToolCalls) {
        this.emit({
          type: 'tool-call-finished',
          turn: this.state.turns,
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          status: 'cancelled',
          output:
            'interrupted: the previous run stopped before this tool call finished; its effects are unknown — check before repeating it',
          durationMs: 0,
        });
      }
    }
    this.emit({
      type: 'run-start',
      sessionId: this.sessionId,
      cwd: this.options.cwd,
      provider: model.provider,
      modelId: model.modelId,
      resumed,
      approvalMode: config.approval,
      sandboxMode: config.sandbox,
      ...(this.options.replayOf ? { replayOf: this.options.replayOf } : {}),
    });
    for (const message of this.options.setupWarnings ?? []) this.emit({ type: 'warning', message });
    this.emit({ type: 'user-message', text: prompt });

    const finish = (status: RunStatus, error?: RunResult['error']): RunResult => {
      const runUsage = subtractUsage(this.state.usage, usageBefore);
      const finalMessage = status === 'completed' ? this.state.lastAssistantText : '';
      this.emit({
        type: 'run-end',
        status,
        turns: this.state.turns - startTurns,
        usage: runUsage,
        finalMessage,
        ...(error ? { error: { code: error.code, message: error.message } } : {}),
      });
      return {
        status,
        sessionId: this.sessionId,
        turns: this.state.turns - startTurns,
        finalMessage,
        usage: runUsage,
        sessionUsage: this.state.usage,
        ...(error ? { error } : {}),
      };
    };

    for (let turnIndex = 0; ; turnIndex++) {
      if (signal.aborted) return finish('cancelled');
      if (turnIndex >= config.agent.max_turns) {
        this.emit({
          type: 'warning',
          message: `stopped after the turn limit of ${config.agent.max_turns} (agent.max_turns)`,
        });
        return finish('turn-limit');
      }
      const turn = this.state.turns + 1;
      let collected: CollectedTurn | undefined;
      for (let attempt = 1; ; attempt++) {
        const messages = this.prepareContext();
        const request = this.buildRequest(messages);
        const estimated = estimateRequestTokens(request.messages, request.tools);
        this.emit({
          type: 'turn-start',
          turn,
          attempt,
          estimatedInputTokens: Math.round(estimated * this.calibration),
        });
        try {
          collected = await this.streamTurn(request, turn, signal);
          const actual = collected.usage.inputTokens;
          if (actual && estimated > 0) this.calibration = Math.min(4, Math.max(0.5, actual / estimated));
          break;
        } catch (caught) {
          const error = caught instanceof TurnStreamError ? caught : new TurnStreamError(caught, false);
          const cause = error.cause;
          if (signal.aborted || isCancel(cause)) return finish('cancelled');
          const code = errorCode(cause);
          const kind = failureKind(cause);
          const routerGaveUp = ProviderError.isInstance(cause) && cause.code === 'PROVIDER_ALL_TARGETS_FAILED';
          const fatalKind =
            kind === 'auth' ||
            kind === 'quota' ||
            kind === 'invalid-request' ||
            kind === 'not-found' ||
            kind === 'context-too-long';
          const retry =
            !error.deliveredToolCall && !fatalKind && !routerGaveUp && attempt <= config.agent.max_turn_retries;
          this.emit({
            type: 'error',
            code,
            message: retry
              ? `the model stream failed (${error.message}); no tool call was delivered, so the turn is retried from its start (attempt ${attempt + 1})`
              : error.deliveredToolCall
                ? `the model stream failed after a tool call was delivered (${error.message}); the turn is not retried so no tool call runs twice`
                : `the model stream failed: ${error.message}`,
            recovered: retry,
          });
          if (!retry) return finish('failed', { code, message: error.message, ...(kind ? { kind } : {}) });
        }
      }
      this.emit({ type: 'assistant-message', turn, content: collected.content, finishReason: collected.finishReason });
      this.emit({
        type: 'usage',
        turn,
        usage: collected.usage,
        session: addUsageLocal(this.state.usage, collected.usage),
      });
      if (collected.toolCalls.length === 0) {
        this.emit({ type: 'turn-end', turn, finishReason: collected.finishReason, toolCalls: 0 });
        if (collected.finishReason === 'length') {
          this.emit({ type: 'warning', message: 'the answer was cut off at the output token limit' });
        }
        return finish('completed');
      }
      const cancelled = await this.runToolCalls(collected.toolCalls, turn, signal);
      this.emit({
        type: 'turn-end',
        turn,
        finishReason: collected.finishReason,
        toolCalls: collected.toolCalls.length,
      });
      if (cancelled) return finish('cancelled');
    }
  }

  /** Applies compaction when the next request would not fit: prune old tool output first, then summarise. */
  private prepareContext(): ModelMessage[] {
    // Estimates are in "characters / 4" tokens; the calibration from the last real count scales the budget to match.
    const budget = { ...this.budget, threshold: this.budget.threshold / this.calibration };
    const limit = budgetLimit(budget);
    const systemTokens = estimateTokens(this.options.systemPrompt);
    const shape = { tools: this.toolDefinitions, systemTokens };
    const before = estimateRequestTokens(this.state.messages, this.toolDefinitions) + systemTokens;
    if (before <= limit) return this.state.messages;
    const pruned = pruneToolOutputs(this.state.messages, shape, budget);
    if (pruned.tokens <= limit) {
      if (pruned.pruned !== this.lastPruned) {
        this.lastPruned = pruned.pruned;
        this.emit({
          type: 'compaction',
          beforeTokens: before,
          afterTokens: pruned.tokens,
          prunedToolOutputs: pruned.pruned,
        });
      }
      return pruned.messages;
    }
    const start = keptTailStart(this.state.messages, budget.keepRecentMessages);
    if (start <= 1) {
      this.emit({
        type: 'warning',
        message: `the context (${before} tokens) exceeds the budget (${limit}) and nothing older is left to compact`,
      });
      return pruned.messages;
    }
    const older = this.state.messages.slice(0, start);
    // Skills loaded in the summarised part stay loaded (and keep pre-approving) after the compaction and on resume.
    const loadedSkills = this.loadedSkills;
    const summary = renderSummary({
      goal: this.state.goal,
      userMessages: older.filter((message) => message.role === 'user').map((message) => textOf(message)),
      assistantNotes: older
        .filter((message) => message.role === 'assistant')
        .map((message) => textOf(message))
        .filter(Boolean),
      touchedFiles: [...this.state.touchedFiles],
      commands: this.state.commands,
      plan: this.state.plan,
      loadedSkills,
    });
    const kept = this.state.messages.length - start;
    const compacted: ModelMessage[] = [
      { role: 'user', content: [{ type: 'text', text: summary }] },
      ...this.state.messages.slice(start),
    ];
    const after = pruneToolOutputs(compacted, shape, budget);
    this.emit({
      type: 'compaction',
      beforeTokens: before,
      afterTokens: after.tokens,
      prunedToolOutputs: pruned.pruned,
      summary,
      keptMessages: kept,
      ...(loadedSkills.length > 0 ? { loadedSkills } : {}),
    });
    this.lastPruned = after.pruned;
    return after.messages;
  }

  private async streamTurn(request: ModelRequest, turn: number, signal: AbortSignal): Promise<CollectedTurn> {
    // One accumulator, shared with @vtcode/providers' collectStream, builds the assistant message: signatures,
    // encrypted reasoning and provider metadata all survive to the next turn.
    const accumulator = createResponseAccumulator();
    let deliveredToolCall = false;
    try {
      for await (const event of this.options.model.stream(request, { signal })) {
        this.options.onModelEvent?.(event);
        accumulator.add(event);
        switch (event.type) {
          case 'text-delta':
            this.emit({ type: 'message-delta', turn, delta: event.delta });
            break;
          case 'reasoning-delta':
            this.emit({ type: 'reasoning-delta', turn, delta: event.delta });
            break;
          case 'tool-call-start':
          case 'tool-call-delta':
          case 'tool-call-end':
            deliveredToolCall = true;
            break;
          case 'warning':
            this.emit({ type: 'warning', message: `model: ${event.message}` });
            break;
          default:
            break;
        }
      }
    } catch (error) {
      throw new TurnStreamError(error, deliveredToolCall);
    }
    const response = accumulator.result();
    if (!response.finished)
      throw new TurnStreamError(new Error('the model stream ended without a finish event'), deliveredToolCall);
    const toolCalls = response.toolCalls.map(({ toolCallId, toolName, input }) => ({ toolCallId, toolName, input }));
    return {
      content: response.message.content,
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool-calls' : response.finishReason,
      usage: response.usage,
    };
  }

  /** Runs a turn's tool calls: consecutive read-only calls together in parallel, every other call alone, in order. */
  private async runToolCalls(calls: CollectedTurn['toolCalls'], turn: number, signal: AbortSignal): Promise<boolean> {
    let index = 0;
    while (index < calls.length) {
      if (signal.aborted) break;
      const call = calls[index] as CollectedTurn['toolCalls'][number];
      const tool = this.options.tools.get(call.toolName);
      if (tool && isReadOnlyKind(tool.kind)) {
        const batch: typeof calls = [];
        while (index < calls.length) {
          const next = calls[index] as (typeof calls)[number];
          const nextTool = this.options.tools.get(next.toolName);
          if (!nextTool || !isReadOnlyKind(nextTool.kind)) break;
          batch.push(next);
          index++;
        }
        await Promise.all(batch.map((item) => this.runToolCall(item, turn, signal)));
      } else {
        await this.runToolCall(call, turn, signal);
        index++;
      }
    }
    if (!signal.aborted) return false;
    // Cancelled: every call that did not run gets a result, so the history stays consistent.
    for (const call of calls.slice(index)) {
      if (this.state.unansweredToolCalls.some((pending) => pending.toolCallId === call.toolCallId)) {
        this.finishCall(call, turn, 'cancelled', 'cancelled before it started: the user stopped the run', 0);
      }
    }
    return true;
  }

  private finishCall(
    call: { toolCallId: string; toolName: string },
    turn: number,
    status: ToolCallStatus,
    output: string,
    durationMs: number,
    result?: AgentToolResult,
  ): void {
    this.emit({
      type: 'tool-call-finished',
      turn,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      status,
      output,
      ...(result?.diff ? { diff: result.diff } : {}),
      ...(result?.changedFiles?.length ? { changedFiles: result.changedFiles } : {}),
      durationMs,
    });
  }

  private async runToolCall(
    call: CollectedTurn['toolCalls'][number],
    turn: number,
    signal: AbortSignal,
  ): Promise<void> {
    const started = performance.now();
    const tool = this.options.tools.get(call.toolName);
    const kind = tool?.kind ?? 'other';
    this.emit({
      type: 'tool-call-started',
      turn,
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      kind,
      input: call.input,
    });
    if (!tool) {
      const names = this.options.tools
        .list()
        .map((item) => item.name)
        .join(', ');
      this.finishCall(call, turn, 'error', `unknown tool "${call.toolName}"; the tools are: ${names}`, 0);
      return;
    }
    let input = call.input;
    if (tool.validate) {
      const checked = tool.validate(input);
      if (!checked.ok) {
        this.finishCall(call, turn, 'error', `invalid input for ${tool.name}: ${checked.message}`, 0);
        return;
      }
      input = checked.value;
    }
    const allowed = await this.checkApproval(tool, call, input, signal);
    if (!allowed.ok) {
      this.finishCall(call, turn, signal.aborted ? 'cancelled' : 'denied', allowed.reason, performance.now() - started);
      return;
    }
    let result: AgentToolResult;
    try {
      result = await tool.execute(input, {
        cwd: this.options.cwd,
        toolCallId: call.toolCallId,
        preApproved: allowed.preApproved,
        ...(allowed.approvedBy !== undefined ? { approvedBy: allowed.approvedBy } : {}),
        ...(allowed.reason !== undefined ? { approvalReason: allowed.reason } : {}),
        signal,
        approvalMode: this.options.config.approval,
        sandboxMode: this.options.config.sandbox,
        onOutput: (chunk) => this.emit({ type: 'tool-call-output', toolCallId: call.toolCallId, chunk }),
        requestApproval: async (request) => {
          // What a tool asks for itself — an escalation such as the network or a path outside the workspace, or a
          // judgement the engine did not make — goes to the Approver; a skill never answers it. Approval mode
          // "never" asks nobody: the request is denied.
          if (this.options.config.approval === 'never') {
            const reason = `${request.reason}; approval mode "never" denies instead of asking`;
            this.emit({
              type: 'approval-decided',
              toolCallId: call.toolCallId,
              decision: 'deny',
              reason,
              decidedBy: 'policy',
            });
            return { approved: false, reason };
          }
          const decision = await this.askApprover(
            { ...request, toolCallId: call.toolCallId, toolName: call.toolName },
            signal,
          );
          return { approved: decision.decision !== 'deny', reason: decision.reason };
        },
      });
    } catch (error) {
      result = { output: `the tool failed: ${(error as Error).message}`, isError: true };
    }
    if (this.skillApprovals && isSkillLoaderTool(tool) && !result.isError && !signal.aborted) {
      const name = (input as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string') {
        this.skillApprovals.activate(name);
        // The model learns what now runs without asking (the loader keeps the policy it just read).
        const rules = (await tool.skillToolPolicy(name))?.preApproved.map((rule) => rule.raw) ?? [];
        if (rules.length > 0) {
          result = {
            ...result,
            output: `${result.output}\n\nWhile this skill is active, these tool calls run without asking for approval (its allowed-tools): ${rules.join(', ')}. Anything else follows the usual approval policy.`,
          };
        }
      }
    }
    if (result.plan) this.emit({ type: 'plan-updated', items: result.plan });
    const status: ToolCallStatus = signal.aborted ? 'cancelled' : result.isError ? 'error' : 'ok';
    this.finishCall(call, turn, status, result.output, Math.round(performance.now() - started), result);
  }

  private async checkApproval(
    tool: AgentTool,
    call: { toolCallId: string; toolName: string },
    input: unknown,
    signal: AbortSignal,
  ): Promise<ApprovalOutcomeOfCall> {
    const config = this.options.config;
    const description = tool.describe?.(input) ?? { summary: `${tool.name}` };
    // The command is judged where it runs (a shell call's own cwd), as the tool's own check will judge it.
    const cwd = description.cwd !== undefined ? resolve(this.options.cwd, description.cwd) : this.options.cwd;
    const skillRule = await this.skillApprovals?.match({
      toolName: tool.name,
      kind: tool.kind,
      input,
      ...(description.command !== undefined ? { command: description.command } : {}),
      ...(description.paths ? { paths: description.paths } : {}),
    });
    const verdict = await decideToolCall({
      toolName: tool.name,
      kind: tool.kind,
      ...(description.command !== undefined ? { command: description.command } : {}),
      approvalMode: config.approval,
      sandboxMode: config.sandbox,
      toolPolicies: config.tools.policies,
      evaluateCommand: this.options.evaluateCommand ?? basicCommandEvaluator,
      cwd,
      ...(skillRule ? { skillRule } : {}),
    });
    if (verdict.decision === 'deny') return { ok: false, reason: `denied by policy: ${verdict.reason}` };
    if (verdict.preApprovedBy) {
      // Nobody is asked: the decision is recorded as the skill's, with its rule.
      this.emit({
        type: 'approval-decided',
        toolCallId: call.toolCallId,
        decision: 'allow',
        reason: verdict.reason,
        decidedBy: `skill:${verdict.preApprovedBy.skill}`,
      });
      // The tool is told the call is approved and by whom: its own check answers the policy's ordinary ask from it
      // (the sandbox's audit log records the skill), and asks through requestApproval for an escalation.
      return {
        ok: true,
        preApproved: true,
        approvedBy: `skill:${verdict.preApprovedBy.skill}`,
        reason: verdict.reason,
      };
    }
    if (verdict.decision === 'allow')
      return { ok: true, preApproved: true, approvedBy: 'policy', reason: `allowed by the policy: ${verdict.reason}` };
    // The tool asks for itself (after its own policy check), through requestApproval.
    if (tool.handlesOwnApproval) return { ok: true, preApproved: false };
    const decision = await this.askApprover(
      {
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        kind: tool.kind,
        summary: description.summary,
        ...(description.command !== undefined ? { command: description.command } : {}),
        ...(description.paths ? { paths: description.paths } : {}),
        reason: verdict.reason,
      },
      signal,
    );
    return decision.decision === 'deny'
      ? { ok: false, reason: `denied: ${decision.reason}` }
      : { ok: true, preApproved: true, approvedBy: this.options.approver.name, reason: decision.reason };
  }

  private async askApprover(request: import('../events/agent-event.ts').ApprovalRequest, signal: AbortSignal) {
    this.emit({ type: 'approval-requested', request });
    let decision: Awaited<ReturnType<Approver['approve']>>;
    try {
      decision = await this.options.approver.approve(request, { signal });
    } catch (error) {
      decision = { decision: 'deny', reason: `the approver failed: ${(error as Error).message}` };
    }
    if (signal.aborted) decision = { decision: 'deny', reason: 'the run was cancelled' };
    this.emit({
      type: 'approval-decided',
      toolCallId: request.toolCallId,
      decision: decision.decision,
      reason: decision.reason,
      decidedBy: this.options.approver.name,
    });
    return decision;
  }
}

function textOf(message: ModelMessage): string {
  if (message.role === 'system') return message.content;
  return message.content
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim();
}

/** The failure kind of a provider error (APICallError, the router's StreamInterruptedError / AllTargetsFailedError). */
function failureKind(error: unknown): string | undefined {
  if (APICallError.isInstance(error)) return error.kind;
  if (ProviderError.isInstance(error)) {
    const kind = (error as { kind?: unknown }).kind;
    if (typeof kind === 'string') return kind;
  }
  return undefined;
}

function isCancel(error: unknown): boolean {
  if (failureKind(error) === 'cancelled') return true;
  if (ProviderError.isInstance(error) && error.code === 'PROVIDER_CANCELLED') return true;
  return error instanceof Error && error.name === 'AbortError';
}

function errorCode(error: unknown): string {
  if (ProviderError.isInstance(error)) return error.code;
  if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string')
    return (error as { code: string }).code;
  return 'VTCODE_MODEL_STREAM_FAILED';
}

const USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'totalTokens',
  'costUsd',
] as const;

function addUsageLocal(a: Usage, b: Usage): Usage {
  const sum: Usage = {};
  for (const key of USAGE_KEYS)
    if (a[key] !== undefined || b[key] !== undefined) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}

function subtractUsage(a: Usage, b: Usage): Usage {
  const difference: Usage = {};
  for (const key of USAGE_KEYS) if (a[key] !== undefined) difference[key] = (a[key] ?? 0) - (b[key] ?? 0);
  return difference;
}
