// Every RDB written by a real server in the corpus (shared/corpus/generated, perf) parses to exactly
// its oracle, checked with shared/tools/compare-dataset.mjs (the reviewers' tool), and gives the very
// same events whatever the input chunking: whole, byte by byte, random splits (parseEveryChunking).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { corpusPath } from '../../helpers/corpus.js';
import { compareDataset, datasetText, parseEveryChunking } from './parse-helpers.js';

interface Oracle {
  key_count: number;
  checksum_zero?: boolean;
  rdb_version: number;
}

const dir = corpusPath('generated');
const files = readdirSync(dir).filter((f) => f.endsWith('.rdb')).sort();

describe('generated corpus: dataset equals the server oracle', () => {
  it('has files to check', () => assert.ok(files.length >= 30, `only ${files.length} files in ${dir}`));
  for (const f of files) {
    it(f, () => {
      const input = readFileSync(`${dir}/${f}`);
      const expectedPath = `${dir}/${f.replace(/\.rdb$/, '.expected.json')}`;
      const oracle = JSON.parse(readFileSync(expectedPath, 'utf8')) as Oracle;
      const base = parseEveryChunking(input);
      assert.equal(base.error, null, `parse error: ${base.error?.message}`);
      assert.ok(base.done);
      const cmp = compareDataset(expectedPath, datasetText(base.events));
      assert.ok(cmp.ok, cmp.output);
      const end = base.events.at(-1);
      assert.equal(end?.type, 'snapshot-end');
      if (end?.type === 'snapshot-end') {
        assert.equal(end.keys, oracle.key_count);
        assert.equal(end.checksum, oracle.checksum_zero ? 'not-computed' : 'verified');
        assert.equal(end.bytes, input.length);
      }
    });
  }
});

interface PerfOracle {
  key_count: number;
  expires_count: number;
  element_counts: Record<string, number>;
  keyset_sha256: string;
  databases: Record<string, { key: unknown }[]>;
}

describe('perf corpus file: summary oracle', () => {
  const perfDir = corpusPath('perf');
  for (const f of readdirSync(perfDir).filter((x) => x.endsWith('.rdb'))) {
    it(f, () => {
      const input = readFileSync(`${perfDir}/${f}`);
      const expectedPath = `${perfDir}/${f.replace(/\.rdb$/, '.expected.json')}`;
      const oracle = JSON.parse(readFileSync(expectedPath, 'utf8')) as PerfOracle;
      const base = parseEveryChunking(input);
      assert.equal(base.error, null, base.error?.message);
      const keys: Buffer[] = [];
      let expires = 0;
      const elements: Record<string, number> = {};
      for (const e of base.events) {
        if (e.type !== 'key-value') continue;
        keys.push(e.key);
        if (e.expireMs !== undefined) expires++;
        const k = `elements:${e.valueType}`;
        const n = e.valueType === 'string' ? 1 : e.valueType === 'stream' ? e.value.entries.length : e.valueType === 'module' ? 1 : e.value.length;
        elements[k] = (elements[k] ?? 0) + n;
      }
      assert.equal(keys.length, oracle.key_count);
      assert.equal(expires, oracle.expires_count);
      assert.deepEqual(elements, oracle.element_counts);
      keys.sort(Buffer.compare);
      const h = createHash('sha256');
      for (const k of keys) {
        const l = Buffer.alloc(4);
        l.writeUInt32BE(k.length, 0);
        h.update(l).update(k);
      }
      assert.equal(h.digest('hex'), oracle.keyset_sha256);
      // The sampled rows (every 100th key) must match in full: compare our rows for those keys only.
      const doc = JSON.parse(datasetText(base.events)) as { databases: Record<string, { key: unknown }[]> };
      const wanted = new Set(Object.values(oracle.databases).flat().map((r) => JSON.stringify(r.key)));
      for (const db of Object.keys(doc.databases)) doc.databases[db] = (doc.databases[db] ?? []).filter((r) => wanted.has(JSON.stringify(r.key)));
      const cmp = compareDataset(expectedPath, doc);
      assert.ok(cmp.ok, cmp.output);
    });
  }
});
