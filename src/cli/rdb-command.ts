// `redis-mq-replicator rdb <file>`: parses an RDB file and prints its events (jsonl, one event per
// line) or its content as one JSON document in the shape of the corpus oracles (dataset).
// Output respects back-pressure: the file is read only as fast as stdout drains.
import { once } from 'node:events';
import { describeError } from '../errors.js';
import { toJsonLine } from '../events/json.js';
import type { SnapshotEvent } from '../events/types.js';
import { DatasetWriter } from '../rdb/dataset-writer.js';
import { parseRdbFile, type RdbFileOptions } from '../rdb/parse-file.js';
import type { Subcommand } from './main.js';

const USAGE = `usage: redis-mq-replicator rdb <file> [options]

Parses an RDB file (REDIS0001..REDIS0013, VALKEY080..VALKEY081) and prints it.

options:
  --format jsonl|dataset   jsonl (default): one event per line (snapshot-begin, aux, function,
                           module-aux, key-value, key-chunk, snapshot-end).
                           dataset: one JSON document {databases, aux_fields, functions, ...}
                           in the shape of the corpus oracles (like rdbtools' JSON export).
  --no-verify-checksum     do not check the CRC-64 at the end of the file
  --chunk-elements N       collections with more than N elements come as key-chunk events (1024)
  --chunk-bytes N          strings longer than N bytes come as key-chunk events (1048576)
  -h, --help               this text

Exit status: 0 when the file parsed (bytes after the end of the RDB only print a warning),
1 with a one-line message on stderr when it is corrupt, truncated or unsupported, 2 on bad usage.`;

interface Args {
  file: string;
  format: 'jsonl' | 'dataset';
  options: RdbFileOptions;
}

function parseArgs(argv: string[]): Args | string {
  let file: string | undefined;
  let format: 'jsonl' | 'dataset' = 'jsonl';
  const options: RdbFileOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      i++;
      return argv[i];
    };
    const name = a.startsWith('--') && a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    switch (name) {
      case '--format': {
        const v = value();
        if (v !== 'jsonl' && v !== 'dataset') return `--format must be jsonl or dataset, got ${String(v)}`;
        format = v;
        break;
      }
      case '--no-verify-checksum':
        options.verifyChecksum = false;
        break;
      case '--chunk-elements':
      case '--chunk-bytes': {
        const v = value();
        const n = Number(v);
        if (v === undefined || !Number.isSafeInteger(n) || n < 1) return `${name} must be a positive integer, got ${String(v)}`;
        if (name === '--chunk-elements') options.maxChunkElements = n;
        else options.maxChunkBytes = n;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
        if (file !== undefined) return `unexpected argument ${a} (one file at a time)`;
        file = a;
    }
  }
  if (file === undefined) return 'missing <file>';
  return { file, format, options };
}

async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`redis-mq-replicator rdb: ${args}\n${USAGE}\n`);
    return 2;
  }
  const out = process.stdout;
  let outError: Error | null = null;
  out.on('error', (e: Error) => {
    outError = e;
  });
  let pending: string[] = [];
  const drain = async (): Promise<void> => {
    if (outError) throw outError;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (!out.write(text)) await once(out, 'drain');
  };
  const dataset = args.format === 'dataset' ? new DatasetWriter((s) => pending.push(s)) : null;
  const onEvents = (events: SnapshotEvent[]): Promise<void> => {
    if (dataset) dataset.onEvents(events);
    else for (const e of events) pending.push(toJsonLine(e) + '\n');
    return drain();
  };
  try {
    const result = await parseRdbFile(args.file, onEvents, args.options);
    if (dataset) dataset.end();
    await drain();
    if (result.trailingBytes > 0) {
      process.stderr.write(`redis-mq-replicator rdb: warning: ${result.trailingBytes} bytes after the end of the RDB (byte ${result.bytes}) were ignored\n`);
    }
    return 0;
  } catch (err) {
    await drain().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    const msg = e && e.code === 'ENOENT' ? `cannot open ${args.file}: no such file` : describeError(err);
    process.stderr.write(`redis-mq-replicator rdb: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}

export const subcommand: Subcommand = {
  summary: 'print the events (jsonl) or the dataset (JSON) of an RDB file',
  run,
};
