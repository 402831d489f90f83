import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore } from '../../../src/checkpoint/file.js';

test('file checkpoint: load returns null when absent, then what was saved, replacing atomically', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-ckpt-'));
  try {
    const path = join(dir, 'sub', 'cp.json');
    const store = new FileCheckpointStore(path);
    assert.equal(await store.load(), null);
    await store.save({ replid: 'a'.repeat(40), offset: 10, db: 3 });
    await store.save({ replid: 'a'.repeat(40), offset: 20, db: 4 });
    assert.deepEqual(await store.load(), { replid: 'a'.repeat(40), offset: 20, db: 4 });
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { replid: 'a'.repeat(40), offset: 20, db: 4 });
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('file checkpoint: a corrupt file is an error that names the file and the fix', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-ckpt-'));
  try {
    const path = join(dir, 'cp.json');
    await writeFile(path, '{"replid": "nothex", "offset": 1, "db": 0}');
    await assert.rejects(new FileCheckpointStore(path).load(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CKPT_CORRUPT');
      assert.match(err.message, /cp\.json/);
      assert.match(err.message, /delete it/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
