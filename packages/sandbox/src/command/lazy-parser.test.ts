// The bash grammar (WebAssembly) loads only when a line needs it: plain lines are judged without it. This file runs
// in a module graph of its own (vitest isolates test files), so the grammar starts unloaded.
import { describe, expect, it } from 'vitest';
import { SandboxPolicySchema } from '../policy/policy.ts';
import { evaluate, evaluateSync } from './evaluate.ts';
import { isParserNotLoadedError, isShellParserLoaded, parseCommandLine } from './shell-parser.ts';

const policy = SandboxPolicySchema.parse({ workspace: { roots: ['/tmp'] } });

describe('the bash grammar loads on demand', () => {
  it('judges plain lines without loading it, and needs it for anything else', async () => {
    expect(isShellParserLoaded()).toBe(false);
    const plain = await evaluate('git status && npm test | head -5', policy, { cwd: '/tmp' });
    expect(plain.decision).toBe('allow');
    expect(evaluateSync(['rm', '-rf', '/'], policy, { cwd: '/tmp' }).decision).not.toBe('allow');
    expect((await parseCommandLine("grep -n 'a b' src")).commands[0]?.argv.map((word) => word.value)).toEqual([
      'grep',
      '-n',
      'a b',
      'src',
    ]);
    expect(isShellParserLoaded()).toBe(false);

    // An expansion is not plain: the sync entry point says the grammar is missing (a typed, recognisable error)…
    let thrown: unknown;
    try {
      evaluateSync('echo $(rm -rf /)', policy, { cwd: '/tmp' });
    } catch (error) {
      thrown = error;
    }
    expect(isParserNotLoadedError(thrown)).toBe(true);
    expect(isShellParserLoaded()).toBe(false);

    // …and a plain outer line whose inner script is not plain (bash -c '…$HOME…') still gets the grammar.
    const nested = await evaluate("bash -c 'rm -rf $HOME'", policy, { cwd: '/tmp' });
    expect(nested.decision).not.toBe('allow');
    expect(nested.reason).toMatch(/rm/);
    expect(isShellParserLoaded()).toBe(true);
    expect((await evaluate('echo $(rm -rf /)', policy, { cwd: '/tmp' })).decision).not.toBe('allow');
  });
});
