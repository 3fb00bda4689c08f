export { isDangerousEnvironmentName, SAFE_LIST_COMMANDS } from './command-validators.ts';
export {
  type CommandEvaluation,
  type EvaluateOptions,
  evaluate,
  evaluateSync,
  normaliseArgv,
  normaliseProgramName,
  type RememberedRule,
} from './evaluate.ts';
export type { CommandJudgement, CommandLevel, EvaluationRule } from './judge.ts';
export { analyzeSedScript, type SedScriptEffects } from './sed-script.ts';
export {
  isParserNotLoadedError,
  isShellParserLoaded,
  loadShellParser,
  type ParsedCommandLine,
  parseCommandLine,
  parseCommandLineSync,
  type ShellAssignment,
  type ShellRedirect,
  type ShellWord,
  type SimpleCommand,
} from './shell-parser.ts';
