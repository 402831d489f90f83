// schema/event-v1.schema.json describes the JSON form of every event: real events produced from corpus
// RDB files (every value type, whole and chunked, modules, functions, LFU/LRU, field TTLs), an AOF
// fixture and a synthetic replication link (an in-process fake master: snapshot, commands, MULTI/EXEC,
// an unknown command, a lost link, a resync) all validate; malformed variants of them do not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { readAof } from '../../../src/aof/aof-reader.js';
import { toJson, type JsonObject } from '../../../src/events/json.js';
import { EVENT_TYPES, type ReplicationEvent } from '../../../src/events/types.js';
import { parseRdbFile } from '../../../src/rdb/parse-file.js';
import { corpusPath, REPO_ROOT } from '../../helpers/corpus.js';
import { EventRecorder } from '../../helpers/event-recorder.js';
import { FakeMaster } from '../../helpers/fake-master.js';
import { SchemaValidator, type Schema } from '../../helpers/json-schema-subset.js';

const schema = JSON.parse(readFileSync(resolve(REPO_ROOT, 'schema', 'event-v1.schema.json'), 'utf8')) as Schema;

const RDB_FILES = [
  'generated/redis-7.4.1_nochecksum.rdb', // streams with groups, hash field TTL (types 24/25), functions
  'generated/redis-7.4.1_lfu.rdb', // lfuFreq
  'generated/redis-5.0.14_lru.rdb', // lruIdleS
  'generated/redis-2.8.24_nochecksum.rdb', // RDB 6: no AUX fields, ziplist/zipmap encodings
  'generated/valkey-8.0.1_cluster.rdb', // AUX slot-info in the body
  'public/redis-rdb-tools/tests/dumps/redis_60_with_module_aux.rdb', // module-aux
  'public/redis-replicator/src/test/resources/dump-module-2.rdb', // module value
  'public/redis-replicator/src/test/resources/function.rdb', // pre-GA function
  'public/HDT3213-rdb/cases/valkey_hash2_with_hfe.rdb', // VALKEY080, HASH_2
];

async function rdbEvents(): Promise<ReplicationEvent[]> {
  const out: ReplicationEvent[] = [];
  for (const f of RDB_FILES) {
    // Whole values, then tiny chunks so every collection also comes as key-chunk events.
    for (const opts of [{}, { maxChunkElements: 3, maxChunkBytes: 64 }]) {
      await parseRdbFile(corpusPath(f), (events) => void out.push(...events), opts);
    }
  }
  return out;
}

async function aofEvents(): Promise<ReplicationEvent[]> {
  const out: ReplicationEvent[] = [];
  await readAof(corpusPath('aof-repl', 'redis-7.4.1_aof-multipart-ts'), (events) => void out.push(...events));
  return out;
}

const REPLID_A = 'a'.repeat(40);
const REPLID_B = 'b'.repeat(40);
const resp = (...args: (string | Buffer)[]): Buffer =>
  Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.flatMap((a) => [Buffer.from(`$${Buffer.byteLength(a)}\r\n`), Buffer.from(a), Buffer.from('\r\n')])]);

/** A synthetic link (fake master): full sync, a command stream, a lost link, then a resync. */
async function linkEvents(): Promise<ReplicationEvent[]> {
  const rdb = readFileSync(corpusPath('broken', 'valid_reference.rdb'));
  const stream = Buffer.concat([
    resp('SELECT', '2'),
    resp('SET', 'k', Buffer.from([0xff, 0x00])),
    resp('MULTI'),
    resp('INCR', 'n'),
    resp('SELECT', '3'),
    resp('SET', 'x', 'y'),
    resp('EXEC'),
    resp('REPLCONF', 'GETACK', '*'),
    resp('PING'),
    resp('MODULE.UNKNOWN', 'arg'),
  ]);
  const master = await FakeMaster.start([
    async (conn) => {
      await conn.handshake();
      await conn.write(Buffer.concat([Buffer.from(`+FULLRESYNC ${REPLID_A} 500\r\n$${rdb.length}\r\n`), rdb, stream]));
      await conn.waitForAck(500 + stream.length);
      conn.socket.destroy();
    },
    async (conn) => {
      await conn.handshake();
      await conn.write(Buffer.concat([Buffer.from(`+FULLRESYNC ${REPLID_B} 7\r\n$${rdb.length}\r\n`), rdb]));
      await conn.closed;
    },
  ]);
  const rec = await EventRecorder.open({ redis: master.uri, lingerMs: 1, epoch: 3, replication: { ackIntervalMs: 100, backoffMaxMs: 100, announceVersion: '' } });
  try {
    await rec.waitFor('the resync', () => rec.events.filter((e) => e.type === 'stream-begin').length === 2);
    assert.deepEqual(master.errors, []);
    return [...rec.events];
  } finally {
    await rec.close();
    await master.close();
  }
}

