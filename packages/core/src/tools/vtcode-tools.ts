import type { AuditLog, SandboxPolicy } from '@vtcode/sandbox';
import type { Tool, ToolContext, ToolOutputEvent } from '@vtcode/tools';
import { askKindOf } from '../approvals/sandbox-evaluator.ts';
import type { PlanItem } from '../events/agent-event.ts';
import type { AgentTool, AgentToolContext, ToolCallDescription } from './agent-tool.ts';

/** Tools left out of a headless run by default: interactive PTYs and rarely needed extras keep the prompt lean. */
export const DEFAULT_EXCLUDED_TOOLS: readonly string[] = [
  'pty_start',
  'pty_write',
  'pty_read',
  'pty_resize',
  'pty_kill',
  'pty_list',
  'code_rewrite',
  'todo_read',
];

export interface VtcodeToolsOptions {
  workspaceRoot: string;
  /** A `@vtcode/sandbox` policy: commands run under it, file tools are confined by it. */
  policy?: SandboxPolicy;
  /** The sandbox's audit log: every command decision and execution is appended to it. */
  audit?: AuditLog;
  shellTimeoutMs?: number;
  /** Tool names to leave out (default DEFAULT_EXCLUDED_TOOLS). */
  exclude?: readonly string[];
  /** Use these tools instead of the package's defaults. */
  tools?: readonly Tool[];
}

export interface VtcodeTools {
  tools: AgentTool[];
  /** Kills PTY sessions and anything else the tool session holds. */
  dispose(): Promise<void>;
}

/**
 * `@vtcode/tools` behind the engine's AgentTool seam: one tool session per run (read tracker, todo list, PTYs),
 * output events routed to the calling tool's stream, approvals asked through the engine (once: a call the engine
 * already allowed is not asked again).
 *
 * The engine decides approvals, so the tools' own command check runs under the policy with approval mode
 * "on-request" when it says "never": what that check would ask comes back to the engine, which answers from its
 * decision (a skill's pre-approval) or denies (approval mode "never" asks nobody).
 */
export async function createVtcodeTools(options: VtcodeToolsOptions): Promise<VtcodeTools> {
  const { createToolSession, createToolset, defaultTools, describeTool } = await import('@vtcode/tools');
  const exclude = new Set(options.exclude ?? DEFAULT_EXCLUDED_TOOLS);
  const selected = (options.tools ?? defaultTools()).filter((tool) => !exclude.has(tool.name));
  const toolset = createToolset(selected);
  const sinks = new Map<string, AgentToolContext>();
  const route = (event: ToolOutputEvent) => {
    const context = event.toolCallId ? sinks.get(event.toolCallId) : undefined;
    if (!context) return;
    if (event.type === 'stdout' || event.type === 'stderr' || event.type === 'pty-output') context.onOutput(event.text);
  };
  const policy =
    options.policy?.approval.mode === 'never'
      ? { ...options.policy, approval: { ...options.policy.approval, mode: 'on-request' as const } }
      : options.policy;
  const session = createToolSession({
    workspaceRoot: options.workspaceRoot,
    ...(policy !== undefined ? { policy } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
    ...(options.shellTimeoutMs ? { shellTimeoutMs: options.shellTimeoutMs } : {}),
    onOutput: route,
  });
  const tools = selected.map((tool): AgentTool => {
    const descriptor = describeTool(tool);
    return {
      name: tool.name,
      description: tool.description,
      kind: tool.kind,
      inputSchema: descriptor.inputSchema,
      describe: (input) => describeCall(tool.name, input),
      async execute(input, context) {
        sinks.set(context.toolCallId, context);
        let plan: PlanItem[] | undefined;
        const base = session.context({ signal: context.signal, toolCallId: context.toolCallId });
        const toolContext: ToolContext = {
          ...base,
          output: (event) => {
            if (event.type === 'plan') {
              plan = event.items.map((item) => ({ step: item.content, status: item.status }));
            }
            base.output(event);
          },
          approve: async (request) => {
            // The tool's own check asks: answered from the engine's decision — unless a skill made it and this ask
            // is one no skill answers (an escalation or a hard ask), or approval mode "never" allowed the call
            // only because the engine saw no ask (then the engine denies it).
            const { hard, escalation } = askKindOf(request.evaluation);
            const approvedBy = context.approvedBy;
            const bySkill = approvedBy?.startsWith('skill:') === true;
            const answered = bySkill ? !hard && !escalation : context.approvalMode !== 'never';
            if (context.preApproved && answered)
              return {
                approved: true,
                // The audit log names who decided: the skill, the Approver (`tui`, `acp`, …), or the engine's policy.
                approver: approvedBy && approvedBy !== 'policy' ? approvedBy : 'vtcode-engine',
                reason: context.approvalReason ?? 'allowed by the engine',
              };
            const outcome = await context.requestApproval({
              kind: tool.kind,
              summary: `run: ${request.commandLine}`,
              command: request.commandLine,
              reason: request.evaluation.reason,
            });
            return { approved: outcome.approved, reason: outcome.reason, approver: 'vtcode-engine' };
          },
        };
        try {
          const result = await toolset.call(tool.name, input, toolContext);
          if (tool.name === 'todo_write' && !plan && result.ok)
            plan = base.todos.items.map((item) => ({ step: item.content, status: item.status }));
          const changes = result.changes ?? [];
          return {
            output: result.content,
            isError: !result.ok,
            ...(changes.length
              ? {
                  diff: changes
                    .map((change) => change.diff)
                    .filter(Boolean)
                    .join('\n'),
                  changedFiles: changes.map((change) => change.movePath ?? change.path),
                }
              : {}),
            ...(plan ? { plan } : {}),
          };
        } finally {
          sinks.delete(context.toolCallId);
        }
      },
    };
  });
  return { tools, dispose: () => session.dispose() };
}

/** What a call of one of `@vtcode/tools`' tools does, for approvals (`run: npm test`, `edit_file src/a.ts`). */
export function describeCall(name: string, input: unknown): ToolCallDescription {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  if (typeof record.command === 'string')
    return {
      summary: `run: ${record.command}`,
      command: record.command,
      ...(typeof record.cwd === 'string' && record.cwd !== '' ? { cwd: record.cwd } : {}),
    };
  if (typeof record.path === 'string') return { summary: `${name} ${record.path}`, paths: [record.path] };
  if (typeof record.url === 'string') return { summary: `fetch ${record.url}` };
  if (typeof record.patch === 'string' || typeof record.input === 'string') {
    const text = String(record.patch ?? record.input);
    const paths = [...text.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((match) =>
      (match[1] ?? '').trim(),
    );
    return { summary: `${name} ${paths.join(', ')}`, paths };
  }
  return { summary: name };
}
