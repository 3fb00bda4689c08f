import type { CommandEvaluation, SandboxPolicy } from '@vtcode/sandbox';
import type { VtcodeConfig } from '../config/config-schema.ts';
import type { CommandEvaluator } from './approval-policy.ts';

/**
 * The sandbox policy of a run, from vtcode.toml: the workspace, network, extra roots, approval mode.
 *
 * `sandbox = "read-only"` protects the whole workspace (`.` among `workspace.protected`, no extra writable roots):
 * the command policy refuses writes to it and the OS sandbox mounts it read-only, so a command whose writes no
 * policy can see (`node -e "fs.writeFileSync(…)"`) fails with a read-only filesystem error. Commands still get a
 * private writable temporary directory.
 */
export async function sandboxPolicyFromConfig(config: VtcodeConfig, workspaceRoot: string): Promise<SandboxPolicy> {
  const { SandboxPolicySchema } = await import('@vtcode/sandbox');
  const unconfined = config.sandbox === 'danger-full-access';
  const readOnly = config.sandbox === 'read-only';
  const policy = SandboxPolicySchema.parse({
    workspace: {
      roots: [workspaceRoot],
      writable: readOnly ? [] : config.sandbox_policy.writable_roots,
      readable: config.sandbox_policy.readable_roots,
    },
    network: { enabled: unconfined || config.sandbox_policy.network },
    approval: { mode: config.approval },
    ...(unconfined ? { backend: 'none', allowUnconfined: true } : {}),
  });
  if (!readOnly || policy.workspace.protected.includes('.')) return policy;
  return SandboxPolicySchema.parse({
    ...policy,
    workspace: { ...policy.workspace, protected: [...policy.workspace.protected, '.'] },
  });
}

/**
 * Does the OS sandbox of `policy` keep the whole workspace read-only (every root protected, nothing else writable,
 * an OS backend)? Then a command may run even when nobody knows it to be read-only: its writes fail.
 */
export function keepsWorkspaceReadOnly(policy: SandboxPolicy): boolean {
  return (
    policy.backend !== 'none' && policy.workspace.protected.includes('.') && policy.workspace.writable.length === 0
  );
}

/**
 * `@vtcode/sandbox`'s command policy as the engine's CommandEvaluator: the command line is parsed with a real shell
 * parser, every simple command judged, and the approval mode applied. Plain lines (`npm test`, `git status`) are
 * judged without the bash grammar; it loads (about 15 ms, 8 MB) on the first line that needs it.
 *
 * Commands judged here must run under the same policy's OS sandbox (the tools of `createVtcodeTools` with it): with
 * a read-only workspace (see `keepsWorkspaceReadOnly`) the verdicts say so, and the engine lets commands not known
 * to be read-only run there.
 */
export async function createSandboxCommandEvaluator(policy: SandboxPolicy): Promise<CommandEvaluator> {
  const sandbox = await import('@vtcode/sandbox');
  const workspaceReadOnly = keepsWorkspaceReadOnly(policy);
  return async (command, { cwd }) => {
    const verdict = await sandbox.evaluate(command, policy, { cwd });
    const { hard, escalation } = askKindOf(verdict);
    return {
      decision: verdict.decision,
      reason: verdict.reason,
      level: verdict.level,
      ...(verdict.level === 'unknown' ? { unknown: true } : {}),
      ...(verdict.level === 'safe' ? { safe: true } : {}),
      ...(hard ? { hard: true } : {}),
      ...(escalation ? { escalation: true } : {}),
      ...(workspaceReadOnly ? { workspaceReadOnly: true } : {}),
      modeApplied: true,
    };
  };
}

/**
 * What kind of ask a sandbox evaluation is (both false when it is not an ask). `hard`: only a person may answer it
 * (the policy's own ask rules, injection routes, a line that cannot be parsed). `escalation`: it reaches beyond the
 * sandboxed workspace (see below). A skill's `allowed-tools` lifts neither.
 */
export function askKindOf(verdict: Pick<CommandEvaluation, 'level' | 'rule' | 'commands'>): {
  hard: boolean;
  escalation: boolean;
} {
  if (verdict.level !== 'ask') return { hard: false, escalation: false };
  const asks = verdict.commands.filter((judgement) => judgement.level === 'ask');
  // An ask with no asking command came from the line itself (unparseable, shell functions): always hard.
  const hard = asks.length === 0 || asks.some((judgement) => judgement.hard);
  const escalation = [verdict.rule.id, ...asks.map((judgement) => judgement.rule.id)].some((id) =>
    ESCALATION_RULE.test(id),
  );
  return { hard, escalation };
}

/**
 * The sandbox's asks that reach beyond the sandboxed workspace: the network (and packages fetched from it), paths
 * outside the workspace, protected or environment-dependent paths, user-wide installs and configuration. A skill's
 * `allowed-tools` never lifts them.
 */
const ESCALATION_RULE =
  /^builtin:(network-|path-outside-workspace$|protected-path$|dynamic-path$|package-manager-global$|package-manager-config$|package-download-run$|pip-index$|tar-absolute-names$)/;