describe('schema/event-v1.schema.json', () => {
  const validator = new SchemaValidator(schema);
  let all: ReplicationEvent[] = [];

  it('is a draft 2020-12 schema whose $id is the events dataschema, using only the supported keywords', () => {
    assert.equal((schema as { $schema: string }).$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal((schema as { $id: string }).$id, 'urn:redis-mq-replicator:event:v1');
  });

  it('validates every event from corpus RDBs (whole and chunked), an AOF fixture and a synthetic link (fake master)', async () => {
    all = [...(await rdbEvents()), ...(await aofEvents()), ...(await linkEvents())];
    const failures: string[] = [];
    for (const e of all) {
      const errors = validator.validate(toJson(e));
      if (errors.length > 0 && failures.length < 10) failures.push(`${e.type}@${e.offset}/${e.rdbOffset ?? ''}: ${errors.join('; ')}`);
    }
    assert.deepEqual(failures, []);
    // What was covered: every event type, every value type whole and chunked, and the optional fields.
    const types = new Set(all.map((e) => e.type));
    assert.deepEqual([...EVENT_TYPES].filter((t) => !types.has(t)), []);
    const kv = new Set(all.flatMap((e) => (e.type === 'key-value' ? [e.valueType] : [])));
    const kc = new Set(all.flatMap((e) => (e.type === 'key-chunk' ? [e.valueType] : [])));
    assert.deepEqual([...kv].sort(), ['hash', 'list', 'module', 'set', 'stream', 'string', 'zset']);
    assert.deepEqual([...kc].sort(), ['hash', 'list', 'set', 'stream', 'string', 'zset']);
    const json = all.map(toJson);
    for (const field of ['rdbOffset', 'epoch', 'expireMs', 'lfuFreq', 'lruIdleS', 'fieldExpires', 'timestampMs', 'previous', 'preGa', 'checksumHex']) {
      assert.ok(json.some((o) => field in o), `no event carries ${field}`);
    }
    assert.ok(all.some((e) => e.type === 'aux' && e.inBody), 'an AUX in the body');
    assert.ok(all.some((e) => e.type === 'command' && !e.known), 'an unknown command');
    assert.ok(json.some((o) => JSON.stringify(o).includes('"b64"')), 'a non-UTF-8 byte string');
  });

  it('rejects malformed events', () => {
    assert.ok(all.length > 0, 'runs after the validation test');
    const first = (pred: (e: ReplicationEvent) => boolean): JsonObject => toJson(all.find(pred)!);
    const command = first((e) => e.type === 'command');
    const zset = first((e) => e.type === 'key-value' && e.valueType === 'zset');
    const str = first((e) => e.type === 'key-value' && e.valueType === 'string');
    const chunk = first((e) => e.type === 'key-chunk' && e.valueType === 'list');
    const bad: [string, JsonObject][] = [
      ['no replid', (({ replid: _r, ...o }) => o)(command)],
      ['offset as text', { ...command, offset: '12' }],
      ['negative offset', { ...command, offset: -1 }],
      ['unknown type', { ...command, type: 'ping' }],
      ['unknown property', { ...command, extra: 1 }],
      ['bytes as a number', { ...command, args: [1] }],
      ['bad base64 object', { ...command, args: [{ b64: '***' }] }],
      ['no args', { ...command, args: [] }],
      ['zset score as a JSON number', { ...zset, value: [['m', 1.5]] }],
      ['zset entry of three', { ...zset, value: [['m', '1', 'x']] }],
      ['fieldExpires on a string', { ...str, fieldExpires: [] }],
      ['module chunk', { ...chunk, valueType: 'module' }],
      ['list value of a string key', { ...str, value: ['a'] }],
      ['replid of 39 chars', { ...command, replid: 'a'.repeat(39) }],
      ['stream id without seq', { ...first((e) => e.type === 'key-value' && e.valueType === 'stream'), value: { entries: [{ id: '5', fields: [] }], meta: null, groups: [] } }],
    ];
    for (const [what, o] of bad) assert.notDeepEqual(validator.validate(o), [], `${what} is rejected`);
    assert.deepEqual(validator.validate(command), [], 'the unmodified event is valid');
  });
});
