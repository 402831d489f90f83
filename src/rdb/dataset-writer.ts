// The "dataset" export of an RDB (`rdb FILE --format dataset`): one JSON document in the shape of the
// corpus oracles (shared/corpus/MANIFEST.md, "Oracle format"), written as the events arrive:
//   {"databases": {"<db>": [row, ...], ...}, "aux_fields": [[k, v], ...], "aux_fields_in_body": [...],
//    "functions": [{"code": ...}], "module_aux": [...], "magic", "rdb_version", "checksum", "key_count"}
// Rows go out as their keys complete (JSON key order does not matter, so databases come first and the
// header fields last). A chunked collection is written element by element as its chunks arrive;
// a chunked string is assembled whole (its JSON form depends on all its bytes), and so are the groups
// of a chunked stream (merged by name, PEL consumers resolved after the merge).
// A database that reappears after another one cannot be represented in this streaming form: error.
import type {
  FieldExpire,
  KeyChunkEvent,
  KeyValueEvent,
  SnapshotEvent,
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamMeta,
  StreamValue,
} from '../events/types.js';
import { bytesToJson, doubleToText, type JsonBytes } from '../util/bytes-json.js';
import { RdbParseError } from './errors.js';
import { resolvePelConsumers } from './stream-emitter.js';

type Json = JsonBytes | number | null | boolean | Json[] | { [k: string]: Json };

export class DatasetWriter {
  private db: number | null = null;
  private readonly closedDbs = new Set<number>();
  private rowsInDb = 0;
  private readonly aux: Json[] = [];
  private readonly auxInBody: Json[] = [];
  private readonly functions: Json[] = [];
  private readonly moduleAux: Json[] = [];
  private magic = '';
  private version = 0;
  private checksum = '';
  private keyCount = 0;
  private started = false;
  // A chunked key in progress.
  private chunked: KeyChunkEvent | null = null;
  private chunkItems = 0;
  private stringParts: Buffer[] = [];
  private fieldExpires: FieldExpire[] = [];
  private streamMeta: StreamMeta | undefined;
  private streamGroups: StreamGroup[] = [];

  /** `write` receives the document in pieces, in order. */
  constructor(private readonly write: (text: string) => void) {}

  onEvents(events: SnapshotEvent[]): void {
    for (const ev of events) this.onEvent(ev);
  }

  private onEvent(ev: SnapshotEvent): void {
    if (!this.started) {
      this.write('{"databases":{');
      this.started = true;
    }
    switch (ev.type) {
      case 'snapshot-begin':
        this.magic = ev.magic === 'REDIS' ? `REDIS${String(ev.rdbVersion).padStart(4, '0')}` : `VALKEY${String(ev.rdbVersion).padStart(3, '0')}`;
        this.version = ev.rdbVersion;
        break;
      case 'aux':
        (ev.inBody ? this.auxInBody : this.aux).push([bytesToJson(ev.key), bytesToJson(ev.value)]);
        break;
      case 'function': {
        const f: { [k: string]: Json } = { code: bytesToJson(ev.code) };
        if (ev.preGa) {
          f.pre_ga = { name: bytesToJson(ev.preGa.name), engine: bytesToJson(ev.preGa.engine), description: ev.preGa.description ? bytesToJson(ev.preGa.description) : null };
        }
        this.functions.push(f);
        break;
      }
      case 'module-aux':
        this.moduleAux.push({ module: ev.module, module_id: ev.moduleId, encver: ev.encver, when: ev.when, raw: bytesToJson(ev.raw) });
        break;
      case 'key-value':
        this.enterDb(ev.db);
        this.keyCount++;
        this.row(JSON.stringify(this.rowHead(ev, valueJson(ev))));
        break;
      case 'key-chunk':
        this.chunk(ev);
        break;
      case 'snapshot-end':
        this.checksum = ev.checksum;
        break;
      default: {
        const never: never = ev;
        throw new Error(`unexpected event ${String((never as { type?: unknown }).type)}`);
      }
    }
  }

