// events/json.ts: every event type survives toJson -> JSON text -> fromJson unchanged (Buffers,
// -0/Infinity scores, 64-bit ids, optional fields present or absent), and bad input is refused with
// EVENT_BAD_JSON naming the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromJson, fromJsonLine, toJson, toJsonLine } from '../../../src/events/json.js';
import { EVENT_TYPES, type ReplicationEvent } from '../../../src/events/types.js';
import { ReplicatorError } from '../../../src/errors.js';
import { RdbParser } from '../../../src/rdb/parser.js';
import { corpusPath } from '../../helpers/corpus.js';
import { SAMPLE_EVENTS, bin } from '../../helpers/sample-events.js';

const samples = SAMPLE_EVENTS;

describe('event JSON codec', () => {
  it('covers every event type', () => {
    assert.deepEqual([...new Set(samples.map((e) => e.type))].sort(), [...EVENT_TYPES].sort());
  });

  for (const e of samples) {
    it(`round-trips ${e.type} ${'valueType' in e ? e.valueType : ''}`, () => {
      assert.deepStrictEqual(fromJson(toJson(e)), e);
      assert.deepStrictEqual(fromJsonLine(toJsonLine(e)), e);
    });
  }

  it('writes bytes as UTF-8 strings or {b64}, scores as decimal strings, ids as strings', () => {
    const sample = (pick: (e: ReplicationEvent) => boolean): ReplicationEvent => samples.find(pick)!;
    const zset = toJson(sample((e) => e.type === 'key-value' && e.valueType === 'zset')) as { value: [unknown, string][] };
    assert.deepEqual(zset.value.map((p) => p[1]), ['-0', 'Infinity', '-Infinity', '1e+300', '5e-324', '0.1', '0', '-2.5']);
    assert.deepEqual(zset.value[5]?.[0], { b64: bin.toString('base64') });
    const aux = toJson(sample((e) => e.type === 'aux' && e.inBody)) as { value: unknown };
    assert.equal(aux.value, '\u00e9\u{1f511}');
  });

  it('round-trips every event of a real RDB', () => {
    const events: ReplicationEvent[] = [];
    const p = new RdbParser((batch) => events.push(...batch), { maxChunkElements: 50 });
    p.feed(readFileSync(corpusPath('generated', 'redis-7.4.1_default.rdb')));
    p.end();
    for (const e of events) assert.deepStrictEqual(fromJsonLine(toJsonLine(e)), e);
  });

  it('refuses malformed input with EVENT_BAD_JSON naming the field', () => {
    const bad = (v: unknown, re: RegExp): void =>
      assert.throws(() => fromJson(v), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_JSON' && re.test(e.message));
    bad(null, /event is not an object/);
    bad({ type: 'nope', replid: '', offset: 0, db: 0 }, /unknown event type/);
    bad({ type: 'aux', replid: '', offset: 0, db: 0, key: 'k', value: 5, inBody: false }, /value is not a byte string/);
    bad({ type: 'key-value', replid: '', offset: 0, db: 0, key: 'k', rdbType: 5, valueType: 'zset', value: [['m', 'x']] }, /not a score/);
    bad({ type: 'snapshot-end', replid: '', offset: 0, db: 0, checksum: 'maybe', keys: 0, bytes: 0 }, /checksum/);
    assert.throws(() => fromJsonLine('{'), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_JSON');
  });
});
