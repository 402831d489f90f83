// `redis-mq-replicator aof <file|dir>`: prints the events of an AOF as JSON lines on stdout.
import { once } from 'node:events';
import { readAof } from '../aof/aof-reader.js';
import { describeError } from '../errors.js';
import { toJsonLine } from '../events/json.js';
import type { Subcommand } from './main.js';

const HELP = `usage: redis-mq-replicator aof <path> [--strict]

Reads an append-only file and prints its events as JSON lines (event schema v1):
snapshot events of an RDB preamble or base RDB, stream-begin, command and transaction
events (offset = byte position after the command, over the files in load order; db from
SELECT; timestampMs from #TS annotations), stream-end.

<path>     a single AOF (plain or with an RDB preamble), a 7.x manifest
           (appendonly.aof.manifest), a directory holding one, or a directory holding
           appendonlydir/
--strict   a last file that ends inside a command is an error (exit 1); by default it
           is read up to its last complete command with a warning on stderr, as Redis
           does with aof-load-truncated yes
--help     this text
`;

/** Resolves when stdout can take more, or rejects when it is gone (EPIPE: the reader quit). */
async function drained(out: NodeJS.WriteStream): Promise<void> {
  await Promise.race([once(out, 'drain'), once(out, 'close').then(() => Promise.reject(new StdoutClosed()))]);
}

class StdoutClosed extends Error {}

async function run(argv: string[]): Promise<number> {
  let path: string | undefined;
  let strict = false;
  for (const a of argv) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(HELP);
      return 0;
    }
    if (a === '--strict') strict = true;
    else if (a.startsWith('-')) {
      process.stderr.write(`redis-mq-replicator aof: unknown option ${a} (see --help)\n`);
      return 2;
    } else if (path === undefined) path = a;
    else {
      process.stderr.write(`redis-mq-replicator aof: one path only (got ${path} and ${a})\n`);
      return 2;
    }
  }
  if (path === undefined) {
    process.stderr.write(`redis-mq-replicator aof: missing <path>\n${HELP}`);
    return 2;
  }

  const out = process.stdout;
  let closed = false;
  out.on('error', () => {
    closed = true; // EPIPE and the like: nobody reads any more
  });
  try {
    await readAof(
      path,
      async (events) => {
        if (closed) throw new StdoutClosed();
        let text = '';
        for (const e of events) text += toJsonLine(e) + '\n';
        if (!out.write(text)) await drained(out);
      },
      {
        truncated: strict ? 'error' : 'warn',
        onWarning: (w) => process.stderr.write(`redis-mq-replicator aof: warning: ${w.message}\n`),
      },
    );
  } catch (err) {
    if (err instanceof StdoutClosed || closed) return 0;
    process.stderr.write(`redis-mq-replicator aof: ${describeError(err)}\n`);
    return 1;
  }
  return 0;
}

export const subcommand: Subcommand = {
  summary: 'print the events of an AOF file or directory as JSON lines',
  run,
};
