// JSON form of event schema v1, shared by the CLI, the sinks and the consumer SDK.
// Field names are those of types.ts. Byte strings: a JSON string when the bytes are valid UTF-8,
// else {"b64": "..."} (util/bytes-json.ts). Zset scores are decimal strings that Number() parses
// back exactly ("Infinity", "-Infinity", "-0", "1e+300"); stream ids and module ids are strings;
// absent optional fields are omitted. fromJson(toJson(e)) deep-equals e for every event type.
import { ReplicatorError } from '../errors.js';
import { bytesFromJson, bytesToJson, doubleFromText, doubleToText, type JsonBytes } from '../util/bytes-json.js';
import type {
  CommandBody,
  EventMeta,
  FieldExpire,
  HashEntry,
  KeyAttributes,
  KeyMetaClass,
  ModuleValue,
  ReplicationEvent,
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamMeta,
  StreamPendingEntry,
  TransactionCommand,
  TypedChunk,
  TypedValue,
  ZsetEntry,
} from './types.js';

export type JsonValue = JsonBytes | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------------------------
// Encoding

export function toJson(e: ReplicationEvent): JsonObject {
  const o: JsonObject = { type: e.type, replid: e.replid, offset: e.offset, db: e.db };
  if (e.rdbOffset !== undefined) o.rdbOffset = e.rdbOffset;
  if (e.epoch !== undefined) o.epoch = e.epoch;
  switch (e.type) {
    case 'snapshot-begin':
      o.reason = e.reason;
      o.magic = e.magic;
      o.rdbVersion = e.rdbVersion;
      if (e.previous) o.previous = { replid: e.previous.replid, offset: e.previous.offset };
      break;
    case 'snapshot-end':
      o.checksum = e.checksum;
      if (e.checksumHex !== undefined) o.checksumHex = e.checksumHex;
      o.keys = e.keys;
      o.bytes = e.bytes;
      break;
    case 'aux':
      o.key = bytesToJson(e.key);
      o.value = bytesToJson(e.value);
      o.inBody = e.inBody;
      break;
    case 'function':
      o.code = bytesToJson(e.code);
      if (e.preGa) {
        o.preGa = {
          name: bytesToJson(e.preGa.name),
          engine: bytesToJson(e.preGa.engine),
          description: e.preGa.description === null ? null : bytesToJson(e.preGa.description),
        };
      }
      break;
    case 'module-aux':
      o.module = e.module;
      o.moduleId = e.moduleId;
      o.encver = e.encver;
      o.when = e.when;
      o.raw = bytesToJson(e.raw);
      break;
    case 'key-value':
      keyAttrsToJson(o, e);
      valueToJson(o, e);
      break;
    case 'key-chunk':
      keyAttrsToJson(o, e);
      o.index = e.index;
      o.last = e.last;
      chunkToJson(o, e);
      break;
    case 'command':
      commandToJson(o, e);
      if (e.timestampMs !== undefined) o.timestampMs = e.timestampMs;
      break;
    case 'transaction':
      o.commands = e.commands.map((c) => {
        const j: JsonObject = {};
        commandToJson(j, c);
        j.db = c.db;
        return j;
      });
      if (e.timestampMs !== undefined) o.timestampMs = e.timestampMs;
      break;
    case 'stream-begin':
      o.mode = e.mode;
      break;
    case 'stream-end':
      o.reason = e.reason;
      break;
    default: {
      const never: never = e;
      throw badJson(`unknown event type ${String((never as { type?: unknown }).type)}`);
    }
  }
  return o;
}

/** One line of JSON (no newline). */
export function toJsonLine(e: ReplicationEvent): string {
  return JSON.stringify(toJson(e));
}

