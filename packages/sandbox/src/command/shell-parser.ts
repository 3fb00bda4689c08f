/**
 * Parses a shell command line into the simple commands it would run, with their argv, redirections and
 * assignments, using tree-sitter's bash grammar (a real, well-kept bash parser, run as WebAssembly).
 *
 * Every simple command is found: in pipelines, `&&`/`||`/`;` lists, subshells, `{ …; }` groups, `if`/`for`/`while`/
 * `case` bodies, command substitutions (`$(…)`, backticks), process substitutions and here-documents. What the
 * parser rejects, or any construct this module does not model, is reported in `unsupported` — the policy treats
 * such a line as "ask", never "allow".
 */
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { Language, type Node, Parser } from 'web-tree-sitter';
import { SandboxError } from '../errors/sandbox-error.ts';

/** One shell word after quote removal. */
export interface ShellWord {
  /** The word's value after quote removal and escape processing (expansions left as written). */
  value: string;
  /** The source text of the word. */
  text: string;
  /** The value depends on the environment: a `$VAR`, `$(…)`, `~user`, brace or arithmetic expansion. */
  dynamic: boolean;
  /** The word contains an unquoted glob (`*`, `?`, `[`) and may expand to several paths. */
  glob: boolean;
}

export interface ShellRedirect {
  /** The operator: `>`, `>>`, `<`, `&>`, `&>>`, `>|`, `<>`, `>&`, `<&`, `<<`, `<<<`. */
  operator: string;
  /** The file descriptor written before the operator (`2>`), when present. */
  fd?: number;
  /** The target word (a path, or an fd number for `>&`); null for here-documents. */
  target: ShellWord | null;
}

export interface ShellAssignment {
  name: string;
  value: ShellWord | null;
}

/** A simple command: what one `execve` (or builtin) would receive. */
export interface SimpleCommand {
  /** argv after quote removal. `argv[0]` is the program. Empty for a bare redirection or assignment. */
  argv: ShellWord[];
  /** `NAME=value` words before the program (`FOO=1 make`), or a standalone assignment. */
  assignments: ShellAssignment[];
  redirects: ShellRedirect[];
  /** The command reads its standard input from a pipe (`… | cmd`). */
  stdinFromPipe: boolean;
  /** The command comes from inside a `$(…)`, backticks or `<(…)`. */
  inSubstitution: boolean;
  /** The command is `export`/`declare`/`local`/`readonly`/`typeset`/`unset`. */
  declaration: boolean;
  /** Source text of the command. */
  text: string;
}

export interface ParsedCommandLine {
  source: string;
  commands: SimpleCommand[];
  /** Shell functions the line defines (their bodies are in `commands`). */
  functions: string[];
  /** Why the line cannot be judged reliably (parse errors, unsupported constructs). Empty when fully understood. */
  unsupported: string[];
}

interface WalkContext {
  stdinFromPipe: boolean;
  inSubstitution: boolean;
  extraRedirects: ShellRedirect[];
}

let parserPromise: Promise<Parser> | undefined;
let loadedParser: Parser | undefined;

/**
 * Loads the bash grammar once (WebAssembly, about 15 ms). Plain command lines are parsed without it; the async entry
 * points (`parseCommandLine`, `evaluate`) load it on the first line that needs it.
 */
export function loadShellParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    try {
      await Parser.init();
      const require = createRequire(import.meta.url);
      const language = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
      const parser = new Parser();
      parser.setLanguage(language);
      loadedParser = parser;
      return parser;
    } catch (error) {
      parserPromise = undefined;
      throw new SandboxError('VTCODE_SANDBOX_IO', `cannot load the bash grammar: ${(error as Error).message}`, {
        cause: error,
      });
    }
  })();
  return parserPromise;
}

/** True once `loadShellParser()` has finished. */
export function isShellParserLoaded(): boolean {
  return loadedParser !== undefined;
}

const CACHE_LIMIT = 2048;
const cache = new Map<string, ParsedCommandLine>();

/**
 * Parses a command line synchronously. Plain lines (`parseSimpleLine`) need nothing loaded; anything else needs the
 * bash grammar (`loadShellParser()`), and without it this throws a `SandboxError` with
 * `details.parserNotLoaded = true`. Results are cached by text and shared: treat them as read-only. The cache keeps
 * the 2048 most recent lines.
 */
