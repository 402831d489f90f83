import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveCommand } from '../../../src/commands/command-lookup.js';
import { compileKeySpec } from '../../../src/commands/command-spec.js';
import { keySpecIndexes } from '../../../src/commands/key-specs.js';
import { parseCommand } from '../../../src/commands/parse.js';

const argv = (...a: string[]) => a.map((s) => Buffer.from(s, 'latin1'));
const keysOf = (...a: string[]) => parseCommand(argv(...a)).keys.map((k) => k.toString('latin1'));

describe('key specs', () => {
  const cases: [string[], string[]][] = [
    [['SET', 'k', 'v', 'PXAT', '1795379501350'], ['k']],
    [['set', 'k', 'v'], ['k']],
    [['GET', 'k'], ['k']],
    [['MSET', 'a', '1', 'b', '2', 'c', '3'], ['a', 'b', 'c']],
    [['MSETNX', 'a', '1', 'b', '2'], ['a', 'b']],
    [['DEL', 'k1', 'k2'], ['k1', 'k2']],
    [['UNLINK', 'k1'], ['k1']],
    [['RENAME', 'a', 'b'], ['a', 'b']],
    [['COPY', 'a', 'b', 'DB', '1', 'REPLACE'], ['a', 'b']],
    [['MOVE', 'a', '1'], ['a']],
    [['SMOVE', 'src', 'dst', 'm'], ['src', 'dst']],
    [['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'], ['src', 'dst']],
    [['RPOPLPUSH', 'src', 'dst'], ['src', 'dst']],
    [['LMPOP', '2', 'a', 'b', 'LEFT'], ['a', 'b']],
    [['ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2'], ['dst', 'a', 'b']],
    [['ZINTERSTORE', 'dst', '1', 'a'], ['dst', 'a']],
    [['SINTERSTORE', 'dst', 'a', 'b'], ['dst', 'a', 'b']],
    [['EVAL', 'return 1', '2', 'k1', 'k2', 'arg'], ['k1', 'k2']],
    [['EVAL', 'return 1', '0', 'arg'], []],
    [['EVALSHA', 'abc', '1', 'k1'], ['k1']],
    [['EVAL', 'return 1', 'x', 'k1'], []], // numkeys not a number
    [['EVAL', 'return 1', '-1'], []],
    [['EVAL', 'return 1', '5', 'k1'], []], // numkeys beyond argc
    [['FCALL', 'fn', '1', 'k', 'a'], ['k']],
    [
      ['XCLAIM', 'w:stream', 'g', 'c1', '0', '1795279501352-0', 'TIME', '1795279501353', 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '1795279501352-0'],
      ['w:stream'],
    ],
    [['XGROUP', 'CREATE', 'w:stream', 'g', '0'], ['w:stream']],
    [['xgroup', 'setid', 's', 'g', '0', 'ENTRIESREAD', '3'], ['s']],
    [['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'], ['s']],
    [['XADD', 's', '*', 'f', 'v'], ['s']],
    [['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's1', 's2', '>', '>'], ['s1', 's2']],
    [['XREAD', 'streams', 'a', '0'], ['a']],
    [['GEORADIUS', 'src', '15', '37', '200', 'km', 'STORE', 'dst'], ['src', 'dst']],
    [['GEORADIUS', 'src', '15', '37', '200', 'km', 'STOREDIST', 'dst'], ['src', 'dst']],
    [['GEOADD', 'g', '13.36', '38.11', 'Palermo'], ['g']],
    [['GEOSEARCHSTORE', 'dst', 'src', 'FROMMEMBER', 'm', 'BYRADIUS', '1', 'km'], ['dst', 'src']],
    [['SORT', 'k', 'BY', 'w*', 'STORE', 'dst'], ['k', 'dst']],
    [['SORT', 'k', 'BY', 'store', 'LIMIT', '0', '10'], ['k']], // 'store' is BY's pattern
    [['SORT', 'k', 'STORE', 'a', 'STORE', 'b'], ['k', 'b']], // the last STORE wins
    [['SORT', 'k', 'STORE'], ['k']],
    [['SORT_RO', 'k', 'BY', 'w*'], ['k']],
    [['MIGRATE', 'host', '6379', 'key', '0', '5000'], ['key']],
    [['MIGRATE', 'host', '6379', '', '0', '5000', 'COPY', 'KEYS', 'a', 'b'], ['a', 'b']],
    [['MIGRATE', 'host', '6379', '', '0', '5000', 'AUTH2', 'keys', 'pw', 'KEYS', 'a'], ['a']],
    [['MIGRATE', 'host', '6379', 'x', '0', '5000', 'KEYS', 'a'], []], // syntax error in Redis: no keys
    [['BITOP', 'AND', 'dest', 'k1', 'k2'], ['dest', 'k1', 'k2']],
    [['SETBIT', 'b', '7', '1'], ['b']],
    [['BITFIELD', 'b', 'SET', 'u8', '0', '1'], ['b']],
    [['PFMERGE', 'dst', 'a', 'b'], ['dst', 'a', 'b']],
    [['PFADD', 'h', 'a'], ['h']],
    [['HSET', 'h', 'f', 'v'], ['h']],
    [['HPEXPIREAT', 'w:hfe', '4102444800000', 'FIELDS', '1', 'b'], ['w:hfe']],
    [['HSETEX', 'h', 'PX', '100', 'FIELDS', '1', 'f', 'v'], ['h']],
    [['HGETDEL', 'h', 'FIELDS', '1', 'f'], ['h']],
    [['PEXPIREAT', 'k', '4102444800000'], ['k']],
    [['PERSIST', 'k'], ['k']],
    [['RESTORE', 'k', '0', 'payload', 'ABSTTL'], ['k']],
    [['DELIFEQ', 'k', 'v'], ['k']],
    [['VADD', 'vs', 'VALUES', '1', '0.5', 'e'], ['vs']],
    [['FLUSHALL'], []],
    [['FLUSHDB', 'ASYNC'], []],
    [['SWAPDB', '0', '1'], []],
    [['FUNCTION', 'LOAD', '#!lua name=l\n'], []],
    [['SCRIPT', 'FLUSH'], []],
    [['PUBLISH', 'channel', 'msg'], []], // a channel is not a key
    [['SPUBLISH', 'channel', 'msg'], []], // NOT_KEY spec: used for slots only
    [['SET'], []], // too few arguments: no key rather than a crash
    [['DEL'], []],
  ];
  for (const [args, keys] of cases) {
    it(`${args.map((a) => (a === '' ? '""' : a)).join(' ')} -> [${keys.join(', ')}]`, () => {
      assert.deepEqual(keysOf(...args), keys);
      assert.equal(parseCommand(argv(...args)).known, true);
    });
  }

  it('keys are the argument Buffers themselves (no copy)', () => {
    const args = argv('RENAME', 'a', 'b');
    const body = parseCommand(args);
    assert.equal(body.keys[0], args[1]);
    assert.equal(body.keys[1], args[2]);
  });

  it('keyword search backward from the end does not examine argv[1]', () => {
    const spec = compileKeySpec({ f: 'RW', kw: ['KEYS', -2], r: [-1, 1, 0] });
    const out: number[] = [];
    keySpecIndexes(spec, argv('CMD', 'keys', 'x', 'KEYS', 'a', 'b'), out);
    assert.deepEqual(out, [4, 5]);
    const none: number[] = [];
    keySpecIndexes(spec, argv('CMD', 'KEYS', 'a'), none);
    assert.deepEqual(none, []);
  });

  it('range with a limit takes a share of the remaining arguments', () => {
    const spec = compileKeySpec({ f: 'RO', kw: ['STREAMS', 1], r: [-1, 1, 2] });
    const out: number[] = [];
    keySpecIndexes(spec, argv('XREAD', 'COUNT', '2', 'STREAMS', 'a', 'b', 'c', '0', '0', '0'), out);
    assert.deepEqual(out, [4, 5, 6]);
  });

  it('keynum with a step', () => {
    const info = resolveCommand(argv('MSETEX'));
    assert.ok(info);
    assert.deepEqual(keysOf('MSETEX', '2', 'a', '1', 'b', '2', 'EX', '10'), ['a', 'b']);
  });
});
