import type { ModelMessage } from '@vtcode/providers';
import { type SkillToolPolicy, toolPolicyFromAllowedTools } from '@vtcode/skills';
import { describe, expect, it } from 'vitest';
import { SkillApprovals, skillsLoadedIn, workspacePath } from './skill-approvals.ts';

const root = '/work/project';

function approvals(skills: Record<string, string | undefined>) {
  const resolved: string[] = [];
  const registry = new SkillApprovals({
    workspaceRoot: root,
    resolve: async (name) => {
      resolved.push(name);
      const allowed = skills[name];
      return allowed === undefined ? undefined : toolPolicyFromAllowedTools(allowed, name);
    },
  });
  return { registry, resolved };
}

const shell = (command: string) => ({ toolName: 'shell', kind: 'execute' as const, input: { command }, command });

describe('SkillApprovals', () => {
  it('pre-approves nothing until a skill is activated, and reads no policy before a decision needs one', async () => {
    const { registry, resolved } = approvals({ git: 'Bash(git status:*)' });
    expect(await registry.match(shell('git status'))).toBeUndefined();
    registry.activate('git');
    expect(resolved).toEqual([]);
    expect(await registry.match(shell('git status --short'))).toEqual({ skill: 'git', rule: 'Bash(git status:*)' });
    expect(resolved).toEqual(['git']);
    expect(registry.active).toEqual(['git']);
  });

  it('maps Claude-style tool names onto VT Code tools; a command outside the rule is not matched', async () => {
    const { registry } = approvals({ git: 'Bash(git status:*) Bash(npm run build)' });
    registry.activate('git');
    expect(await registry.match(shell('npm run build'))).toMatchObject({ rule: 'Bash(npm run build)' });
    expect(await registry.match(shell('npm run build:prod'))).toBeUndefined();
    expect(await registry.match(shell('git push'))).toBeUndefined();
    expect(await registry.match(shell('git statusx'))).toBeUndefined();
    const pty = { toolName: 'pty_start', kind: 'execute' as const, input: {}, command: 'git status' };
    expect(await registry.match(pty)).toMatchObject({ skill: 'git' });
  });

  it('never pre-approves a compound command by a specifier rule', async () => {
    const { registry } = approvals({ git: 'Bash(git status:*)' });
    registry.activate('git');
    for (const command of [
      'git status && rm -rf x',
      'git status; rm -rf x',
      'git status | sh',
      'git status $(rm -rf x)',
      'git status `rm -rf x`',
      'git status > /etc/passwd',
      'git status\nrm -rf x',
    ]) {
      expect(await registry.match(shell(command)), command).toBeUndefined();
    }
  });

  it('matches file tools by workspace-relative path (every path of the call), however the model wrote it', async () => {
    const { registry } = approvals({ docs: 'Edit(./docs/**) Write(docs/*.md)' });
    registry.activate('docs');
    const edit = (paths: string[], toolName = 'edit_file') => ({ toolName, kind: 'edit' as const, input: {}, paths });
    expect(await registry.match(edit(['docs/guide/intro.md']))).toMatchObject({ rule: 'Edit(./docs/**)' });
    expect(await registry.match(edit([`${root}/docs/a.md`]))).toMatchObject({ skill: 'docs' });
    expect(await registry.match(edit(['./docs/../src/a.ts']))).toBeUndefined();
    expect(await registry.match(edit(['docs/a.md', 'src/b.ts'], 'apply_patch'))).toBeUndefined();
    expect(await registry.match(edit(['docs/a.md', 'docs/b.md'], 'apply_patch'))).toMatchObject({ skill: 'docs' });
    expect(await registry.match(edit(['docs/x.md'], 'write_file'))).toMatchObject({ skill: 'docs' });
    expect(await registry.match(edit(['../docs/a.md']))).toBeUndefined();
  });

  it('matches web_fetch by URL or by domain', async () => {
    const { registry } = approvals({ web: 'WebFetch(domain:docs.python.org) WebFetch(https://example.com/*)' });
    registry.activate('web');
    const fetch = (url: string) => ({ toolName: 'web_fetch', kind: 'fetch' as const, input: { url } });
    expect(await registry.match(fetch('https://docs.python.org/3/library/os.html'))).toMatchObject({
      rule: 'WebFetch(domain:docs.python.org)',
    });
    expect(await registry.match(fetch('https://example.com/page'))).toMatchObject({ skill: 'web' });
    expect(await registry.match(fetch('https://evil.example/docs.python.org'))).toBeUndefined();
  });

  it('a skill that cannot be resolved pre-approves nothing; several skills are a union, first activated first', async () => {
    const { registry } = approvals({ a: 'Bash(make:*)', b: 'Bash(make test) WebFetch' });
    registry.activate('gone');
    registry.activate('b');
    registry.activate('a');
    registry.activate('b');
    expect(registry.active).toEqual(['gone', 'b', 'a']);
    expect(await registry.match(shell('make test'))).toEqual({ skill: 'b', rule: 'Bash(make test)' });
    expect(await registry.match(shell('make lint'))).toEqual({ skill: 'a', rule: 'Bash(make:*)' });
  });

  it('a resolver that throws counts as a skill that pre-approves nothing', async () => {
    const registry = new SkillApprovals({
      workspaceRoot: root,
      resolve: async (): Promise<SkillToolPolicy | undefined> => {
        throw new Error('integrity mismatch');
      },
    });
    registry.activate('tampered');
    expect(await registry.match(shell('git status'))).toBeUndefined();
  });
});

describe('skillsLoadedIn', () => {
  it('lists the skills whose load_skill call succeeded, in order, once each', () => {
    const call = (id: string, name: string): ModelMessage => ({
      role: 'assistant',
      content: [{ type: 'tool-call', toolCallId: id, toolName: 'load_skill', input: { name } }],
    });
    const result = (id: string, isError = false): ModelMessage => ({
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: id, toolName: 'load_skill', output: '…', ...(isError ? { isError } : {}) },
      ],
    });
    const messages: ModelMessage[] = [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      call('1', 'missing'),
      result('1', true),
      call('2', 'release'),
      result('2'),
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: '3', toolName: 'read_file', input: { name: 'not-a-skill' } }],
      },
      result('3'),
      call('4', 'git'),
      result('4'),
      call('5', 'release'),
      result('5'),
    ];
    expect(skillsLoadedIn(messages, 'load_skill')).toEqual(['release', 'git']);
  });
});

describe('workspacePath', () => {
  it('is relative inside the workspace and absolute outside', () => {
    expect(workspacePath('src/a.ts', root)).toBe('src/a.ts');
    expect(workspacePath('./src/../lib/b.ts', root)).toBe('lib/b.ts');
    expect(workspacePath(`${root}/src/a.ts`, root)).toBe('src/a.ts');
    expect(workspacePath('../other/x', root)).toBe('/work/other/x');
    expect(workspacePath('.', root)).toBe('.');
  });
});
