import { basename, dirname } from 'node:path';
import { SandboxError } from '../errors/sandbox-error.ts';
import { parsePolicy } from '../policy/load-policy.ts';
import type { ApprovalMode, Decision, SandboxPolicy } from '../policy/policy.ts';
import { checkAssignment, VALIDATORS } from './command-validators.ts';
import {
  builtinRule,
  type CommandJudgement,
  type CommandLevel,
  type EvaluationRule,
  Judge,
  type JudgeServices,
} from './judge.ts';
import { PathScope } from './path-scope.ts';
import {
  isParserNotLoadedError,
  isShellParserLoaded,
  loadShellParser,
  type ParsedCommandLine,
  parseCommandLineSync,
  type ShellWord,
  type SimpleCommand,
} from './shell-parser.ts';

/** A rule stored by "approve and remember": an exact, normalised argv (or an argv prefix) that is allowed. */
export interface RememberedRule {
  prefix: string[];
  /** The rule covers exactly this argv (true) or every argv starting with it (false). */
  exact: boolean;
  decision: 'allow';
  /** ISO time it was stored. */
  createdAt?: string;
}

export interface EvaluateOptions {
  /** Directory the command runs in. Default: the first workspace root. */
  cwd?: string;
  /** Directory relative policy paths resolve against. Default: `cwd`, else the process working directory. */
  baseDirectory?: string;
  /** Rules from "approve and remember" (see `ApprovalMemory`). */
  remembered?: readonly RememberedRule[];
}

/** The outcome of `evaluate()`: the decision, why, and which rule decided — for the user, the model and the audit. */
export interface CommandEvaluation {
  commandLine: string;
  decision: Decision;
  /** One sentence a person (or the model) can read. */
  reason: string;
  rule: EvaluationRule;
  /** The policy's verdict before the approval mode was applied. */
  level: CommandLevel;
  approvalMode: ApprovalMode;
  /** Every simple command judged, including those run by wrappers, `bash -c`, `find -exec` and `$(…)`. */
  commands: CommandJudgement[];
}

interface ActiveRule {
  prefix: string[];
  decision: Decision;
  reason?: string;
  rule: EvaluationRule;
  exact: boolean;
}

const SYSTEM_BIN_DIRECTORIES = new Set([
  '/bin',
  '/usr/bin',
  '/usr/local/bin',
  '/sbin',
  '/usr/sbin',
  '/usr/local/sbin',
  '/opt/homebrew/bin',
]);
const OUTPUT_REDIRECTS = new Set(['>', '>>', '&>', '&>>', '>|', '<>', '>&']);
const MAX_DEPTH = 8;

/** `python3.12` → `python`, `pip3` → `pip`, `/usr/bin/git` → `git`. */
export function normaliseProgramName(program: string): string {
  const name = basename(program);
  const versioned = /^(python|pip|pypy|node|ruby|perl)[0-9.]*$/.exec(name);
  return versioned?.[1] ?? name;
}

