import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../../src/sinks/file.js';
import type { ReplicationEvent } from '../../../src/events/types.js';

const ev = (offset: number): ReplicationEvent => ({ type: 'stream-begin', replid: 'c'.repeat(40), offset, db: 0, mode: 'full' });
const encode = (e: ReplicationEvent): string => JSON.stringify({ type: e.type, offset: e.offset });

test('file sink writes JSON lines, rotates by size and keeps at most maxFiles', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-fsink-'));
  try {
    const sink = new FileSink(encode, { dir, maxFileBytes: 1024, maxFiles: 3 });
    await sink.open();
    for (let i = 0; i < 100; i++) await sink.publish([ev(i), ev(i + 1000)]);
    await sink.close();
    const files = (await readdir(dir)).sort();
    assert.equal(files.length, 3, `kept ${files.join(', ')}`);
    const last = (await readFile(join(dir, files.at(-1)!), 'utf8')).trim().split('\n');
    assert.deepEqual(JSON.parse(last.at(-1)!), { type: 'stream-begin', offset: 1099 });
    // a new sink continues the numbering instead of overwriting
    const again = new FileSink(encode, { dir, maxFileBytes: 1024, maxFiles: 0 });
    await again.open();
    await again.publish([ev(1)]);
    await again.close();
    const after = (await readdir(dir)).sort();
    assert.equal(after.length, 4);
    assert.ok(after.at(-1)! > files.at(-1)!);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
