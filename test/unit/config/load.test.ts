import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import { CONFIG_KEYS } from '../../../src/config/schema.js';
import { configReferenceMarkdown, REFERENCE_END, REFERENCE_START } from '../../../src/config/reference.js';
import { REPO_ROOT } from '../../helpers/corpus.js';

async function withFile(text: string, fn: (path: string) => void | Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-conf-'));
  try {
    const path = join(dir, 'replicator.conf');
    await writeFile(path, text);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('config: file values, defaults, and --set overrides in order', async () => {
  await withFile('redis.uri = redis://10.0.0.1:6380\nsink = stdout\n', (file) => {
    const c = loadConfig({ file, overrides: ['sink=file', 'rdb.chunk.elements=10'] });
    assert.equal(c.str('redis.uri'), 'redis://10.0.0.1:6380');
    assert.equal(c.str('sink'), 'file');
    assert.equal(c.int('rdb.chunk.elements'), 10);
    assert.equal(c.str('deploy.model'), 'single');
    assert.equal(c.origin('redis.uri'), `${file} line 1`);
  });
});

test('config: an unknown key is an error naming the key, where it is, and the closest known key', async () => {
  await withFile('# comment\nredis.url = redis://x\n', (file) => {
    assert.throws(() => loadConfig({ file }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG_UNKNOWN_KEY');
      assert.match(err.message, /"redis\.url"/);
      assert.match(err.message, /line 2/);
      assert.match(err.message, /did you mean "redis\.uri"/);
      return true;
    });
  });
});

test('config: bad values name the key and the accepted values; secrets stay masked', () => {
  assert.throws(() => loadConfig({ overrides: ['sink=kafak'] }), /sink = "kafak" \(--set\): expected one of/);
  assert.throws(() => loadConfig({ overrides: ['rdb.chunk.elements=ten'] }), /expected an integer/);
  assert.throws(() => loadConfig({ overrides: ['deploy.model=clustered'] }), /single, cluster/);
  const c = loadConfig({ overrides: ['redis.password=${PW}'], env: { PW: 's3cret' } });
  assert.equal(c.str('redis.password'), 's3cret');
  assert.ok(!JSON.stringify(c.describe()).includes('s3cret'), 'describe() masks secrets');
  assert.throws(() => loadConfig({ overrides: ['redis.password=${NOPE}'], env: {} }), /NOPE, which is not set/);
});

test('config: the README configuration reference is the one generated from the schema', async () => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  assert.ok(start >= 0 && end > start, 'README.md lacks the generated configuration reference markers');
  const section = readme.slice(start + REFERENCE_START.length, end).trim();
  assert.equal(section, configReferenceMarkdown(), 'README.md is stale: run npm run docs:config');
  for (const k of CONFIG_KEYS) assert.ok(section.includes(`\`${k.key}\``), k.key);
});

test('config: conf/replicator.conf shipped with the project is valid', () => {
  assert.doesNotThrow(() => loadConfig({ file: join(REPO_ROOT, 'conf', 'replicator.conf') }));
});