function keyAttrsToJson(o: JsonObject, e: KeyAttributes): void {
  o.key = bytesToJson(e.key);
  o.rdbType = e.rdbType;
  if (e.expireMs !== undefined) o.expireMs = e.expireMs;
  if (e.lfuFreq !== undefined) o.lfuFreq = e.lfuFreq;
  if (e.lruIdleS !== undefined) o.lruIdleS = e.lruIdleS;
  if (e.keyMeta !== undefined) o.keyMeta = e.keyMeta.map((m) => ({ classSpec: m.classSpec, raw: bytesToJson(m.raw) }));
}

function valueToJson(o: JsonObject, v: TypedValue): void {
  o.valueType = v.valueType;
  switch (v.valueType) {
    case 'stream':
      o.value = {
        entries: v.value.entries.map(entryToJson),
        meta: metaToJson(v.value.meta),
        groups: v.value.groups.map(groupToJson),
      };
      return;
    case 'module':
      o.value = { module: v.value.module, moduleId: v.value.moduleId, encver: v.value.encver, raw: bytesToJson(v.value.raw) };
      return;
    default:
      collectionToJson(o, v);
  }
}

function chunkToJson(o: JsonObject, v: TypedChunk): void {
  o.valueType = v.valueType;
  if (v.valueType === 'stream') {
    const s: JsonObject = { entries: v.value.entries.map(entryToJson) };
    if (v.value.meta) s.meta = metaToJson(v.value.meta);
    s.groups = v.value.groups.map(groupToJson);
    o.value = s;
    return;
  }
  collectionToJson(o, v);
}

type CollectionValue = Exclude<TypedValue, { valueType: 'stream' } | { valueType: 'module' }>;

function collectionToJson(o: JsonObject, v: CollectionValue): void {
  switch (v.valueType) {
    case 'string':
      o.value = bytesToJson(v.value);
      break;
    case 'list':
    case 'set':
      o.value = v.value.map(bytesToJson);
      break;
    case 'zset':
      o.value = v.value.map(([m, s]) => [bytesToJson(m), doubleToText(s)]);
      break;
    case 'hash':
      o.value = v.value.map(([f, x]) => [bytesToJson(f), bytesToJson(x)]);
      if (v.fieldExpires !== undefined) o.fieldExpires = v.fieldExpires.map(([f, ms]) => [bytesToJson(f), ms]);
      break;
    default: {
      const never: never = v;
      throw badJson(`unknown value type ${String((never as { valueType?: unknown }).valueType)}`);
    }
  }
}

function entryToJson(e: StreamEntry): JsonValue {
  return { id: e.id, fields: e.fields.map(([f, v]) => [bytesToJson(f), bytesToJson(v)]) };
}

function metaToJson(m: StreamMeta): JsonObject {
  return {
    length: m.length,
    lastId: m.lastId,
    firstId: m.firstId,
    maxDeletedId: m.maxDeletedId,
    entriesAdded: m.entriesAdded,
    listpackNodes: m.listpackNodes,
  };
}

function groupToJson(g: StreamGroup): JsonValue {
  return {
    name: bytesToJson(g.name),
    lastDeliveredId: g.lastDeliveredId,
    entriesRead: g.entriesRead,
    pel: g.pel.map((p) => ({
      id: p.id,
      consumer: p.consumer === null ? null : bytesToJson(p.consumer),
      deliveryTimeMs: p.deliveryTimeMs,
      deliveryCount: p.deliveryCount,
    })),
    consumers: g.consumers.map((c) => ({
      name: bytesToJson(c.name),
      seenTimeMs: c.seenTimeMs,
      activeTimeMs: c.activeTimeMs,
      pel: c.pel,
    })),
  };
}

