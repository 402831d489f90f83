import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamAssembler, type StreamAssemblerOptions } from '../../../src/commands/stream-assembler.js';
import type { CommandEvent, TransactionEvent } from '../../../src/events/types.js';
import { RespCommandDecoder } from '../../../src/resp/command-decoder.js';
import { encodeCommand } from '../../../src/resp/encoder.js';
import { standardChunkings } from '../../helpers/chunkings.js';

type Ev = CommandEvent | TransactionEvent;

interface Run {
  events: Ev[];
  progress: [number, number][];
  getacks: number[];
  assembler: StreamAssembler;
  ends: number[];
}

/** Feeds argv lists through a real decoder into the assembler; `ends[i]` = stream end of command i. */
function run(commands: string[][], options: StreamAssemblerOptions = { replid: 'r1' }, chunk?: (b: Buffer) => Buffer[]): Run {
  const events: Ev[] = [];
  const progress: [number, number][] = [];
  const getacks: number[] = [];
  const assembler = new StreamAssembler(
    {
      onEvent: (e) => events.push(e),
      onProgress: (offset, db) => progress.push([offset, db]),
      onGetAck: (offset) => getacks.push(offset),
    },
    options,
  );
  const decoder = new RespCommandDecoder(assembler, { position: options.offset ?? 0 });
  const ends: number[] = [];
  let pos = options.offset ?? 0;
  const bytes = Buffer.concat(
    commands.map((c) => {
      const enc = encodeCommand(c);
      pos += enc.length;
      ends.push(pos);
      return enc;
    }),
  );
  for (const c of chunk ? chunk(bytes) : [bytes]) decoder.feed(c);
  decoder.end();
  return { events, progress, getacks, assembler, ends };
}

const s = (b: Buffer) => b.toString('latin1');
const brief = (e: Ev) =>
  e.type === 'command'
    ? { type: e.type, offset: e.offset, db: e.db, args: e.args.map(s), keys: e.keys.map(s) }
    : { type: e.type, offset: e.offset, db: e.db, commands: e.commands.map((c) => ({ db: c.db, args: c.args.map(s) })) };

