// Third-party fixtures (shared/corpus/public). Files with a server oracle parse to it; files without
// one behave as their MANIFEST row says (module names, functions, expected errors ...).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { KeyValueEvent, SnapshotEvent } from '../../../src/events/types.js';
import { whole } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';
import { compareDataset, datasetText, parseBuffer, parseEveryChunking, type ParseOutcome } from './parse-helpers.js';

interface IndexEntry {
  file: string;
  expected?: string;
}

type Row = { key: unknown; type: string; rdb_type?: number; encoding?: string; expire_ms?: number; value: unknown; field_expires?: [unknown, number][] };
type Doc = { databases: Record<string, Row[]> };
type Group = { entries_read?: unknown; consumers: { active_time_ms?: unknown }[] };
type StreamJson = { first_id?: unknown; max_deleted_id?: unknown; entries_added?: unknown; groups: Group[] };

// The oracles are "what a live server returned after LOADING the file" (redis 7.2.6 / 7.4.1, machine
// clock 2026-11-21), not the file itself. We apply exactly the differences that loading introduces:
const LOADED_AT_MS = Date.UTC(2026, 10, 21);

/** 1. The server dropped keys whose expire time had passed at load time (we report the file).
 *  2. Likewise (Redis 7.4 HFE) it dropped hash fields whose TTL had passed, and a hash left empty. */
function dropExpired(doc: Doc): void {
  for (const db of Object.keys(doc.databases)) {
    const rows: Row[] = [];
    for (const r of doc.databases[db] ?? []) {
      if (r.expire_ms !== undefined && r.expire_ms < LOADED_AT_MS) continue;
      if (r.type === 'hash' && r.field_expires) {
        const gone = new Set(r.field_expires.filter(([, ms]) => ms < LOADED_AT_MS).map(([f]) => JSON.stringify(f)));
        r.value = (r.value as [unknown, unknown][]).filter(([f]) => !gone.has(JSON.stringify(f)));
        r.field_expires = r.field_expires.filter(([f]) => !gone.has(JSON.stringify(f)));
        if ((r.value as unknown[]).length === 0) continue;
      }
      rows.push(r);
    }
    doc.databases[db] = rows;
  }
}

/** 3. The server converts old encodings on load:
 *  - streams of RDB types 15/19 do not store first_id, max_deleted_id, entries_added, entries_read
 *    or active_time: the server computes them, our rows say null ("not in this RDB version");
 *  - a ZSET/ZSET_2 (types 3/5) is loaded as a skiplist and then converted to a listpack, which
 *    stores an integral score as an integer (zzlInsertAt/double2ll): a -0 score comes back as 0.
 *    (Ziplists are converted entry by entry and keep "-0".) */
function alignEncodings(expected: Doc, actual: Doc): void {
  for (const db of Object.keys(expected.databases)) {
    const mine = new Map((actual.databases[db] ?? []).map((r) => [JSON.stringify(r.key), r]));
    for (const e of expected.databases[db] ?? []) {
      const a = mine.get(JSON.stringify(e.key));
      if (!a) continue;
      if (e.type === 'stream') {
        const ev = e.value as StreamJson;
        const av = a.value as StreamJson;
        for (const k of ['first_id', 'max_deleted_id', 'entries_added'] as const) if (av[k] === null) delete ev[k];
        ev.groups.forEach((g, i) => {
          const ag = av.groups[i];
          if (ag && ag.entries_read === null) delete g.entries_read;
          g.consumers.forEach((c, j) => {
            if (ag?.consumers[j]?.active_time_ms === null) delete c.active_time_ms;
          });
        });
      }
      if (e.type === 'zset' && e.encoding === 'listpack' && (a.rdb_type === 3 || a.rdb_type === 5)) {
        for (const p of a.value as [unknown, string][]) if (p[1] === '-0') p[1] = '0';
      }
    }
  }
}

const publicDir = corpusPath('public');
const index = JSON.parse(readFileSync(`${publicDir}/_server_oracle/index.json`, 'utf8')) as IndexEntry[];

describe('public fixtures with a server oracle', () => {
  const withOracle = index.filter((e) => e.expected);
  it('has fixtures to check', () => assert.ok(withOracle.length >= 100));
  for (const entry of withOracle) {
    it(entry.file, () => {
      const base = parseEveryChunking(readFileSync(`${publicDir}/${entry.file}`));
      assert.equal(base.error, null, base.error?.message);
      const expected = JSON.parse(readFileSync(`${publicDir}/${entry.expected as string}`, 'utf8')) as Doc;
      const actual = JSON.parse(datasetText(base.events)) as Doc;
      dropExpired(actual);
      alignEncodings(expected, actual);
      const cmp = compareDataset(expected, actual);
      assert.ok(cmp.ok, cmp.output);
    });
  }
});

