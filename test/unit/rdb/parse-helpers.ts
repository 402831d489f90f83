// Shared by the RDB tests: feed a buffer through the parser with a chunking, collect the events,
// turn them into the dataset JSON, and compare with a corpus oracle using the reviewers' own tool.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toJsonLine } from '../../../src/events/json.js';
import type {
  HashEntry,
  KeyChunkEvent,
  KeyValueEvent,
  SnapshotEvent,
  StreamEntry,
  StreamGroup,
  StreamMeta,
  ZsetEntry,
} from '../../../src/events/types.js';
import { DatasetWriter, mergeGroups } from '../../../src/rdb/dataset-writer.js';
import { resolvePelConsumers } from '../../../src/rdb/stream-emitter.js';
import { RdbParser, type RdbParserOptions } from '../../../src/rdb/parser.js';
import { standardChunkings, whole, type Chunking } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';

export interface ParseOutcome {
  events: SnapshotEvent[];
  error: (Error & { code?: string; rdbOffset?: number }) | null;
  remainder: Buffer;
  done: boolean;
}

export function parseBuffer(input: Buffer, chunking: Chunking | null = null, options: RdbParserOptions = {}): ParseOutcome {
  const events: SnapshotEvent[] = [];
  const parser = new RdbParser((batch) => {
    for (const e of batch) events.push(e);
  }, options);
  let error: ParseOutcome['error'] = null;
  try {
    for (const c of chunking ? chunking.split(input) : [input]) parser.feed(c);
    parser.end();
  } catch (e) {
    error = e as ParseOutcome['error'];
  }
  return { events, error, remainder: parser.remainder(), done: parser.done };
}

/**
 * Parses the input whole, then in every other standard chunking, and checks that they agree: the same
 * events, and the same error (code and offset) or none when the whole feed had none. Returns the
 * outcome of the whole feed.
 */
export function parseEveryChunking(input: Buffer, options: RdbParserOptions = {}): ParseOutcome {
  const base = parseBuffer(input, whole, options);
  const reference = jsonl(base.events);
  for (const chunking of standardChunkings(input.length)) {
    if (chunking === whole) continue;
    const other = parseBuffer(input, chunking, options);
    if (base.error === null) assert.equal(other.error, null, `${chunking.name}: ${other.error?.message}`);
    else {
      assert.equal(other.error?.code, base.error.code, `${chunking.name}: error differs`);
      assert.equal(other.error?.rdbOffset, base.error.rdbOffset, `${chunking.name}: error offset differs`);
    }
    // not assert.equal: a diff of two whole corpus files is no help
    assert.ok(jsonl(other.events) === reference, `${chunking.name}: events differ from a whole feed`);
  }
  return base;
}

/** Whole key-value events, with chunked keys put back together (what a consumer would rebuild).
 *  Keys are identified by db, record offset and key bytes. */
export function reassemble(events: SnapshotEvent[]): KeyValueEvent[] {
  const out: KeyValueEvent[] = [];
  let open: { first: KeyChunkEvent; parts: KeyChunkEvent[] } | null = null;
  for (const e of events) {
    if (e.type === 'key-value') out.push(e);
    if (e.type !== 'key-chunk') continue;
    if (e.index === 0) open = { first: e, parts: [] };
    assert.ok(open && open.first.key.equals(e.key) && open.first.rdbOffset === e.rdbOffset, 'chunks of one key are contiguous');
    assert.equal(e.index, open.parts.length, 'chunk indexes count up from 0');
    open.parts.push(e);
    if (!e.last) continue;
    out.push(joinChunks(open.parts));
    open = null;
  }
  assert.equal(open, null, 'no key left without its last chunk');
  return out;
}

function joinChunks(parts: KeyChunkEvent[]): KeyValueEvent {
  const f = parts[0] as KeyChunkEvent;
  const base: Omit<KeyValueEvent, 'valueType' | 'value' | 'fieldExpires'> = {
    type: 'key-value', replid: f.replid, offset: f.offset, db: f.db, key: f.key, rdbType: f.rdbType,
  };
  if (f.rdbOffset !== undefined) base.rdbOffset = f.rdbOffset;
  if (f.expireMs !== undefined) base.expireMs = f.expireMs;
  if (f.lfuFreq !== undefined) base.lfuFreq = f.lfuFreq;
  if (f.lruIdleS !== undefined) base.lruIdleS = f.lruIdleS;
  if (f.keyMeta !== undefined) base.keyMeta = f.keyMeta;
  switch (f.valueType) {
    case 'string':
      return { ...base, valueType: 'string', value: Buffer.concat(parts.map((p) => p.value as Buffer)) };
    case 'list':
    case 'set':
      return { ...base, valueType: f.valueType, value: parts.flatMap((p) => p.value as Buffer[]) };
    case 'zset':
      return { ...base, valueType: 'zset', value: parts.flatMap((p) => p.value as ZsetEntry[]) };
    case 'hash': {
      const fe = parts.flatMap((p) => (p.valueType === 'hash' ? (p.fieldExpires ?? []) : []));
      const v = { ...base, valueType: 'hash' as const, value: parts.flatMap((p) => p.value as HashEntry[]) };
      return f.fieldExpires !== undefined ? { ...v, fieldExpires: fe } : v;
    }
    case 'stream': {
      const groups: StreamGroup[] = [];
      let meta: StreamMeta | undefined;
      const entries: StreamEntry[] = [];
      for (const p of parts) {
        if (p.valueType !== 'stream') continue;
        entries.push(...p.value.entries);
        if (p.value.meta) meta = p.value.meta;
        mergeGroups(groups, p.value.groups);
      }
      resolvePelConsumers(groups);
      assert.ok(meta, 'a chunked stream carries its meta once');
      return { ...base, valueType: 'stream', value: { entries, meta, groups } };
    }
    default:
      throw new Error('unexpected chunk type');
  }
}

export function jsonl(events: SnapshotEvent[]): string {
  return events.map(toJsonLine).join('\n');
}

export function datasetText(events: SnapshotEvent[]): string {
  const parts: string[] = [];
  const w = new DatasetWriter((s) => parts.push(s));
  w.onEvents(events);
  w.end();
  return parts.join('');
}

let tmp: string | null = null;
function tmpDir(): string {
  if (tmp === null) {
    tmp = mkdtempSync(join(tmpdir(), 'rmqr-rdb-test-'));
    process.on('exit', () => rmSync(tmp as string, { recursive: true, force: true }));
  }
  return tmp;
}

/** Runs shared/tools/compare-dataset.mjs EXPECTED ACTUAL; returns its output ("match" when equal). */
export function compareDataset(expected: string | object, actual: string | object): { ok: boolean; output: string } {
  const tag = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const file = join(tmpDir(), `actual-${tag}.json`);
  writeFileSync(file, typeof actual === 'string' ? actual : JSON.stringify(actual));
  let expectedPath: string;
  if (typeof expected === 'string') expectedPath = expected;
  else {
    expectedPath = join(tmpDir(), `expected-${tag}.json`);
    writeFileSync(expectedPath, JSON.stringify(expected));
  }
  const r = spawnSync(process.execPath, [corpusPath('..', 'tools', 'compare-dataset.mjs'), expectedPath, file, '--max-report', '20'], {
    encoding: 'utf8',
  });
  rmSync(file, { force: true });
  if (typeof expected !== 'string') rmSync(expectedPath, { force: true });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}
