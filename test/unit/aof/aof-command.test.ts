// The `aof` subcommand, run as a child process like bin/redis-mq-replicator does.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readAof } from '../../../src/aof/aof-reader.js';
import { encodeCommand } from '../../../src/resp/encoder.js';
import { runCli } from '../../helpers/cli.js';
import { corpusPath } from '../../helpers/corpus.js';

const tmp = mkdtempSync(join(tmpdir(), 'rmqr-aof-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function lines(stdout: Buffer): { type: string; offset: number; command?: string; db: number }[] {
  const text = stdout.toString('utf8');
  assert.ok(text.endsWith('\n'));
  return text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; offset: number; command?: string; db: number });
}

async function expectedEvents(path: string): Promise<{ type: string; offset: number }[]> {
  const all: { type: string; offset: number }[] = [];
  await readAof(path, (events) => {
    for (const e of events) all.push({ type: e.type, offset: e.offset });
  });
  return all;
}

describe('redis-mq-replicator aof', () => {
  const inputs = [
    corpusPath('aof-repl', 'redis-7.4.1_aof-multipart-ts'),
    corpusPath('aof-repl', 'redis-4.0.14_aof-preamble', 'appendonly.aof'),
    corpusPath('public', 'redis-replicator', 'src', 'test', 'resources', 'appendonly5.aof'),
  ];
  for (const input of inputs) {
    it(`prints one JSON line per event: ${input.split('/').slice(-2).join('/')}`, async () => {
      const r = await runCli(['aof', input]);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      const got = lines(r.stdout);
      assert.deepEqual(
        got.map((e) => ({ type: e.type, offset: e.offset })),
        await expectedEvents(input),
      );
      assert.equal(got[0].type === 'snapshot-begin' || got[0].type === 'stream-begin', true);
      assert.equal(got.at(-1)?.type, 'stream-end');
    });
  }

  it('--help prints the usage and exits 0', async () => {
    const r = await runCli(['aof', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout.toString(), /usage: redis-mq-replicator aof <path>/);
  });

  it('bad input: one line on stderr, exit 1', async () => {
    const path = join(tmp, 'bad.aof');
    writeFileSync(path, 'not an aof\r\n');
    const r = await runCli(['aof', path]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^redis-mq-replicator aof: AOF_BAD_FORMAT: .*bad\.aof.*offset 0/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const missing = await runCli(['aof', join(tmp, 'missing')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /AOF_NOT_FOUND/);
  });

  it('a truncated last command: warning and exit 0; --strict: exit 1', async () => {
    const path = join(tmp, 'cut.aof');
    const good = encodeCommand(['SET', 'a', '1']);
    writeFileSync(path, Buffer.concat([good, encodeCommand(['SET', 'b', '2']).subarray(0, 9)]));
    const r = await runCli(['aof', path]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning: .*complete commands end at AOF offset 27/);
    const got = lines(r.stdout);
    assert.deepEqual(got.map((e) => e.type), ['stream-begin', 'command', 'stream-end']);
    const strict = await runCli(['aof', '--strict', path]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /AOF_TRUNCATED/);
  });

  it('the whole corpus AOF round-trips to JSON lines with the right byte strings', async () => {
    const input = corpusPath('aof-repl', 'redis-7.4.1_aof-multipart-nopreamble');
    const r = await runCli(['aof', input]);
    assert.equal(r.code, 0);
    const got = lines(r.stdout);
    const last = got.filter((e) => e.type === 'command').at(-1) as unknown as { args: string[]; keys: string[] };
    assert.deepEqual(last.args, ['SET', 'w:last', 'end-marker']);
    assert.deepEqual(last.keys, ['w:last']);
    const size = readFileSync(join(input, 'appendonly.aof.2.base.aof')).length + readFileSync(join(input, 'appendonly.aof.2.incr.aof')).length;
    assert.equal(got.at(-1)?.offset, size);
  });
});
