import { z } from 'zod';

/** Approval modes: when the engine asks before acting. */
export const ApprovalModeSchema = z.enum(['untrusted', 'on-request', 'never', 'full-auto']);
export type ApprovalMode = z.infer<typeof ApprovalModeSchema>;

/** Sandbox modes: what commands and edits may touch. */
export const SandboxModeSchema = z.enum(['read-only', 'workspace-write', 'danger-full-access']);
export type SandboxMode = z.infer<typeof SandboxModeSchema>;

/** A provider entry: a built-in one with overrides, or a custom OpenAI-compatible endpoint. */
export const ProviderConfigSchema = z
  .object({
    /** Wire API family. Built-in ids imply it; custom providers say `openai-compatible`. */
    kind: z.enum(['openai', 'openai-compatible', 'anthropic', 'google', 'ollama', 'lmstudio']).optional(),
    display_name: z.string().min(1).optional(),
    base_url: z.url().optional(),
    /** A literal key (prefer `api_key_env`). */
    api_key: z.string().min(1).optional(),
    /** The environment variable holding the key. */
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Context window of this provider's models when the catalogue does not know them. */
    context_window: z.int().positive().optional(),
    max_output_tokens: z.int().positive().optional(),
  })
  .strict();
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

const modelId = z.string().regex(/^[A-Za-z0-9._-]+\/.+$/, 'a model id as "provider/model", e.g. "openai/gpt-5"');

export const ToolPolicyValueSchema = z.enum(['allow', 'ask', 'deny']);
export type ToolPolicyValue = z.infer<typeof ToolPolicyValueSchema>;

export const VtcodeConfigSchema = z
  .object({
    /** The primary model, `provider/model`. */
    model: modelId.optional(),
    /** Models to fail over to, in order. */
    fallbacks: z.array(modelId).default([]),
    approval: ApprovalModeSchema.default('on-request'),
    sandbox: SandboxModeSchema.default('workspace-write'),
    providers: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a lowercase provider id'), ProviderConfigSchema)
      .default({}),
    agent: z
      .object({
        max_turns: z.int().positive().max(10_000).default(50),
        /** Retries of a turn whose stream failed before any tool call was delivered. */
        max_turn_retries: z.int().min(0).max(10).default(2),
        max_output_tokens: z.int().positive().optional(),
        temperature: z.number().min(0).max(2).optional(),
        reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).optional(),
      })
      .strict()
      .prefault({}),
    router: z
      .object({
        /** Retries on the same provider before failing over (retryable failures only). */
        max_retries: z.int().min(0).max(20).default(2),
        initial_delay_ms: z.number().min(0).default(250),
        /** Give up on an attempt that sends nothing for this long (then retry or fail over). */
        first_event_timeout_ms: z.int().positive().default(120_000),
        idle_timeout_ms: z.int().positive().default(120_000),
        /** How long a failing provider is skipped before it is tried again. */
        cooldown_ms: z.int().min(0).default(30_000),
      })
      .strict()
      .prefault({}),
    tools: z
      .object({
        /** Tools the model must not see at all. */
        disabled: z.array(z.string()).default([]),
        /** Per-tool policy overriding the mode: `{ shell = "ask", web_fetch = "deny" }`. */
        policies: z.record(z.string(), ToolPolicyValueSchema).default({}),
        shell_timeout_ms: z.int().positive().default(120_000),
      })
      .strict()
      .prefault({}),
    sandbox_policy: z
      .object({
        network: z.boolean().default(false),
        writable_roots: z.array(z.string()).default([]),
        readable_roots: z.array(z.string()).default([]),
        /** The tamper-evident audit log of every command decision and execution (default
         * `$XDG_STATE_HOME/vtcode/audit.jsonl`); `false` turns it off. */
        audit_log: z.union([z.string().min(1), z.literal(false)]).optional(),
      })
      .strict()
      .prefault({}),
    skills: z
      .object({
        enabled: z.boolean().default(true),
        roots: z.array(z.string()).default([]),
        /** A loaded skill's `allowed-tools` pre-approve the calls they match (never a deny or an escalation);
         * `false`: skills still load, and every call follows the approval policy alone. */
        pre_approve: z.boolean().default(true),
        /** Skills that come with the project (`.vtcode/skills`, `.agents/skills` in the repository) pre-approve too.
         * Off by default: a repository's files may not loosen security (only the user config, the environment or a
         * flag may turn this on). Their instructions load either way. */
        trust_project_skills: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    context: z
      .object({
        /** Override the model's context window (tokens). */
        window_tokens: z.int().positive().optional(),
        /** Tokens kept free for the model's answer. */
        reserve_output_tokens: z.int().positive().default(8_192),
        /** Compact when the request would exceed this fraction of (window − reserve). */
        compact_threshold: z.number().gt(0).max(1).default(0.85),
        /** Newest messages never pruned or summarised. */
        keep_recent_messages: z.int().min(1).default(6),
        /** Max characters of AGENTS.md put into the system prompt. */
        agents_md_max_chars: z.int().positive().default(16_000),
      })
      .strict()
      .prefault({}),
    sessions: z
      .object({
        /** Where session logs live (default `$XDG_STATE_HOME/vtcode/sessions`). */
        dir: z.string().optional(),
        /** `always`: fsync every event; `turn`: at turn and tool boundaries; `never`. */
        fsync: z.enum(['always', 'turn', 'never']).default('turn'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type VtcodeConfig = z.infer<typeof VtcodeConfigSchema>;
/** A config as written in a file: everything optional. */
export type VtcodeConfigInput = z.input<typeof VtcodeConfigSchema>;
