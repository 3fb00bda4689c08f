// `vtcode exec` end to end: the real CLI process against the local fake LLM server (OpenAI Chat Completions over SSE).
//
// Two scripted runs, each repeated in a fresh process:
//   - hello: one model turn that answers "Hello!";
//   - ten-step: ten model turns that each call the shell tool (`true`), then a final answer.
// Measured per run: time from spawning the process to the first model request reaching the server; for every step
// the gap from the model turn ending (the `assistant-message` event) to the next request — with the tool's own run
// time, and without it (engine overhead: tool finished → next request); wall time to exit; peak RSS (VmHWM, polled
// from /proc); and the size of the first request body (system prompt + tool schemas + the prompt).
// Uses the bundled `apps/cli/dist/vtcode.js` (what users run; `pnpm bench` builds first); falls back to the sources.
// Targets (issue 8): < 150 ms to first request, < 30 ms per step, < 100 MB peak, < 20 KB first request.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createFakeServer, type FakeResponse, type FakeServer } from '@vtcode/providers/testing';
import { type BenchReport, type BenchRow, type BenchSuite, type Stats, statsRow, summarize } from '../src/harness.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'apps', 'cli', 'dist', 'vtcode.js');
const source = join(root, 'apps', 'cli', 'src', 'bin.ts');
const HELLO_RUNS = 12;
const STEP_RUNS = 6;
const STEPS = 10;
/** A command line the policy's fast path does not read: the shell grammar (WebAssembly) loads for it. */
const GRAMMAR_COMMAND = 'echo $(true)';

interface RunMeasurement {
  firstRequestMs: number;
  wallMs: number;
  peakRssMb: number;
  firstRequestBytes: number;
  /** Per step: model turn ended → next request (ms), and tool finished → next request (ms). */
  turnGaps: number[];
  engineGaps: number[];
  /** Per step: model turn ended → the tool call started (policy check, approval, events). */
  startGaps: number[];
  /** Run time of each shell tool call as the engine measured it (sandbox start, the command, audit records). */
  toolMs: number[];
}

function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The floor: a bare Node process that sends one POST to the fake server (no CLI at all). */
async function runFloor(server: FakeServer): Promise<number> {
  server.reset();
  server.enqueue({ content: [{ type: 'text', text: 'Hello!' }] });
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `fetch(${JSON.stringify(`${server.openaiBaseURL}/chat/completions`)}, { method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } }).then((r) => r.text())`,
    ],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => child.on('exit', resolve));
  return (server.requests[0]?.receivedAt ?? Number.NaN) - started;
}

async function runOnce(
  server: FakeServer,
  script: FakeResponse[],
  workspace: string,
  env: Record<string, string>,
): Promise<RunMeasurement> {
  server.reset();
  server.enqueue(...script);
  const args = existsSync(dist) ? [dist] : ['--conditions=@vtcode/source', '--no-warnings', source];
  const started = performance.now();
  const child = spawn(process.execPath, [...args, 'exec', '--json', '--approval', 'full-auto', 'bench'], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const poll = setInterval(() => {
    if (child.pid) peak = Math.max(peak, peakRss(child.pid) ?? 0);
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  clearInterval(poll);
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`vtcode exec exited ${code}: ${stderr}`);
  const events = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; time: string; turn?: number; durationMs?: number });
  const requests = server.requests;
  const epoch = (time: number) => performance.timeOrigin + time;
  const turnGaps: number[] = [];
  const engineGaps: number[] = [];
  const startGaps: number[] = [];
  for (let index = 0; index + 1 < requests.length; index++) {
    const turn = index + 1;
    const ended = events.find((event) => event.type === 'assistant-message' && event.turn === turn);
    const toolDone = events.filter((event) => event.type === 'tool-call-finished' && event.turn === turn).at(-1);
    const next = epoch((requests[index + 1] as { receivedAt: number }).receivedAt);
    if (ended) turnGaps.push(next - Date.parse(ended.time));
    const toolStart = events.find((event) => event.type === 'tool-call-started' && event.turn === turn);
    if (ended && toolStart) startGaps.push(Date.parse(toolStart.time) - Date.parse(ended.time));
    if (toolDone) engineGaps.push(next - Date.parse(toolDone.time));
  }
  return {
    firstRequestMs: (requests[0]?.receivedAt ?? Number.NaN) - started,
    wallMs,
    peakRssMb: peak,
    firstRequestBytes: Buffer.byteLength(requests[0]?.rawBody ?? ''),
    turnGaps,
    engineGaps,
    startGaps,
    toolMs: events.filter((event) => event.type === 'tool-call-finished').map((event) => event.durationMs ?? 0),
  };
}

