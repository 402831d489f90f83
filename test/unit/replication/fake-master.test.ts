// The real ReplicationClient / Replicator against an in-process fake master (every test name says so):
// the corpus replication captures (every byte a real master sent after PSYNC) replayed in odd chunk
// sizes, and the protocol corners real servers do not produce on demand (keepalives, -LOADING,
// -NOMASTERLINK, -NOAUTH, the SYNC fallback, REPLCONF GETACK, a silent link).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { FileCheckpointStore } from '../../../src/checkpoint/file.js';
import { ReplicatorError } from '../../../src/errors.js';
import type { ReplicationEvent, SnapshotEndEvent, SnapshotEvent } from '../../../src/events/types.js';
import type { ReplicatorOptions } from '../../../src/pipeline/replicator.js';
import { RdbParser } from '../../../src/rdb/parser.js';
import { prng } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';
import { EventRecorder } from '../../helpers/event-recorder.js';
import { FakeMaster, type FakeConnection } from '../../helpers/fake-master.js';
import { assembleSnapshot, keyId } from '../../helpers/snapshot-assembly.js';

type JsonBytes = string | { b64: string } | { len: number; sha256: string };

interface CaptureExpected {
  replication: {
    replid: string;
    transfer_framing: 'eof-marker' | 'length-prefixed';
    fullresync_offset: number;
    rdb_payload_offset: number;
    rdb_payload_length: number;
    rdb_payload_sha256: string;
    command_stream_offset: number;
    final_master_repl_offset: number;
    commands_issued: JsonBytes[][];
  };
}

const REPLID = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
const VALID_RDB = readFileSync(corpusPath('broken', 'valid_reference.rdb'));
const resp = (...args: string[]): Buffer => Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);

/** Replicator options for a fake master: fast ACKs, quick retries, no REPLCONF version. */
function options(master: FakeMaster, extra: Partial<ReplicatorOptions> = {}): ReplicatorOptions {
  return {
    redis: master.uri,
    lingerMs: 1,
    ...extra,
    replication: { ackIntervalMs: 100, backoffMaxMs: 200, connectTimeoutMs: 2000, announceVersion: '', ...extra.replication },
  };
}

/** The RDB parsed directly (whole, one feed): what the snapshot through the link must equal. */
function parseDirect(rdb: Buffer): { events: SnapshotEvent[]; end: SnapshotEndEvent } {
  const events: SnapshotEvent[] = [];
  const parser = new RdbParser((batch) => events.push(...batch), {});
  parser.feed(rdb);
  parser.end();
  const end = events.find((e): e is SnapshotEndEvent => e.type === 'snapshot-end');
  assert.ok(end, 'the RDB parses to a snapshot-end');
  return { events, end };
}

/** Replays a capture on one connection: the transfer, then (diskless) the stream after our first ACK. */
async function replay(conn: FakeConnection, capture: Buffer, exp: CaptureExpected, size: () => number): Promise<void> {
  const psync = await conn.handshake();
  assert.deepEqual(psync, ['PSYNC', '?', '-1']);
  const rep = exp.replication;
  const transfer = capture.subarray(0, rep.command_stream_offset);
  const stream = capture.subarray(rep.command_stream_offset);
  await conn.writeChunked(transfer, size);
  // A diskless master streams only after the replica's first REPLCONF ACK.
  if (rep.transfer_framing === 'eof-marker') await conn.waitForAck(0);
  await conn.writeChunked(stream, size);
  await conn.closed;
}

const eventsAfter = (events: ReplicationEvent[], type: ReplicationEvent['type']): ReplicationEvent[] => events.slice(events.findIndex((e) => e.type === type));