function parseFixture(path: string): ParseOutcome {
  return parseEveryChunking(readFileSync(`${publicDir}/${path}`));
}

function keyValues(events: SnapshotEvent[]): Map<string, KeyValueEvent> {
  const m = new Map<string, KeyValueEvent>();
  for (const e of events) if (e.type === 'key-value') m.set(e.key.toString('latin1'), e);
  return m;
}

function moduleOf(e: KeyValueEvent | undefined): { module: string; encver: number; raw: Buffer } {
  assert.ok(e && e.valueType === 'module', 'expected a module value');
  return e.value;
}

describe('public fixtures without an oracle behave as MANIFEST.md says', () => {
  it('redis-rdb-tools redis_40_with_module.rdb: key foo is a ReJSON-RL module value; the diskless EOF mark is left over', () => {
    const r = parseFixture('redis-rdb-tools/tests/dumps/redis_40_with_module.rdb');
    assert.equal(r.error, null);
    const keys = keyValues(r.events);
    assert.equal(moduleOf(keys.get('foo')).module, 'ReJSON-RL');
    assert.equal(keys.get('simplekey')?.value.toString(), 'someval');
    assert.equal(r.remainder.length, 40); // the 40-byte $EOF: mark of the capture it comes from
  });

  it('redis-rdb-tools redis_60_with_module_aux.rdb: module AUX of test__rdb', () => {
    const r = parseFixture('redis-rdb-tools/tests/dumps/redis_60_with_module_aux.rdb');
    assert.equal(r.error, null);
    const aux = r.events.filter((e) => e.type === 'module-aux');
    assert.ok(aux.length >= 1);
    for (const a of aux) if (a.type === 'module-aux') assert.equal(a.module, 'test__rdb');
  });

  it('redis-replicator dump-module-2.rdb: MODULE_2 value of hellotype with its annotated opcodes', () => {
    const r = parseFixture('redis-replicator/src/test/resources/dump-module-2.rdb');
    assert.equal(r.error, null);
    const v = moduleOf(keyValues(r.events).get('modulekey'));
    assert.equal(v.module, 'hellotype');
    assert.equal(v.raw.at(-1), 0, 'raw ends with the module EOF opcode');
  });

  it('redis-replicator function.rdb: pre-GA functions lib1 (with description) and lib2, engine LUA', () => {
    const r = parseFixture('redis-replicator/src/test/resources/function.rdb');
    assert.equal(r.error, null);
    const fns = r.events.flatMap((e) => (e.type === 'function' && e.preGa ? [e.preGa] : []));
    assert.deepEqual(fns.map((f) => f.name.toString()).sort(), ['lib1', 'lib2']);
    for (const f of fns) assert.equal(f.engine.toString(), 'LUA');
    assert.equal(fns.find((f) => f.name.toString() === 'lib1')?.description?.toString(), 'description function');
    assert.equal(fns.find((f) => f.name.toString() === 'lib2')?.description, null);
  });

  it('redis-replicator module.rdb: type 6 (pre-GA module) is refused with a typed error, like Redis does', () => {
    const r = parseFixture('redis-replicator/src/test/resources/module.rdb');
    assert.equal(r.error?.code, 'RDB_UNSUPPORTED_TYPE');
  });

  it('HDT3213 valkey_hash2_with_hfe.rdb (VALKEY080): HASH_2 with field expiries', () => {
    const r = parseFixture('HDT3213-rdb/cases/valkey_hash2_with_hfe.rdb');
    assert.equal(r.error, null);
    const begin = r.events[0];
    assert.ok(begin?.type === 'snapshot-begin' && begin.magic === 'VALKEY' && begin.rdbVersion === 80);
    const h = keyValues(r.events).get('hash2-hfe');
    assert.ok(h && h.valueType === 'hash');
    assert.equal(h.rdbType, 22);
    assert.deepEqual(h.value.map(([f, v]) => [f.toString(), v.toString()]).sort(), [['F1', 'V1'], ['F2', 'V2'], ['F3', 'V3']]);
    assert.deepEqual(h.fieldExpires?.map(([f, ms]) => [f.toString(), ms]).sort(), [['F1', 2715785640000], ['F2', 2400425640000]]);
  });

  it('HDT3213 zipmap_big_len.rdb: a zipmap whose count byte says "unknown" (>= 254) still decodes', () => {
    const r = parseFixture('HDT3213-rdb/cases/zipmap_big_len.rdb');
    assert.equal(r.error, null);
    const h = keyValues(r.events).get('zimap_doesnt_compress');
    assert.ok(h && h.valueType === 'hash');
    assert.deepEqual(h.value.map(([f, v]) => [f.toString(), v.toString()]), [['MKD1G6', '2'], ['YNNXK', 'F7TI']]);
  });

  it('valkey corrupt_ziplist.rdb: fails with a ziplist integrity error', () => {
    const r = parseFixture('valkey-tests-assets/tests/assets/corrupt_ziplist.rdb');
    assert.equal(r.error?.code, 'RDB_BAD_ZIPLIST');
  });

  it('librdb future_v19.rdb (REDIS0099): unsupported version at byte 5', () => {
    const r = parseFixture('librdb/test/dumps/future_v19.rdb');
    assert.equal(r.error?.code, 'RDB_UNSUPPORTED_VERSION');
    assert.equal(r.error?.rdbOffset, 5);
    assert.match(r.error?.message ?? '', /unsupported RDB version 99/);
  });

  it('librdb invalid_chksum_v8.rdb: checksum error, and no snapshot-end event', () => {
    const r = parseFixture('librdb/test/dumps/invalid_chksum_v8.rdb');
    assert.equal(r.error?.code, 'RDB_BAD_CHECKSUM');
    assert.ok(!r.events.some((e) => e.type === 'snapshot-end'));
    const lenient = parseBuffer(readFileSync(`${publicDir}/librdb/test/dumps/invalid_chksum_v8.rdb`), whole, { verifyChecksum: false });
    assert.equal(lenient.error, null);
  });

  it('librdb misc_with_stream.rdb: module AUX, streams and plain types all parse', () => {
    const r = parseFixture('librdb/test/dumps/misc_with_stream.rdb');
    assert.equal(r.error, null);
    assert.ok(r.events.some((e) => e.type === 'module-aux'));
    assert.ok(r.events.some((e) => e.type === 'key-value' && e.valueType === 'stream'));
  });

  it('librdb module.rdb: key1 is a test__rdb value whose raw bytes are the module payload + EOF', () => {
    const r = parseFixture('librdb/test/dumps/module.rdb');
    assert.equal(r.error, null);
    const v = moduleOf(keyValues(r.events).get('key1'));
    assert.equal(v.module, 'test__rdb');
    assert.equal(v.encver, 1);
    // librdb's module_raw.json: type 7, the 0x81 module id, then 05 06 "value1" 00.
    assert.deepEqual(v.raw, Buffer.from('\x05\x06value1\x00', 'latin1'));
  });

  it('librdb module_aux*.rdb: module AUX before and after the keyspace', () => {
    for (const [f, name] of [['module_aux.rdb', 'test__rdb'], ['module_aux_empty.rdb', 'graphdata'], ['module_aux_v12.rdb', 'test__rdb']] as const) {
      const r = parseFixture(`librdb/test/dumps/${f}`);
      assert.equal(r.error, null, f);
      const aux = r.events.filter((e) => e.type === 'module-aux');
      assert.deepEqual(aux.map((e) => (e.type === 'module-aux' ? [e.module, e.when] : null)), [[name, 1], [name, 2]], f);
    }
    const x = keyValues(parseFixture('librdb/test/dumps/module_aux.rdb').events).get('x');
    assert.equal(x?.value.toString(), '1');
  });

  it('librdb redis_ent_opcode_ram_lru.rdb: the Redis Enterprise opcodes are skipped, the keys parse', () => {
    const r = parseFixture('librdb/test/dumps/redis_ent_opcode_ram_lru.rdb');
    assert.equal(r.error, null);
    assert.deepEqual([...keyValues(r.events).keys()].sort(), ['a', 'c', 'e']);
  });

  it('valkey-json rejson-*.rdb: key "store" is a ReJSON-RL module value; 2.0.x files carry scdtype00 AUX', () => {
    for (const v of ['1.0.8', '2.0.6', '2.0.7', '2.0.8', '2.0.11', '2.2.0', '2.6.12']) {
      const r = parseFixture(`valkey-json-rejson-rdbs/tst/integration/rdb_rejson/rejson-${v}.rdb`);
      assert.equal(r.error, null, v);
      if (v !== '1.0.8') assert.equal(moduleOf(keyValues(r.events).get('store')).module, 'ReJSON-RL', v);
      if (v.startsWith('2.0.')) assert.ok(r.events.some((e) => e.type === 'module-aux' && e.module === 'scdtype00'), v);
    }
  });
});
