import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sandboxPolicyFromConfig } from '../approvals/sandbox-evaluator.ts';
import { VtcodeConfigSchema } from '../config/config-schema.ts';
import type { ApprovalRequest } from '../events/agent-event.ts';
import type { AgentTool, AgentToolContext } from './agent-tool.ts';
import { createVtcodeTools, describeCall, type VtcodeTools } from './vtcode-tools.ts';

let root: string;
let workspace: string;
let toolset: VtcodeTools;
let shell: AgentTool;
let policyMode: string;
let auditPath: string;
let audit: import('@vtcode/sandbox').AuditLog;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vtcode-tools-adapter-'));
  workspace = join(root, 'workspace');
  mkdirSync(workspace);
  const policy = await sandboxPolicyFromConfig(VtcodeConfigSchema.parse({ approval: 'never' }), workspace);
  const { AuditLog } = await import('@vtcode/sandbox');
  auditPath = join(root, 'audit.jsonl');
  audit = await AuditLog.open(auditPath, { fsync: false });
  toolset = await createVtcodeTools({ workspaceRoot: workspace, policy, audit });
  policyMode = policy.approval.mode;
  shell = toolset.tools.find((tool) => tool.name === 'shell') as AgentTool;
});

afterAll(async () => {
  await toolset.dispose();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => writeFileSync(join(workspace, 'notes.txt'), 'a\n'));

/** Runs the shell tool as the engine would after deciding; records what the tool asked the engine. */
async function runShell(command: string, decided: Partial<AgentToolContext>) {
  const asked: Array<Omit<ApprovalRequest, 'toolCallId' | 'toolName'>> = [];
  const result = await shell.execute(
    { command },
    {
      cwd: workspace,
      toolCallId: `call-${Math.random()}`,
      signal: new AbortController().signal,
      preApproved: false,
      approvalMode: 'never',
      sandboxMode: 'workspace-write',
      onOutput: () => undefined,
      requestApproval: async (request) => {
        asked.push(request);
        return { approved: false, reason: 'approval mode "never" denies instead of asking' };
      },
      ...decided,
    },
  );
  return { result, asked };
}

const bySkill = {
  preApproved: true,
  approvedBy: 'skill:fmt',
  approvalReason: 'pre-approved by the skill "fmt" (allowed-tools: Bash(sed:*))',
};

describe('the @vtcode/tools adapter under approval mode "never"', () => {
  it('leaves the given policy alone (the engine judges under "never"; the tools ask it back)', () => {
    expect(policyMode).toBe('never');
  });

  it("answers the tool's own ordinary ask from a skill's pre-approval: the command runs", async () => {
    const { result, asked } = await runShell('sed -i s/a/b/ notes.txt', bySkill);
    expect(result.isError).toBe(false);
    expect(asked).toEqual([]);
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('b\n');
  });

  it('never answers an escalation from a skill: it goes back to the engine (which denies it)', async () => {
    const { result, asked } = await runShell('touch ../outside.txt', {
      ...bySkill,
      approvalReason: 'pre-approved by the skill "fmt" (allowed-tools: Bash(touch:*))',
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.reason).toContain('outside the workspace');
    expect(result.isError).toBe(true);
    expect(result.output).toContain('not run');
    expect(existsSync(join(root, 'outside.txt'))).toBe(false);
  });

  it('an ask the engine did not see, in mode "never", is not answered by the engine\'s "allowed"', async () => {
    const { result, asked } = await runShell('sed -i s/a/b/ notes.txt', {
      preApproved: true,
      approvedBy: 'policy',
      approvalReason: 'allowed by the policy',
    });
    expect(asked).toHaveLength(1);
    expect(result.isError).toBe(true);
    expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('a\n');
  });

  it('outside mode "never" a call the engine allowed is not asked again; the audit names who approved it', async () => {
    const { result, asked } = await runShell('sed -i s/a/b/ notes.txt', {
      approvalMode: 'on-request',
      preApproved: true,
      approvedBy: 'tui',
      approvalReason: 'approved by the user',
    });
    expect(asked).toEqual([]);
    expect(result.isError).toBe(false);
    await audit.flush();
    const decisions = readFileSync(auditPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })
      .filter((record) => record.type === 'decision' && record.data.decision === 'allow')
      .map((record) => [record.data.approver, record.data.reason]);
    expect(decisions).toEqual([
      ['skill:fmt', expect.stringContaining('pre-approved by the skill "fmt"')],
      ['tui', expect.stringContaining('approved by the user')],
    ]);
  });
});

describe('describeCall', () => {
  it('names the command and where it runs', () => {
    expect(describeCall('shell', { command: 'npm test', cwd: 'packages/a' })).toEqual({
      summary: 'run: npm test',
      command: 'npm test',
      cwd: 'packages/a',
    });
    expect(describeCall('shell', { command: 'ls' })).toEqual({ summary: 'run: ls', command: 'ls' });
  });
});