describe('replica client against corpus replication captures (fake master)', () => {
  const captures = readdirSync(corpusPath('aof-repl')).filter((f) => f.endsWith('.replstream'));
  it('(fake master) finds the captures', () => assert.ok(captures.length >= 5, captures.join(', ')));

  for (const file of captures) {
    const capture = readFileSync(corpusPath('aof-repl', file));
    const exp = JSON.parse(readFileSync(corpusPath('aof-repl', file.replace(/\.replstream$/, '.expected.json')), 'utf8')) as CaptureExpected;
    const rep = exp.replication;
    const chunkings: { name: string; size: () => number }[] = [
      { name: 'random 1..4096', size: ((r) => () => 1 + Math.floor(r() * 4096))(prng(7)) },
      { name: 'random 1..97', size: ((r) => () => 1 + Math.floor(r() * 97))(prng(11)) },
    ];
    for (const chunking of chunkings) {
      it(`(fake master) ${file} in ${chunking.name} byte pieces: snapshot = its RDB, commands end at final_master_repl_offset, ACKed`, async () => {
        const rdb = capture.subarray(rep.rdb_payload_offset, rep.rdb_payload_offset + rep.rdb_payload_length);
        assert.equal(createHash('sha256').update(rdb).digest('hex'), rep.rdb_payload_sha256);
        const direct = parseDirect(rdb);

        const master = await FakeMaster.start([(conn) => replay(conn, capture, exp, chunking.size)]);
        const rec = await EventRecorder.open(options(master));
        try {
          await rec.waitForOffset(rep.final_master_repl_offset, 30_000);
          assert.deepEqual(master.errors, []);
          // Snapshot through the link = the RDB parsed whole.
          const end = rec.events.find((e): e is SnapshotEndEvent => e.type === 'snapshot-end')!;
          assert.equal(end.keys, direct.end.keys);
          assert.equal(end.bytes, rep.rdb_payload_length);
          assert.equal(end.checksum, 'verified');
          const viaLink = assembleSnapshot(rec.events);
          const whole = assembleSnapshot(direct.events);
          assert.equal(viaLink.size, end.keys);
          assert.deepEqual([...viaLink.keys()].sort(), [...whole.keys()].sort());
          for (const [id, k] of whole) assert.deepEqual(viaLink.get(id)!.value, k.value, id);
          for (const e of rec.events.slice(0, rec.events.indexOf(end) + 1)) {
            assert.equal(e.replid, rep.replid);
            assert.equal(e.offset, rep.fullresync_offset);
          }
          // Commands: strictly increasing offsets ending at the master's final offset.
          const stream = eventsAfter(rec.events, 'stream-begin');
          assert.equal(stream[0]!.offset, rep.fullresync_offset);
          for (let i = 1; i < stream.length; i++) assert.ok(stream[i]!.offset > stream[i - 1]!.offset);
          assert.equal(rec.lastOffset, rep.final_master_repl_offset);
          assert.equal(rec.replicator.status().received?.offset, rep.final_master_repl_offset);
          // The 1 MiB random value arrived whole.
          const bigIssued = rep.commands_issued.find((c) => c[1] === 'w:big-1MB')![2] as { len: number; sha256: string };
          const big = rec.writes.find((e) => e.type === 'command' && e.args[1]?.toString() === 'w:big-1MB');
          assert.ok(big && big.type === 'command');
          assert.equal(big.args[2]!.length, bigIssued.len);
          assert.equal(createHash('sha256').update(big.args[2]!).digest('hex'), bigIssued.sha256);
          // The master is told everything was applied.
          await master.connections[0]!.waitForAck(rep.final_master_repl_offset);
          assert.ok(Math.max(...master.connections[0]!.ackOffsets) <= rep.final_master_repl_offset, 'never ACKs beyond what was received');
        } finally {
          await rec.close();
          await master.close();
        }
      });
    }
  }
});

/** A minimal full sync: +FULLRESYNC, the 132-byte reference RDB ($<len> framing), then `stream`. */
function fullSync(stream: Buffer = Buffer.alloc(0), offset = 0): Buffer {
  return Buffer.concat([Buffer.from(`+FULLRESYNC ${REPLID} ${offset}\r\n$${VALID_RDB.length}\r\n`), VALID_RDB, stream]);
}

async function serveFullSync(conn: FakeConnection, stream?: Buffer): Promise<void> {
  await conn.handshake();
  await conn.write(fullSync(stream));
}