function setup(server: FakeServer): { workspace: string; env: Record<string, string>; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), 'vtcode-bench-exec-'));
  const home = join(base, 'home');
  const workspace = join(base, 'workspace');
  cpSync(join(root, 'examples', 'demo-project'), workspace, { recursive: true });
  const configDir = join(home, '.config', 'vtcode');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, 'vtcode.toml'),
    `model = "fake/bench-model"\n[providers.fake]\nkind = "openai-compatible"\nbase_url = "${server.openaiBaseURL}"\napi_key = "bench"\n`,
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    NO_COLOR: '1',
  };
  return { workspace, env, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

const helloScript = (): FakeResponse[] => [
  { content: [{ type: 'text', text: 'Hello!' }], usage: { inputTokens: 3000, outputTokens: 3 } },
];
const stepScript = (command = 'true'): FakeResponse[] => [
  ...Array.from(
    { length: STEPS },
    (_, index): FakeResponse => ({
      content: [{ type: 'tool-call', id: `call_${index}`, name: 'shell', arguments: { command } }],
      usage: { inputTokens: 3000 + index * 100, outputTokens: 10 },
    }),
  ),
  { content: [{ type: 'text', text: 'Done.' }], usage: { inputTokens: 4100, outputTokens: 2 } },
];

function row(label: string, stats: Stats, unit: string, target?: { text: string; limit: number }): BenchRow {
  return statsRow(label, stats, unit, target ? { target: target.text, pass: stats.median < target.limit } : {});
}

const suite: BenchSuite = {
  name: 'exec',
  description:
    '`vtcode exec` end to end against the local fake LLM server: a one-turn hello and a ten-step run of shell tool calls, each in a fresh process.',
  async run(): Promise<BenchReport> {
    const server = await createFakeServer();
    const { workspace, env, cleanup } = setup(server);
    try {
      // Warm the file cache and the JIT's compile caches once.
      await runOnce(server, helloScript(), workspace, env);
      const hello: RunMeasurement[] = [];
      const floor: number[] = [];
      const ratios: number[] = [];
      for (let index = 0; index < HELLO_RUNS; index++) {
        // Alternate with the floor so that a noisy neighbour slows both alike.
        const bare = await runFloor(server);
        const run = await runOnce(server, helloScript(), workspace, env);
        floor.push(bare);
        hello.push(run);
        ratios.push(run.firstRequestMs / bare);
      }
      const steps: RunMeasurement[] = [];
      for (let index = 0; index < STEP_RUNS; index++) steps.push(await runOnce(server, stepScript(), workspace, env));
      // The same with a command line that is not plain (a command substitution): the bash grammar has to load.
      const grammarSteps: RunMeasurement[] = [];
      for (let index = 0; index < STEP_RUNS; index++)
        grammarSteps.push(await runOnce(server, stepScript(GRAMMAR_COMMAND), workspace, env));
      const pick = (runs: RunMeasurement[], key: 'firstRequestMs' | 'wallMs' | 'peakRssMb' | 'firstRequestBytes') =>
        summarize(runs.map((run) => run[key]));
      const stepMeans = summarize(
        steps.map((run) => run.turnGaps.reduce((sum, gap) => sum + gap, 0) / run.turnGaps.length),
      );
      const grammarStepMeans = summarize(
        grammarSteps.map((run) => run.turnGaps.reduce((sum, gap) => sum + gap, 0) / run.turnGaps.length),
      );
      const engineMeans = summarize(
        steps.map((run) => run.engineGaps.reduce((sum, gap) => sum + gap, 0) / run.engineGaps.length),
      );
      const rows: BenchRow[] = [
        row('floor: a bare `node -e fetch(…)`, start → its request', summarize(floor), 'ms'),
        {
          ...row('hello: process start → first model request', pick(hello, 'firstRequestMs'), 'ms', {
            text: '< 150 ms',
            limit: 150,
          }),
          ratio: summarize(ratios).median,
        },
        row('hello: wall time', pick(hello, 'wallMs'), 'ms'),
        row('hello: peak RSS', pick(hello, 'peakRssMb'), 'MB', { text: '< 100 MB', limit: 100 }),
        row(
          'first request size (system prompt + tool schemas)',
          summarize(hello.map((run) => run.firstRequestBytes / 1024)),
          'KB',
          {
            text: '< 20 KB',
            limit: 20,
          },
        ),
        row('ten-step: process start → first model request', pick(steps, 'firstRequestMs'), 'ms', {
          text: '< 150 ms',
          limit: 150,
        }),
        row('ten-step: mean gap, model turn end → next request (incl. the shell tool)', stepMeans, 'ms', {
          text: '< 30 ms',
          limit: 30,
        }),
        row('ten-step: mean engine overhead, tool finished → next request', engineMeans, 'ms'),
        row('ten-step: model turn end → tool call started', summarize(steps.flatMap((run) => run.startGaps)), 'ms'),
        row(
          'ten-step: shell tool run time (`true` in the OS sandbox, audited)',
          summarize(steps.flatMap((run) => run.toolMs)),
          'ms',
        ),
        row('ten-step: wall time', pick(steps, 'wallMs'), 'ms'),
        row('ten-step: peak RSS', pick(steps, 'peakRssMb'), 'MB', { text: '< 100 MB', limit: 100 }),
        row(
          `ten-step of \`${GRAMMAR_COMMAND}\` (loads the bash grammar): mean gap, turn end → next request`,
          grammarStepMeans,
          'ms',
        ),
        row(`ten-step of \`${GRAMMAR_COMMAND}\`: peak RSS`, pick(grammarSteps, 'peakRssMb'), 'MB'),
      ];
      return {
        name: 'exec',
        description: suite.description,
        rows,
        notes: [
          `CLI: ${existsSync(dist) ? 'apps/cli/dist/vtcode.js (bundled)' : 'apps/cli/src (sources, not bundled: run `pnpm bench` to build)'}; ${HELLO_RUNS} hello runs and ${STEP_RUNS} ten-step runs, each a fresh process, after one warm-up run.`,
          'Shell tool calls run `true` through @vtcode/sandbox (policy check, OS sandbox backend, audit) with approval mode full-auto. Plain command lines like `true` are judged without the bash grammar; the last two rows run a line that needs it.',
          "No V8 flags: setting them at run time makes V8 reject Node's built-in code cache (+33 ms to the first request); with `--no-wasm-tier-up --semi-space-growth-factor=1` the ten-step peak is about 90 MB instead of 115 MB.",
          'The ratio column of the hello row is the median per-round ratio to the floor row (a bare Node process that sends one request), measured alternately: it is the steadier figure on a loaded machine.',
          'Peak RSS is VmHWM of the CLI process, polled every 5 ms from /proc (child processes not included).',
          'Reference (issue 8, same scripted model): Codex CLI 222 ms / 74 ms per step / 152 MB / 54 KB; Claude Code 610 ms / 61 ms / 264 MB / 49 KB; Gemini CLI 2.7 s / 57 ms / 778 MB / 47 KB.',
        ],
      };
    } finally {
      cleanup();
      await server.close();
    }
  },
};

export default suite;
