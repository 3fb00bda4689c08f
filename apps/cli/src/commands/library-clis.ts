import { Writable } from 'node:stream';
import type { VtcodeConfig } from '@vtcode/core';
import type { CommandIO } from './command-io.ts';

function sink(write: (text: string) => void): NodeJS.WritableStream & Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      write(chunk.toString());
      callback();
    },
  });
}

/** `vtcode atif|sandbox|skills …`: the library CLIs under one roof, each loaded only when used. */
export async function runLibraryCli(
  name: 'atif' | 'sandbox' | 'skills',
  args: string[],
  io: CommandIO,
): Promise<number> {
  switch (name) {
    case 'atif': {
      const { runAtifCli } = await import('@vtcode/atif');
      return runAtifCli(args, { stdout: sink(io.stdout), stderr: sink(io.stderr) });
    }
    case 'skills': {
      const { runSkillsCommand } = await import('@vtcode/skills');
      return runSkillsCommand(args, {
        stdout: { write: io.stdout },
        stderr: { write: io.stderr },
        cwd: io.cwd,
        ...(io.env.HOME ? { homeDir: io.env.HOME } : {}),
      });
    }
    case 'sandbox':
      return runSandbox(args, io);
  }
}

/**
 * `vtcode sandbox …` is `vtcode-sandbox` (@vtcode/sandbox's CLI: the same commands, options, JSON output and exit
 * codes) with this project's defaults: the policy derived from vtcode.toml when no `--policy` is given, and the
 * audit log `vtcode exec` writes, which `run` appends to and `audit verify|tail` read when no file is named.
 */
async function runSandbox(args: string[], io: CommandIO): Promise<number> {
  const { runSandboxCli, SandboxError } = await import('@vtcode/sandbox');
  /**
   * vtcode.toml for a directory, loaded once and only when a default is needed (its warnings printed once; a bad one
   * fails like a bad policy: 65).
   */
  const configs = new Map<string, Promise<VtcodeConfig>>();
  const loadProjectConfig = (cwd: string): Promise<VtcodeConfig> => {
    const cached = configs.get(cwd);
    if (cached) return cached;
    const loading = import('@vtcode/core').then(({ loadConfig }) => {
      try {
        const loaded = loadConfig({ cwd, env: io.env });
        for (const warning of loaded.warnings) io.stderr(`vtcode sandbox: warning: ${warning}\n`);
        return loaded.config;
      } catch (error) {
        throw new SandboxError('VTCODE_SANDBOX_INVALID_POLICY', (error as Error).message, { cause: error });
      }
    });
    configs.set(cwd, loading);
    return loading;
  };
  const running = args[0] === 'run';
  // Ctrl-C or SIGTERM during `run`: stop the command's whole process tree through the sandbox and exit 130 (a
  // second Ctrl-C finds no handler left and ends vtcode at once).
  const interrupt = new AbortController();
  const stop = () => interrupt.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  if (running) for (const signal of signals) process.once(signal, stop);
  try {
    return await runSandboxCli(args, {
      // The real streams, not io.stdout(text): a command's output passes through as bytes, not re-decoded as text.
      stdout: process.stdout,
      stderr: process.stderr,
      ...(running ? { stdin: process.stdin, signal: interrupt.signal } : {}),
      cwd: io.cwd,
      env: io.env,
      programName: 'vtcode sandbox',
      defaultPolicy: {
        description: "this project's vtcode.toml (workspace = --cwd)",
        async load(cwd) {
          const config = await loadProjectConfig(cwd);
          const { sandboxPolicyFromConfig } = await import('@vtcode/core');
          // The policy vtcode exec runs commands under (`sandbox = "read-only"`: the whole workspace is protected,
          // so the command policy refuses writes to it and the OS sandbox mounts it read-only).
          return sandboxPolicyFromConfig(config, cwd);
        },
      },
      defaultAuditLog: {
        description: 'the one vtcode exec writes (sandbox_policy.audit_log, or $XDG_STATE_HOME/vtcode/audit.jsonl)',
        async path(cwd) {
          const { auditLogPath } = await import('@vtcode/core');
          const path = auditLogPath(await loadProjectConfig(cwd), io.env);
          if (path === undefined)
            throw new SandboxError(
              'VTCODE_SANDBOX_INVALID_ARGUMENT',
              'the audit log is turned off (sandbox_policy.audit_log = false): name a log file',
            );
          return path;
        },
        // `run` is audited like the agent's commands, unless sandbox_policy.audit_log = false (or --audit is given).
        async runLog(cwd) {
          const { auditLogPath } = await import('@vtcode/core');
          return auditLogPath(await loadProjectConfig(cwd), io.env);
        },
      },
    });
  } finally {
    if (running) {
      for (const signal of signals) process.off(signal, stop);
      // `run` may have piped our stdin into the command: let go of it so the process can end.
      if (!process.stdin.isTTY) process.stdin.destroy();
    }
  }
}
