import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readAof, type AofReadOptions, type AofSummary, type AofWarning } from '../../../src/aof/aof-reader.js';
import { AofError } from '../../../src/aof/errors.js';
import { parseCommand } from '../../../src/commands/parse.js';
import type { CommandBody, ReplicationEvent } from '../../../src/events/types.js';
import { RespCommandDecoder } from '../../../src/resp/command-decoder.js';
import { encodeCommand } from '../../../src/resp/encoder.js';
import { corpusPath } from '../../helpers/corpus.js';

type JsonBytes = string | { b64: string };
const bytesOf = (v: JsonBytes): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v.b64, 'base64'));

interface Read {
  events: ReplicationEvent[];
  summary: AofSummary;
  warnings: AofWarning[];
  batches: number;
}

async function read(path: string, options: AofReadOptions = {}): Promise<Read> {
  const events: ReplicationEvent[] = [];
  const warnings: AofWarning[] = [];
  let batches = 0;
  const summary = await readAof(
    path,
    async (batch) => {
      batches++;
      await Promise.resolve(); // an asynchronous consumer, as a sink would be
      events.push(...batch);
    },
    { ...options, onWarning: (w) => warnings.push(w) },
  );
  return { events, summary, warnings, batches };
}

/** Command bodies with the db they apply to, transactions flattened. */
function applied(events: ReplicationEvent[]): { db: number; body: CommandBody; offset: number; timestampMs?: number }[] {
  const out: { db: number; body: CommandBody; offset: number; timestampMs?: number }[] = [];
  for (const e of events) {
    if (e.type === 'command') out.push({ db: e.db, body: e, offset: e.offset, timestampMs: e.timestampMs });
    else if (e.type === 'transaction') for (const c of e.commands) out.push({ db: c.db, body: c, offset: e.offset, timestampMs: e.timestampMs });
  }
  return out;
}

