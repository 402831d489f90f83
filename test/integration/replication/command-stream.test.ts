// After a full sync from a real master of every test-bed version, a scripted list of writes (SET with
// binary values, INCR, EXPIRE, SETEX, MULTI/EXEC, SELECT inside and outside MULTI, EVAL, INCRBYFLOAT,
// collections, XADD, DEL, a 100 MB value) arrives in order, with the args the master propagates
// (rewrites checked per version for their meaning) and with exact offsets: each event's offset is the
// byte arithmetic of the stream, and the last one equals master_repl_offset once the stream is idle.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CommandEvent, TransactionCommand, TransactionEvent } from '../../../src/events/types.js';
import { EventRecorder } from '../../helpers/event-recorder.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { masterOffset } from '../../helpers/redis-master.js';
import { featuresOf } from './features.js';
import { clientFor, redisUri, startMaster } from './master.js';
import { predictOffsets } from './offset-accounting.js';

const servers = testServers();

// node --test gives no --expose-gc; this exposes gc() at run time (a V8 flag set before first use).
setFlagsFromString('--expose-gc');
const forceGc = runInNewContext('gc') as () => void;
const BIG = 100 * 1024 * 1024;

type Body = Pick<TransactionCommand, 'command' | 'args' | 'db'>;
const text = (b: Body): string[] => b.args.map((a) => a.toString('latin1'));
const bodyOf = (e: CommandEvent): Body => ({ command: e.command, args: e.args, db: e.db });