/** The normalised form of an argv used by remembered rules: the program by its name, the arguments as they are. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const [program, ...rest] = argv;
  if (program === undefined) return [];
  const local = program.includes('/') && !SYSTEM_BIN_DIRECTORIES.has(dirname(program));
  return [local ? program : basename(program), ...rest];
}

function quote(argv: readonly string[]): string {
  const text = argv.join(' ');
  return `"${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`;
}

const LEVEL_ORDER: Record<CommandLevel, number> = { safe: 0, unknown: 1, ask: 2, deny: 4 };
function severity(judgement: { level: CommandLevel; hard: boolean }): number {
  return LEVEL_ORDER[judgement.level] + (judgement.level === 'ask' && judgement.hard ? 1 : 0);
}

class Evaluator implements JudgeServices {
  readonly policy: SandboxPolicy;
  scope: PathScope;
  readonly judgements: CommandJudgement[] = [];
  private readonly rules: ActiveRule[];
  private depth = 0;
  private nested = false;
  private current: Judge | undefined;

  constructor(policy: SandboxPolicy, scope: PathScope, remembered: readonly RememberedRule[]) {
    this.policy = policy;
    this.scope = scope;
    this.rules = [
      ...policy.commands.rules.map((rule, index) => ({
        prefix: rule.prefix,
        decision: rule.decision,
        reason: rule.reason,
        rule: { id: `policy:commands.rules[${index}]`, source: 'policy' as const, prefix: rule.prefix },
        exact: false,
      })),
      ...remembered.map((rule, index) => ({
        prefix: rule.prefix,
        decision: rule.decision,
        rule: { id: `remembered:${index}`, source: 'remembered' as const, prefix: rule.prefix },
        exact: rule.exact,
      })),
    ];
  }

  line(parsed: ParsedCommandLine): void {
    for (const command of parsed.commands) this.simpleCommand(command);
  }

  private simpleCommand(command: SimpleCommand): void {
    const program = command.argv[0];
    // Standard input carries content when piped, redirected from a file or given as a here-document / here-string.
    const stdinHasContent =
      command.stdinFromPipe ||
      command.redirects.some(
        (redirect) => ['<', '<<', '<<<', '<<-'].includes(redirect.operator) && (redirect.fd ?? 0) === 0,
      );
    const judge = new Judge(this, program ? normaliseProgramName(program.value) : 'the shell', {
      stdinFromPipe: stdinHasContent,
    });
    for (const assignment of command.assignments) checkAssignment(assignment.name, judge);
    for (const redirect of command.redirects) {
      const target = redirect.target;
      if (!target || /^[<>]\(/.test(target.text)) continue;
      if (redirect.operator === '<') judge.read(target, 'reads input from');
      else if (OUTPUT_REDIRECTS.has(redirect.operator)) {
        if ((redirect.operator === '>&' || redirect.operator === '<&') && /^(\d+-?|-)$/.test(target.value)) continue;
        judge.write(target, 'redirects output to');
      } else if (redirect.operator === '<&' && !/^(\d+-?|-)$/.test(target.value))
        judge.read(target, 'reads input from');
    }
    if (command.argv.length === 0 || command.declaration) {
      judge.markReadOnly();
      this.push(judge, command.argv, undefined);
      return;
    }
    this.nested = command.inSubstitution;
    this.judgeArgv(command.argv, judge);
    this.nested = false;
    if (!command.inSubstitution) this.followDirectoryChange(command.argv);
  }

  /** `cd dir && cmd`: later relative paths resolve against the new directory (unknown → outside everything). */
  private followDirectoryChange(argv: readonly ShellWord[]): void {
    const name = argv[0]?.value;
    if (name !== 'cd' && name !== 'pushd' && name !== 'popd') return;
    const target = argv.slice(1).find((word) => !word.value.startsWith('-'));
    let cwd: string;
    if (
      name === 'popd' ||
      !target ||
      target.value === '-' ||
      (target.dynamic && !/^(\$\{?HOME\}?|~)(\/|$)/.test(target.value))
    ) {
      cwd = name === 'cd' && !target ? this.scope.resolve('~') : '/\0unknown-directory';
    } else cwd = this.scope.resolve(target.value);
    this.scope = this.scope.withCwd(cwd);
  }

  private matchRules(argv: readonly ShellWord[]): { strictest?: ActiveRule; exactAllow?: ActiveRule } {
    let strictest: ActiveRule | undefined;
    let exactAllow: ActiveRule | undefined;
    const rank: Record<Decision, number> = { allow: 0, ask: 1, deny: 2 };
    for (const rule of this.rules) {
      const match = prefixMatch(rule, argv);
      if (!match) continue;
      if (rule.decision === 'allow' && match === 'exact') exactAllow ??= rule;
      if (!strictest || rank[rule.decision] > rank[strictest.decision]) strictest = rule;
    }
    return { strictest, exactAllow };
  }

  judgeArgv(argv: ShellWord[], judge: Judge): void {
    const program = argv[0] as ShellWord;
    const { strictest, exactAllow } = this.matchRules(argv);
    if (strictest?.decision === 'deny') {
      this.push(judge, argv, {
        level: 'deny',
        hard: true,
        reason: strictest.reason ?? `matches the deny rule "${strictest.prefix.join(' ')}"`,
        rule: strictest.rule,
      });
      return;
    }
    if (exactAllow && !judge.findings.some((finding) => finding.level === 'deny')) {
      const reason =
        exactAllow.reason ??
        (exactAllow.rule.source === 'remembered'
          ? 'approved before for this project ("approve and remember")'
          : `allowed by the rule "${exactAllow.prefix.join(' ')}"`);
      this.push(judge, argv, {
        level: 'safe',
        hard: false,
        reason,
        rule: exactAllow.rule,
      });
      return;
    }
    if (program.dynamic) {
      judge.ask(`the program ${program.text} depends on the environment`, 'dynamic-program', true);
    } else {
      const local = program.value.includes('/') && !SYSTEM_BIN_DIRECTORIES.has(dirname(program.value));
      const validator = local ? undefined : VALIDATORS[judge.program];
      if (local) judge.read(program, 'runs');
      const previous = this.current;
      this.current = judge;
      if (validator) validator(argv.slice(1), judge);
      else for (const argument of argv.slice(1)) judge.argument(argument);
      this.current = previous;
    }
    let override: Omit<CommandJudgement, 'argv' | 'nested' | 'literal'> | undefined;
    if (strictest?.decision === 'ask') {
      override = {
        level: 'ask',
        hard: true,
        reason: strictest.reason ?? `matches the ask rule "${strictest.prefix.join(' ')}"`,
        rule: strictest.rule,
      };
    }
    this.push(judge, argv, override, strictest?.decision === 'allow' ? strictest : undefined);
  }

  private push(
    judge: Judge,
    words: readonly ShellWord[],
    override: Omit<CommandJudgement, 'argv' | 'nested' | 'literal'> | undefined,
    allowRule?: ActiveRule,
  ): void {
    const nested = this.nested || this.depth > 0;
    const argv = words.map((word) => word.value);
    const literal = words.every((word) => !word.dynamic);
    const deny = judge.findings.find((finding) => finding.level === 'deny');
    if (deny) {
      this.judgements.push({ argv, literal, level: 'deny', hard: true, reason: deny.reason, rule: deny.rule, nested });
      return;
    }
    if (override) {
      this.judgements.push({ argv, literal, nested, ...override });
      return;
    }
    const asks = judge.findings.filter((finding) => finding.level === 'ask');
    if (asks.length > 0) {
      const first = asks.find((finding) => finding.hard) ?? (asks[0] as (typeof asks)[number]);
      const reason = asks.length > 1 ? `${first.reason} (and ${asks.length - 1} more)` : first.reason;
      this.judgements.push({ argv, literal, level: 'ask', hard: first.hard, reason, rule: first.rule, nested });
      return;
    }
    if (allowRule) {
      this.judgements.push({
        argv,
        literal,
        level: 'safe',
        hard: false,
        reason: allowRule.reason ?? `allowed by the rule "${allowRule.prefix.join(' ')}"`,
        rule: allowRule.rule,
        nested,
      });
      return;
    }
    const name = argv[0] ?? '';
    if (judge.wrapper) {
      this.judgements.push({
        argv,
        literal,
        level: 'safe',
        hard: false,
        reason: `${name} runs the command judged next`,
        rule: builtinRule('wrapper'),
        nested,
      });
      return;
    }
    const safe = judge.readOnly && !judge.writes && this.policy.commands.builtinSafeList && !judge.argsFromStdin;
    if (safe) {
      this.judgements.push({
        argv,
        literal,
        level: 'safe',
        hard: false,
        reason: argv.length === 0 ? 'no program runs' : `${quote(argv)} is read-only`,
        rule: builtinRule('safe-list'),
        nested,
      });
      return;
    }
    const why = judge.argsFromStdin
      ? `${name} gets arguments from standard input (xargs)`
      : judge.writes
        ? `${name} writes inside the workspace`
        : `${name} is not a known read-only command`;
    this.judgements.push({
      argv,
      literal,
      level: 'unknown',
      hard: false,
      reason: why,
      rule: builtinRule('not-on-safe-list'),
      nested,
    });
  }

  judgeInner(argv: ShellWord[], options: { argsFromStdin?: boolean; stdinFromPipe?: boolean }): void {
    if (argv.length === 0) return;
    const outer = this.current;
    if (this.depth >= MAX_DEPTH) {
      outer?.ask('commands are nested too deeply to judge', 'nesting-too-deep', true);
      return;
    }
    this.depth++;
    const program = argv[0] as ShellWord;
    const judge = new Judge(this, normaliseProgramName(program.value), options);
    this.judgeArgv(argv, judge);
    this.depth--;
  }

  judgeScript(script: ShellWord, origin: string): void {
    const outer = this.current;
    if (script.dynamic) {
      outer?.ask(`${origin} runs a script built from the environment: ${script.text}`, 'dynamic-script', true);
      return;
    }
    if (this.depth >= MAX_DEPTH) {
      outer?.ask('commands are nested too deeply to judge', 'nesting-too-deep', true);
      return;
    }
    const parsed = parseCommandLineSync(script.value);
    if (parsed.unsupported.length > 0) {
      outer?.ask(`${origin} runs a script that cannot be understood: ${parsed.unsupported[0]}`, 'unparseable', true);
      return;
    }
    if (parsed.functions.length > 0) {
      outer?.ask(`${origin} defines shell functions (${parsed.functions.join(', ')})`, 'shell-function', true);
    }
    this.depth++;
    const savedScope = this.scope;
    const savedCurrent = this.current;
    for (const command of parsed.commands) this.simpleCommand(command);
    this.scope = savedScope;
    this.current = savedCurrent;
    this.depth--;
  }
}

