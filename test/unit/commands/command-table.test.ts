import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allCommands, findCommand, getCommand, resolveCommand } from '../../../src/commands/command-lookup.js';
import { parseCommand } from '../../../src/commands/parse.js';
import { COMMAND_SOURCES } from '../../../src/commands/table.js';

const argv = (...a: string[]) => a.map((s) => Buffer.from(s, 'latin1'));

// The write commands the issue lists, by group: each must be in the table, flagged WRITE.
const WRITES: Record<string, string[]> = {
  string: ['SET', 'SETNX', 'SETEX', 'PSETEX', 'MSET', 'MSETNX', 'APPEND', 'INCR', 'INCRBY', 'INCRBYFLOAT', 'DECR', 'DECRBY', 'SETRANGE', 'GETSET', 'GETDEL', 'GETEX', 'MSETEX', 'DELEX'],
  list: ['LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX', 'LPOP', 'RPOP', 'LSET', 'LINSERT', 'LREM', 'LTRIM', 'RPOPLPUSH', 'LMOVE', 'BLMOVE', 'LMPOP', 'BLPOP'],
  set: ['SADD', 'SREM', 'SPOP', 'SMOVE', 'SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'],
  sorted_set: ['ZADD', 'ZINCRBY', 'ZREM', 'ZPOPMIN', 'ZPOPMAX', 'ZMPOP', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYRANK', 'ZREMRANGEBYLEX', 'ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE', 'ZRANGESTORE'],
  hash: ['HSET', 'HMSET', 'HSETNX', 'HDEL', 'HINCRBY', 'HINCRBYFLOAT', 'HEXPIRE', 'HPEXPIRE', 'HEXPIREAT', 'HPEXPIREAT', 'HPERSIST', 'HSETEX', 'HGETEX', 'HGETDEL'],
  stream: ['XADD', 'XDEL', 'XTRIM', 'XACK', 'XCLAIM', 'XAUTOCLAIM', 'XSETID', 'XGROUP CREATE', 'XGROUP SETID', 'XGROUP DESTROY', 'XGROUP CREATECONSUMER', 'XGROUP DELCONSUMER', 'XDELEX', 'XACKDEL'],
  geo: ['GEOADD', 'GEORADIUS', 'GEORADIUSBYMEMBER', 'GEOSEARCHSTORE'],
  hyperloglog: ['PFADD', 'PFMERGE'],
  bitmap: ['SETBIT', 'BITOP', 'BITFIELD'],
  generic: ['DEL', 'UNLINK', 'EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT', 'PERSIST', 'RENAME', 'RENAMENX', 'COPY', 'MOVE', 'RESTORE', 'MIGRATE', 'SORT'],
  keyspace_server: ['SWAPDB', 'FLUSHDB', 'FLUSHALL'],
  scripting: ['FUNCTION LOAD', 'FUNCTION DELETE', 'FUNCTION FLUSH', 'FUNCTION RESTORE'],
};

describe('command table', () => {
  it('records where it was generated from', () => {
    assert.ok(COMMAND_SOURCES.some((s) => /^redis\/redis@[0-9a-f]{40} /.test(s)));
    assert.ok(COMMAND_SOURCES.some((s) => /^valkey-io\/valkey@[0-9a-f]{40} /.test(s)));
  });

  for (const [group, names] of Object.entries(WRITES)) {
    it(`has the ${group} write commands`, () => {
      for (const name of names) {
        const info = getCommand(name);
        assert.ok(info, `${name} missing`);
        assert.equal(info.name, name);
        assert.ok(info.write, `${name} is not flagged WRITE`);
        if (group !== 'keyspace_server') assert.equal(info.group, group, name);
      }
    });
  }

  it('has the scripting and pub/sub commands that carry no WRITE flag', () => {
    for (const name of ['EVAL', 'EVALSHA', 'EVAL_RO', 'FCALL', 'SCRIPT LOAD', 'SCRIPT FLUSH', 'PUBLISH', 'SPUBLISH']) {
      const info = getCommand(name);
      assert.ok(info, `${name} missing`);
      assert.ok(['scripting', 'pubsub'].includes(info.group), `${name}: ${info.group}`);
    }
    assert.ok(getCommand('PUBLISH')?.flags.includes('PUBSUB'));
    // PFCOUNT may update its cache, so it is propagated, yet it is not flagged WRITE.
    assert.ok(getCommand('PFCOUNT')?.flags.includes('MAY_REPLICATE'));
  });

  it('groups are those of the servers', () => {
    assert.equal(getCommand('SET')?.group, 'string');
    assert.equal(getCommand('ZADD')?.group, 'sorted_set');
    assert.equal(getCommand('PFADD')?.group, 'hyperloglog');
    assert.equal(getCommand('SETBIT')?.group, 'bitmap');
    assert.equal(getCommand('FLUSHALL')?.group, 'server');
    assert.equal(getCommand('DEL')?.group, 'generic');
    assert.equal(getCommand('MULTI')?.group, 'transactions');
    assert.equal(getCommand('VADD')?.group, 'vector_set');
  });

  it('entries are documented: arity, flags, key specs, since, families', () => {
    const set = getCommand('set');
    assert.ok(set);
    assert.equal(set.arity, -3);
    assert.ok(set.flags.includes('DENYOOM'));
    assert.equal(set.since, '1.0.0');
    assert.deepEqual(set.families, ['redis', 'valkey']);
    assert.deepEqual(set.keySpecs[0].beginSearch, { type: 'index', pos: 1 });
    assert.deepEqual(set.keySpecs[0].findKeys, { type: 'range', lastKey: 0, step: 1, limit: 0 });
    assert.ok(set.keySpecs[0].flags.includes('RW'));
    assert.deepEqual(getCommand('HSETEX')?.families, ['redis']);
    assert.deepEqual(getCommand('DELIFEQ')?.families, ['valkey']);
    const xgroup = getCommand('XGROUP');
    assert.ok(xgroup?.subcommands?.get('create'));
    assert.equal(getCommand('XGROUP CREATE')?.container, 'XGROUP');
  });

  it('looks names up in any case, without strings', () => {
    for (const n of ['set', 'SET', 'sEt']) assert.equal(findCommand(Buffer.from(n))?.name, 'SET');
    assert.equal(resolveCommand(argv('xGroup', 'CreateConsumer', 's', 'g', 'c'))?.name, 'XGROUP CREATECONSUMER');
    assert.equal(findCommand(Buffer.from('nosuchcommand')), undefined);
    assert.equal(findCommand(Buffer.from('s\u00e9t', 'latin1')), undefined);
    assert.equal(findCommand(Buffer.alloc(100, 0x61)), undefined);
    assert.equal(findCommand(Buffer.alloc(0)), undefined);
  });

  it('every entry is reachable by lookup', () => {
    let n = 0;
    for (const info of allCommands()) {
      n++;
      const args = info.container ? argv(info.container, info.name.slice(info.container.length + 1)) : argv(info.name);
      assert.equal(resolveCommand(args), info, info.name);
    }
    assert.ok(n > 400, `${n} entries`);
  });

  it('an unknown command is emitted as is, never dropped', () => {
    const args = argv('hellotype.insert', 'k', '12123123112');
    assert.deepEqual(parseCommand(args), { command: 'HELLOTYPE.INSERT', args, keys: [], known: false });
  });

  it('a known container with an unknown or missing subcommand is not known', () => {
    const args = argv('XGROUP', 'frobnicate', 's');
    assert.deepEqual(parseCommand(args), { command: 'XGROUP FROBNICATE', args, keys: [], known: false });
    const bare = argv('xgroup');
    assert.deepEqual(parseCommand(bare), { command: 'XGROUP', args: bare, keys: [], known: false });
  });

  it('canonical names of container commands include the subcommand', () => {
    assert.equal(parseCommand(argv('function', 'load', 'x')).command, 'FUNCTION LOAD');
    assert.equal(parseCommand(argv('script', 'flush')).command, 'SCRIPT FLUSH');
    assert.equal(parseCommand(argv('CLIENT', 'kill', 'id', '1')).command, 'CLIENT KILL');
    assert.equal(parseCommand(argv('set', 'a', 'b')).args[0].toString(), 'set'); // as sent
  });
});
