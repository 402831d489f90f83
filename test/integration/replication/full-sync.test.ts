// Full sync against a real master of every version the test bed obtains, disk-based and diskless:
// the snapshot events, rebuilt into whole keys, equal what the live master returns for every key
// (every value type, big and chunked values, binary data, expiries, several dbs, version-gated types).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { FunctionEvent, SnapshotBeginEvent, SnapshotEndEvent } from '../../../src/events/types.js';
import { EventRecorder } from '../../helpers/event-recorder.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { assembleSnapshot } from '../../helpers/snapshot-assembly.js';
import { infoSection } from '../../helpers/redis-master.js';
import { writeDataset, FUNCTION_LIBRARY } from './dataset.js';
import { featuresOf, gateSummary } from './features.js';
import { assertSnapshotMatchesLive, readLiveDataset } from './live-values.js';
import { clientFor, redisUri, startMaster } from './master.js';

const servers = testServers();

interface Variant {
  diskless: boolean;
  /** Small chunk sizes so nearly every collection arrives as key-chunk events. */
  smallChunks: boolean;
}

const VARIANTS: Variant[] = [
  { diskless: true, smallChunks: false },
  { diskless: false, smallChunks: true },
];

for (const r of servers.redis) {
  const f = featuresOf(r);
  for (const v of VARIANTS) {
    const title = `${f.label} ${v.diskless ? 'diskless ($EOF framing)' : 'disk-based ($<len> framing)'}${v.smallChunks ? ', 7-element/1 KiB chunks' : ''}: full sync of every value type equals the live master [${gateSummary(f)}]`;
    test(title, async () => {
      const master = await startMaster(r, { diskless: v.diskless });
      const c = clientFor(master);
      let rec: EventRecorder | null = null;
      try {
        await withLogsOnFailure([master], async () => {
          await c.connect();
          await writeDataset(c, f);
          const live = await readLiveDataset(c, f);

          rec = await EventRecorder.open({
            redis: redisUri(master),
            lingerMs: 1,
            replication: { rdb: v.smallChunks ? { maxChunkElements: 7, maxChunkBytes: 1024 } : {} },
          });
          const recorder = rec;
          await recorder.waitFor('snapshot-end', () => recorder.events.some((e) => e.type === 'snapshot-end'), 30_000);

          // The master picks its replid when the first replica creates the backlog: read it now.
          const replid = (await infoSection(c, 'replication')).get('master_replid');
          const begin = recorder.events[0] as SnapshotBeginEvent;
          assert.equal(begin.type, 'snapshot-begin');
          assert.equal(begin.reason, 'initial');
          // Valkey 9 sends its own RDB 80 to a replica announcing REPLCONF version >= 9.0 (the default).
          assert.equal(begin.magic, f.hashFieldTtl && r.flavor === 'valkey' ? 'VALKEY' : 'REDIS');
          const log = readFileSync(master.logPath, 'utf8');
          assert.match(log, v.diskless ? /BGSAVE for SYNC with target: (replicas|slaves) sockets/ : /BGSAVE for SYNC with target: disk/, 'the master used the framing under test');
          assert.equal(begin.replid, replid);
          assert.equal(recorder.syncs.length, 1);
          assert.equal(recorder.syncs[0]!.mode, 'full');
          const end = recorder.events.find((e): e is SnapshotEndEvent => e.type === 'snapshot-end')!;
          assert.equal(end.checksum, 'verified');
          assert.equal(end.keys, live.size);
          for (const e of recorder.events.slice(0, recorder.events.indexOf(end) + 1)) {
            assert.equal(e.offset, begin.offset, 'snapshot events share the +FULLRESYNC offset');
            assert.equal(e.replid, replid);
          }

          const snapshot = assembleSnapshot(recorder.events);
          assertSnapshotMatchesLive(snapshot, live);
          // The gated types really are in the data compared above.
          const liveTypes = new Set([...live.values()].map((k) => k.type));
          assert.deepEqual([...liveTypes].sort(), ['hash', 'list', 'set', 'stream', 'string', 'zset']);
          if (f.hashFieldTtl) assert.equal([...live.values()].find((k) => k.key.toString() === 'hx:ttl')?.fieldExpires?.length, 2);
          assert.ok([...live.values()].filter((k) => k.expireMs !== undefined).length >= 4, 'keys with expiries');
          assert.deepEqual([...new Set([...live.values()].map((k) => k.db))].sort((a, b) => a - b), [0, 3, 15]);
          const chunked = [...snapshot.values()].filter((k) => k.chunks > 1).map((k) => k.key.toString('latin1'));
          // The 3 MB string is chunked in both variants; with 7-element chunks every big collection is.
          assert.ok(chunked.includes('s:random-3mb'), `chunked keys: ${chunked.join(', ')}`);
          if (v.smallChunks) for (const k of ['l:big', 'st:big', 'z:big', 'h:big', 'x:big', 'x:small']) assert.ok(chunked.includes(k), `${k} chunked`);

          const functions = recorder.events.filter((e): e is FunctionEvent => e.type === 'function');
          if (f.functions) assert.deepEqual(functions.map((e) => e.code.toString()), [FUNCTION_LIBRARY]);
          else assert.equal(functions.length, 0);

          // After the snapshot, the stream starts at the snapshot's offset.
          await recorder.waitFor('stream-begin', () => recorder.events.some((e) => e.type === 'stream-begin'));
          const sb = recorder.events.find((e) => e.type === 'stream-begin')!;
          assert.equal(sb.offset, begin.offset);
        });
      } finally {
        await (rec as EventRecorder | null)?.close();
        c.disconnect();
        await master.dispose();
      }
    });
  }
}