describe('StreamAssembler', () => {
  it('turns commands into events with offset = stream position after the command', () => {
    const r = run([['SET', 'a', '1'], ['set', 'b', '2']], { replid: 'abc', offset: 1000 });
    assert.deepEqual(
      r.events.map((e) => [e.type, e.replid, e.offset, e.db]),
      [
        ['command', 'abc', r.ends[0], 0],
        ['command', 'abc', r.ends[1], 0],
      ],
    );
    const e = r.events[1] as CommandEvent;
    assert.equal(e.command, 'SET');
    assert.equal(s(e.args[0]), 'set');
    assert.deepEqual(e.keys.map(s), ['b']);
    assert.equal(e.known, true);
    assert.equal(r.assembler.offset, r.ends[1]);
    assert.equal(r.assembler.commands, 2);
    assert.equal(r.assembler.events, 2);
  });

  it('SELECT outside MULTI changes db, is not an event, and reports progress', () => {
    const r = run([['SELECT', '5'], ['SET', 'a', '1'], ['select', '0'], ['SET', 'b', '1']], { replid: 'r', db: 3 });
    assert.deepEqual(r.events.map((e) => [e.offset, e.db]), [
      [r.ends[1], 5],
      [r.ends[3], 0],
    ]);
    assert.deepEqual(r.progress, [
      [r.ends[0], 5],
      [r.ends[2], 0],
    ]);
  });

  it('the initial db comes from the options (repl-stream-db, checkpoint) and can be set', () => {
    const r = run([['SET', 'a', '1']], { replid: 'r', db: 7 });
    assert.equal(r.events[0].db, 7);
    r.assembler.db = 9;
    r.assembler.onCommand([Buffer.from('DEL'), Buffer.from('a')], r.ends[0], r.ends[0] + 20);
    assert.equal(r.events[1].db, 9);
  });

  it('MULTI ... EXEC becomes one transaction; SELECT inside (and before) MULTI moves the db of what follows', () => {
    const r = run(
      [
        ['SELECT', '0'],
        ['MULTI'],
        ['SET', 'a', '1'],
        ['SELECT', '5'],
        ['INCR', 'b'],
        ['EXEC'],
        ['SET', 'after', 'x'],
      ],
      { replid: 'r', db: 2 },
    );
    assert.deepEqual(r.events.map(brief), [
      {
        type: 'transaction',
        offset: r.ends[5],
        db: 0,
        commands: [
          { db: 0, args: ['SET', 'a', '1'] },
          { db: 5, args: ['INCR', 'b'] },
        ],
      },
      { type: 'command', offset: r.ends[6], db: 5, args: ['SET', 'after', 'x'], keys: ['after'] },
    ]);
    const tx = r.events[0] as TransactionEvent;
    assert.equal(tx.commands[1].command, 'INCR');
    assert.deepEqual(tx.commands[1].keys.map(s), ['b']);
    // No progress is reported from inside the transaction.
    assert.deepEqual(r.progress, [[r.ends[0], 0]]);
  });

  it('REPLCONF GETACK asks for an ACK of the offset before it, then counts its bytes as progress', () => {
    const r = run([['SET', 'a', '1'], ['REPLCONF', 'GETACK', '*'], ['ping']], { replid: 'r', offset: 500 });
    assert.deepEqual(r.getacks, [r.ends[0]]);
    assert.deepEqual(r.progress, [
      [r.ends[1], 0],
      [r.ends[2], 0],
    ]);
    assert.equal(r.events.length, 1);
    assert.equal(r.assembler.offset, r.ends[2]);
  });

  it('PING (any case) is progress, not an event: a stream ending in PING can be acknowledged to its end', () => {
    const r = run([['SET', 'a', '1'], ['PING'], ['ping']]);
    assert.equal(r.events.length, 1);
    assert.deepEqual(r.progress.map((p) => p[0]), [r.ends[1], r.ends[2]]);
    assert.equal(r.assembler.offset, r.ends[2]);
  });

  it('a nested MULTI is ignored; DISCARD drops the transaction; EXEC without MULTI is progress', () => {
    const r = run([['MULTI'], ['SET', 'a', '1'], ['MULTI'], ['SET', 'b', '1'], ['EXEC'], ['MULTI'], ['SET', 'c', '1'], ['DISCARD'], ['EXEC']]);
    assert.deepEqual(r.events.map(brief), [
      {
        type: 'transaction',
        offset: r.ends[4],
        db: 0,
        commands: [
          { db: 0, args: ['SET', 'a', '1'] },
          { db: 0, args: ['SET', 'b', '1'] },
        ],
      },
    ]);
    assert.deepEqual(r.progress.map((p) => p[0]), [r.ends[7], r.ends[8]]);
  });

  it('a stream that ends inside MULTI emits nothing for it; abort() gives the offset to resume from and the db', () => {
    const r = run([['SET', 'a', '1'], ['SELECT', '3'], ['MULTI'], ['SET', 'b', '1'], ['SELECT', '4'], ['INCR', 'c']]);
    assert.equal(r.events.length, 1);
    assert.equal(r.assembler.inTransaction, true);
    assert.equal(r.assembler.transactionStart, r.ends[1]);
    assert.equal(r.assembler.offset, r.ends[1]);
    assert.equal(r.assembler.db, 4);
    assert.equal(r.assembler.abort(), r.ends[1]);
    assert.equal(r.assembler.inTransaction, false);
    assert.equal(r.assembler.db, 3);
  });

  it('an empty transaction is progress', () => {
    const r = run([['MULTI'], ['EXEC']]);
    assert.equal(r.events.length, 0);
    assert.deepEqual(r.progress, [[r.ends[1], 0]]);
  });

  it('stamps timestampMs and the current replid', () => {
    const events: Ev[] = [];
    const a = new StreamAssembler({ onEvent: (e) => events.push(e) }, { replid: 'old' });
    const cmd = (...x: string[]) => x.map((v) => Buffer.from(v));
    a.onCommand(cmd('SET', 'a', '1'), 0, 10);
    a.timestampMs = 1_795_279_866_000;
    a.replid = 'new';
    a.onCommand(cmd('MULTI'), 10, 20);
    a.onCommand(cmd('SET', 'b', '1'), 20, 30);
    a.onCommand(cmd('EXEC'), 30, 40);
    assert.equal(events[0].timestampMs, undefined);
    assert.equal('timestampMs' in events[0], false);
    assert.deepEqual([events[1].type, events[1].replid, events[1].timestampMs], ['transaction', 'new', 1_795_279_866_000]);
  });

  it('unknown commands and unreadable SELECTs are events, never dropped', () => {
    const r = run([['HELLOTYPE.INSERT', 'k', '1'], ['SELECT', 'x']]);
    assert.deepEqual(
      r.events.map((e) => (e.type === 'command' ? [e.command, e.known] : [])),
      [
        ['HELLOTYPE.INSERT', false],
        ['SELECT', true],
      ],
    );
  });

  it('empty commands (*0) are progress', () => {
    const a = new StreamAssembler({ onEvent: () => assert.fail('no event expected') }, { replid: '' });
    a.onCommand([], 0, 4);
    assert.equal(a.offset, 4);
  });

  it('gives the same events in every chunking of the stream', () => {
    const commands = [['SELECT', '1'], ['MULTI'], ['SET', 'k', 'v'.repeat(5000)], ['EXEC'], ['PING'], ['DEL', 'k']];
    const reference = run(commands).events.map(brief);
    const size = run(commands).ends.at(-1) ?? 0;
    for (const chunking of standardChunkings(size)) {
      assert.deepEqual(run(commands, { replid: 'r1' }, chunking.split).events.map(brief), reference, chunking.name);
    }
  });
});