/** Checks the event sequence: snapshot events, one stream-begin, commands with increasing offsets, one stream-end. */
function checkShape(events: ReplicationEvent[], total: number): void {
  const begin = events.findIndex((e) => e.type === 'stream-begin');
  assert.ok(begin >= 0, 'stream-begin');
  assert.equal(events.filter((e) => e.type === 'stream-begin').length, 1);
  for (const e of events.slice(0, begin)) assert.match(e.type, /^(snapshot-begin|snapshot-end|aux|function|module-aux|key-value|key-chunk)$/);
  const end = events.at(-1);
  assert.ok(end && end.type === 'stream-end');
  assert.equal(end.reason, 'eof');
  assert.equal(end.offset, total);
  let last = events[begin].offset;
  for (const e of events.slice(begin + 1, -1)) {
    assert.ok(e.type === 'command' || e.type === 'transaction', e.type);
    assert.ok(e.offset > last, `offset ${e.offset} after ${last}`);
    assert.equal(e.replid, '');
    last = e.offset;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'rmqr-aof-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('readAof on the corpus AOFs (aof-repl)', () => {
  const cases: { dir: string; open: string; preamble: boolean; multipart: boolean; ts: boolean }[] = [
    { dir: 'redis-4.0.14_aof-preamble', open: 'redis-4.0.14_aof-preamble/appendonly.aof', preamble: true, multipart: false, ts: false },
    { dir: 'redis-6.2.16_aof-preamble', open: 'redis-6.2.16_aof-preamble', preamble: true, multipart: false, ts: false },
    { dir: 'redis-7.0.15_aof-multipart', open: 'redis-7.0.15_aof-multipart', preamble: true, multipart: true, ts: false },
    { dir: 'redis-7.4.1_aof-multipart-nopreamble', open: 'redis-7.4.1_aof-multipart-nopreamble/appendonly.aof.manifest', preamble: false, multipart: true, ts: false },
    { dir: 'redis-7.4.1_aof-multipart-ts', open: 'redis-7.4.1_aof-multipart-ts', preamble: true, multipart: true, ts: true },
  ];
  for (const c of cases) {
    const expected = JSON.parse(readFileSync(corpusPath('aof-repl', `${c.dir}.expected.json`), 'utf8')) as {
      aof: { writes_after_rewrite: JsonBytes[][]; files: string[] };
      databases: Record<string, { key: JsonBytes }[]>;
    };

    it(`${c.open}: parses into the writes issued after the rewrite`, async () => {
      const r = await read(corpusPath('aof-repl', c.open));
      assert.equal(r.summary.layout.kind, c.multipart ? 'multipart' : 'single');
      assert.equal(r.summary.truncatedAt, null);
      assert.deepEqual(r.warnings, []);
      checkShape(r.events, r.summary.bytes);
      const types = new Set(r.events.map((e) => e.type));
      assert.equal(types.has('snapshot-begin') && types.has('snapshot-end'), c.preamble);

      const cmds = applied(r.events);
      for (const a of cmds) assert.equal(a.body.known, true, a.body.command);
      // Every issued write shows up (in its propagated form) in the db it was issued in.
      let db = 0;
      let checked = 0;
      for (const issued of expected.aof.writes_after_rewrite) {
        const body = parseCommand(issued.map(bytesOf));
        if (body.command === 'SELECT') {
          db = Number(body.args[1].toString());
          continue;
        }
        for (const key of body.keys) {
          checked++;
          assert.ok(
            cmds.some((a) => a.db === db && a.body.keys.some((k) => k.equals(key))),
            `${body.command} ${key.toString()} in db ${db}`,
          );
        }
      }
      assert.ok(checked > 30);

      // Every key of the final dataset comes from the snapshot part or from a command.
      const seen = new Set<string>();
      for (const e of r.events) if (e.type === 'key-value' || e.type === 'key-chunk') seen.add(`${e.db}:${e.key.toString('hex')}`);
      for (const a of cmds) for (const k of a.body.keys) seen.add(`${a.db}:${k.toString('hex')}`);
      for (const [dbName, rows] of Object.entries(expected.databases)) {
        for (const row of rows) assert.ok(seen.has(`${dbName}:${bytesOf(row.key).toString('hex')}`), `final key ${JSON.stringify(row.key)} in db ${dbName}`);
      }

      if (c.ts) {
        // #TS annotations: every incr command carries a timestamp within the writes' window.
        const stream = r.events.find((e) => e.type === 'stream-begin');
        const incr = cmds.filter((a) => stream && a.offset > stream.offset);
        assert.ok(incr.length > 30);
        for (const a of incr) {
          assert.ok(a.timestampMs !== undefined && a.timestampMs % 1000 === 0, `${a.body.command} has timestampMs`);
          assert.ok(a.timestampMs >= 1795279866000 && a.timestampMs <= 1795279870000, String(a.timestampMs));
        }
        assert.ok(r.summary.annotations >= 3);
      } else {
        assert.ok(cmds.every((a) => a.timestampMs === undefined));
      }
    });

    it(`${c.open}: same events with tiny reads (16 bytes), through the RDB/RESP handoff`, async () => {
      const big = await read(corpusPath('aof-repl', c.open));
      const small = await read(corpusPath('aof-repl', c.open), { chunkSize: 16 });
      assert.deepEqual(small.events, big.events);
      assert.ok(small.batches > big.batches);
    });
  }

  it('multi-part offsets run on across files: incr commands start after the base', async () => {
    const dir = corpusPath('aof-repl', 'redis-7.0.15_aof-multipart');
    const r = await read(dir);
    const baseSize = readFileSync(join(dir, 'appendonly.aof.2.base.rdb')).length;
    const incrSize = readFileSync(join(dir, 'appendonly.aof.2.incr.aof')).length;
    const begin = r.events.find((e) => e.type === 'stream-begin');
    assert.equal(begin?.offset, baseSize);
    assert.equal(r.summary.bytes, baseSize + incrSize);
    const snapshot = r.events.filter((e) => e.type === 'key-value');
    assert.ok(snapshot.length > 100 && snapshot.every((e) => e.offset === 0 && (e.rdbOffset ?? -1) > 0));
  });
});

