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
}) {
  const config = VtcodeConfigSchema.parse({
    approval: options.approval ?? 'untrusted',
    ...(options.policies ? { tools: { policies: options.policies } } : {}),
  });
  const skills = await setupSkills({ cwd: workspace, homeDir: home });
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
  });

  it("a tool's second check for another reason than the one the skill answered goes to the approver", async () => {
    const ran: string[] = [];
    const run = await makeAgent({
      tools: [recordingShell(ran, { secondCheckReason: 'touch writes /elsewhere, which is outside the workspace' })],
      turns: [[loadSkill('load', 'release')], [shell('after', 'npm test')]],
    });
    await run.agent.run('go');
    expect(run.decided('after').map((event) => event.decidedBy)).toEqual(['skill:release', 'headless']);
    expect(run.finished('after')?.output).toContain('not run');
    expect(ran).toEqual([]);
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
