import type { ApprovalMode, SandboxMode, ToolPolicyValue } from '../config/config-schema.ts';
import type { ToolKind } from '../events/agent-event.ts';

export interface PolicyDecision {
  decision: 'allow' | 'ask' | 'deny';
  reason: string;
  /** For commands: allowed only because it runs in the sandbox — not known to be read-only. */
  unknown?: boolean;
  /** For commands: known to be read-only (every simple command of the line). */
  safe?: boolean;
  /** The evaluator already applied the approval mode (the sandbox's does): the decision stands as it is. */
  modeApplied?: boolean;
  /**
   * For commands: the verdict before the approval mode was applied. A `deny` whose level is `ask` is an ask that
   * approval mode "never" turned into a denial — a skill's `allowed-tools` may still pre-approve it.
   */
  level?: 'safe' | 'unknown' | 'ask' | 'deny';
  /** An ask that only a person may answer (the policy's own ask rules, injection routes): no skill lifts it. */
  hard?: boolean;
  /**
   * An ask to reach beyond the sandboxed workspace (the network, paths outside the workspace or protected ones,
   * user-wide configuration): no skill lifts it.
   */
  escalation?: boolean;
  /**
   * For commands: the command runs where the OS sandbox keeps the workspace read-only (the sandbox's evaluator of a
   * read-only policy says so), so in a read-only run it may run even when it is not known to be read-only.
   */
  workspaceReadOnly?: boolean;
  /** Set when the call is allowed only because an active skill's `allowed-tools` pre-approves it. */
  preApprovedBy?: SkillPreApproval;
}

/** Who pre-approved a call, and what the policy would have said without it. */
export interface SkillPreApproval extends SkillRuleMatch {
  /** The policy's reason to ask (or approval mode "never"'s to deny) that the skill's rule answered. */
  policyReason: string;
}

/** The `allowed-tools` rule of an active skill that matches a tool call. */
export interface SkillRuleMatch {
  /** The skill's name. */
  skill: string;
  /** The rule as the skill wrote it, e.g. `Bash(git status:*)`. */
  rule: string;
}

/** Judges a command line: allow (known safe), ask, or deny, with the reason. `@vtcode/sandbox`'s evaluate plugs in here. */
export type CommandEvaluator = (
  command: string,
  options: { cwd: string; sandboxMode: SandboxMode },
) => PolicyDecision | Promise<PolicyDecision>;

