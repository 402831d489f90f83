// A Valkey 9 RDB (VALKEY080, HASH_2 field TTLs) written by a real server, checked against what that
// server returned (fixtures/README.md) with the reviewers' compare-dataset.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../helpers/corpus.js';
import { compareDataset, datasetText, parseEveryChunking } from './parse-helpers.js';

// Fixtures are data, not compiled: read them from the source tree.
const fixtures = join(REPO_ROOT, 'test', 'unit', 'rdb', 'fixtures');

describe('Valkey 9.1.2 file', () => {
  it('parses to what the server returned, whatever the chunking', () => {
    const base = parseEveryChunking(readFileSync(join(fixtures, 'valkey-9.1.2.rdb')));
    assert.equal(base.error, null, base.error?.message);
    const begin = base.events[0];
    assert.ok(begin?.type === 'snapshot-begin' && begin.magic === 'VALKEY' && begin.rdbVersion === 80);
    const types = new Set(base.events.flatMap((e) => (e.type === 'key-value' || e.type === 'key-chunk' ? [e.rdbType] : [])));
    assert.ok(types.has(22), 'HASH_2 present');
    const cmp = compareDataset(join(fixtures, 'valkey-9.1.2.expected.json'), datasetText(base.events));
    assert.ok(cmp.ok, cmp.output);
  });
});
