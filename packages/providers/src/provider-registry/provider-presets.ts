import type { OpenAIChatQuirks } from '../adapters/openai-chat-adapter.ts';

/** The wire API a provider speaks, i.e. which adapter serves it. */
export type WireApi = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

/** A known provider: where it lives, how it authenticates, and how its OpenAI-compatible dialect differs. */
export interface ProviderPreset {
  id: string;
  displayName: string;
  api: WireApi;
  baseURL: string;
  /** Environment variables holding the API key, in order of preference. Empty when no key is needed. */
  apiKeyEnv: string[];
  /** Whether a key is required (local servers need none). */
  requiresKey: boolean;
  quirks?: Partial<OpenAIChatQuirks>;
}

/** Compatible servers: `max_tokens`, no `reasoning_effort`, reasoning text in `reasoning_content` or `reasoning`. */
const COMPATIBLE: Partial<OpenAIChatQuirks> = { maxTokensField: 'max_tokens', reasoning: 'none' };

export const PROVIDER_PRESETS: Record<string, ProviderPreset> = {
  openai: {
    id: 'openai',
    displayName: 'OpenAI',
    api: 'openai-responses',
    baseURL: 'https://api.openai.com/v1',
    apiKeyEnv: ['OPENAI_API_KEY'],
    requiresKey: true,
  },
  anthropic: {
    id: 'anthropic',
    displayName: 'Anthropic',
    api: 'anthropic',
    baseURL: 'https://api.anthropic.com',
    apiKeyEnv: ['ANTHROPIC_API_KEY'],
    requiresKey: true,
  },
  google: {
    id: 'google',
    displayName: 'Google Gemini',
    api: 'gemini',
    baseURL: 'https://generativelanguage.googleapis.com',
    apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    requiresKey: true,
  },
  deepseek: {
    id: 'deepseek',
    displayName: 'DeepSeek',
    api: 'openai-chat',
    baseURL: 'https://api.deepseek.com/v1',
    apiKeyEnv: ['DEEPSEEK_API_KEY'],
    requiresKey: true,
    // V4: `thinking: { type: 'enabled' }` turns thinking on; with tools it wants the turn's reasoning_content back.
    quirks: { ...COMPATIBLE, reasoning: 'thinking-toggle', echoReasoning: 'reasoning_content' },
  },
  openrouter: {
    id: 'openrouter',
    displayName: 'OpenRouter',
    api: 'openai-chat',
    baseURL: 'https://openrouter.ai/api/v1',
    apiKeyEnv: ['OPENROUTER_API_KEY'],
    requiresKey: true,
    quirks: { maxTokensField: 'max_tokens', reasoning: 'openrouter', openRouterOptions: true },
  },
  zai: {
    id: 'zai',
    displayName: 'Z.AI',
    api: 'openai-chat',
    baseURL: 'https://api.z.ai/api/paas/v4',
    apiKeyEnv: ['ZAI_API_KEY'],
    requiresKey: true,
    quirks: { ...COMPATIBLE, reasoning: 'thinking-toggle', echoReasoning: 'reasoning_content' },
  },
  moonshot: {
    id: 'moonshot',
    displayName: 'Moonshot AI',
    api: 'openai-chat',
    baseURL: 'https://api.moonshot.ai/v1',
    apiKeyEnv: ['MOONSHOT_API_KEY'],
    requiresKey: true,
    // Kimi K3 takes reasoning_effort and wants reasoning_content replayed on tool-call turns.
    quirks: { ...COMPATIBLE, reasoning: 'reasoning_effort', echoReasoning: 'reasoning_content' },
  },
  minimax: {
    id: 'minimax',
    displayName: 'MiniMax',
    api: 'openai-chat',
    baseURL: 'https://api.minimax.io/v1',
    apiKeyEnv: ['MINIMAX_API_KEY'],
    requiresKey: true,
    // MiniMax models interleave their thinking in the content as <think>…</think> on the OpenAI endpoint.
    quirks: { ...COMPATIBLE, thinkTags: true },
  },
  ollama: {
    id: 'ollama',
    displayName: 'Ollama',
    api: 'openai-chat',
    baseURL: 'http://localhost:11434/v1',
    apiKeyEnv: [],
    requiresKey: false,
    // Thinking arrives in `reasoning` deltas (or as <think> tags from older models) and is taken back in the assistant
    // message's `reasoning` (openai/openai.go `FromChatRequest`), which thinking models want on tool-call turns.
    quirks: { ...COMPATIBLE, thinkTags: true, echoReasoning: 'reasoning', localServer: 'ollama' },
  },
  'ollama-cloud': {
    id: 'ollama-cloud',
    displayName: 'Ollama Cloud',
    api: 'openai-chat',
    baseURL: 'https://ollama.com/v1',
    apiKeyEnv: ['OLLAMA_API_KEY'],
    requiresKey: true,
    quirks: { ...COMPATIBLE, thinkTags: true, echoReasoning: 'reasoning' },
  },
  lmstudio: {
    id: 'lmstudio',
    displayName: 'LM Studio',
    api: 'openai-chat',
    baseURL: 'http://localhost:1234/v1',
    // LM Studio 0.4 can require an API token (Developer → Server Settings); its SDKs read LM_API_TOKEN.
    apiKeyEnv: ['LM_API_TOKEN'],
    requiresKey: false,
    quirks: { ...COMPATIBLE, thinkTags: true, localServer: 'lmstudio' },
  },
};

/** Provider ids that mean the same preset. */
export const PROVIDER_ALIASES: Record<string, string> = { gemini: 'google', 'z-ai': 'zai', 'lm-studio': 'lmstudio' };