function commandToJson(o: JsonObject, c: CommandBody): void {
  o.command = c.command;
  o.args = c.args.map(bytesToJson);
  o.keys = c.keys.map(bytesToJson);
  o.known = c.known;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Parses the JSON form back into an event; throws EVENT_BAD_JSON naming the offending field. */
export function fromJson(json: unknown): ReplicationEvent {
  const o = obj(json, 'event');
  const type = str(o, 'type');
  const meta: EventMeta = { replid: str(o, 'replid'), offset: num(o, 'offset'), db: num(o, 'db') };
  if (o.rdbOffset !== undefined) meta.rdbOffset = num(o, 'rdbOffset');
  if (o.epoch !== undefined) meta.epoch = num(o, 'epoch');
  switch (type) {
    case 'snapshot-begin': {
      const reason = oneOf(o, 'reason', ['file', 'initial', 'resync'] as const);
      const magic = oneOf(o, 'magic', ['REDIS', 'VALKEY'] as const);
      const e = { type, ...meta, reason, magic, rdbVersion: num(o, 'rdbVersion') } as const;
      if (o.previous === undefined) return e;
      const p = obj(o.previous, 'previous');
      return { ...e, previous: { replid: str(p, 'replid'), offset: num(p, 'offset') } };
    }
    case 'snapshot-end': {
      const e = {
        type, ...meta, checksum: oneOf(o, 'checksum', ['verified', 'not-computed', 'absent'] as const), keys: num(o, 'keys'), bytes: num(o, 'bytes'),
      } as const;
      return o.checksumHex === undefined ? e : { ...e, checksumHex: str(o, 'checksumHex') };
    }
    case 'aux':
      return { type, ...meta, key: bytes(o, 'key'), value: bytes(o, 'value'), inBody: bool(o, 'inBody') };
    case 'function': {
      const e = { type, ...meta, code: bytes(o, 'code') } as const;
      if (o.preGa === undefined) return e;
      const p = obj(o.preGa, 'preGa');
      return { ...e, preGa: { name: bytes(p, 'name'), engine: bytes(p, 'engine'), description: p.description === null ? null : bytes(p, 'description') } };
    }
    case 'module-aux':
      return {
        type, ...meta, module: str(o, 'module'), moduleId: str(o, 'moduleId'), encver: num(o, 'encver'), when: num(o, 'when'), raw: bytes(o, 'raw'),
      };
    case 'key-value':
      return { type, ...meta, ...keyAttrsFromJson(o), ...valueFromJson(o) };
    case 'key-chunk':
      return { type, ...meta, ...keyAttrsFromJson(o), ...chunkFromJson(o), index: num(o, 'index'), last: bool(o, 'last') };
    case 'command': {
      const e = { type, ...meta, ...commandFromJson(o) } as const;
      return o.timestampMs === undefined ? e : { ...e, timestampMs: num(o, 'timestampMs') };
    }
    case 'transaction': {
      const commands: TransactionCommand[] = arr(o, 'commands').map((c, i) => {
        const co = obj(c, `commands[${i}]`);
        return { ...commandFromJson(co), db: num(co, 'db') };
      });
      const e = { type, ...meta, commands } as const;
      return o.timestampMs === undefined ? e : { ...e, timestampMs: num(o, 'timestampMs') };
    }
    case 'stream-begin':
      return { type, ...meta, mode: oneOf(o, 'mode', ['full', 'partial', 'file'] as const) };
    case 'stream-end':
      return { type, ...meta, reason: str(o, 'reason') };
    default:
      throw badJson(`unknown event type ${JSON.stringify(type)}`);
  }
}

/** Parses one line produced by toJsonLine. */
export function fromJsonLine(line: string): ReplicationEvent {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new ReplicatorError('EVENT_BAD_JSON', `not JSON: ${(e as Error).message}`, { cause: e });
  }
  return fromJson(v);
}