describe('readAof on the public fixtures (redis-replicator)', () => {
  const res = (name: string) => corpusPath('public', 'redis-replicator', 'src', 'test', 'resources', name);
  // Command counts as the fixtures' own tests assert them (SELECT counted, as redis-replicator does).
  const counts: [string, number][] = [
    ['appendonly1.aof', 4],
    ['appendonly5.aof', 71],
    ['appendonly6.aof', 72],
    ['appendonly7.aof', 4],
    ['appendonly-with-ts.aof', 65],
  ];
  for (const [name, n] of counts) {
    it(`${name}: ${n} commands, no error`, async () => {
      const r = await read(res(name));
      assert.equal(r.summary.commands, n);
      const selects = readFileSync(res(name)).toString('latin1').match(/\r\nSELECT\r\n/g)?.length ?? 0;
      assert.equal(applied(r.events).length, n - selects, 'SELECT is not an event');
      checkShape(r.events, readFileSync(res(name)).length);
    });
  }

  it('appendonly1.aof: the first command covers bytes 0..23, the next 23..50 (as the fixture test says)', () => {
    const spans: [number, number][] = [];
    const d = new RespCommandDecoder({ onCommand: (_a, s, e) => spans.push([s, e]) });
    d.feed(readFileSync(res('appendonly1.aof')));
    d.end();
    assert.deepEqual(spans.slice(0, 2), [
      [0, 23],
      [23, 50],
    ]);
  });

  it('appendonly-with-ts.aof: 54 #TS annotations; 43 commands stamped within [1643689192, 1643691222] s', async () => {
    const r = await read(res('appendonly-with-ts.aof'));
    assert.equal(r.summary.annotations, 54);
    // redis-replicator counts SELECT among commands; count them the same way from the raw stream.
    let ts: number | undefined;
    let inRange = 0;
    const d = new RespCommandDecoder(
      {
        onCommand: () => {
          if (ts !== undefined && ts >= 1643689192000 && ts <= 1643691222000) inRange++;
        },
        onAnnotation: (t) => (ts = Number(t.toString().slice(3)) * 1000),
      },
      { annotations: true },
    );
    d.feed(readFileSync(res('appendonly-with-ts.aof')));
    d.end();
    assert.equal(inRange, 43);
    // The events carry the same stamps (no SELECT falls in that window, so all 43 are events).
    const stamped = applied(r.events).filter((a) => a.timestampMs !== undefined && a.timestampMs >= 1643689192000 && a.timestampMs <= 1643691222000);
    assert.equal(stamped.length, 43);
  });

  it('appendonly6.aof: the module command is kept as an unknown command with its raw args', async () => {
    const r = await read(res('appendonly6.aof'));
    const mod = applied(r.events).find((a) => a.body.command === 'HELLOTYPE.INSERT');
    assert.ok(mod);
    assert.equal(mod.body.known, false);
    assert.equal(mod.body.args.length, 3);
  });
});

