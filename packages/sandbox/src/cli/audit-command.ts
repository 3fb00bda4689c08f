import { resolve } from 'node:path';
import { tailAuditLog, verifyAuditLog } from '../audit/audit-log.ts';
import type { CliIo } from './cli.ts';
import { HelpRequest, UsageError } from './usage-error.ts';

/**
 * `audit verify [log]`: checks the hash chain; exit 0 when it holds, 1 when a record was changed, removed, reordered
 * or cut off (each problem printed with its line). `audit tail [log] [-n N]`: the last N records, one JSON object a
 * line. With no log named, `io.defaultAuditLog` (when the embedding app gives one). Unreadable log: 66 (the error's
 * exit code, from the caller); bad usage: 64.
 */
export async function auditCommand(args: string[], io: CliIo, program: string): Promise<number> {
  const [action, ...rest] = args;
  if (action === '--help' || action === '-h' || action === 'help') throw new HelpRequest();
  let json = false;
  const positional: string[] = [];
  let count: number | undefined;
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index] as string;
    if (argument === '--help' || argument === '-h') throw new HelpRequest();
    if (argument === '--json') {
      json = true;
    } else if (argument === '-n' || argument === '--lines') {
      const value = Number(rest[++index]);
      if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${argument} needs a positive integer`);
      count = value;
    } else if (argument.startsWith('-') && argument !== '-') {
      throw new UsageError(`unknown option ${argument}`);
    } else {
      positional.push(argument);
    }
  }
  const log = io.defaultAuditLog ? '[log.jsonl]' : '<log.jsonl>';
  if ((action !== 'verify' && action !== 'tail') || positional.length > 1) {
    throw new UsageError(
      action === 'verify' || action === 'tail'
        ? `audit ${action} takes one log file (got ${positional.length})`
        : `audit needs verify or tail: ${program} audit verify ${log} [--json] | audit tail ${log} [-n N]`,
    );
  }
  if (action === 'verify' && count !== undefined) throw new UsageError('-n is an option of audit tail, not verify');
  let [file] = positional;
  if (file === undefined) {
    if (!io.defaultAuditLog)
      throw new UsageError(`audit ${action} needs a log file: ${program} audit ${action} <log.jsonl>`);
    file = await io.defaultAuditLog.path(io.cwd);
  }
  const path = resolve(io.cwd, file);
  if (action === 'tail') {
    // One JSON object a line, with or without --json.
    for (const record of await tailAuditLog(path, count ?? 20)) io.stdout.write(`${JSON.stringify(record)}\n`);
    return 0;
  }
  const verification = await verifyAuditLog(path);
  if (json) {
    io.stdout.write(`${JSON.stringify(verification, null, 2)}\n`);
  } else if (verification.ok) {
    const anchor = verification.anchored
      ? 'anchored by its head file'
      : 'no head file: cutting records off the end would not show';
    io.stdout.write(
      `ok: ${verification.records} records, chain intact up to #${verification.lastSeq} (${anchor})${positional.length === 0 ? `: ${path}` : ''}\n`,
    );
    for (const torn of verification.torn)
      io.stdout.write(
        `note: torn line ${torn.line} (${torn.bytes} bytes) left by a crash${torn.recovered ? ', recovered' : ''}\n`,
      );
  } else {
    io.stdout.write(`FAILED: ${verification.problems.length} problem(s) in ${path}\n`);
    for (const problem of verification.problems)
      io.stdout.write(
        `  line ${problem.line}${problem.seq === undefined ? '' : ` (#${problem.seq})`}: ${problem.kind}: ${problem.message}\n`,
      );
  }
  return verification.ok ? 0 : 1;
}
