import type { SandboxPolicy } from '@vtcode/sandbox';
import type { VtcodeConfig } from '../config/config-schema.ts';
import type { CommandEvaluator } from './approval-policy.ts';

/** The sandbox policy of a run, from vtcode.toml: the workspace, network, extra roots, approval mode. */
export async function sandboxPolicyFromConfig(config: VtcodeConfig, workspaceRoot: string): Promise<SandboxPolicy> {
  const { SandboxPolicySchema } = await import('@vtcode/sandbox');
  const unconfined = config.sandbox === 'danger-full-access';
  return SandboxPolicySchema.parse({
    workspace: {
      roots: [workspaceRoot],
      writable: config.sandbox_policy.writable_roots,
      readable: config.sandbox_policy.readable_roots,
    },
    network: { enabled: unconfined || config.sandbox_policy.network },
    approval: { mode: config.approval },
    ...(unconfined ? { backend: 'none', allowUnconfined: true } : {}),
  });
}

/**
 * `@vtcode/sandbox`'s command policy as the engine's CommandEvaluator: the command line is parsed with a real shell
 * parser, every simple command judged, and the approval mode applied. Plain lines (`npm test`, `git status`) are
 * judged without the bash grammar; it loads (about 15 ms, 8 MB) on the first line that needs it.
 */
export async function createSandboxCommandEvaluator(policy: SandboxPolicy): Promise<CommandEvaluator> {
  const sandbox = await import('@vtcode/sandbox');
  return async (command, { cwd }) => {
    const verdict = await sandbox.evaluate(command, policy, { cwd });
    const asks = verdict.commands.filter((judgement) => judgement.level === 'ask');
    // An ask with no asking command came from the line itself (unparseable, shell functions): always hard.
    const hard = verdict.level === 'ask' && (asks.length === 0 || asks.some((judgement) => judgement.hard));
    const escalation =
      verdict.level === 'ask' &&
      [verdict.rule.id, ...asks.map((judgement) => judgement.rule.id)].some((id) => ESCALATION_RULE.test(id));
    return {
      decision: verdict.decision,
      reason: verdict.reason,
      level: verdict.level,
      ...(verdict.level === 'unknown' ? { unknown: true } : {}),
      ...(verdict.level === 'safe' ? { safe: true } : {}),
      ...(hard ? { hard: true } : {}),
      ...(escalation ? { escalation: true } : {}),
      modeApplied: true,
    };
  };
}

/**
 * The sandbox's asks that reach beyond the sandboxed workspace: the network (and packages fetched from it), paths
 * outside the workspace, protected or environment-dependent paths, user-wide installs and configuration. A skill's
 * `allowed-tools` never lifts them.
 */
const ESCALATION_RULE =
  /^builtin:(network-|path-outside-workspace$|protected-path$|dynamic-path$|package-manager-global$|package-manager-config$|package-download-run$|pip-index$|tar-absolute-names$)/;
