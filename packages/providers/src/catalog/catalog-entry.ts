import { z } from 'zod';

/**
 * One model in the catalogue: what it can do and what it costs (US dollars per million tokens). Built on first use
 * (`z.lazy`): only settings that add models need it.
 */
export const CatalogEntrySchema = z.lazy(() =>
  z
    .object({
      /** Provider id as used in `"provider/model"`: `openai`, `anthropic`, `google`, `deepseek`, … */
      provider: z.string().min(1),
      /** The model id the provider's API expects. */
      id: z.string().min(1),
      displayName: z.string().optional(),
      contextWindow: z.number().int().positive(),
      maxOutputTokens: z.number().int().positive(),
      capabilities: z
        .object({
          tools: z.boolean(),
          vision: z.boolean(),
          reasoning: z.boolean(),
          caching: z.boolean(),
        })
        .strict(),
      /** Prices per million tokens; all zero for local models. */
      pricing: z
        .object({
          input: z.number().nonnegative(),
          output: z.number().nonnegative(),
          cacheRead: z.number().nonnegative().optional(),
          cacheWrite: z.number().nonnegative().optional(),
        })
        .strict(),
    })
    .strict(),
);
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;