const SAFE_COMMANDS = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'pwd',
  'echo',
  'grep',
  'rg',
  'find',
  'which',
  'true',
  'false',
  'date',
  'stat',
  'file',
  'diff',
  'sort',
  'uniq',
  'cut',
  'tr',
  'basename',
  'dirname',
  'realpath',
  'tree',
  'du',
  'env',
  'printenv',
]);
const SAFE_GIT = new Set(['status', 'diff', 'log', 'show', 'branch', 'rev-parse', 'ls-files', 'blame', 'grep']);
/** Privilege changes and piping downloads into a shell: asked, and never pre-approved by a skill. */
const HARD = [/\b(sudo|doas|pkexec)\b|(^|[;&|(]\s*)su\b/, /\b(curl|wget)\b[^|]*\|\s*(ba|z)?sh\b/];
const DANGEROUS = [
  /\brm\s+-[a-z]*r[a-z]*f|\brm\s+-[a-z]*f[a-z]*r/i,
  /\bgit\s+(push|reset\s+--hard|clean\s+-[a-z]*f)/,
  /\bmkfs|\bdd\s+if=|>\s*\/dev\/sd/,
  /\bchmod\s+-R\s+777\b/,
];

/**
 * The engine's built-in command judgement, used until a stronger evaluator (the sandbox package's) is plugged in:
 * known read-only commands are safe, known destructive patterns ask, anything else is "not known safe".
 */
export const basicCommandEvaluator: CommandEvaluator = (command) => {
  for (const pattern of HARD) {
    if (pattern.test(command))
      return { decision: 'ask', reason: `"${command}" runs as another user or runs downloaded code`, hard: true };
  }
  for (const pattern of DANGEROUS) {
    if (pattern.test(command)) return { decision: 'ask', reason: `"${command}" matches a destructive pattern` };
  }
  const segments = command
    .split(/&&|\|\||;|\|/)
    .map((part) => part.trim())
    .filter(Boolean);
  const unsafe = segments.find((segment) => {
    if (/[`$]\(|`/.test(segment) || /(^|\s)>{1,2}\s*[^&\s]/.test(segment)) return true;
    const [program = '', sub = ''] = segment.split(/\s+/);
    if (program === 'git') return !SAFE_GIT.has(sub);
    if (program === 'sed') return /\s-i/.test(segment);
    if (program === 'find') return /-(exec|delete|fprint)/.test(segment);
    return !SAFE_COMMANDS.has(program);
  });
  if (unsafe === undefined) return { decision: 'allow', reason: 'a known read-only command', safe: true };
  return { decision: 'allow', reason: 'not known safe', unknown: true };
};

export interface ToolPolicyInput {
  toolName: string;
  kind: ToolKind;
  command?: string;
  approvalMode: ApprovalMode;
  sandboxMode: SandboxMode;
  toolPolicies: Record<string, ToolPolicyValue>;
  evaluateCommand: CommandEvaluator;
  cwd: string;
  /** The rule of an active skill's `allowed-tools` that matches this call, if any (see `SkillApprovals`). */
  skillRule?: SkillRuleMatch;
}

/**
 * Decides about one tool call before it runs. Order: configured per-tool policy, the sandbox mode's hard limits,
 * then the approval mode; an active skill's `allowed-tools` rule turns an "ask" into "allow" (see below); finally
 * `never` turns "ask" into "deny" and `full-auto` turns it into "allow".
 *
 * A skill's pre-approval never overrides a denial (`tools.policies.X = "deny"`, a read-only sandbox, the command
 * policy's deny rules), the user's explicit `tools.policies.X = "ask"`, a hard ask (the command policy's ask rules,
 * injection routes) or an escalation (network, paths outside the workspace). It does lift an ask that approval mode
 * `never` would deny: pre-approving is deciding before anyone is asked.
 */
export async function decideToolCall(input: ToolPolicyInput): Promise<PolicyDecision> {
  const configured = input.toolPolicies[input.toolName];
  if (configured === 'deny')
    return { decision: 'deny', reason: `tools.policies.${input.toolName} = "deny" in the configuration` };
  if (configured === 'allow') return { decision: 'allow', reason: `tools.policies.${input.toolName} = "allow"` };
  let result = await baseDecision(input);
  if (configured === 'ask' && result.decision === 'allow')
    result = { decision: 'ask', reason: `tools.policies.${input.toolName} = "ask"` };
  if (input.skillRule && configured !== 'ask' && skillMayLift(result, input.approvalMode)) {
    const { skill, rule } = input.skillRule;
    return {
      decision: 'allow',
      reason: `pre-approved by the skill "${skill}" (allowed-tools: ${rule}); without it: ${result.reason}`,
      preApprovedBy: { skill, rule, policyReason: result.reason },
    };
  }
  if (result.modeApplied) return result;
  if (result.decision === 'ask' && input.approvalMode === 'never') {
    return { decision: 'deny', reason: `${result.reason}; approval mode "never" denies instead of asking` };
  }
  if (result.decision === 'ask' && input.approvalMode === 'full-auto') {
    return { decision: 'allow', reason: `${result.reason}; allowed by approval mode "full-auto"` };
  }
  return result;
}

/** An ask (or an ask that approval mode "never" denied) that is neither hard nor an escalation. */
function skillMayLift(result: PolicyDecision, approvalMode: ApprovalMode): boolean {
  // full-auto allows every soft ask anyway; what it still asks is hard, and stays so.
  if (approvalMode === 'full-auto' || result.hard || result.escalation) return false;
  if (result.decision === 'ask') return true;
  return result.decision === 'deny' && isAskDeniedByMode(result);
}

function isAskDeniedByMode(result: PolicyDecision): boolean {
  return result.modeApplied === true && result.decision === 'deny' && result.level === 'ask';
}

async function baseDecision(input: ToolPolicyInput): Promise<PolicyDecision> {
  switch (input.kind) {
    case 'read':
    case 'search':
    case 'think':
      return { decision: 'allow', reason: 'read-only' };
    case 'edit':
      if (input.sandboxMode === 'read-only') return { decision: 'deny', reason: 'the sandbox is read-only' };
      if (input.approvalMode === 'untrusted')
        return { decision: 'ask', reason: 'approval mode "untrusted" asks before every edit' };
      return { decision: 'allow', reason: 'an edit inside the workspace' };
    case 'fetch':
      return { decision: 'ask', reason: 'network access' };
    case 'execute': {
      const command = input.command ?? '';
      const verdict = await input.evaluateCommand(command, { cwd: input.cwd, sandboxMode: input.sandboxMode });
      if (verdict.decision === 'deny' && !isAskDeniedByMode(verdict)) return verdict;
      if (input.sandboxMode === 'read-only' && verdict.safe !== true && verdict.workspaceReadOnly !== true) {
        // Unless the OS sandbox keeps the workspace read-only (the sandbox's evaluator says so), nothing stops a
        // command from writing it: a read-only run then runs only commands known to be read-only.
        return {
          decision: 'deny',
          reason: `"${command}" is not known to be read-only, and this run's sandbox is read-only`,
        };
      }
      if (verdict.decision === 'deny') return verdict;
      if (verdict.decision === 'ask' || verdict.unknown !== true) return verdict;
      if (input.approvalMode === 'untrusted')
        return { decision: 'ask', reason: `"${command}" is not a known safe command (approval mode "untrusted")` };
      return { decision: 'allow', reason: `runs inside the ${input.sandboxMode} sandbox` };
    }
    default:
      return input.approvalMode === 'untrusted'
        ? { decision: 'ask', reason: 'unknown tool kind' }
        : { decision: 'allow', reason: 'default' };
  }
}
