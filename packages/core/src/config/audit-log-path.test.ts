import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogPath, defaultAuditLogPath } from './audit-log-path.ts';
import { VtcodeConfigSchema } from './config-schema.ts';

describe('auditLogPath', () => {
  const env = { HOME: '/home/ada' };
  it('is $XDG_STATE_HOME/vtcode/audit.jsonl, or under ~/.local/state without it', () => {
    expect(defaultAuditLogPath(env)).toBe(join('/home/ada', '.local', 'state', 'vtcode', 'audit.jsonl'));
    expect(defaultAuditLogPath({ ...env, XDG_STATE_HOME: '/state' })).toBe(join('/state', 'vtcode', 'audit.jsonl'));
    expect(auditLogPath(VtcodeConfigSchema.parse({}), env)).toBe(defaultAuditLogPath(env));
  });

  it('follows sandbox_policy.audit_log, and is undefined when it is false', () => {
    expect(auditLogPath(VtcodeConfigSchema.parse({ sandbox_policy: { audit_log: '/logs/a.jsonl' } }), env)).toBe(
      '/logs/a.jsonl',
    );
    expect(auditLogPath(VtcodeConfigSchema.parse({ sandbox_policy: { audit_log: false } }), env)).toBeUndefined();
  });
});
