import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from '@vtcode/core';
import { EXIT } from '../exit-codes.ts';
import { describeStatus, type LocalServerStatus, probeLocalServers } from '../models/local-servers.ts';
import { KNOWN_PROVIDERS, pickModelId, splitModelId } from '../models/provider-setup.ts';
import type { CommandIO } from './command-io.ts';

function which(program: string, args = ['--version']): string | undefined {
  const result = spawnSync(program, args, { encoding: 'utf8', timeout: 3_000 });
  if (result.error || result.status !== 0) return undefined;
  return (result.stdout || result.stderr).split('\n')[0]?.trim();
}

/** `vtcode doctor`: providers and keys, sandbox backends, rg and ast-grep, Node. */
export async function runDoctor(_args: string[], io: CommandIO): Promise<number> {
  const ok = (text: string) => (io.color ? `\u001b[32m✓\u001b[0m ${text}` : `ok   ${text}`);
  const bad = (text: string) => (io.color ? `\u001b[33m✗\u001b[0m ${text}` : `no   ${text}`);
  let problems = 0;
  io.stdout('vtcode doctor\n\nRuntime\n');
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const nodeOk = major > 22 || (major === 22 && minor >= 12);
  io.stdout(`  ${nodeOk ? ok(`Node ${process.version}`) : bad(`Node ${process.version} (need >= 22.12)`)}\n`);
  if (!nodeOk) problems++;

  io.stdout('\nProviders\n');
  try {
    const { config } = loadConfig({ cwd: io.cwd, env: io.env });
    // Local servers (Ollama, LM Studio) are asked whether they answer: in parallel, ~300 ms at most.
    const probes = probeLocalServers(config, io.env);
    const primary = pickModelId(config, io.env);
    io.stdout(`  model: ${primary ?? '(none configured — run `vtcode exec` for set-up help, or `vtcode demo`)'}\n`);
    if (config.fallbacks.length) io.stdout(`  fallbacks: ${config.fallbacks.join(', ')}\n`);
    const used = [primary, ...config.fallbacks].filter((id): id is string => Boolean(id?.includes('/')));
    const local = new Map((await probes).map((status) => [status.provider as string, status]));
    for (const [name, known] of Object.entries(KNOWN_PROVIDERS)) {
      const configured = config.providers[name];
      const keyEnvs = configured?.api_key_env ? [configured.api_key_env] : known.keyEnvs;
      const status = local.get(name);
      if (known.local && status) {
        const token = keyEnvs.find((variable) => io.env[variable]);
        const key = configured?.api_key ? 'api_key is set in vtcode.toml' : token ? `${token} is set` : 'no key needed';
        const line = `${known.label}: ${key} (${status.baseURL}) — ${describeStatus(status)}`;
        io.stdout(`  ${status.running ? ok(line) : bad(line)}\n`);
        const models = used.filter((id) => splitModelId(id).provider === name).map((id) => splitModelId(id).model);
        if (name === 'ollama' && (status.running || models.length > 0)) {
          io.stdout(
            '       note: Ollama cuts a prompt longer than its context window without an error, and its default window is\n' +
              '       a few thousand tokens: for an agent, start it with OLLAMA_CONTEXT_LENGTH=32768 (or more)\n',
          );
        }
        for (const model of models) {
          const problem = localModelProblem(status, model);
          if (!problem) continue;
          if (problem.blocking) problems++;
          io.stdout(`       ${problem.text}\n`);
        }
        continue;
      }
      if (keyEnvs.length === 0) {
        io.stdout(`  ${ok(`${known.label}: no key needed (${configured?.base_url ?? known.baseURL})`)}\n`);
        continue;
      }
      const setVariable = keyEnvs.find((variable) => io.env[variable]);
      if (configured?.api_key || setVariable)
        io.stdout(
          `  ${ok(`${known.label}: ${setVariable ? `${setVariable} is set` : 'api_key is set in vtcode.toml'}`)}\n`,
        );
      else io.stdout(`  ${bad(`${known.label}: ${keyEnvs.join(' or ')} is not set`)}\n`);
    }
    for (const [name, provider] of Object.entries(config.providers)) {
      if (KNOWN_PROVIDERS[name]) continue;
      const set = Boolean(
        provider.api_key || (provider.api_key_env && io.env[provider.api_key_env]) || !provider.api_key_env,
      );
      io.stdout(
        `  ${set ? ok(`${provider.display_name ?? name} (custom, ${provider.base_url ?? 'no base_url!'})`) : bad(`${name}: ${provider.api_key_env} is not set`)}\n`,
      );
    }
  } catch (error) {
    problems++;
    io.stdout(`  ${bad(ConfigError.isInstance(error) ? error.message : (error as Error).message)}\n`);
  }

  io.stdout('\nSandbox\n');
  const sandbox = await sandboxReport();
  for (const line of sandbox) io.stdout(`  ${line.ok ? ok(line.text) : bad(line.text)}\n`);
  if (!sandbox.some((line) => line.ok)) {
    problems++;
    io.stdout('  no OS sandbox can be enforced here: commands will be refused (fail closed) until one is\n');
  }

  io.stdout('\nSearch tools\n');
  const rg = await ripgrepVersion();
  io.stdout(`  ${rg ? ok(`ripgrep: ${rg}`) : bad('ripgrep (rg) not found')}\n`);
  const astGrep = await astGrepStatus();
  io.stdout(`  ${astGrep ? ok(`ast-grep: ${astGrep}`) : bad('ast-grep (@ast-grep/napi) not loadable')}\n`);
  io.stdout(`\n${problems === 0 ? 'no blocking problems found' : `${problems} problem(s) found`}\n`);
  return problems === 0 ? EXIT.success : EXIT.configError;
}