function keyAttrsFromJson(o: JsonObject): KeyAttributes {
  const a: KeyAttributes = { key: bytes(o, 'key'), rdbType: num(o, 'rdbType') };
  if (o.expireMs !== undefined) a.expireMs = num(o, 'expireMs');
  if (o.lfuFreq !== undefined) a.lfuFreq = num(o, 'lfuFreq');
  if (o.lruIdleS !== undefined) a.lruIdleS = num(o, 'lruIdleS');
  if (o.keyMeta !== undefined) {
    a.keyMeta = arr(o, 'keyMeta').map((m, i): KeyMetaClass => {
      const mo = obj(m, `keyMeta[${i}]`);
      return { classSpec: num(mo, 'classSpec'), raw: bytes(mo, 'raw') };
    });
  }
  return a;
}

function valueFromJson(o: JsonObject): TypedValue {
  const vt = str(o, 'valueType');
  switch (vt) {
    case 'stream': {
      const v = obj(o.value, 'value');
      return { valueType: 'stream', value: { entries: entriesFromJson(v), meta: metaFromJson(obj(v.meta, 'value.meta')), groups: groupsFromJson(v) } };
    }
    case 'module': {
      const v = obj(o.value, 'value');
      const value: ModuleValue = { module: str(v, 'module'), moduleId: str(v, 'moduleId'), encver: num(v, 'encver'), raw: bytes(v, 'raw') };
      return { valueType: 'module', value };
    }
    default:
      return collectionFromJson(o, vt);
  }
}

function chunkFromJson(o: JsonObject): TypedChunk {
  const vt = str(o, 'valueType');
  if (vt === 'stream') {
    const v = obj(o.value, 'value');
    const entries = entriesFromJson(v);
    const groups = groupsFromJson(v);
    return v.meta === undefined
      ? { valueType: 'stream', value: { entries, groups } }
      : { valueType: 'stream', value: { entries, meta: metaFromJson(obj(v.meta, 'value.meta')), groups } };
  }
  if (vt === 'module') throw badJson('module values are never chunked');
  return collectionFromJson(o, vt);
}

function collectionFromJson(o: JsonObject, vt: string): CollectionValue {
  switch (vt) {
    case 'string':
      return { valueType: 'string', value: bytes(o, 'value') };
    case 'list':
    case 'set':
      return { valueType: vt, value: arr(o, 'value').map((x, i) => asBytes(x, `value[${i}]`)) };
    case 'zset':
      return {
        valueType: 'zset',
        value: arr(o, 'value').map((x, i): ZsetEntry => {
          const p = pair(x, `value[${i}]`);
          const score = doubleFromText(p[1]);
          if (Number.isNaN(score)) throw badJson(`value[${i}][1] is not a score`);
          return [asBytes(p[0], `value[${i}][0]`), score];
        }),
      };
    case 'hash': {
      const value = arr(o, 'value').map((x, i): HashEntry => {
        const p = pair(x, `value[${i}]`);
        return [asBytes(p[0], `value[${i}][0]`), asBytes(p[1], `value[${i}][1]`)];
      });
      if (o.fieldExpires === undefined) return { valueType: 'hash', value };
      const fieldExpires = arr(o, 'fieldExpires').map((x, i): FieldExpire => {
        const p = pair(x, `fieldExpires[${i}]`);
        if (typeof p[1] !== 'number') throw badJson(`fieldExpires[${i}][1] is not a number`);
        return [asBytes(p[0], `fieldExpires[${i}][0]`), p[1]];
      });
      return { valueType: 'hash', value, fieldExpires };
    }
    default:
      throw badJson(`unknown valueType ${JSON.stringify(vt)}`);
  }
}

function entriesFromJson(v: JsonObject): StreamEntry[] {
  return arr(v, 'entries').map((x, i) => {
    const e = obj(x, `entries[${i}]`);
    return {
      id: str(e, 'id'),
      fields: arr(e, 'fields').map((f, j): HashEntry => {
        const p = pair(f, `entries[${i}].fields[${j}]`);
        return [asBytes(p[0], 'field'), asBytes(p[1], 'value')];
      }),
    };
  });
}

