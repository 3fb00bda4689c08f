import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  Agent,
  type AgentEvent,
  buildSystemPrompt,
  ConfigError,
  ConversationState,
  CoreError,
  compareReplay,
  createHeadlessApprover,
  createReplayModel,
  createToolRegistry,
  defaultSessionsDir,
  type EventSink,
  loadConfig,
  loadRecording,
  ModelSetupError,
  readAgentsMd,
  recordedToolResults,
  SessionStore,
  type SessionWriter,
  toToolDefinitions,
} from '@vtcode/core';
import type { LanguageModel } from '@vtcode/providers';
import { EXIT } from '../exit-codes.ts';
import { createProgressRenderer } from '../render/progress-renderer.ts';
import { buildTools } from '../tools/build-tools.ts';

export interface ExecOptions {
  prompt: string;
  cwd: string;
  json: boolean;
  model?: string;
  provider?: string;
  approval?: string;
  sandbox?: string;
  resume?: string;
  atif?: string;
  /** Replay a recorded session (.jsonl) or ATIF trajectory (.json) instead of calling a provider. */
  replay?: string;
  replayDelayMs?: number;
  maxTurns?: number;
  verbose?: boolean;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
  signal: AbortSignal;
  /** Override the sessions directory (demo). */
  sessionsDir?: string;
  /** Print how to resume the session (default true). */
  resumeHint?: boolean;
  /** Print the final answer on stdout after the progress (default true). */
  printFinal?: boolean;
}