describe('replica client protocol corners (fake master)', () => {
  it('(fake master) "\\n" keepalives before +FULLRESYNC and before the $ header are skipped', async () => {
    const set = resp('SET', 'k', 'v');
    const master = await FakeMaster.start([
      async (conn) => {
        await conn.handshake();
        await conn.write('\n');
        await delay(20);
        await conn.write(`\n+FULLRESYNC ${REPLID} 100\r\n\n`);
        await delay(20);
        await conn.write('\n\n');
        await conn.write(Buffer.concat([Buffer.from(`$${VALID_RDB.length}\r\n`), VALID_RDB, set]));
        await conn.closed;
      },
    ]);
    const rec = await EventRecorder.open(options(master));
    try {
      await rec.waitForOffset(100 + set.length);
      assert.deepEqual(master.errors, []);
      assert.equal(rec.retries.length, 0);
      assert.equal((rec.events.find((e) => e.type === 'snapshot-end') as SnapshotEndEvent).keys, 4);
      const last = rec.events.at(-1)!;
      assert.ok(last.type === 'command' && last.command === 'SET' && last.offset === 100 + set.length);
    } finally {
      await rec.close();
      await master.close();
    }
  });

  for (const reply of ['-LOADING Redis is loading the dataset in memory', '-NOMASTERLINK Can\'t SYNC while not connected with my master']) {
    it(`(fake master) ${reply.split(' ')[0]} to PSYNC is transient: retried, then a full sync`, async () => {
      const master = await FakeMaster.start([
        async (conn) => {
          await conn.handshake();
          await conn.write(`${reply}\r\n`);
          await conn.closed;
        },
        (conn) => serveFullSync(conn),
      ]);
      const rec = await EventRecorder.open(options(master));
      try {
        await rec.waitFor('snapshot-end', () => rec.events.some((e) => e.type === 'snapshot-end'));
        assert.deepEqual(master.errors, []);
        assert.equal(master.connections.length, 2);
        assert.equal(rec.retries.length, 1);
        assert.equal((rec.retries[0] as ReplicatorError).code, 'REPL_MASTER_NOT_READY');
        assert.match(rec.retries[0]!.message, new RegExp(reply.slice(1, 12)));
        assert.deepEqual(rec.syncs.map((s) => s.mode), ['full']);
      } finally {
        await rec.close();
        await master.close();
      }
    });
  }

  it('(fake master) -NOAUTH to PSYNC is fatal: done rejects with a clear message, no retry', async () => {
    const master = await FakeMaster.start([
      async (conn) => {
        await conn.handshake();
        await conn.write('-NOAUTH Authentication required.\r\n');
        await conn.closed;
      },
    ]);
    const rec = await EventRecorder.open(options(master));
    try {
      const err = await rec.replicator.done.then(
        () => assert.fail('done resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ReplicatorError);
      assert.equal(err.code, 'REPL_NO_PERMISSION');
      assert.match(err.message, /NOAUTH Authentication required/);
      assert.match(err.message, /redis\.password/);
      assert.equal(rec.retries.length, 0);
      await delay(300);
      assert.equal(master.connections.length, 1, 'no reconnection after a fatal error');
    } finally {
      await rec.close();
      await master.close();
    }
  });

  it('(fake master) -ERR unknown command to PSYNC: falls back to SYNC; the snapshot and stream arrive, no checkpoint is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmqr-sync-'));
    const cpPath = join(dir, 'cp.json');
    const set = resp('SET', 'old', 'master');
    const master = await FakeMaster.start([
      async (conn) => {
        await conn.handshake();
        await conn.write("-ERR unknown command 'PSYNC'\r\n");
        const sync = await conn.nextCommand();
        assert.deepEqual(sync, ['SYNC']);
        await conn.write(Buffer.concat([Buffer.from(`$${VALID_RDB.length}\r\n`), VALID_RDB, set]));
        await conn.closed;
      },
    ]);
    const rec = await EventRecorder.open(options(master, { checkpoint: new FileCheckpointStore(cpPath), checkpointIntervalMs: 10 }));
    try {
      await rec.waitFor('the SET after the snapshot', () => rec.events.some((e) => e.type === 'command'));
      assert.deepEqual(master.errors, []);
      assert.deepEqual(rec.syncs.map((s) => s.mode), ['sync']);
      const cmd = rec.events.find((e) => e.type === 'command')!;
      assert.ok(cmd.type === 'command' && cmd.args[1]!.toString() === 'old');
      assert.equal(cmd.replid, '', 'a SYNC stream has no replication id');
      await delay(100);
      assert.equal(existsSync(cpPath), false, 'a stream without replid is never checkpointed');
    } finally {
      await rec.close();
      await master.close();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(existsSync(cpPath), false);
  });

  it('(fake master) REPLCONF GETACK right behind a write (as WAIT causes) is answered promptly with the offset reached before it', async () => {
    const set = resp('SET', 'a', 'b');
    const getack = resp('REPLCONF', 'GETACK', '*');
    const answered: number[] = [];
    const master = await FakeMaster.start([
      async (conn) => {
        await serveFullSync(conn);
        await conn.waitForAck(0);
        await delay(50);
        // A client's write then WAIT: the master sends both in one go.
        const sentAt = Date.now();
        await conn.write(Buffer.concat([set, getack]));
        answered.push(await conn.waitForAck(set.length, 2000), Date.now() - sentAt);
        await conn.closed;
      },
    ]);
    // Periodic ACKs every 60 s: an ACK within 2 s can only be the answer to GETACK.
    const rec = await EventRecorder.open(options(master, { replication: { ackIntervalMs: 60_000 } }));
    try {
      await rec.waitFor('the GETACK answer', () => answered.length === 2 || master.errors.length > 0, 5000);
      assert.deepEqual(master.errors, []);
      const [offset, ms] = answered as [number, number];
      // The real replica answers with its offset before the GETACK; ours with its durable offset, which
      // must reach at least that (never beyond what was received).
      assert.ok(offset === set.length || offset === set.length + getack.length, `ACK ${offset}`);
      assert.ok(ms < 1000, `answered after ${ms} ms`);
    } finally {
      await rec.close();
      await master.close();
    }
  });

  it('(fake master) REPLCONF ACK <durable offset> is sent every replication.ack.interval.ms', async () => {
    const set = resp('SET', 'a', 'b');
    let acks: number[] = [];
    const master = await FakeMaster.start([
      async (conn) => {
        await serveFullSync(conn, set);
        await conn.waitForAck(set.length);
        const from = conn.ackOffsets.length;
        await delay(1300);
        acks = conn.ackOffsets.slice(from);
        await conn.closed;
      },
    ]);
    const rec = await EventRecorder.open(options(master, { replication: { ackIntervalMs: 300 } }));
    try {
      await rec.waitFor('1.3 s of ACKs', () => acks.length > 0 || master.errors.length > 0, 5000);
      assert.deepEqual(master.errors, []);
      assert.ok(acks.length >= 3 && acks.length <= 5, `${acks.length} ACKs in 1.3 s at a 300 ms interval`);
      assert.ok(acks.every((a) => a === set.length), `ACKs ${acks.join(', ')}`);
    } finally {
      await rec.close();
      await master.close();
    }
  });

  it('(fake master) a link that goes silent is dropped after replication.timeout.ms and resumed with PSYNC <replid> <offset+1>', async () => {
    const set1 = resp('SET', 'before', 'silence');
    const set2 = resp('SET', 'after', 'reconnect');
    let psync2: string[] = [];
    const master = await FakeMaster.start([
      async (conn) => {
        await serveFullSync(conn, set1);
        await conn.closed; // then says nothing, keeping the socket open
      },
      async (conn) => {
        psync2 = await conn.handshake();
        await conn.write(`+CONTINUE ${REPLID}\r\n`);
        await conn.write(set2);
        await conn.closed;
      },
    ]);
    const t0 = Date.now();
    const rec = await EventRecorder.open(options(master, { replication: { timeoutMs: 1000, ackIntervalMs: 100 } }));
    try {
      await rec.waitForOffset(set1.length + set2.length, 10_000);
      const elapsed = Date.now() - t0;
      assert.deepEqual(master.errors, []);
      assert.deepEqual(psync2, ['PSYNC', REPLID, String(set1.length + 1)]);
      assert.equal((rec.retries[0] as ReplicatorError).code, 'REPL_LINK_TIMEOUT');
      assert.ok(elapsed >= 1000, `reconnected after ${elapsed} ms, not before the timeout`);
      assert.deepEqual(rec.syncs.map((s) => s.mode), ['full', 'partial']);
      const last = rec.events.at(-1)!;
      assert.ok(last.type === 'command' && last.args[1]!.toString() === 'after' && last.replid === REPLID);
      const ids = new Set(rec.events.filter((e) => e.type === 'key-value').map((e) => (e.type === 'key-value' ? keyId(e.db, e.key) : '')));
      assert.equal(ids.size, 4);
    } finally {
      await rec.close();
      await master.close();
    }
  });
});
