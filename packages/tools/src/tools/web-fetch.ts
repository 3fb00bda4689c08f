/// <reference path="../web/html-to-text.d.ts" />
import { z } from 'zod';
import { defineTool } from '../tool.ts';
import { ToolError } from '../tool-error.ts';
import { looksBinary } from '../util/text-file.ts';

export const webFetchInput = z.object({
  url: z.string().min(1).describe('An http(s) URL.'),
  format: z
    .enum(['text', 'raw'])
    .optional()
    .describe('text (default): HTML turned into readable text; raw: the body as is.'),
  max_bytes: z.number().int().min(1024).max(10_000_000).optional().describe('Most bytes downloaded (default 2 MB).'),
  timeout_ms: z.number().int().min(100).max(120_000).optional().describe('Time limit (default 20 s).'),
});

export interface WebFetchData {
  url: string;
  status: number;
  contentType: string;
  bytes: number;
  truncated: boolean;
  redirects: string[];
  title?: string;
}

function decode(body: Buffer, contentType: string): string {
  const charset = /charset=([^;]+)/i.exec(contentType)?.[1]?.trim().replace(/["']/g, '') ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/**
 * Readable text of an HTML page: no scripts, styles or navigation chrome; links kept as [text](url).
 * The converter (html-to-text, with its entity tables) loads on the first fetch, not with the toolset.
 */
async function htmlToText(html: string): Promise<string> {
  const { convert } = await import('html-to-text');
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: false, hideLinkHrefIfSameAsText: true, linkBrackets: ['(', ')'] } },
      { selector: 'img', format: 'skip' },
      { selector: 'nav', format: 'skip' },
      { selector: 'footer', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'noscript', format: 'skip' },
      { selector: 'svg', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export const webFetchTool = defineTool({
  name: 'web_fetch',
  kind: 'fetch',
  description:
    'Fetch a public web page or file over http(s) and return it as readable text (HTML converted). Size- and ' +
    'time-limited; private and local network addresses are refused.',
  input: webFetchInput,
  async execute(input, context) {
    // The HTTP client (node:http, node:https, node:dns) loads on the first fetch, not with the toolset.
    const { fetchUrl } = await import('../web/fetch-url.ts');
    const page = await fetchUrl(input.url, {
      maxBytes: input.max_bytes ?? 2_000_000,
      timeoutMs: input.timeout_ms ?? 20_000,
      signal: context.signal,
      allowLoopback: context.options.allowLoopback ?? false,
      allowPrivateNetwork: context.options.allowPrivateNetwork ?? false,
    });
    const contentType = page.contentType.toLowerCase();
    const data: WebFetchData = {
      url: page.url,
      status: page.status,
      contentType: page.contentType,
      bytes: page.body.length,
      truncated: page.truncated,
      redirects: page.redirects,
    };
    const textual = /^(text\/|application\/(json|xml|xhtml\+xml|javascript|x-yaml|yaml|toml))|\+json|\+xml/.test(
      contentType,
    );
    if (!textual && looksBinary(page.body.subarray(0, 4096))) {
      throw new ToolError(
        'VTCODE_TOOL_UNSUPPORTED',
        `${page.url} returned ${page.contentType || 'binary data'} (${page.body.length} bytes), which is not text.`,
        {
          hint: 'Fetch an HTML, text or JSON URL.',
        },
      );
    }
    let text = decode(page.body, page.contentType);
    if (
      (input.format ?? 'text') === 'text' &&
      (contentType.includes('html') || /^\s*<(!doctype html|html)/i.test(text))
    ) {
      const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
      if (title) data.title = title;
      text = await htmlToText(text);
    }
    const header = `${page.url} — HTTP ${page.status}${data.title ? ` — ${data.title}` : ''}${page.redirects.length ? ` (redirected from ${page.redirects[0]})` : ''}`;
    const note = page.truncated ? `\n[truncated: stopped after ${page.body.length} bytes]` : '';
    const statusNote = page.status >= 400 ? `\n[the server answered HTTP ${page.status}]` : '';
    return { ok: true, content: `${header}\n\n${text}${note}${statusNote}`, data };
  },
});
