// `redis-mq-replicator rdb`, run as a child process like a user would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromJsonLine } from '../../../src/events/json.js';
import { runCli } from '../../helpers/cli.js';
import { corpusPath } from '../../helpers/corpus.js';
import { compareDataset } from './parse-helpers.js';

const gen = (f: string): string => corpusPath('generated', f);
const broken = (f: string): string => corpusPath('broken', f);

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  return lines[0] as string;
}

describe('rdb command', () => {
  it('jsonl: one event per line, from snapshot-begin to snapshot-end, parseable back', async () => {
    const r = await runCli(['rdb', gen('redis-7.2.6_nocompress.rdb')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    const events = lines.map(fromJsonLine);
    assert.equal(events[0]?.type, 'snapshot-begin');
    const end = events.at(-1);
    assert.ok(end?.type === 'snapshot-end' && end.checksum === 'verified' && end.keys === 199);
  });

  it('dataset: the document matches the oracle with compare-dataset.mjs', async () => {
    const r = await runCli(['rdb', gen('redis-7.4.1_default.rdb'), '--format', 'dataset']);
    assert.equal(r.code, 0, r.stderr);
    const cmp = compareDataset(gen('redis-7.4.1_default.expected.json'), r.stdout.toString('utf8'));
    assert.ok(cmp.ok, cmp.output);
  });

  it('--chunk-elements splits collections into key-chunk events', async () => {
    const r = await runCli(['rdb', gen('redis-7.4.1_lfu.rdb'), '--chunk-elements', '2', '--chunk-bytes=100']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /"type":"key-chunk"/);
  });

  it('a truncated file: exit 1 and one line naming the code, the byte offset and the key', async () => {
    const r = await runCli(['rdb', broken('truncated_in_value.rdb')]);
    assert.equal(r.code, 1);
    const line = oneLine(r.stderr);
    assert.match(line, /RDB_UNEXPECTED_EOF/);
    assert.match(line, /byte 60/);
    assert.match(line, /"greeting"/);
  });

  it('a bad checksum fails unless --no-verify-checksum', async () => {
    const strict = await runCli(['rdb', broken('bad_checksum.rdb'), '--format', 'dataset']);
    assert.equal(strict.code, 1);
    assert.match(oneLine(strict.stderr), /RDB_BAD_CHECKSUM/);
    const lenient = await runCli(['rdb', broken('bad_checksum.rdb'), '--no-verify-checksum', '--format', 'dataset']);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.equal((JSON.parse(lenient.stdout.toString()) as { key_count: number }).key_count, 4);
  });

  it('bytes after the checksum: a warning on stderr, exit 0', async () => {
    const r = await runCli(['rdb', broken('trailing_garbage_after_checksum.rdb')]);
    assert.equal(r.code, 0);
    assert.match(oneLine(r.stderr), /warning: 7 bytes after the end of the RDB/);
  });

  it('a missing file, a bad option and --help', async () => {
    const missing = await runCli(['rdb', '/nonexistent/x.rdb']);
    assert.equal(missing.code, 1);
    assert.match(oneLine(missing.stderr), /cannot open/);
    const bad = await runCli(['rdb', gen('redis-7.4.1_lfu.rdb'), '--format', 'xml']);
    assert.equal(bad.code, 2);
    const help = await runCli(['rdb', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout.toString(), /--format jsonl\|dataset/);
  });
});