function prefixMatch(rule: ActiveRule, argv: readonly ShellWord[]): 'exact' | 'prefix' | null {
  const { prefix } = rule;
  if (prefix.length > argv.length) return null;
  for (let index = 0; index < prefix.length; index++) {
    const token = prefix[index] as string;
    const word = argv[index] as ShellWord;
    if (token === '*') continue;
    if (word.dynamic) {
      // An allow rule never vouches for a value it cannot see; a deny or ask rule assumes the worst.
      if (rule.decision === 'allow') return null;
      continue;
    }
    const value = index === 0 ? word.value : word.value;
    if (value === token) continue;
    if (index === 0 && !token.includes('/') && normaliseArgv([value])[0] === token) continue;
    return null;
  }
  if (rule.exact || prefix.length === argv.length) {
    return prefix.length === argv.length ? 'exact' : rule.exact ? null : 'prefix';
  }
  return 'prefix';
}

function literalWords(argv: readonly string[]): ShellWord[] {
  return argv.map((value) => ({ value, text: value, dynamic: false, glob: false }));
}

function applyApprovalMode(
  policy: SandboxPolicy,
  decisive: { level: CommandLevel; hard: boolean; reason: string; rule: EvaluationRule; argv: string[] },
): { decision: Decision; reason: string; rule: EvaluationRule } {
  const requested = policy.approval.mode;
  // Without an OS sandbox, "full-auto" has nothing to lean on: it behaves like "on-request".
  const mode: ApprovalMode = requested === 'full-auto' && policy.backend === 'none' ? 'on-request' : requested;
  const modeRule = (id: string): EvaluationRule => ({ id: `approval-mode:${id}`, source: 'approval-mode' });
  switch (decisive.level) {
    case 'deny':
      return { decision: 'deny', reason: decisive.reason, rule: decisive.rule };
    case 'safe':
      return { decision: 'allow', reason: decisive.reason, rule: decisive.rule };
    case 'unknown':
      if (mode === 'untrusted') {
        return {
          decision: 'ask',
          reason: `${decisive.reason}; approval mode "untrusted" asks for anything not known safe`,
          rule: modeRule('untrusted'),
        };
      }
      return { decision: 'allow', reason: `${decisive.reason}; it runs inside the sandbox`, rule: modeRule(mode) };
    case 'ask':
      if (mode === 'never') {
        return {
          decision: 'deny',
          reason: `${decisive.reason} (approval mode "never" denies what it would ask)`,
          rule: decisive.rule,
        };
      }
      if (mode === 'full-auto' && !decisive.hard) {
        return {
          decision: 'allow',
          reason: `${decisive.reason}; allowed in full-auto mode, inside the sandbox`,
          rule: modeRule('full-auto'),
        };
      }
      return { decision: 'ask', reason: decisive.reason, rule: decisive.rule };
  }
}