  /** Closes the document (call after the snapshot-end event). */
  end(): void {
    if (!this.started) this.write('{"databases":{');
    if (this.db !== null) this.write('\n]');
    const tail = {
      aux_fields: this.aux,
      aux_fields_in_body: this.auxInBody,
      functions: this.functions,
      module_aux: this.moduleAux,
      magic: this.magic,
      rdb_version: this.version,
      checksum: this.checksum,
      key_count: this.keyCount,
    };
    this.write(`},\n${JSON.stringify(tail).slice(1)}\n`);
  }

  private enterDb(db: number): void {
    if (this.db === db) return;
    if (this.closedDbs.has(db)) {
      throw new RdbParseError('RDB_PARSER_STATE', `database ${db} appears again after other databases: the dataset format cannot represent it (use --format jsonl)`, { rdbOffset: 0, db });
    }
    if (this.db !== null) {
      this.closedDbs.add(this.db);
      this.write('\n],');
    }
    this.db = db;
    this.rowsInDb = 0;
    this.write(`\n${JSON.stringify(String(db))}:[`);
  }

  private row(text: string): void {
    this.write(this.rowsInDb++ === 0 ? `\n${text}` : `,\n${text}`);
  }

  private rowHead(ev: KeyValueEvent | KeyChunkEvent, value: Json | undefined): { [k: string]: Json } {
    const row: { [k: string]: Json } = { key: bytesToJson(ev.key), type: ev.valueType, rdb_type: ev.rdbType };
    if (ev.expireMs !== undefined) row.expire_ms = ev.expireMs;
    if (ev.lfuFreq !== undefined) row.lfu_freq = ev.lfuFreq;
    if (ev.lruIdleS !== undefined) row.lru_idle_s = ev.lruIdleS;
    if (value !== undefined) row.value = value;
    if (value !== undefined && ev.type === 'key-value' && ev.valueType === 'hash' && ev.fieldExpires && ev.fieldExpires.length > 0) row.field_expires = fieldExpiresJson(ev.fieldExpires);
    return row;
  }

  private chunk(ev: KeyChunkEvent): void {
    if (ev.index === 0) {
      this.enterDb(ev.db);
      this.keyCount++;
      this.chunked = ev;
      this.chunkItems = 0;
      this.stringParts = [];
      this.fieldExpires = [];
      this.streamMeta = undefined;
      this.streamGroups = [];
      if (ev.valueType !== 'string') {
        // Row head without value, then the opening of the value: `{"key":...,"value":[`
        const head = JSON.stringify(this.rowHead(ev, undefined));
        this.row(`${head.slice(0, -1)},"value":${ev.valueType === 'stream' ? '{"entries":[' : '['}`);
      }
    } else if (this.chunked === null || !this.chunked.key.equals(ev.key) || this.chunked.rdbOffset !== ev.rdbOffset) {
      throw new RdbParseError('RDB_PARSER_STATE', `key-chunk ${ev.index} arrived without its first chunk`, { rdbOffset: ev.rdbOffset ?? 0 });
    }
    const items: string[] = [];
    switch (ev.valueType) {
      case 'string':
        this.stringParts.push(ev.value);
        break;
      case 'list':
      case 'set':
        for (const el of ev.value) items.push(JSON.stringify(bytesToJson(el)));
        break;
      case 'zset':
        for (const [m, s] of ev.value) items.push(JSON.stringify([bytesToJson(m), doubleToText(s)]));
        break;
      case 'hash':
        for (const [f, v] of ev.value) items.push(JSON.stringify([bytesToJson(f), bytesToJson(v)]));
        if (ev.fieldExpires) for (const fe of ev.fieldExpires) this.fieldExpires.push(fe);
        break;
      case 'stream':
        for (const e of ev.value.entries) items.push(JSON.stringify(entryJson(e)));
        if (ev.value.meta) this.streamMeta = ev.value.meta;
        mergeGroups(this.streamGroups, ev.value.groups);
        break;
      default: {
        const never: never = ev;
        throw new Error(`unexpected chunk ${String((never as { valueType?: unknown }).valueType)}`);
      }
    }
    if (items.length > 0) {
      this.write((this.chunkItems === 0 ? '' : ',') + items.join(','));
      this.chunkItems += items.length;
    }
    if (!ev.last) return;
    const first = this.chunked as KeyChunkEvent;
    switch (ev.valueType) {
      case 'string':
        this.row(JSON.stringify(this.rowHead(first, bytesToJson(Buffer.concat(this.stringParts)))));
        break;
      case 'hash':
        this.write(this.fieldExpires.length > 0 ? `],"field_expires":${JSON.stringify(fieldExpiresJson(this.fieldExpires))}}` : ']}');
        break;
      case 'stream': {
        resolvePelConsumers(this.streamGroups);
        const rest = JSON.stringify(streamTail(this.streamMeta, this.streamGroups));
        this.write(`],${rest.slice(1)}}`);
        break;
      }
      default:
        this.write(']}');
    }
    this.chunked = null;
    this.stringParts = [];
    this.streamGroups = [];
  }
}

