// Bounded fuzzing in CI: a few hundred seeded cases (corpus files mutated by bit flips, truncations,
// inflated lengths ...) through fuzz-cli.js, which watches each case for hangs and memory blow-up in
// a worker thread. Every case must end with events or a typed RdbParseError.
// More on demand: npm run fuzz:rdb -- --cases 100000 --seed 42
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), 'fuzz-cli.js');

describe('RDB fuzzing', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: 200 mutated corpus files end with events or a typed error, no hang, no blow-up`, () => {
      const r = spawnSync(process.execPath, [cli, '--cases', '200', '--seed', String(seed), '--time-limit-ms', '10000', '--max-rss-mb', '800'], {
        encoding: 'utf8',
        timeout: 240_000,
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, new RegExp(`seed ${seed}: 200/200 cases`));
      // The mutations do reach the structural checks, not only the checksum.
      assert.match(r.stdout, /RDB_(BAD_|UNKNOWN_|UNEXPECTED_EOF)/);
    });
  }
});
