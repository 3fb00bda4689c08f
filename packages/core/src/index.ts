export type { AgentOptions, EventSink, RunResult } from './agent/agent.ts';
export { Agent } from './agent/agent.ts';
export type {
  CommandEvaluator,
  PolicyDecision,
  SkillPreApproval,
  SkillRuleMatch,
  ToolPolicyInput,
} from './approvals/approval-policy.ts';
export { basicCommandEvaluator, decideToolCall } from './approvals/approval-policy.ts';
export type { ApprovalDecision, Approver } from './approvals/approver.ts';
export { createHeadlessApprover, createStaticApprover } from './approvals/approver.ts';
export {
  createSandboxCommandEvaluator,
  keepsWorkspaceReadOnly,
  sandboxPolicyFromConfig,
} from './approvals/sandbox-evaluator.ts';
export type { SkillCallSubject } from './approvals/skill-approvals.ts';
export { SKILL_TOOL_ALIASES, SkillApprovals, skillsLoadedIn } from './approvals/skill-approvals.ts';
export { auditLogPath, defaultAuditLogPath } from './config/audit-log-path.ts';
export type {
  ApprovalMode,
  ProviderConfig,
  SandboxMode,
  ToolPolicyValue,
  VtcodeConfig,
  VtcodeConfigInput,
} from './config/config-schema.ts';
export {
  ApprovalModeSchema,
  ProviderConfigSchema,
  SandboxModeSchema,
  VtcodeConfigSchema,
} from './config/config-schema.ts';
export type { ConfigLayer, EffectiveConfig, LoadConfigOptions } from './config/load-config.ts';
export {
  ENV_VARIABLES,
  findProjectConfig,
  getSetting,
  loadConfig,
  locateKey,
  userConfigPath,
} from './config/load-config.ts';
export type { ContextBudget, SummaryInput } from './context/compaction.ts';
export { budgetLimit, keptTailStart, pruneToolOutputs, renderSummary } from './context/compaction.ts';
export type { SystemPromptOptions } from './context/system-prompt.ts';
export { buildSystemPrompt, readAgentsMd } from './context/system-prompt.ts';
export { estimateMessageTokens, estimateRequestTokens, estimateTokens } from './context/token-estimate.ts';
export type { ConfigIssue } from './errors/core-error.ts';
export { CancelledError, ConfigError, CoreError, ModelSetupError, SessionError } from './errors/core-error.ts';
export type {
  AgentEvent,
  AgentEventInput,
  AgentEventType,
  ApprovalDecisionValue,
  ApprovalRequest,
  PlanItem,
  RunStatus,
  ToolCallStatus,
  ToolKind,
} from './events/agent-event.ts';
export type { RecordedTurn, ReplayComparison, ReplayModelOptions } from './models/replay-model.ts';
export {
  compareReplay,
  createReplayModel,
  loadRecording,
  recordedToolResults,
  recordedTurnsFromSession,
  recordedTurnsFromTrajectory,
} from './models/replay-model.ts';
export { ConversationState } from './session/conversation-state.ts';
export type {
  FsyncPolicy,
  SessionLog,
  SessionMeta,
  SessionStoreOptions,
  SessionSummary,
} from './session/session-store.ts';
export { defaultSessionsDir, readSessionFile, SessionStore, SessionWriter } from './session/session-store.ts';
export type {
  AgentTool,
  AgentToolContext,
  AgentToolResult,
  ApprovalOutcome,
  ToolCallDescription,
  ToolRegistry,
} from './tools/agent-tool.ts';
export { createToolRegistry, isReadOnlyKind, toToolDefinitions } from './tools/agent-tool.ts';
export type { ToolDescriptor } from './tools/lazy-tools.ts';
export { createLazyTools, toolDescriptors } from './tools/lazy-tools.ts';
export type { SetupSkillsOptions, SkillLoaderTool, SkillsCatalogCache, SkillsSetup } from './tools/skill-tool.ts';
export { isSkillLoaderTool, LOAD_SKILL_TOOL, setupSkills } from './tools/skill-tool.ts';
export type { VtcodeTools, VtcodeToolsOptions } from './tools/vtcode-tools.ts';
export { createVtcodeTools, DEFAULT_EXCLUDED_TOOLS, describeCall } from './tools/vtcode-tools.ts';
export type { ExportTrajectoryOptions } from './trajectory/export-trajectory.ts';
export { sessionToTrajectory, writeSessionTrajectory } from './trajectory/export-trajectory.ts';
export type {
  TrajectoryBuilderLike,
  TrajectoryInitLike,
  TrajectoryRecorderOptions,
} from './trajectory/trajectory-recorder.ts';
export { recordSession, TrajectoryRecorder } from './trajectory/trajectory-recorder.ts';
export { addUsage, formatUsage } from './usage/usage.ts';