function valueJson(ev: KeyValueEvent): Json {
  switch (ev.valueType) {
    case 'string':
      return bytesToJson(ev.value);
    case 'list':
    case 'set':
      return ev.value.map(bytesToJson);
    case 'zset':
      return ev.value.map(([m, s]) => [bytesToJson(m), doubleToText(s)]);
    case 'hash':
      return ev.value.map(([f, v]) => [bytesToJson(f), bytesToJson(v)]);
    case 'stream':
      return streamJson(ev.value);
    case 'module':
      return { module: ev.value.module, module_id: ev.value.moduleId, encver: ev.value.encver, raw: bytesToJson(ev.value.raw) };
    default: {
      const never: never = ev;
      throw new Error(`unexpected value ${String((never as { valueType?: unknown }).valueType)}`);
    }
  }
}

function fieldExpiresJson(fe: FieldExpire[]): Json {
  return fe.map(([f, ms]) => [bytesToJson(f), ms]);
}

function entryJson(e: StreamEntry): Json {
  return [e.id, e.fields.map(([f, v]) => [bytesToJson(f), bytesToJson(v)])];
}

function streamJson(v: StreamValue): Json {
  return { entries: v.entries.map(entryJson), ...streamTail(v.meta, v.groups) };
}

function streamTail(meta: StreamMeta | undefined, groups: StreamGroup[]): { [k: string]: Json } {
  return {
    length: meta ? meta.length : null,
    listpack_nodes: meta ? meta.listpackNodes : null,
    last_id: meta ? meta.lastId : null,
    first_id: meta ? meta.firstId : null,
    max_deleted_id: meta ? meta.maxDeletedId : null,
    entries_added: meta ? meta.entriesAdded : null,
    groups: groups.map((g) => ({
      name: bytesToJson(g.name),
      last_delivered_id: g.lastDeliveredId,
      entries_read: g.entriesRead,
      pel: g.pel.map((p) => [p.id, p.consumer === null ? null : bytesToJson(p.consumer), p.deliveryTimeMs, p.deliveryCount]),
      consumers: g.consumers.map((c) => ({
        name: bytesToJson(c.name),
        seen_time_ms: c.seenTimeMs,
        active_time_ms: c.activeTimeMs,
        pel: c.pel,
      })),
    })),
  };
}

/** Merges the groups of one chunk into those seen so far: by name, concatenating PELs and consumers
 *  (a consumer split across chunks is merged by name too). */
export function mergeGroups(into: StreamGroup[], groups: StreamGroup[]): void {
  for (const g of groups) {
    const same = into.find((x) => x.name.equals(g.name));
    // Copies: resolving PEL consumers afterwards must not modify the events.
    if (!same) {
      into.push({ ...g, pel: g.pel.map((p) => ({ ...p })), consumers: g.consumers.map((c) => ({ ...c, pel: [...c.pel] })) });
      continue;
    }
    for (const p of g.pel) same.pel.push({ ...p });
    for (const c of g.consumers) {
      const sc: StreamConsumer | undefined = same.consumers.find((x) => x.name.equals(c.name));
      if (sc) sc.pel.push(...c.pel);
      else same.consumers.push({ ...c, pel: [...c.pel] });
    }
  }
}