export function parseCommandLineSync(source: string): ParsedCommandLine {
  const cached = cache.get(source);
  if (cached) {
    cache.delete(source);
    cache.set(source, cached);
    return cached;
  }
  const parsed = parseSimpleLine(source) ?? parseWith(requireParser(), source);
  cache.set(source, parsed);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return parsed;
}

/** True when `error` says a line needed the bash grammar before `loadShellParser()` had finished. */
export function isParserNotLoadedError(error: unknown): boolean {
  return SandboxError.isInstance(error) && error.details.parserNotLoaded === true;
}

function requireParser(): Parser {
  if (loadedParser) return loadedParser;
  throw new SandboxError('VTCODE_SANDBOX_INVALID_ARGUMENT', 'the shell parser is not loaded: await loadShellParser()', {
    details: { parserNotLoaded: true },
  });
}

/**
 * @internal Parses with the bash grammar only, bypassing the cache and `parseSimpleLine` (used to cross-check the
 * two in tests).
 */
export function parseWithGrammar(source: string): ParsedCommandLine {
  return parseWith(requireParser(), source);
}

/** Parses a command line (loading the grammar on first use, and only when the line is not plain). */
export async function parseCommandLine(source: string): Promise<ParsedCommandLine> {
  if (!loadedParser) {
    try {
      return parseCommandLineSync(source);
    } catch (error) {
      if (!isParserNotLoadedError(error)) throw error;
    }
    await loadShellParser();
  }
  return parseCommandLineSync(source);
}

function parseWith(parser: Parser, source: string): ParsedCommandLine {
  const result: ParsedCommandLine = { source, commands: [], functions: [], unsupported: [] };
  if (source.includes('\0')) {
    result.unsupported.push('the command line contains a NUL byte');
    return result;
  }
  const tree = parser.parse(source);
  if (!tree) {
    result.unsupported.push('the shell parser returned no tree');
    return result;
  }
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      result.unsupported.push(describeParseError(root));
      return result;
    }
    const outside = source.slice(0, root.startIndex) + source.slice(root.endIndex);
    if (!/^\s*$/.test(outside)) {
      result.unsupported.push(`the shell parser skipped ${JSON.stringify(outside.trim().slice(0, 20))}`);
      return result;
    }
    if (source.includes('#')) checkComments(root, source, result);
    if (result.unsupported.length > 0) return result;
    const walker = new Walker(result);
    walker.statement(root, { stdinFromPipe: false, inSubstitution: false, extraRedirects: [] });
  } finally {
    tree.delete();
  }
  return result;
}

/** Bash starts a comment only at the beginning of a word; tree-sitter also does after a line continuation. */
function checkComments(node: Node, source: string, result: ParsedCommandLine): void {
  if (node.type === 'comment') {
    const before = source.slice(0, node.startIndex).replace(/(\\\n)+$/, '');
    if (before.length > 0 && before.length !== node.startIndex && !/[\s;&|()]$/.test(before)) {
      result.unsupported.push(`a "#" after a line continuation is read differently by bash and the parser`);
    } else if (before.length > 0 && !/[\s;&|()]$/.test(before)) {
      result.unsupported.push(`a "#" inside a word is read differently by bash and the parser`);
    }
    return;
  }
  for (const child of node.children) if (child.hasError === false) checkComments(child, source, result);
}

