import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AofError } from '../../../src/aof/errors.js';
import { parseManifest, splitArgs } from '../../../src/aof/manifest.js';

describe('AOF manifest', () => {
  it('reads base, history and incr lines in order (keys in any order and case)', () => {
    const text =
      'file appendonly.aof.2.base.rdb seq 2 type b\n' +
      '# a comment\n' +
      'file appendonly.aof.1.incr.aof seq 1 type h\n' +
      'seq 3 type i file appendonly.aof.3.incr.aof\n' +
      'FILE appendonly.aof.4.incr.aof SEQ 4 TYPE i future-key x\n';
    assert.deepEqual(parseManifest(text, 'm'), [
      { name: 'appendonly.aof.2.base.rdb', seq: 2, type: 'base' },
      { name: 'appendonly.aof.1.incr.aof', seq: 1, type: 'history' },
      { name: 'appendonly.aof.3.incr.aof', seq: 3, type: 'incr' },
      { name: 'appendonly.aof.4.incr.aof', seq: 4, type: 'incr' },
    ]);
  });

  it('accepts quoted names as Redis writes them (sdssplitargs)', () => {
    assert.deepEqual(splitArgs('file "my file\\x41.aof" seq 1 type i'), ['file', 'my fileA.aof', 'seq', '1', 'type', 'i']);
    assert.deepEqual(splitArgs("file 'it\\'s.aof'"), ['file', "it's.aof"]);
    assert.equal(splitArgs('file "unterminated'), null);
    assert.equal(splitArgs('file "a"b'), null);
    assert.deepEqual(parseManifest('file "a b.aof" seq 1 type i\r\n', 'm'), [{ name: 'a b.aof', seq: 1, type: 'incr' }]);
  });

  const bad: [string, string, RegExp][] = [
    ['empty', '', /empty manifest/],
    ['no final newline', 'file a seq 1 type i', /not terminated/],
    ['blank line', 'file a seq 1 type b\n\nfile b seq 1 type i\n', /line 2: empty line/],
    ['too few fields', 'file a seq 1\n', /line 1/],
    ['seq 0', 'file a seq 0 type i\n', /seq <n > 0>/],
    ['seq not a number', 'file a seq x type i\n', /line 1/],
    ['unknown type', 'file a seq 1 type z\n', /unknown file type "z"/],
    ['two bases', 'file a seq 1 type b\nfile b seq 2 type b\n', /more than one base/],
    ['incr seq not increasing', 'file a seq 2 type i\nfile b seq 2 type i\n', /does not increase/],
    ['a path', 'file ../x seq 1 type i\n', /must not contain '\/'/],
  ];
  for (const [name, text, message] of bad) {
    it(`refuses: ${name}`, () => {
      assert.throws(
        () => parseManifest(text, 'dir/appendonly.aof.manifest'),
        (e: unknown) => e instanceof AofError && e.code === 'AOF_BAD_MANIFEST' && message.test(e.message) && e.message.includes('appendonly.aof.manifest'),
      );
    });
  }
});