const scopes = new WeakMap<SandboxPolicy, Map<string, PathScope>>();

/** PathScopes are immutable; build one per (policy, cwd, base directory) and reuse it. */
let lastScope:
  | { policy: SandboxPolicy; cwd?: string; base?: string; processCwd?: string; scope: PathScope }
  | undefined;

function scopeFor(policy: SandboxPolicy, options: EvaluateOptions): PathScope {
  const processCwd = options.cwd || options.baseDirectory ? undefined : process.cwd();
  const last = lastScope;
  if (
    last &&
    last.policy === policy &&
    last.cwd === options.cwd &&
    last.base === options.baseDirectory &&
    last.processCwd === processCwd
  ) {
    return last.scope;
  }
  const key = `${options.cwd ?? ''}\0${options.baseDirectory ?? ''}\0${processCwd ?? ''}`;
  let byKey = scopes.get(policy);
  if (!byKey) {
    byKey = new Map();
    scopes.set(policy, byKey);
  }
  let scope = byKey.get(key);
  if (!scope) {
    scope = new PathScope(policy, options);
    if (byKey.size > 64) byKey.clear();
    byKey.set(key, scope);
  }
  lastScope = { policy, cwd: options.cwd, base: options.baseDirectory, processCwd, scope };
  return scope;
}