/** `vtcode exec`: one headless run. Returns the exit code. */
export async function runExec(options: ExecOptions): Promise<number> {
  const cwd = resolve(options.cwd);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
    options.stderr(`vtcode: --cwd ${cwd} is not a directory\n`);
    return EXIT.configError;
  }
  const flags: Record<string, unknown> = {};
  if (options.model)
    flags.model =
      options.provider && !options.model.includes('/') ? `${options.provider}/${options.model}` : options.model;
  else if (options.provider) flags.model = undefined;
  if (options.approval) flags.approval = options.approval;
  if (options.sandbox) flags.sandbox = options.sandbox;
  if (options.maxTurns) flags.agent = { max_turns: options.maxTurns };
  if (options.sessionsDir) flags.sessions = { dir: options.sessionsDir };
  for (const key of Object.keys(flags)) if (flags[key] === undefined) delete flags[key];

  let effective: ReturnType<typeof loadConfig>;
  try {
    effective = loadConfig({ cwd, env: options.env, flags });
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      options.stderr(`vtcode: ${error.message}\n`);
      return EXIT.configError;
    }
    throw error;
  }
  const config = effective.config;
  if (options.provider && !options.model && !config.model?.startsWith(`${options.provider}/`)) {
    // `--provider X` alone: X's usual model (a custom provider needs --model).
    const { KNOWN_PROVIDERS } = await import('../models/provider-setup.ts');
    const defaultModel = KNOWN_PROVIDERS[options.provider]?.defaultModel;
    if (!defaultModel) {
      options.stderr(
        `vtcode: --provider ${options.provider} needs --model <name> (no default model is known for it)\n`,
      );
      return EXIT.configError;
    }
    config.model = `${options.provider}/${defaultModel}`;
  }

  const store = new SessionStore({
    dir: config.sessions.dir ?? defaultSessionsDir(options.env),
    fsync: config.sessions.fsync,
  });
  let state: ConversationState | undefined;
  let resumeId: string | undefined;
  if (options.resume) {
    try {
      resumeId = store.resolve(options.resume);
      const log = store.read(resumeId);
      state = ConversationState.fromEvents(log.events);
      if (log.meta.cwd !== cwd) {
        options.stderr(
          `vtcode: session ${resumeId} was recorded in ${log.meta.cwd}; continuing it in ${cwd} (use --cwd to choose)\n`,
        );
      }
      if (log.tornLastLine)
        options.stderr(`vtcode: the last line of session ${resumeId} was cut off by a crash; it is skipped\n`);
    } catch (error) {
      options.stderr(`vtcode: ${(error as Error).message}\n`);
      return EXIT.configError;
    }
  }

  // Router events (retries, failovers) arrive while the agent streams; they join its event stream.
  let agentRef: Agent | undefined;
  const onProviderEvent = (kind: string, message: string, details?: Record<string, unknown>) =>
    agentRef?.reportProviderEvent(kind, message, details);

  // The tools (and the sandbox's parser, the skills catalogue) load while the model is set up.
  const toolsReady = buildTools(config, cwd, options.env);
  toolsReady.catch(() => undefined);
  let model: LanguageModel;
  let replayOf: string | undefined;
  try {
    if (options.replay) {
      const recording = loadRecording(resolve(options.replay));
      replayOf = options.replay;
      model = createReplayModel({
        turns: recording.turns,
        source: options.replay,
        ...(recording.recordedModel ? { recordedModel: recording.recordedModel } : {}),
        ...(options.replayDelayMs ? { deltaDelayMs: options.replayDelayMs } : {}),
      });
    } else {
      const { createRunModel } = await import('../models/provider-setup.ts');
      model = await createRunModel(config, options.env, { onProviderEvent });
    }
  } catch (error) {
    if (ModelSetupError.isInstance(error)) {
      options.stderr(`vtcode: ${error.message}\n`);
      return error.reason === 'missing-key' ? EXIT.authError : EXIT.configError;
    }
    if (CoreError.isInstance(error)) {
      options.stderr(`vtcode: ${error.message}\n`);
      return EXIT.configError;
    }
    throw error;
  }

  let tools: Awaited<typeof toolsReady>;
  try {
    tools = await toolsReady;
  } catch (error) {
    options.stderr(`vtcode: the tools could not be set up: ${(error as Error).message}\n`);
    return CoreError.isInstance(error) || (error as { code?: string }).code?.startsWith('VTCODE_')
      ? EXIT.configError
      : EXIT.agentFailure;
  }
  const registry = createToolRegistry(tools.tools, config.tools.disabled);
  const systemPrompt = buildSystemPrompt({
    cwd,
    toolNames: registry.list().map((tool) => tool.name),
    approvalMode: config.approval,
    sandboxMode: config.sandbox,
    ...(replayOf ? { replayNote: `This run replays the model turns recorded in ${replayOf}.` } : {}),
    ...withAgentsMd(cwd, config.context.agents_md_max_chars),
    ...(tools.skillsCatalog ? { skillsCatalog: tools.skillsCatalog } : {}),
  });

  let writer: SessionWriter;
  try {
    writer = resumeId
      ? store.openForAppend(resumeId)
      : store.create({ cwd, provider: model.provider, modelId: model.modelId });
  } catch (error) {
    options.stderr(`vtcode: cannot write the session log in ${store.dir}: ${(error as Error).message}\n`);
    return EXIT.configError;
  }

  const sinks: EventSink[] = [{ write: (event) => writer.append(event) }];
  const render = options.json
    ? undefined
    : createProgressRenderer({ write: options.stderr, color: options.color, verbose: options.verbose ?? false });
  const onEvent = (event: AgentEvent) => {
    if (options.json) options.stdout(`${JSON.stringify(event)}\n`);
    else render?.(event);
  };
  const agent = new Agent({
    model,
    tools: registry,
    approver: createHeadlessApprover(),
    config,
    cwd,
    systemPrompt,
    sessionId: writer.sessionId,
    ...(state ? { state } : {}),
    sinks,
    onEvent,
    ...(tools.evaluateCommand ? { evaluateCommand: tools.evaluateCommand } : {}),
    ...(replayOf ? { replayOf } : {}),
    // [skills] pre_approve: a loaded skill's allowed-tools pre-approve the calls they match (default true).
    skillPreApprovals: config.skills.pre_approve,
    setupWarnings: [...effective.warnings, ...tools.warnings],
    // A tool call has begun streaming (the request is long out): load the tools while its arguments arrive.
    onModelEvent: (event) => {
      if (event.type === 'tool-call-start') tools.warm();
    },
  });
  agentRef = agent;
  const runEvents: AgentEvent[] = [];
  if (replayOf) sinks.push({ write: (event) => runEvents.push(event) });
  const result = await agent.run(options.prompt, { signal: options.signal });
  if (replayOf && options.replay) {
    try {
      const comparison = compareReplay(recordedToolResults(resolve(options.replay)), runEvents);
      if (comparison.compared > 0) {
        const same = comparison.compared - comparison.differences.length;
        options.stderr(`replay check: ${same} of ${comparison.compared} tool results have the recorded status\n`);
        for (const difference of comparison.differences) {
          options.stderr(
            `  ${difference.toolCallId} ${difference.toolName}: recorded ${difference.recorded}, now ${difference.replayed}\n`,
          );
        }
      }
    } catch {
      // a recording without tool results: nothing to compare
    }
  }
  writer.close();
  await tools.dispose();

  if (options.atif) {
    try {
      const { exportSessionTrajectory } = await import('../trajectory/export-trajectory.ts');
      const written = await exportSessionTrajectory(writer.path, resolve(options.atif), {
        replayOf,
        systemPrompt,
        tools: toToolDefinitions(registry),
      });
      if (!options.json) options.stderr(`trajectory written to ${written}\n`);
    } catch (error) {
      options.stderr(`vtcode: could not write the ATIF trajectory: ${(error as Error).message}\n`);
      if (result.status === 'completed') return EXIT.agentFailure;
    }
  }
  if (!options.json && options.printFinal !== false && result.finalMessage)
    options.stdout(`${result.finalMessage.trimEnd()}\n`);
  if (!options.json && options.resumeHint !== false) {
    options.stderr(`session ${result.sessionId} (resume with: vtcode exec --resume ${result.sessionId} "…")\n`);
  }
  switch (result.status) {
    case 'completed':
      return EXIT.success;
    case 'cancelled':
      return EXIT.cancelled;
    default:
      return result.error?.kind === 'auth' || result.error?.kind === 'quota' ? EXIT.authError : EXIT.agentFailure;
  }
}

function withAgentsMd(cwd: string, max: number) {
  const agentsMd = readAgentsMd(cwd, max);
  return agentsMd ? { agentsMd } : {};
}

/** Reads the prompt from stdin when it is not a terminal. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function readPromptFile(path: string): string {
  return readFileSync(path, 'utf8');
}