for (const r of servers.redis) {
  const f = featuresOf(r);
  const rewrites = f.absoluteExpiryRewrite
    ? 'EXPIRE->PEXPIREAT, SETEX->SET PXAT (7.0+)'
    : f.compat[0] === 6 && f.compat[1] >= 2
      ? 'EXPIRE verbatim, SETEX->SET PX (6.2)'
      : 'EXPIRE and SETEX verbatim (< 6.2)';
  test(`${f.label}: scripted writes arrive in order with the propagated args and exact offsets, incl. a 100 MB value [${rewrites}; INCRBYFLOAT->SET${f.compat[0] >= 6 ? ' KEEPTTL (6.0+)' : ''}; EVAL as MULTI/EXEC effects]`, async () => {
    const master = await startMaster(r, { diskless: true });
    const c = clientFor(master);
    let rec: EventRecorder | null = null;
    try {
      await withLogsOnFailure([master], async () => {
        await c.connect();
        await c.call('SET', ['before', 'sync']);
        rec = await EventRecorder.open({ redis: redisUri(master), lingerMs: 1 });
        const recorder = rec;
        await recorder.waitFor('stream-begin', () => recorder.events.some((e) => e.type === 'stream-begin'));
        const begin = recorder.events.find((e) => e.type === 'stream-begin')!;
        assert.equal(begin.offset, recorder.events[0]!.offset, 'the stream starts at the snapshot offset');
        // Some masters send a PING right after the sync (Valkey 9): start counting once the link is idle.
        let base = -1;
        await recorder.waitFor('the replicator to reach the master offset', async () => {
          base = await masterOffset(c);
          return recorder.replicator.status().received?.offset === base;
        });

        const bin = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe]), Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
        const big = randomBytes(BIG);
        const bigSha = createHash('sha256').update(big).digest('hex');
        const call = (...args: (string | Buffer)[]): Promise<unknown> => c.call(String(args[0]), args.slice(1));

        await call('set', 'w:a', 'hello');
        await call('SET', 'w:bin', bin);
        await call('incr', 'w:ctr');
        await call('INCR', 'w:ctr');
        await call('EXPIRE', 'w:a', '1000');
        await call('SETEX', 'w:ex', '100', 'v');
        await call('MULTI');
        await call('SET', 'w:m1', 'a');
        await call('INCR', 'w:m2');
        await call('EXEC');
        await call('SELECT', '3');
        await call('SET', 'w:db3', 'x');
        await call('SELECT', '0');
        await call('EVAL', "redis.call('set', KEYS[1], ARGV[1]); redis.call('incr', KEYS[2]); return 1", '2', 'w:e1', 'w:e2', 'v');
        await call('INCRBYFLOAT', 'w:f', '1.5');
        await call('RPUSH', 'w:l', 'a', 'b', 'c');
        await call('SADD', 'w:s', 'x');
        await call('ZADD', 'w:z', '1', 'm');
        await call('HSET', 'w:h', 'f', 'v');
        const xid = String(await call('XADD', 'w:x', '*', 'f', 'v'));
        await call('DEL', 'w:ctr');
        await call('MULTI');
        await call('SET', 'w:t0', 'a');
        await call('SELECT', '5');
        await call('SET', 'w:t5', 'b');
        await call('EXEC');
        await call('SELECT', '0');

        // The 100 MB value: sent, replicated, decoded whole; memory of this process stays bounded.
        // Buffer memory (arrayBuffers) is what a decoder that copies would inflate; RSS is reported too.
        forceGc(); // earlier tests' 100 MB values must not blur the baseline
        const mem0 = process.memoryUsage();
        let peakBuffers = mem0.arrayBuffers;
        let peakRss = mem0.rss;
        const sampler = setInterval(() => {
          const m = process.memoryUsage();
          peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
          peakRss = Math.max(peakRss, m.rss);
        }, 10);
        await call('SET', 'w:big', big);
        const expectedEnd = await masterOffset(c);
        await recorder.waitForOffset(expectedEnd, 60_000);
        clearInterval(sampler);
        const mb = (n: number): string => (n / 1048576).toFixed(0);
        const growth = peakBuffers - mem0.arrayBuffers;
        process.stderr.write(`# ${f.label}: 100 MB value: buffers +${mb(growth)} MB at peak (RSS ${mb(mem0.rss)} MB before, ${mb(peakRss)} MB at peak)\n`);
        // The received value must be held once (the event); transient copies while decoding stay below
        // two more, so the peak growth stays under 3x the value.
        assert.ok(growth < 3 * BIG, `buffer memory grew by ${mb(growth)} MB while replicating a 100 MB value`);

        // Idle stream: the last event ends exactly at the master's offset.
        assert.equal(await masterOffset(c), expectedEnd, 'the master wrote nothing else (no PING: repl-ping-replica-period 3600)');
        assert.equal(recorder.lastOffset, expectedEnd);
        const writes = recorder.writes;
        const predicted = predictOffsets(writes, base, -1);
        assert.deepEqual(writes.map((e) => e.offset), predicted, 'each offset = stream bytes up to the end of the event');
        const stream = recorder.events.slice(recorder.events.indexOf(begin));
        for (let i = 1; i < stream.length; i++) assert.ok(stream[i]!.offset > stream[i - 1]!.offset, `offsets strictly increase at ${i}`);

        // Args, in order.
        const live = async (...args: string[]): Promise<string> => String(await c.call(args[0]!, args.slice(1)));
        const it = writes[Symbol.iterator]();
        const nextCommand = (): Body => {
          const e = it.next().value as CommandEvent | TransactionEvent | undefined;
          assert.ok(e, 'more events expected');
          assert.equal(e.type, 'command', `expected a command, got ${e.type}`);
          return bodyOf(e as CommandEvent);
        };
        const nextTransaction = (): Body[] => {
          const e = it.next().value as CommandEvent | TransactionEvent | undefined;
          assert.ok(e, 'more events expected');
          assert.equal(e.type, 'transaction', `expected a transaction, got ${e.type} ${e.type === 'command' ? e.command : ''}`);
          return (e as TransactionEvent).commands;
        };
        const sameArgs = (b: Body, db: number, ...args: (string | Buffer)[]): void => {
          assert.equal(b.db, db, `${text(b).join(' ')}: db`);
          assert.deepEqual(b.args, args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a))));
        };

        sameArgs(nextCommand(), 0, 'set', 'w:a', 'hello'); // the name arrives in the case sent
        sameArgs(nextCommand(), 0, 'SET', 'w:bin', bin);
        sameArgs(nextCommand(), 0, 'incr', 'w:ctr');
        sameArgs(nextCommand(), 0, 'INCR', 'w:ctr');
        const expire = nextCommand();
        const setex = nextCommand();
        if (f.absoluteExpiryRewrite) {
          assert.equal(expire.command, 'PEXPIREAT');
          assert.deepEqual(text(expire).slice(1), ['w:a', await live('PEXPIRETIME', 'w:a')]);
          assert.equal(setex.command, 'SET');
          assert.deepEqual(text(setex).slice(1), ['w:ex', 'v', 'PXAT', await live('PEXPIRETIME', 'w:ex')]);
          assert.match(setex.args[3]!.toString(), /^pxat$/i);
        } else {
          sameArgs(expire, 0, 'EXPIRE', 'w:a', '1000');
          // 6.2 turns SETEX into SET with a relative PX; older versions send it verbatim. Same meaning.
          if (f.compat[0] === 6 && f.compat[1] >= 2) assert.deepEqual(text(setex), ['SET', 'w:ex', 'v', 'PX', '100000']);
          else assert.deepEqual(text(setex), ['SETEX', 'w:ex', '100', 'v']);
        }
        const tx = nextTransaction();
        assert.deepEqual(tx.map((b) => [b.db, ...text(b)]), [[0, 'SET', 'w:m1', 'a'], [0, 'INCR', 'w:m2']]);
        sameArgs(nextCommand(), 3, 'SET', 'w:db3', 'x');
        // EVAL: every version here replicates the script's effects, wrapped in MULTI/EXEC.
        const ev = nextTransaction();
        assert.deepEqual(ev.map((b) => [b.db, b.command, ...text(b).slice(1)]), [[0, 'SET', 'w:e1', 'v'], [0, 'INCR', 'w:e2']]);
        const incrbyfloat = nextCommand();
        assert.equal(incrbyfloat.command, 'SET', 'INCRBYFLOAT is propagated as SET of the result');
        assert.deepEqual(text(incrbyfloat).slice(1, 3), ['w:f', await live('GET', 'w:f')]);
        assert.deepEqual(text(incrbyfloat).slice(3).map((a) => a.toUpperCase()), f.compat[0] >= 6 ? ['KEEPTTL'] : []);
        sameArgs(nextCommand(), 0, 'RPUSH', 'w:l', 'a', 'b', 'c');
        sameArgs(nextCommand(), 0, 'SADD', 'w:s', 'x');
        sameArgs(nextCommand(), 0, 'ZADD', 'w:z', '1', 'm');
        sameArgs(nextCommand(), 0, 'HSET', 'w:h', 'f', 'v');
        sameArgs(nextCommand(), 0, 'XADD', 'w:x', xid, 'f', 'v'); // '*' arrives as the id the master chose
        sameArgs(nextCommand(), 0, 'DEL', 'w:ctr');
        const tx2 = nextTransaction();
        assert.deepEqual(tx2.map((b) => [b.db, ...text(b)]), [[0, 'SET', 'w:t0', 'a'], [5, 'SET', 'w:t5', 'b']], 'SELECT inside MULTI');
        const bigEvent = nextCommand();
        assert.equal(bigEvent.command, 'SET');
        assert.equal(bigEvent.args[1]!.toString(), 'w:big');
        assert.equal(bigEvent.args[2]!.length, BIG);
        assert.equal(createHash('sha256').update(bigEvent.args[2]!).digest('hex'), bigSha);
        assert.equal(it.next().done, true, 'no other event');
      });
    } finally {
      await (rec as EventRecorder | null)?.close();
      c.disconnect();
      await master.dispose();
    }
  });
}
