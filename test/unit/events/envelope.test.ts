// The compact header and packs of events/envelope.ts: what the Kafka sink writes is what the SDK (and a
// plain consumer following the documented syntax) reads back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryCodec } from '../../../src/events/binary-codec.js';
import {
  codecToken,
  compactEventId,
  compactHeader,
  contentTypeOfToken,
  decodePack,
  encodePack,
  jsonCodec,
  packHeader,
  parseCompactHeader,
  withPart,
  type EventCodec,
} from '../../../src/events/envelope.js';
import { eventId } from '../../../src/events/identity.js';
import { toJson } from '../../../src/events/json.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { ReplicatorError } from '../../../src/errors.js';

const R = 'c'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s);

const events: ReplicationEvent[] = [
  { type: 'snapshot-begin', replid: R, offset: 0, db: -1, rdbOffset: 0, reason: 'initial', magic: 'REDIS', rdbVersion: 11 },
  { type: 'key-chunk', replid: R, offset: 0, db: 3, rdbOffset: 77, key: b('l'), rdbType: 18, valueType: 'list', value: [b('x'), Buffer.from([0xff])], index: 2, last: false },
  { type: 'command', replid: R, offset: 1234567, db: 0, epoch: 5, command: 'SET', args: [b('SET'), b('k;=,'), b('v')], keys: [b('k;=,')], known: true },
  { type: 'stream-end', replid: R, offset: 1234567, db: 0, reason: 'closed' },
];

test('compact header: every field round-trips and the id is the event id', () => {
  for (const e of events) {
    const f = parseCompactHeader(compactHeader(e, 'json'));
    assert.equal(f.type, e.type);
    assert.equal(f.replid, e.replid);
    assert.equal(f.offset, e.offset);
    assert.equal(f.db, e.db);
    assert.equal(f.rdbOffset, e.rdbOffset);
    assert.equal(f.index, e.type === 'key-chunk' ? e.index : undefined);
    assert.equal(f.epoch, e.epoch);
    assert.equal(f.codec, 'json');
    assert.equal(compactEventId(f), eventId(e));
  }
  const h = withPart(compactHeader(events[2]!, 'binary', 3, 'events/1,other/*'), 1, 4);
  assert.equal(h, `t=command;r=${R};o=1234567;d=0;c=binary;e=5;k=3;l=events/1,other/*;p=1/4`);
  const f = parseCompactHeader(h);
  assert.deepEqual([f.copies, f.lanes, f.part], [3, 'events/1,other/*', { i: 1, n: 4 }]);
  assert.equal(withPart('t=x', 0, 1), 't=x', 'a whole event has no p=');
  assert.equal(compactHeader(events[2]!, 'json', 1, '0,1'), `t=command;r=${R};o=1234567;d=0;c=json;e=5`, 'lanes only with copies');
  assert.deepEqual(parseCompactHeader(packHeader(7, 'json')), { packed: 7, codec: 'json' });
});

test('compact header: malformed fields are refused with EVENT_BAD_HEADER naming them', () => {
  for (const [text, what] of [
    ['o=12a', 'o=12a'],
    ['ro=', 'ro='],
    ['p=2', 'p=2'],
    ['p=2/2', 'p=2/2'],
    ['n=0', 'n= must'],
    ['t=a;oops', 'oops'],
  ] as const) {
    assert.throws(
      () => parseCompactHeader(text),
      (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_HEADER' && e.message.includes(what),
      text,
    );
  }
});

test('codec tokens name the built-in codecs briefly and others by content-type', () => {
  assert.equal(codecToken(jsonCodec), 'json');
  assert.equal(codecToken(binaryCodec), 'binary');
  const custom: EventCodec = { ...jsonCodec, contentType: 'Application/X-Mine; v=2' };
  assert.equal(codecToken(custom), 'application/x-mine');
  assert.equal(contentTypeOfToken('json'), jsonCodec.contentType);
  assert.equal(contentTypeOfToken('binary'), binaryCodec.contentType);
  assert.equal(contentTypeOfToken('application/x-mine'), 'application/x-mine');
});

for (const codec of [jsonCodec, binaryCodec]) {
  test(`packs round-trip with the ${codec.name} codec, and a count mismatch or a truncated value is refused`, () => {
    const encoded = events.map((e) => codec.encode(e));
    const value = encodePack(codec, encoded);
    if (codec === jsonCodec) assert.ok(Array.isArray(JSON.parse(value.toString())), 'a JSON pack is a JSON array a plain consumer can read');
    assert.deepEqual(decodePack(codec, value, events.length).map(toJson), events.map(toJson));
    assert.throws(() => decodePack(codec, value, events.length + 1), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_PACK');
    if (codec === binaryCodec) {
      assert.throws(() => decodePack(codec, value.subarray(0, value.length - 3), events.length), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_PACK');
      // 300 tiny events: counts and lengths above 127 need two varint bytes
      const many = Array.from({ length: 300 }, (_, i) => ({ ...events[2]!, offset: i + 1 }) as ReplicationEvent);
      assert.equal(decodePack(codec, encodePack(codec, many.map((e) => codec.encode(e))), 300).length, 300);
    } else {
      assert.throws(() => decodePack(codec, value.subarray(0, value.length - 3), events.length), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_JSON');
    }
  });
}