function metaFromJson(m: JsonObject): StreamMeta {
  return {
    length: num(m, 'length'),
    lastId: str(m, 'lastId'),
    firstId: nullableStr(m, 'firstId'),
    maxDeletedId: nullableStr(m, 'maxDeletedId'),
    entriesAdded: m.entriesAdded === null ? null : num(m, 'entriesAdded'),
    listpackNodes: num(m, 'listpackNodes'),
  };
}

function groupsFromJson(v: JsonObject): StreamGroup[] {
  return arr(v, 'groups').map((x, i) => {
    const g = obj(x, `groups[${i}]`);
    const pel = arr(g, 'pel').map((y, j): StreamPendingEntry => {
      const p = obj(y, `groups[${i}].pel[${j}]`);
      return { id: str(p, 'id'), consumer: p.consumer === null ? null : bytes(p, 'consumer'), deliveryTimeMs: num(p, 'deliveryTimeMs'), deliveryCount: num(p, 'deliveryCount') };
    });
    const consumers = arr(g, 'consumers').map((y, j): StreamConsumer => {
      const c = obj(y, `groups[${i}].consumers[${j}]`);
      return {
        name: bytes(c, 'name'),
        seenTimeMs: num(c, 'seenTimeMs'),
        activeTimeMs: c.activeTimeMs === null ? null : num(c, 'activeTimeMs'),
        pel: arr(c, 'pel').map((id, k) => {
          if (typeof id !== 'string') throw badJson(`groups[${i}].consumers[${j}].pel[${k}] is not a stream id`);
          return id;
        }),
      };
    });
    return { name: bytes(g, 'name'), lastDeliveredId: str(g, 'lastDeliveredId'), entriesRead: g.entriesRead === null ? null : num(g, 'entriesRead'), pel, consumers };
  });
}

function commandFromJson(o: JsonObject): CommandBody {
  return {
    command: str(o, 'command'),
    args: arr(o, 'args').map((x, i) => asBytes(x, `args[${i}]`)),
    keys: arr(o, 'keys').map((x, i) => asBytes(x, `keys[${i}]`)),
    known: bool(o, 'known'),
  };
}

// ---------------------------------------------------------------------------------------------
// Field readers

function badJson(message: string): ReplicatorError {
  return new ReplicatorError('EVENT_BAD_JSON', `bad event JSON: ${message}`);
}

function obj(v: unknown, where: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badJson(`${where} is not an object`);
  return v as JsonObject;
}

function str(o: JsonObject, k: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw badJson(`field ${k} is not a string`);
  return v;
}

function nullableStr(o: JsonObject, k: string): string | null {
  return o[k] === null ? null : str(o, k);
}

function num(o: JsonObject, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badJson(`field ${k} is not a number`);
  return v;
}

function bool(o: JsonObject, k: string): boolean {
  const v = o[k];
  if (typeof v !== 'boolean') throw badJson(`field ${k} is not a boolean`);
  return v;
}

function arr(o: JsonObject, k: string): JsonValue[] {
  const v = o[k];
  if (!Array.isArray(v)) throw badJson(`field ${k} is not an array`);
  return v;
}

function oneOf<T extends string>(o: JsonObject, k: string, values: readonly T[]): T {
  const v = str(o, k);
  if (!(values as readonly string[]).includes(v)) throw badJson(`field ${k} is ${JSON.stringify(v)}, expected one of ${values.join(', ')}`);
  return v as T;
}

function bytes(o: JsonObject, k: string): Buffer {
  return asBytes(o[k], k);
}

function asBytes(v: JsonValue | undefined, where: string): Buffer {
  const b = bytesFromJson(v);
  if (b === null) throw badJson(`${where} is not a byte string (a string or {"b64": ...})`);
  return b;
}

function pair(v: JsonValue, where: string): [JsonValue, JsonValue] {
  if (!Array.isArray(v) || v.length !== 2) throw badJson(`${where} is not a pair`);
  return [v[0] as JsonValue, v[1] as JsonValue];
}
