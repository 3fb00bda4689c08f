import { homedir } from 'node:os';
import { join } from 'node:path';
import type { VtcodeConfig } from './config-schema.ts';

/** `$XDG_STATE_HOME/vtcode/audit.jsonl` (`~/.local/state/vtcode/audit.jsonl` without XDG_STATE_HOME). */
export function defaultAuditLogPath(env: Record<string, string | undefined> = process.env): string {
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'vtcode', 'audit.jsonl');
}

/**
 * The sandbox audit log of a run: `sandbox_policy.audit_log`, else the default path; undefined when the
 * configuration turns it off (`sandbox_policy.audit_log = false`). `vtcode exec` appends to it, `vtcode sandbox run`
 * too, and `vtcode sandbox audit` reads it.
 */
export function auditLogPath(
  config: Pick<VtcodeConfig, 'sandbox_policy'>,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const setting = config.sandbox_policy.audit_log;
  if (setting === false) return undefined;
  return setting ?? defaultAuditLogPath(env);
}