function describeParseError(root: Node): string {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.isError || node.isMissing) {
      const what = node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 20))}`;
      return `shell syntax error at column ${node.startPosition.column + 1}: ${what}`;
    }
    for (const child of node.children) if (child.hasError || child.isMissing) stack.push(child);
  }
  return 'shell syntax error';
}

const REDIRECT_TYPES = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);
const DECLARATION_TYPES = new Set(['declaration_command', 'unset_command']);
/** Containers whose named children are statements (or words/keywords we scan for substitutions). */
const CONTAINER_TYPES = new Set([
  'program',
  'list',
  'subshell',
  'compound_statement',
  'do_group',
  'negated_command',
  'if_statement',
  'elif_clause',
  'else_clause',
  'while_statement',
  'case_statement',
  'case_item',
]);

class Walker {
  private readonly result: ParsedCommandLine;

  constructor(result: ParsedCommandLine) {
    this.result = result;
  }

  statement(node: Node, context: WalkContext): void {
    const type = node.type;
    if (type === 'comment') return;
    if (type === 'command') {
      this.command(node, context);
      return;
    }
    if (type === 'pipeline') {
      this.checkGaps(node, 'statements');
      let first = true;
      for (const child of node.namedChildren) {
        if (child.type === 'comment') continue;
        this.statement(child, { ...context, stdinFromPipe: first ? context.stdinFromPipe : true });
        first = false;
      }
      return;
    }
    if (type === 'redirected_statement') {
      const redirects: ShellRedirect[] = [];
      let body: Node | null = null;
      for (const child of node.namedChildren) {
        if (REDIRECT_TYPES.has(child.type)) {
          const redirect = this.redirect(child, context);
          if (redirect) redirects.push(redirect);
        } else if (body === null) body = child;
        else this.statement(child, context);
      }
      if (body) this.statement(body, { ...context, extraRedirects: [...context.extraRedirects, ...redirects] });
      else this.pushCommand([], [], [...context.extraRedirects, ...redirects], node, context, false);
      return;
    }
    if (type === 'variable_assignment') {
      this.pushCommand([], [this.assignment(node, context)], [...context.extraRedirects], node, context, false);
      return;
    }
    if (type === 'variable_assignments') {
      const assignments = node.namedChildren.map((child) => this.assignment(child, context));
      this.pushCommand([], assignments, [...context.extraRedirects], node, context, false);
      return;
    }
    if (DECLARATION_TYPES.has(type)) {
      this.declaration(node, context);
      return;
    }
    if (type === 'function_definition') {
      const name = node.childForFieldName('name');
      this.result.functions.push(name?.text ?? '?');
      const body = node.childForFieldName('body');
      if (body) this.statement(body, context);
      return;
    }
    if (type === 'for_statement' || type === 'select_statement') {
      for (const child of node.namedChildren) {
        if (child.type === 'variable_name') continue;
        if (child.type === 'do_group') this.statement(child, context);
        else this.word(child, context);
      }
      return;
    }
    if (type === 'test_command' && !/^(\[\[|\[)\s[\s\S]*\s(\]\]|\])$/.test(node.text)) {
      // `[x]` is a word (a program name) to bash; only `[ … ]` and `[[ … ]]` with blanks are tests.
      this.result.unsupported.push(
        `${JSON.stringify(node.text.slice(0, 20))} is read differently by bash and the parser`,
      );
      return;
    }
    if (type === 'test_command') {
      // `[ … ]` / `[[ … ]]`: the test itself is harmless; what it substitutes is judged.
      const keyword = node.text.startsWith('[[') ? '[[' : '[';
      this.pushCommand([literalWord(keyword)], [], [...context.extraRedirects], node, context, false);
    }
    if (type === 'c_style_for_statement' || type === 'test_command' || type === 'arithmetic_expansion') {
      for (const child of node.namedChildren) {
        if (child.type === 'do_group' || child.type === 'compound_statement') this.statement(child, context);
        else this.scanSubstitutions(child, context);
      }
      return;
    }
    if (type === 'compound_statement' && !/^\{\s/.test(node.text)) {
      // `{}` or `{x` is a word to bash, not a group.
      this.result.unsupported.push(
        `${JSON.stringify(node.text.slice(0, 20))} is read differently by bash and the parser`,
      );
      return;
    }
    if (type === 'negated_command' && !/^![ \t]/.test(node.text)) {
      // Bash negates only with `!` as a word of its own; `!x` is a word.
      this.result.unsupported.push(
        `${JSON.stringify(node.text.slice(0, 20))} is read differently by bash and the parser`,
      );
      return;
    }
    if (CONTAINER_TYPES.has(type) || type === 'pipeline') this.checkGaps(node, 'statements');
    if (CONTAINER_TYPES.has(type)) {
      for (const child of node.namedChildren) {
        if (STATEMENT_TYPES.has(child.type) || CONTAINER_TYPES.has(child.type)) this.statement(child, context);
        else if (REDIRECT_TYPES.has(child.type)) {
          const redirect = this.redirect(child, context);
          if (redirect) this.pushCommand([], [], [redirect], child, context, false);
        } else this.scanSubstitutions(child, context);
      }
      return;
    }
    this.result.unsupported.push(`unsupported shell construct: ${type}`);
  }

  /**
   * tree-sitter-bash is error-tolerant in ways bash is not: it can treat a newline before `\\x` as a blank, drop a
   * stray `$` or a leading `\\ `, or split one bash word in two. Between the parts of a simple command there may only
   * be blanks and line continuations; anything else means the tree does not say what bash would run.
   */
  private checkGaps(node: Node, mode: 'words' | 'adjacent' | 'statements'): void {
    const source = this.result.source;
    const blanks = mode === 'statements' ? /^(?:\s|\\\n)*$/ : /^(?:[ \t]|\\\n)*$/;
    let position = node.startIndex;
    let previous: Node | undefined;
    const ambiguous = (near: string): false => {
      this.result.unsupported.push(
        `the shell parser's reading of ${JSON.stringify(node.text.slice(0, 40))} is ambiguous near ${JSON.stringify(near)}`,
      );
      return false;
    };
    for (const child of node.children) {
      if (mode === 'statements' && child.type === ';;' && node.type !== 'case_item' && node.type !== 'case_statement') {
        ambiguous(';;');
        return;
      }
      const gap = source.slice(position, child.startIndex);
      if (mode === 'adjacent' ? gap.length > 0 : !blanks.test(gap)) {
        ambiguous(gap);
        return;
      }
      // Two words with nothing between them (a line continuation is nothing) are one word to bash.
      if (
        mode === 'words' &&
        previous &&
        gap.replace(/\\\n/g, '').length === 0 &&
        !REDIRECT_TYPES.has(previous.type) &&
        !REDIRECT_TYPES.has(child.type)
      ) {
        ambiguous(source.slice(previous.startIndex, child.endIndex));
        return;
      }
      position = child.endIndex;
      previous = child;
    }
    const tail = source.slice(position, node.endIndex);
    if (mode === 'adjacent' ? tail.length > 0 : !blanks.test(tail)) ambiguous(tail);
  }

  private command(node: Node, context: WalkContext): void {
    this.checkGaps(node, 'words');
    const argv: ShellWord[] = [];
    const assignments: ShellAssignment[] = [];
    const redirects: ShellRedirect[] = [...context.extraRedirects];
    for (const child of node.children) {
      const type = child.type;
      if (!child.isNamed) {
        if (type === '$' && child.text === '$') argv.push(literalWord('$'));
        else this.result.unsupported.push(`unsupported token ${JSON.stringify(type)} in a command`);
        continue;
      }
      if (type === 'variable_assignment') assignments.push(this.assignment(child, context));
      else if (type === 'command_name') {
        const inner = child.namedChild(0);
        if (inner) argv.push(this.word(inner, context));
      } else if (REDIRECT_TYPES.has(type)) {
        const redirect = this.redirect(child, context);
        if (redirect) redirects.push(redirect);
      } else if (type === 'comment') {
      } else argv.push(this.word(child, context));
    }
    if (argv[0] && /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(argv[0].text)) {
      // Bash reads `name=…` before the program as an assignment, whatever the grammar made of it.
      this.result.unsupported.push(
        `${JSON.stringify(argv[0].text.slice(0, 30))} is an assignment to bash, not a program`,
      );
    }
    this.pushCommand(argv, assignments, redirects, node, context, false);
  }

  private declaration(node: Node, context: WalkContext): void {
    const argv: ShellWord[] = [];
    const assignments: ShellAssignment[] = [];
    const keyword = node.child(0);
    if (keyword) argv.push(literalWord(keyword.text));
    for (const child of node.namedChildren) {
      if (child.type === 'variable_assignment') assignments.push(this.assignment(child, context));
      else if (child.type === 'variable_name') argv.push(literalWord(child.text));
      else argv.push(this.word(child, context));
    }
    this.pushCommand(argv, assignments, [...context.extraRedirects], node, context, true);
  }

  private pushCommand(
    argv: ShellWord[],
    assignments: ShellAssignment[],
    redirects: ShellRedirect[],
    node: Node,
    context: WalkContext,
    declaration: boolean,
  ): void {
    this.result.commands.push({
      argv,
      assignments,
      redirects,
      stdinFromPipe: context.stdinFromPipe,
      inSubstitution: context.inSubstitution,
      declaration,
      text: node.text,
    });
  }

  private assignment(node: Node, context: WalkContext): ShellAssignment {
    const name = node.childForFieldName('name');
    const value = node.childForFieldName('value');
    return { name: name?.text ?? node.text.split(/\+?=/)[0] ?? '', value: value ? this.word(value, context) : null };
  }

  private redirect(node: Node, context: WalkContext): ShellRedirect | null {
    if (node.type === 'heredoc_redirect') {
      for (const child of node.namedChildren) {
        if (child.type === 'heredoc_body') this.scanSubstitutions(child, context);
        else if (child.type === 'heredoc_start' || child.type === 'heredoc_end' || child.type === 'heredoc_content') {
        } else if (REDIRECT_TYPES.has(child.type)) {
          const inner = this.redirect(child, context);
          if (inner) this.pushCommand([], [], [inner], child, context, false);
        } else if (STATEMENT_TYPES.has(child.type)) this.statement(child, { ...context, stdinFromPipe: true });
        else this.result.unsupported.push(`unsupported here-document part: ${child.type}`);
      }
      return { operator: '<<', target: null };
    }
    let operator = '';
    let fd: number | undefined;
    let target: ShellWord | null = null;
    for (const child of node.children) {
      if (!child.isNamed) {
        operator += child.type;
        continue;
      }
      if (child.type === 'file_descriptor') fd = Number(child.text);
      else if (target === null) target = this.word(child, context);
      else this.word(child, context);
    }
    return fd === undefined ? { operator, target } : { operator, fd, target };
  }

  /** Converts a word-like node to a `ShellWord`, walking any command it substitutes. */
  word(node: Node, context: WalkContext): ShellWord {
    const state = { value: '', dynamic: false, glob: false };
    this.wordPart(node, context, state, false);
    let { value, dynamic } = state;
    const text = node.text;
    const unquotedTilde = text.startsWith('~') && (node.type === 'word' || node.type === 'concatenation');
    if (!dynamic && unquotedTilde && /^~(\/|$)/.test(text) && /^~(\/|$)/.test(value)) {
      value = homedir() + value.slice(1);
    } else if (unquotedTilde && /^~[^/]/.test(value)) {
      dynamic = true;
    }
    if (
      (node.type === 'word' || node.type === 'concatenation') &&
      /^[A-Za-z_][A-Za-z0-9_]*=/.test(text) &&
      /[=:]~(\/|:|$)/.test(text)
    ) {
      // Bash expands `~` after `=` and `:` in words that look like assignments, arguments included (`if=~/x`).
      if (/['"\\]/.test(text)) dynamic = true;
      else value = value.replace(/([=:])~(?=\/|:|$)/g, (_, separator: string) => `${separator}${homedir()}`);
    }
    return { value, text, dynamic, glob: state.glob };
  }

  private wordPart(
    node: Node,
    context: WalkContext,
    state: { value: string; dynamic: boolean; glob: boolean },
    quoted: boolean,
  ): void {
    switch (node.type) {
      case 'word':
      case 'command_name': {
        if (node.type === 'command_name') {
          const inner = node.namedChild(0);
          if (inner) this.wordPart(inner, context, state, quoted);
          return;
        }
        const text = node.text;
        if (/(^|[^\\])[\n\t ]/.test(text)) {
          // An unquoted newline ends a command in bash; a word holding one is a misreading.
          this.result.unsupported.push(`the shell parser joined lines in ${JSON.stringify(text.slice(0, 30))}`);
        }
        if (/(^|[^\\])[*?[]/.test(text)) state.glob = true;
        if (/\{[^{}]*(,|\.\.)[^{}]*\}/.test(text)) state.dynamic = true;
        state.value += unescapeUnquoted(text);
        return;
      }
      case 'number':
      case 'special_variable_name':
      case 'variable_name':
      case 'test_operator':
      case 'regex':
      case 'extglob_pattern':
        state.value += node.text;
        if (node.type === 'extglob_pattern') state.glob = true;
        return;
      case 'raw_string':
        state.value += node.text.slice(1, -1);
        return;
      case 'ansi_c_string':
        state.value += decodeAnsiC(node.text.slice(2, -1));
        return;
      case 'string':
      case 'translated_string': {
        if (node.type === 'translated_string') this.checkGaps(node, 'adjacent');
        const inner = node.type === 'translated_string' ? node.namedChild(0) : node;
        if (!inner || inner === node) {
          const text = node.text;
          const base = node.startIndex;
          let position = base + 1;
          for (const child of node.namedChildren) {
            state.value += unescapeDoubleQuoted(text.slice(position - base, child.startIndex - base));
            if (child.type === 'string_content') state.value += unescapeDoubleQuoted(child.text);
            else this.wordPart(child, context, state, true);
            position = child.endIndex;
          }
          state.value += unescapeDoubleQuoted(text.slice(position - base, text.length - 1));
          return;
        }
        this.wordPart(inner, context, state, true);
        return;
      }
      case 'concatenation': {
        this.checkGaps(node, 'adjacent');
        const before = state.value.length;
        for (const child of node.children) {
          if (child.isNamed) this.wordPart(child, context, state, quoted);
          else if (child.type === '$' && /^[A-Za-z0-9_.,:=+@%^-]*\$$/.test(child.text)) {
            // The token may carry literal text before the `$` (`-n$"…"`). `$"…"` is a translated string (the `$`
            // goes); a `$` before nothing expandable is literal.
            state.value += child.nextSibling?.type === 'string' ? child.text.slice(0, -1) : child.text;
          } else {
            this.result.unsupported.push(
              `unsupported word part ${JSON.stringify(child.type)} in ${JSON.stringify(node.text.slice(0, 30))}`,
            );
          }
        }
        if (!quoted && /\{[^{}]*(,|\.\.)[^{}]*\}/.test(node.text) && state.value.length >= before) {
          // `{a,b}` splits into several words in tree-sitter; any unquoted brace list means brace expansion.
          const literalParts = node.namedChildren.filter((child) => child.type === 'word').map((child) => child.text);
          if (literalParts.join('').match(/\{[^{}]*(,|\.\.)[^{}]*\}/)) state.dynamic = true;
        }
        return;
      }
      case 'simple_expansion':
      case 'expansion':
      case 'arithmetic_expansion':
      case 'brace_expression':
        state.dynamic = true;
        state.value += node.text;
        this.scanSubstitutions(node, context);
        return;
      case 'command_substitution':
      case 'process_substitution':
        state.dynamic = true;
        state.value += node.text;
        this.substitution(node, context);
        return;
      default:
        this.result.unsupported.push(`unsupported word: ${node.type} (${JSON.stringify(node.text.slice(0, 30))})`);
        state.dynamic = true;
        state.value += node.text;
    }
  }

  private substitution(node: Node, context: WalkContext): void {
    const inner: WalkContext = { stdinFromPipe: false, inSubstitution: true, extraRedirects: [] };
    for (const child of node.namedChildren) {
      if (STATEMENT_TYPES.has(child.type)) this.statement(child, inner);
      else if (REDIRECT_TYPES.has(child.type)) {
        // `$(< file)` reads a file.
        const redirect = this.redirect(child, inner);
        if (redirect) this.pushCommand([], [], [redirect], child, inner, false);
      } else if (child.type !== 'comment') this.result.unsupported.push(`unsupported substitution part: ${child.type}`);
    }
    void context;
  }

  /** Finds command and process substitutions anywhere below `node` and walks them. */
  scanSubstitutions(node: Node, context: WalkContext): void {
    if (node.type === 'command_substitution' || node.type === 'process_substitution') {
      this.substitution(node, context);
      return;
    }
    for (const child of node.namedChildren) this.scanSubstitutions(child, context);
  }
}

const STATEMENT_TYPES = new Set([
  'command',
  'pipeline',
  'list',
  'subshell',
  'compound_statement',
  'redirected_statement',
  'negated_command',
  'variable_assignment',
  'variable_assignments',
  'declaration_command',
  'unset_command',
  'function_definition',
  'if_statement',
  'while_statement',
  'for_statement',
  'select_statement',
  'c_style_for_statement',
  'case_statement',
  'test_command',
  'comment',
  'do_group',
]);

function literalWord(value: string): ShellWord {
  return { value, text: value, dynamic: false, glob: false };
}

function unescapeUnquoted(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(\n|.)/g, (_, character: string) => (character === '\n' ? '' : character));
}

function unescapeDoubleQuoted(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([$`"\\\n])/g, (_, character: string) => (character === '\n' ? '' : character));
}

function decodeAnsiC(text: string): string {
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    a: '\x07',
    b: '\b',
    e: '\x1b',
    E: '\x1b',
    f: '\f',
    v: '\v',
    '\\': '\\',
    "'": "'",
    '"': '"',
    '?': '?',
  };
  return text.replace(
    /\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)/g,
    (match, sequence: string) => {
      const first = sequence[0] as string;
      if (first === 'x' || first === 'u' || first === 'U') {
        return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
      }
      if (/[0-7]/.test(first)) return String.fromCharCode(Number.parseInt(sequence, 8));
      if (first === 'c') return String.fromCharCode((sequence.charCodeAt(1) ?? 64) & 31);
      return simple[first] ?? match;
    },
  );
}

const RESERVED_FIRST_WORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'function',
  'select',
  'time',
  'coproc',
  'in',
  '!',
  '{',
  '}',
  '[[',
  ']]',
  'export',
  'declare',
  'local',
  'readonly',
  'typeset',
  'unset',
]);

/** Characters an unquoted word may hold on the fast path: nothing the shell expands or treats specially. */
const PLAIN = /[A-Za-z0-9_./:,=-]/;
/** Characters a double-quoted part may hold on the fast path (no `$`, backquote, backslash, `!`, newline). */
const PLAIN_IN_DOUBLE_QUOTES = /[^"$`\\!\n]/;

/**
 * @internal The fast path for the most common, trivially regular command lines: plain words (letters, digits and
 * `_ . / : , = -`), `'…'` and `"…"` strings without expansions, separated by blanks, `|`, `&&`, `||` and `;`.
 * Anything else — an expansion, a glob, a redirection, a reserved word, an assignment, a parenthesis, a comment —
 * returns `undefined` and goes to the bash grammar. Tests cross-check that both agree on every line this accepts.
 */
export function parseSimpleLine(source: string): ParsedCommandLine | undefined {
  const commands: SimpleCommand[] = [];
  let argv: ShellWord[] = [];
  let stdinFromPipe = false;
  let commandStart = 0;
  let index = 0;
  const length = source.length;
  const finishCommand = (end: number): boolean => {
    if (argv.length === 0) return false;
    const first = argv[0] as ShellWord;
    // A quoted program name (`if''x`) is left to the grammar, which lexes reserved words on its own terms.
    if (RESERVED_FIRST_WORDS.has(first.value) || first.value.includes('=') || /['"]/.test(first.text)) return false;
    // tree-sitter-bash lexes a lone `-` program and words starting with `=` its own way; leave them to it.
    if (first.value === '-' || argv.some((word) => word.text.startsWith('='))) return false;
    commands.push({
      argv,
      assignments: [],
      redirects: [],
      stdinFromPipe,
      inSubstitution: false,
      declaration: false,
      text: source.slice(commandStart, end).trim(),
    });
    argv = [];
    return true;
  };
  while (index < length) {
    const character = source[index] as string;
    if (character === ' ' || character === '\t') {
      index++;
      continue;
    }
    if (character === '|' || character === '&' || character === ';') {
      const next = source[index + 1];
      let operator = character;
      if ((character === '|' || character === '&') && next === character) operator += next;
      if (operator === '&' || (character === ';' && next === ';')) return undefined;
      if (next === '&' && character === '|') return undefined;
      if (!finishCommand(index)) return undefined;
      stdinFromPipe = operator === '|';
      index += operator.length;
      commandStart = index;
      continue;
    }
    // A word: unquoted runs and quoted parts, concatenated.
    let value = '';
    const start = index;
    while (index < length) {
      const current = source[index] as string;
      if (current === "'") {
        const end = source.indexOf("'", index + 1);
        if (end < 0) return undefined;
        value += source.slice(index + 1, end);
        index = end + 1;
      } else if (current === '"') {
        let end = index + 1;
        while (end < length && source[end] !== '"') {
          if (!PLAIN_IN_DOUBLE_QUOTES.test(source[end] as string)) return undefined;
          end++;
        }
        if (end >= length) return undefined;
        value += source.slice(index + 1, end);
        index = end + 1;
      } else if (PLAIN.test(current)) {
        value += current;
        index++;
      } else if (current === '~' && index > start && !/[=:'"]/.test(source[index - 1] as string)) {
        // `HEAD~1`: a tilde that does not start a word (or follow `=` / `:`) is literal.
        value += current;
        index++;
      } else if (current === ' ' || current === '\t' || current === '|' || current === '&' || current === ';') {
        break;
      } else return undefined;
    }
    const text = source.slice(start, index);
    argv.push({ value, text, dynamic: false, glob: false });
  }
  if (argv.length === 0)
    return commands.length === 0 && source.trim() === ''
      ? { source, commands: [], functions: [], unsupported: [] }
      : undefined;
  if (!finishCommand(length)) return undefined;
  return { source, commands, functions: [], unsupported: [] };
}