/** Whether a configured model of a local server can run there: the server answers and has the model. */
function localModelProblem(status: LocalServerStatus, model: string): { text: string; blocking: boolean } | undefined {
  const id = `${status.provider}/${model}`;
  if (!status.running) return { text: `${id} is configured, but ${status.label} does not answer`, blocking: true };
  const has =
    status.provider === 'ollama'
      ? status.models.some((name) => name === model || name === `${model}:latest`)
      : status.models.includes(model);
  if (has) return undefined;
  if (status.provider === 'ollama')
    return { text: `${id} is configured, but Ollama does not have it: ollama pull ${model}`, blocking: true };
  // LM Studio lists the loaded models (all downloaded ones with just-in-time loading), and answers any id while
  // exactly one model is loaded: a missing id is worth a word, not a failure.
  return {
    text: `${id} is configured, but LM Studio does not list it (\`lms ls\` shows what you have; \`lms load ${model}\`)`,
    blocking: false,
  };
}

async function sandboxReport(): Promise<Array<{ ok: boolean; text: string }>> {
  try {
    const { detectBackends } = await import('@vtcode/sandbox');
    return detectBackends()
      .filter((status) => status.backend !== 'none')
      .map((status) => ({
        ok: status.available,
        text: `${status.backend}: ${status.reason}${!status.available && status.fix ? ` (fix: ${status.fix})` : ''}`,
      }));
  } catch (error) {
    return [{ ok: false, text: `cannot probe the sandbox backends: ${(error as Error).message}` }];
  }
}

async function ripgrepVersion(): Promise<string | undefined> {
  try {
    const { rgPath } = await import('@vtcode/tools');
    const version = which(rgPath);
    if (version) return `${version} (${rgPath})`;
  } catch {}
  return which('rg');
}

async function astGrepStatus(): Promise<string | undefined> {
  try {
    const napi = (await import('@ast-grep/napi')) as { parse?: unknown };
    return typeof napi.parse === 'function' ? '@ast-grep/napi loads' : undefined;
  } catch {
    return undefined;
  }
}