describe('readAof on damaged input', () => {
  const good = [encodeCommand(['SELECT', '3']), encodeCommand(['SET', 'a', '1']), encodeCommand(['SET', 'b', '2'])];
  const goodBytes = Buffer.concat(good);

  it('a last file cut inside a command: warning with the offset, events up to the last complete command', async () => {
    const path = join(tmp, 'cut.aof');
    const cut = Buffer.concat([goodBytes, encodeCommand(['SET', 'c', '3']).subarray(0, 12)]);
    writeFileSync(path, cut);
    const r = await read(path);
    assert.equal(r.summary.truncatedAt, goodBytes.length);
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0].offset, goodBytes.length);
    assert.match(r.warnings[0].message, new RegExp(`complete commands end at AOF offset ${goodBytes.length}`));
    assert.deepEqual(
      applied(r.events).map((a) => [a.body.command, a.db, a.offset]),
      [
        ['SET', 3, good[0].length + good[1].length],
        ['SET', 3, goodBytes.length],
      ],
    );
    const end = r.events.at(-1);
    assert.ok(end?.type === 'stream-end');
    assert.deepEqual([end.reason, end.offset], ['truncated', goodBytes.length]);
  });

  it("truncated: 'error' throws AOF_TRUNCATED with the offset", async () => {
    const path = join(tmp, 'cut2.aof');
    writeFileSync(path, Buffer.concat([goodBytes, Buffer.from('*3\r\n$3\r\nSET')]));
    await assert.rejects(read(path, { truncated: 'error' }), (e: unknown) => e instanceof AofError && e.code === 'AOF_TRUNCATED' && e.offset === goodBytes.length);
  });

  it('a last file ending inside MULTI: the partial transaction is not emitted; valid data ends before MULTI', async () => {
    const path = join(tmp, 'multi.aof');
    writeFileSync(path, Buffer.concat([goodBytes, encodeCommand(['MULTI']), encodeCommand(['SET', 'x', '1'])]));
    const r = await read(path);
    assert.equal(r.summary.truncatedAt, goodBytes.length);
    assert.match(r.warnings[0].message, /inside a MULTI\/EXEC transaction that starts at AOF offset/);
    assert.equal(r.events.filter((e) => e.type === 'transaction').length, 0);
    assert.equal(applied(r.events).length, 2);
  });

  it('a truncated file that is not the last one is an error', async () => {
    const dir = join(tmp, 'multi-part');
    mkdirSync(dir);
    writeFileSync(join(dir, 'appendonly.aof.1.base.aof'), goodBytes.subarray(0, goodBytes.length - 3));
    writeFileSync(join(dir, 'appendonly.aof.1.incr.aof'), encodeCommand(['DEL', 'a']));
    writeFileSync(join(dir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    await assert.rejects(read(dir), (e: unknown) => e instanceof AofError && e.code === 'AOF_TRUNCATED' && /only the last file/.test(e.message));
  });

  it('a directory with appendonlydir/ and a manifest with a history file: base + incr, history skipped', async () => {
    const root = join(tmp, 'data');
    const dir = join(root, 'appendonlydir');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'appendonly.aof.1.incr.aof'), encodeCommand(['SET', 'old', '1']));
    writeFileSync(join(dir, 'appendonly.aof.2.base.aof'), goodBytes);
    writeFileSync(join(dir, 'appendonly.aof.2.incr.aof'), Buffer.from(''));
    writeFileSync(join(dir, 'appendonly.aof.3.incr.aof'), Buffer.concat([Buffer.from('#TS:1700000000\r\n'), encodeCommand(['DEL', 'a'])]));
    writeFileSync(
      join(dir, 'appendonly.aof.manifest'),
      'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    );
    const r = await read(root);
    assert.deepEqual(
      r.summary.layout.parts.map((p) => [p.type, p.seq]),
      [
        ['base', 2],
        ['incr', 2],
        ['incr', 3],
      ],
    );
    const cmds = applied(r.events);
    // db restarts at 0 in every file; offsets run on across files.
    assert.deepEqual(
      cmds.map((a) => [a.body.command, a.db, a.offset, a.timestampMs]),
      [
        ['SET', 3, good[0].length + good[1].length, undefined],
        ['SET', 3, goodBytes.length, undefined],
        ['DEL', 0, goodBytes.length + 16 + 20, 1_700_000_000_000],
      ],
    );
  });

  it('bytes that are not RESP: AOF_BAD_FORMAT naming the offset', async () => {
    const path = join(tmp, 'garbage.aof');
    writeFileSync(path, Buffer.concat([goodBytes, Buffer.from('hello\r\n')]));
    await assert.rejects(read(path), (e: unknown) => e instanceof AofError && e.code === 'AOF_BAD_FORMAT' && e.offset === goodBytes.length && /garbage\.aof/.test(e.message));
  });

  it('an RDB preamble cut short: AOF_BAD_PREAMBLE', async () => {
    const path = join(tmp, 'short-preamble.aof');
    writeFileSync(path, readFileSync(corpusPath('aof-repl', 'redis-6.2.16_aof-preamble', 'appendonly.aof')).subarray(0, 5000));
    await assert.rejects(read(path), (e: unknown) => e instanceof AofError && e.code === 'AOF_BAD_PREAMBLE');
  });

  it('missing paths and files listed by a manifest: AOF_NOT_FOUND', async () => {
    await assert.rejects(read(join(tmp, 'nope.aof')), (e: unknown) => e instanceof AofError && e.code === 'AOF_NOT_FOUND');
    const dir = join(tmp, 'missing-part');
    mkdirSync(dir);
    writeFileSync(join(dir, 'appendonly.aof.manifest'), 'file gone.aof seq 1 type i\n');
    await assert.rejects(read(dir), (e: unknown) => e instanceof AofError && e.code === 'AOF_NOT_FOUND' && /gone\.aof/.test(e.message));
  });

  it('an empty file is an empty stream', async () => {
    const path = join(tmp, 'empty.aof');
    writeFileSync(path, '');
    const r = await read(path);
    assert.deepEqual(
      r.events.map((e) => [e.type, e.offset]),
      [
        ['stream-begin', 0],
        ['stream-end', 0],
      ],
    );
  });
});