/** Judges an already parsed command line (or argv). The parser must be loaded for `bash -c` scripts. */
function evaluateParsed(
  commandLine: string,
  parsed: ParsedCommandLine | ShellWord[],
  policy: SandboxPolicy,
  options: EvaluateOptions,
): CommandEvaluation {
  const scope = scopeFor(policy, options);
  const evaluator = new Evaluator(policy, scope, options.remembered ?? []);
  const lineFindings: Array<{
    level: CommandLevel;
    hard: boolean;
    reason: string;
    rule: EvaluationRule;
    argv: string[];
  }> = [];
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) {
      lineFindings.push({
        level: 'deny',
        hard: true,
        reason: 'empty command',
        rule: builtinRule('empty-command'),
        argv: [],
      });
    } else {
      const judge = new Judge(evaluator, normaliseProgramName(parsed[0]?.value ?? ''));
      evaluator.judgeArgv(parsed, judge);
    }
  } else {
    if (parsed.unsupported.length > 0) {
      lineFindings.push({
        level: 'ask',
        hard: true,
        reason: `the command line cannot be fully understood: ${parsed.unsupported.join('; ')}`,
        rule: builtinRule('unparseable'),
        argv: [],
      });
    } else if (parsed.commands.length === 0) {
      lineFindings.push({
        level: 'deny',
        hard: true,
        reason: 'empty command',
        rule: builtinRule('empty-command'),
        argv: [],
      });
    }
    if (parsed.functions.length > 0) {
      lineFindings.push({
        level: 'ask',
        hard: true,
        reason: `the command line defines shell functions (${parsed.functions.join(', ')})`,
        rule: builtinRule('shell-function'),
        argv: [],
      });
    }
    if (parsed.unsupported.length === 0) evaluator.line(parsed);
  }
  const all = [...lineFindings, ...evaluator.judgements];
  let decisive = all[0] ?? {
    level: 'deny' as CommandLevel,
    hard: true,
    reason: 'empty command',
    rule: builtinRule('empty-command'),
    argv: [],
  };
  for (const candidate of all) if (severity(candidate) > severity(decisive)) decisive = candidate;
  const outcome = applyApprovalMode(policy, decisive);
  return {
    commandLine,
    decision: outcome.decision,
    reason: outcome.reason,
    rule: outcome.rule,
    level: decisive.level,
    approvalMode: policy.approval.mode,
    commands: evaluator.judgements,
  };
}

