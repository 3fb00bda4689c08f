import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LanguageModel, StreamEvent } from '@vtcode/providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Approver } from '../approvals/approver.ts';
import { createHeadlessApprover } from '../approvals/approver.ts';
import { createSandboxCommandEvaluator, sandboxPolicyFromConfig } from '../approvals/sandbox-evaluator.ts';
import { VtcodeConfigSchema } from '../config/config-schema.ts';
import type { AgentEvent, ApprovalRequest } from '../events/agent-event.ts';
import { ConversationState } from '../session/conversation-state.ts';
import { type AgentTool, createToolRegistry } from '../tools/agent-tool.ts';
import { setupSkills } from '../tools/skill-tool.ts';
import { createVtcodeTools } from '../tools/vtcode-tools.ts';
import { Agent } from './agent.ts';

/** A model that answers each request with the next scripted turn: tool calls, then a closing text. */
function scriptedModel(turns: Array<Array<{ id: string; name: string; input: unknown }>>): LanguageModel {
  const steps = [...turns];
  return {
    provider: 'test',
    modelId: 'scripted',
    capabilities: {
      tools: true,
      vision: false,
      reasoning: false,
      caching: false,
      contextWindow: 100_000,
      maxOutputTokens: 4_000,
    },
    async *stream(): AsyncIterable<StreamEvent> {
      const calls = steps.shift();
      if (!calls || calls.length === 0) {
        yield { type: 'text-start', id: 't' };
        yield { type: 'text-delta', id: 't', delta: 'done' };
        yield { type: 'text-end', id: 't' };
        yield { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
        return;
      }
      for (const call of calls) {
        yield { type: 'tool-call-start', toolCallId: call.id, toolName: call.name };
        yield {
          type: 'tool-call-end',
          toolCallId: call.id,
          toolName: call.name,
          input: call.input,
          rawInput: JSON.stringify(call.input),
        };
      }
      yield { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
}

const shell = (id: string, command: string) => ({ id, name: 'shell', input: { command } });
const loadSkill = (id: string, name: string) => ({ id, name: 'load_skill', input: { name } });

/** An execute tool that records what it ran (the engine's decision is what these tests look at). */
function recordingShell(
  ran: string[],
  options: { handlesOwnApproval?: boolean; escalate?: boolean; secondCheckReason?: string } = {},
): AgentTool {
  return {
    name: 'shell',
    kind: 'execute',
    description: 'run a command',
    inputSchema: { type: 'object' },
    ...(options.handlesOwnApproval ? { handlesOwnApproval: true } : {}),
    describe: (input) => {
      const command = String((input as { command: string }).command);
      return { summary: `run: ${command}`, command };
    },
    async execute(input, context) {
      const command = String((input as { command: string }).command);
      if (options.escalate) {
        const outcome = await context.requestApproval({
          kind: 'execute',
          summary: `run outside the sandbox: ${command}`,
          command,
          reason: 'the command needs the network, which the sandbox turns off',
        });
        if (!outcome.approved) return { output: `not run: ${outcome.reason}`, isError: true };
      } else if (!context.preApproved) {
        // The tools adapter's second check: the same command, asked through the engine.
        const outcome = await context.requestApproval({
          kind: 'execute',
          summary: `run: ${command}`,
          command,
          reason:
            options.secondCheckReason ??
            'npm is not a known read-only command; approval mode "untrusted" asks for anything not known safe',
        });
        if (!outcome.approved) return { output: `not run: ${outcome.reason}`, isError: true };
      }
      ran.push(command);
      return { output: `ran ${command}` };
    },
  };
}

let root: string;
let workspace: string;
let home: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vtcode-agent-skills-'));
  workspace = join(root, 'workspace');
  home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  writeSkill('release', 'Prepare a release.', 'Bash(npm test:*) Bash(touch:*)');
  writeSkill('notes', 'Take notes.', undefined);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeSkill(name: string, description: string, allowedTools: string | undefined) {
  const directory = join(workspace, '.agents', 'skills', name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, 'SKILL.md'),
    `---\nname: ${name}\ndescription: ${description}\n${allowedTools ? `allowed-tools: ${allowedTools}\n` : ''}---\n\n# ${name}\n\nRun the tests first.\n`,
  );
}

async function makeAgent(options: {
  tools: AgentTool[];
  turns: Array<Array<{ id: string; name: string; input: unknown }>>;
  approval?: string;
  policies?: Record<string, string>;
  approver?: Approver;
  state?: ConversationState;
  skillPreApprovals?: boolean;
  config?: Record<string, unknown>;
  /** The skills here live in the project; most tests trust them (the default, false, has tests of its own). */
  trustProjectSkills?: boolean;
}) {
  const config = VtcodeConfigSchema.parse({
    approval: options.approval ?? 'untrusted',
    ...(options.policies ? { tools: { policies: options.policies } } : {}),
    ...options.config,
  });
  const skills = await setupSkills({
    cwd: workspace,
    homeDir: home,
    trustProjectSkills: options.trustProjectSkills ?? true,
  });
  const events: AgentEvent[] = [];
  const agent = new Agent({
    model: scriptedModel(options.turns),
    tools: createToolRegistry([...options.tools, ...(skills.tool ? [skills.tool] : [])]),
    approver: options.approver ?? createHeadlessApprover(),
    config,
    cwd: workspace,
    systemPrompt: 'system',
    sessionId: 'test',
    evaluateCommand: await createSandboxCommandEvaluator(await sandboxPolicyFromConfig(config, workspace)),
    ...(options.state ? { state: options.state } : {}),
    ...(options.skillPreApprovals !== undefined ? { skillPreApprovals: options.skillPreApprovals } : {}),
    onEvent: (event) => events.push(event),
  });
  const finished = (id: string) =>
    events.find(
      (event): event is Extract<AgentEvent, { type: 'tool-call-finished' }> =>
        event.type === 'tool-call-finished' && event.toolCallId === id,
    );
  const decided = (id: string) =>
    events.filter(
      (event): event is Extract<AgentEvent, { type: 'approval-decided' }> =>
        event.type === 'approval-decided' && event.toolCallId === id,
    );
  const requested = (id: string) =>
    events.filter((event) => event.type === 'approval-requested' && event.request.toolCallId === id);
  return { agent, events, finished, decided, requested };
}

describe('skills\u2019 allowed-tools as tool policy', () => {
  it('before load_skill the command is asked (and headless denies it); after, a matching one runs, the rest do not', async () => {
    const ran: string[] = [];
    const run = await makeAgent({
      tools: [recordingShell(ran)],
      turns: [
        [shell('before', 'npm test')],
        [loadSkill('load', 'release')],
        [
          shell('after', 'npm test -- --watch=false'),
          shell('compound', 'npm test && rm -rf src'),
          shell('outside', 'npm publish'),
        ],
      ],
    });
    const result = await run.agent.run('release it');
    expect(result.status).toBe('completed');
    expect(run.finished('before')?.status).toBe('denied');
    expect(run.requested('before')).toHaveLength(1);
    expect(run.finished('load')?.output).toContain('allowed-tools): Bash(npm test:*), Bash(touch:*)');
    expect(run.finished('after')?.status).toBe('ok');
    expect(run.requested('after')).toHaveLength(0);
    expect(run.decided('after')).toEqual([
      expect.objectContaining({
        decision: 'allow',
        decidedBy: 'skill:release',
        reason: expect.stringContaining('allowed-tools: Bash(npm test:*)'),
      }),
    ]);
    expect(run.finished('compound')?.status).toBe('denied');
    expect(run.decided('compound')[0]?.decidedBy).toBe('headless');
    expect(run.finished('outside')?.status).toBe('denied');
    expect(ran).toEqual(['npm test -- --watch=false']);
    expect(run.agent.activeSkills).toEqual(['release']);
  });

  it('a project skill pre-approves nothing unless the user trusts project skills; a user skill does', async () => {
    const ran: string[] = [];
    const untrusted = await makeAgent({
      tools: [recordingShell(ran)],
      trustProjectSkills: false,
      turns: [[loadSkill('load', 'release')], [shell('after', 'npm test')]],
    });
    await untrusted.agent.run('go');
    expect(untrusted.finished('load')?.status).toBe('ok');
    expect(untrusted.finished('load')?.output).toContain(
      'Its allowed-tools are not applied: it comes with the project',
    );
    expect(untrusted.finished('after')?.status).toBe('denied');
    expect(untrusted.decided('after')[0]?.decidedBy).toBe('headless');
    expect(ran).toEqual([]);

    // The same skill installed for the user (~/.agents/skills) is the user's choice: its rules apply.
    const userSkill = join(home, '.agents', 'skills', 'deploy');
    mkdirSync(userSkill, { recursive: true });
    writeFileSync(
      join(userSkill, 'SKILL.md'),
      '---\nname: deploy\ndescription: Deploy.\nallowed-tools: Bash(npm test:*)\n---\n\nTest, then deploy.\n',
    );
    const user = await makeAgent({
      tools: [recordingShell(ran)],
      trustProjectSkills: false,
      turns: [[loadSkill('load', 'deploy')], [shell('after', 'npm test')]],
    });
    await user.agent.run('go');
    expect(user.finished('load')?.output).not.toContain('not applied');
    expect(user.finished('after')?.status).toBe('ok');
    expect(user.decided('after')[0]?.decidedBy).toBe('skill:deploy');
    expect(ran).toEqual(['npm test']);
  });

  it('a skill that failed to load (unknown name) activates nothing', async () => {
    const ran: string[] = [];
    const run = await makeAgent({
      tools: [recordingShell(ran)],
      turns: [[loadSkill('load', 'relaese')], [shell('after', 'npm test')]],
    });
    await run.agent.run('go');
    expect(run.finished('load')?.status).toBe('error');
    expect(run.finished('after')?.status).toBe('denied');
    expect(run.agent.activeSkills).toEqual([]);
    expect(ran).toEqual([]);
  });

  it('an embedder can turn skill pre-approvals off (skillPreApprovals: false)', async () => {
    const ran: string[] = [];
    const run = await makeAgent({
      tools: [recordingShell(ran)],
      skillPreApprovals: false,
      turns: [[loadSkill('load', 'release')], [shell('after', 'npm test')]],
    });
    await run.agent.run('go');
    expect(run.finished('load')?.status).toBe('ok');
    expect(run.finished('load')?.output).not.toContain('without asking');
    expect(run.finished('after')?.status).toBe('denied');
    expect(run.agent.activeSkills).toEqual([]);
    expect(ran).toEqual([]);
  });

  it('a skill without allowed-tools pre-approves nothing', async () => {
    const ran: string[] = [];
    const run = await makeAgent({
      tools: [recordingShell(ran)],
      turns: [[loadSkill('load', 'notes')], [shell('after', 'npm test')]],
    });
    await run.agent.run('go');
    expect(run.agent.activeSkills).toEqual(['notes']);
    expect(run.finished('after')?.status).toBe('denied');
  });

  it('the user\u2019s tools.policies "ask" and "deny" win over the skill', async () => {
    // on-request would run `npm test`; the user's "ask" makes it ask, and the skill does not answer for the user.
    for (const [value, approval] of [
      ['ask', 'on-request'],
      ['ask', 'untrusted'],
      ['deny', 'untrusted'],
    ] as const) {
      const ran: string[] = [];
      const run = await makeAgent({
        tools: [recordingShell(ran)],
        approval,
        policies: { shell: value },
        turns: [[loadSkill('load', 'release')], [shell('after', 'npm test')]],
      });
      await run.agent.run('go');
      const label = `${value} / ${approval}`;
      expect(run.finished('after')?.status, label).toBe('denied');
      expect(
        run.decided('after').map((event) => event.decidedBy),
        label,
      ).toEqual(value === 'ask' ? ['headless'] : []);
      if (approval === 'on-request') expect(run.finished('after')?.output).toContain('tools.policies.shell = "ask"');
      if (value === 'deny') expect(run.finished('after')?.output).toContain('tools.policies.shell = "deny"');
      expect(ran, label).toEqual([]);
    }
  });

  it('an escalation the tool asks for itself still goes to the approver', async () => {
    const ran: string[] = [];
    const asked: ApprovalRequest[] = [];
    const approver: Approver = {
      name: 'recording',
      async approve(request) {
        asked.push(request);
        return { decision: 'deny', reason: 'no network for you' };
      },
    };
    const run = await makeAgent({
      tools: [recordingShell(ran, { handlesOwnApproval: true, escalate: true })],
      approver,
      turns: [[loadSkill('load', 'release')], [shell('after', 'npm test')]],
    });
    await run.agent.run('go');
    // The engine's own question was answered by the skill…
    expect(run.decided('after')[0]).toMatchObject({ decision: 'allow', decidedBy: 'skill:release' });
    // …but the tool's request to leave the sandbox reached the approver, which denied it.
    expect(asked.map((request) => request.summary)).toEqual(['run outside the sandbox: npm test']);
    expect(run.decided('after')[1]).toMatchObject({ decision: 'deny', decidedBy: 'recording' });
    expect(run.finished('after')?.output).toContain('no network for you');
    expect(ran).toEqual([]);

    // Approval mode "never": the tool's request is denied by the engine; nobody is asked.
    asked.length = 0;
    const never = await makeAgent({
      tools: [recordingShell(ran, { handlesOwnApproval: true, escalate: true })],
      approver,
      approval: 'never',
      turns: [[loadSkill('load', 'release')], [shell('after', 'npm test')]],
    });
    await never.agent.run('go');
    expect(asked).toEqual([]);
    expect(never.requested('after')).toEqual([]);
    expect(never.decided('after')).toEqual([
      expect.objectContaining({ decision: 'deny', decidedBy: 'policy', reason: expect.stringContaining('"never"') }),
    ]);
    expect(ran).toEqual([]);
  });

  it('the tool is told who approved the call (the skill) and why; a call the policy allowed says "policy"', async () => {
    const contexts: Array<{ id: string; preApproved: boolean; approvedBy?: string; approvalReason?: string }> = [];
    const spy: AgentTool = {
      ...recordingShell([]),
      async execute(_input, context) {
        contexts.push({
          id: context.toolCallId,
          preApproved: context.preApproved,
          ...(context.approvedBy !== undefined ? { approvedBy: context.approvedBy } : {}),
          ...(context.approvalReason !== undefined ? { approvalReason: context.approvalReason } : {}),
        });
        return { output: 'ok' };
      },
    };
    const run = await makeAgent({
      tools: [spy],
      approval: 'on-request',
      turns: [[loadSkill('load', 'release')], [shell('safe', 'ls'), shell('skill', 'touch notes.txt')]],
    });
    await run.agent.run('go');
    expect(contexts.find((context) => context.id === 'safe')).toMatchObject({
      preApproved: true,
      approvedBy: 'policy',
    });
    // `touch notes.txt` runs inside the sandbox without asking in on-request: the policy allowed it, not the skill.
    expect(contexts.find((context) => context.id === 'skill')).toMatchObject({ approvedBy: 'policy' });
    const untrusted = await makeAgent({
      tools: [spy],
      turns: [[loadSkill('load', 'release')], [shell('skill2', 'touch notes.txt')]],
    });
    await untrusted.agent.run('go');
    expect(contexts.find((context) => context.id === 'skill2')).toEqual({
      id: 'skill2',
      preApproved: true,
      approvedBy: 'skill:release',
      approvalReason: expect.stringContaining('pre-approved by the skill "release" (allowed-tools: Bash(touch:*))'),
    });
  });

  it('a resumed session has the skills its history loaded', async () => {
    const first = await makeAgent({ tools: [recordingShell([])], turns: [[loadSkill('load', 'release')]] });
    await first.agent.run('load the release skill');
    const state = ConversationState.fromEvents(first.events);
    const ran: string[] = [];
    const resumed = await makeAgent({ tools: [recordingShell(ran)], state, turns: [[shell('again', 'npm test')]] });
    expect(resumed.agent.activeSkills).toEqual(['release']);
    await resumed.agent.run('now run the tests');
    expect(resumed.finished('again')?.status).toBe('ok');
    expect(resumed.decided('again')[0]?.decidedBy).toBe('skill:release');
    expect(ran).toEqual(['npm test']);
  });

  it('through the real shell tool: the command runs, and the sandbox audit log names the skill', async () => {
    const config = VtcodeConfigSchema.parse({ approval: 'untrusted' });
    const policy = await sandboxPolicyFromConfig(config, workspace);
    const { AuditLog } = await import('@vtcode/sandbox');
    const auditPath = join(root, 'audit.jsonl');
    const audit = await AuditLog.open(auditPath, { fsync: false });
    const toolset = await createVtcodeTools({ workspaceRoot: workspace, policy, audit });
    try {
      const run = await makeAgent({
        tools: toolset.tools.filter((tool) => tool.name === 'shell'),
        turns: [
          [shell('before', 'touch before.txt')],
          [loadSkill('load', 'release')],
          [shell('after', 'touch after.txt'), shell('other', 'mkdir other')],
        ],
      });
      await run.agent.run('go');
      expect(run.finished('before')?.status).toBe('denied');
      expect(run.finished('after')?.status).toBe('ok');
      expect(run.finished('other')?.status).toBe('denied');
      expect(existsSync(join(workspace, 'before.txt'))).toBe(false);
      expect(existsSync(join(workspace, 'after.txt'))).toBe(true);
      expect(existsSync(join(workspace, 'other'))).toBe(false);
      await audit.flush();
      const decisions = readFileSync(auditPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; data: { commandLine: string; reason: string } })
        .filter((record) => record.type === 'decision');
      const after = decisions.find((record) => record.data.commandLine === 'touch after.txt');
      expect(after?.data.reason).toContain('pre-approved by the skill "release" (allowed-tools: Bash(touch:*))');
    } finally {
      await toolset.dispose();
    }
  });
});

describe('skills\u2019 allowed-tools with approval mode "never" (the real shell tool and sandbox)', () => {
  it('a pre-approved soft ask runs; what the skill did not pre-approve and escalations stay denied; nobody is asked', async () => {
    writeSkill('fmt', 'Formats notes.', 'Bash(sed:*) Bash(touch:*)');
    writeFileSync(join(workspace, 'notes.txt'), 'a\n');
    const config = VtcodeConfigSchema.parse({ approval: 'never' });
    const policy = await sandboxPolicyFromConfig(config, workspace);
    const { AuditLog } = await import('@vtcode/sandbox');
    const auditPath = join(root, 'audit.jsonl');
    const audit = await AuditLog.open(auditPath, { fsync: false });
    const toolset = await createVtcodeTools({ workspaceRoot: workspace, policy, audit });
    try {
      const run = await makeAgent({
        approval: 'never',
        tools: toolset.tools.filter((tool) => tool.name === 'shell'),
        turns: [
          [shell('before', 'sed -i s/a/b/ notes.txt')],
          [loadSkill('load', 'fmt')],
          [
            shell('after', 'sed -i s/a/b/ notes.txt'),
            shell('uncovered', 'find . -name "*.tmp" -delete'),
            shell('outside', 'touch ../outside.txt'),
            shell('plain', 'echo fine'),
          ],
        ],
      });
      const result = await run.agent.run('format the notes');
      expect(result.status).toBe('completed');
      // Before the skill: approval mode "never" denies the ask.
      expect(run.finished('before')?.status).toBe('denied');
      expect(run.finished('before')?.output).toContain('approval mode "never"');
      // After: decided by the skill, and the tool's own sandbox check runs it (not "approved by skill", then "not run").
      expect(run.decided('after')).toEqual([expect.objectContaining({ decision: 'allow', decidedBy: 'skill:fmt' })]);
      expect(run.finished('after')?.status).toBe('ok');
      expect(run.finished('after')?.output).toContain('exit code 0');
      expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('b\n');
      // Not pre-approved (find -delete), and an escalation the skill's rule matches (a path outside the workspace).
      expect(run.finished('uncovered')?.status).toBe('denied');
      expect(run.finished('outside')?.status).toBe('denied');
      expect(run.finished('outside')?.output).toContain('outside the workspace');
      expect(existsSync(join(root, 'outside.txt'))).toBe(false);
      expect(run.finished('plain')?.status).toBe('ok');
      // "never" asks nobody.
      expect(run.events.filter((event) => event.type === 'approval-requested')).toEqual([]);
      await audit.flush();
      const decision = readFileSync(auditPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> })
        .find((record) => record.type === 'decision' && record.data.commandLine === 'sed -i s/a/b/ notes.txt');
      expect(decision?.data).toMatchObject({ decision: 'allow', approver: 'skill:fmt' });
    } finally {
      await toolset.dispose();
    }
  });

  it('with skill pre-approvals off, the same command stays denied after load_skill', async () => {
    writeSkill('fmt', 'Formats notes.', 'Bash(sed:*)');
    writeFileSync(join(workspace, 'notes.txt'), 'a\n');
    const config = VtcodeConfigSchema.parse({ approval: 'never' });
    const toolset = await createVtcodeTools({
      workspaceRoot: workspace,
      policy: await sandboxPolicyFromConfig(config, workspace),
    });
    try {
      const run = await makeAgent({
        approval: 'never',
        skillPreApprovals: false,
        tools: toolset.tools.filter((tool) => tool.name === 'shell'),
        turns: [[loadSkill('load', 'fmt')], [shell('after', 'sed -i s/a/b/ notes.txt')]],
      });
      await run.agent.run('go');
      expect(run.finished('load')?.status).toBe('ok');
      expect(run.finished('after')?.status).toBe('denied');
      expect(readFileSync(join(workspace, 'notes.txt'), 'utf8')).toBe('a\n');
    } finally {
      await toolset.dispose();
    }
  });
});

describe('loaded skills and compaction', () => {
  it('a skill loaded before a summarising compaction stays active, in the summary, and on resume', async () => {
    const ran: string[] = [];
    const run = await makeAgent({
      tools: [recordingShell(ran)],
      config: { context: { window_tokens: 2_000, reserve_output_tokens: 500, keep_recent_messages: 2 } },
      turns: [[loadSkill('load', 'release')], [shell('ls', 'ls')], [shell('after', 'npm test')]],
    });
    await run.agent.run(`release it. ${'Background for the release. '.repeat(500)}`);
    const compaction = run.events.find(
      (event): event is Extract<AgentEvent, { type: 'compaction' }> =>
        event.type === 'compaction' && event.summary !== undefined,
    );
    expect(compaction?.loadedSkills).toEqual(['release']);
    expect(compaction?.summary).toContain('## Skills loaded');
    // The load_skill call is gone from the history, the skill is not.
    expect(JSON.stringify(run.agent.state.messages)).not.toContain('"load_skill"');
    expect(run.decided('after')[0]?.decidedBy).toBe('skill:release');
    expect(ran).toEqual(['ls', 'npm test']);

    const state = ConversationState.fromEvents(run.events);
    expect(state.skillsBeforeCompaction).toEqual(['release']);
    const resumedRan: string[] = [];
    const resumed = await makeAgent({
      tools: [recordingShell(resumedRan)],
      state,
      turns: [[shell('again', 'npm test')]],
    });
    expect(resumed.agent.activeSkills).toEqual(['release']);
    await resumed.agent.run('again');
    expect(resumed.decided('again')[0]?.decidedBy).toBe('skill:release');
    expect(resumedRan).toEqual(['npm test']);
  });
});
