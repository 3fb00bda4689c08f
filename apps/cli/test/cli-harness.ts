import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliSource = join(repoRoot, 'apps', 'cli', 'src', 'bin.ts');
export const demoProject = join(repoRoot, 'examples', 'demo-project');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A sandboxed home for one test: HOME, XDG config/state, a workspace copied from the demo project. */
export interface TestHome {
  root: string;
  home: string;
  workspace: string;
  sessionsDir: string;
  env: Record<string, string>;
  writeUserConfig(toml: string): string;
  writeProjectConfig(toml: string): string;
  cleanup(): void;
}

export function createTestHome(options: { copyDemo?: boolean } = {}): TestHome {
  const root = mkdtempSync(join(tmpdir(), 'vtcode-cli-test-'));
  const home = join(root, 'home');
  const workspace = join(root, 'workspace');
  mkdirSync(home, { recursive: true });
  if (options.copyDemo ?? true) cpSync(demoProject, workspace, { recursive: true });
  else mkdirSync(workspace, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    NO_COLOR: '1',
  };
  return {
    root,
    home,
    workspace,
    sessionsDir: join(home, '.local', 'state', 'vtcode', 'sessions'),
    env,
    writeUserConfig(toml) {
      const path = join(env.XDG_CONFIG_HOME as string, 'vtcode', 'vtcode.toml');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, toml);
      return path;
    },
    writeProjectConfig(toml) {
      const path = join(workspace, '.vtcode', 'vtcode.toml');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, toml);
      return path;
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A user config pointing `fake/<model>` (and optional fallbacks) at fake servers. */
export function fakeProviderConfig(servers: Array<{ id: string; baseURL: string }>, extra = ''): string {
  const [primary, ...rest] = servers;
  const lines = [
    `model = "${primary?.id}/test-model"`,
    rest.length ? `fallbacks = [${rest.map((server) => `"${server.id}/test-model"`).join(', ')}]` : '',
    extra,
  ];
  for (const server of servers) {
    lines.push(
      '',
      `[providers.${server.id}]`,
      'kind = "openai-compatible"',
      `base_url = "${server.baseURL}"`,
      'api_key = "test-key"',
    );
  }
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}

/** Starts the real CLI (from source, Node strips the types) as a child process. */
export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string },
): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@vtcode/source', '--no-warnings', cliSource, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return child;
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => {
    stdout += data.toString();
  });
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string },
): Promise<CliResult> {
  return collect(spawnCli(args, options));
}

/** Parses `--json` output: one AgentEvent per line. */
export function parseEvents(stdout: string): Array<Record<string, unknown> & { type: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown> & { type: string });
}

/** The text of a wire message's `content` (a string, or an array of `{ type: 'text', text }` parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((part) => (part && typeof part === 'object' && 'text' in part ? String(part.text) : ''))
      .join('');
  return '';
}

/** Pids of live processes whose command line contains `marker` (read from /proc, so it sees into namespaces). */
export function processesMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(marker) && Number(entry) !== process.pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Polls `check` every 25 ms until it returns a value (not undefined or false); throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