/**
 * Decides whether a command may run: `allow`, `ask` or `deny`, with the reason and the rule that decided.
 *
 * A string is parsed as a bash command line and every simple command in it is judged (pipelines, lists, subshells,
 * substitutions, `bash -c`, `xargs`, `find -exec`, wrappers); the strictest verdict wins. An array is an argv run
 * without a shell. Anything the parser cannot understand is asked, never allowed.
 */
export async function evaluate(
  commandLine: string | readonly string[],
  policy: SandboxPolicy,
  options: EvaluateOptions = {},
): Promise<CommandEvaluation> {
  if (!isShellParserLoaded()) {
    // Plain command lines (and argvs) are judged without the bash grammar; it loads on the first line that needs it.
    try {
      return evaluateSync(commandLine, policy, options);
    } catch (error) {
      if (!isParserNotLoadedError(error)) throw error;
    }
    await loadShellParser();
  }
  return evaluateSync(commandLine, policy, options);
}

/**
 * `evaluate()` without the promise. Lines that are not plain need `loadShellParser()` to have resolved; without it,
 * this throws a `SandboxError` with `details.parserNotLoaded` (see `isParserNotLoadedError`).
 */
export function evaluateSync(
  commandLine: string | readonly string[],
  policy: SandboxPolicy,
  options: EvaluateOptions = {},
): CommandEvaluation {
  const checked = ensurePolicy(policy);
  if (typeof commandLine === 'string') {
    return evaluateParsed(commandLine, parseCommandLineSync(commandLine), checked, options);
  }
  if (!Array.isArray(commandLine) || commandLine.some((argument) => typeof argument !== 'string')) {
    throw new SandboxError(
      'VTCODE_SANDBOX_INVALID_ARGUMENT',
      `evaluate() takes a command line (string) or an argv (array of strings), not ${describe(commandLine)}`,
      { details: { field: 'commandLine' } },
    );
  }
  return evaluateParsed(commandLine.join(' '), literalWords(commandLine), checked, options);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array with a non-string element';
  return value === null ? 'null' : typeof value;
}

const validatedPolicies = new WeakMap<object, SandboxPolicy>();

/**
 * Accepts a policy from `parsePolicy` (or the schema) as is; anything else — a hand-written object, a partial
 * policy — is validated once (errors name the field) and the validated copy cached.
 */
function ensurePolicy(policy: SandboxPolicy): SandboxPolicy {
  if (policy === null || typeof policy !== 'object') return parsePolicy(policy);
  const known = validatedPolicies.get(policy);
  if (known) return known;
  const looksParsed =
    Array.isArray(policy.commands?.rules) &&
    Array.isArray(policy.workspace?.roots) &&
    Array.isArray(policy.workspace?.protected) &&
    typeof policy.approval?.mode === 'string' &&
    typeof policy.network?.enabled === 'boolean';
  const checked = looksParsed ? policy : parsePolicy(policy);
  validatedPolicies.set(policy, checked);
  return checked;
}
