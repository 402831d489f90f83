// Event schema v1: the vocabulary shared by every stage (RDB parser, command stream, sinks, consumer SDK).
// This module imports no other stage.
//
// Byte strings (keys, values, members, fields, command args, function code ...) are Buffers in memory.
// Their JSON form follows the corpus convention: a JSON string when the bytes are valid UTF-8,
// else {"b64": "<base64>"} (see events/json.ts). Integer-encoded values in the RDB come back as their
// decimal text, as Redis returns them.
//
// Identity of an event (for dedupe): (replid, offset, rdbOffset ?? -1, index ?? -1).
//  - Command-stream events: `offset` is the master replication offset just AFTER the command (or EXEC),
//    i.e. the value a replica would report in REPLCONF ACK after applying it. Unique per event.
//  - Snapshot events all share `offset` = the snapshot's offset (the +FULLRESYNC offset) and are told
//    apart by `rdbOffset`, the byte position inside the RDB payload where their record starts,
//    and for key chunks by `index`.

export const EVENT_SCHEMA_VERSION = 1;

export type Bytes = Buffer;

export interface EventMeta {
  /** Replication id of the master history the event belongs to ('' when reading a file). */
  replid: string;
  /** Replication offset, see the header comment. 0 when reading a file without one. */
  offset: number;
  /** Database index; -1 when the event concerns no database (aux, function, snapshot begin/end ...). */
  db: number;
  /** Snapshot events only: byte position of the record inside the RDB payload. */
  rdbOffset?: number;
  /** Cluster mode: the leadership epoch of the instance that published the event. */
  epoch?: number;
}

/** A point of the replication stream the master can resume from (PSYNC <replid> <offset + 1>). */
export interface StreamPosition {
  replid: string;
  /** Master replication offset after the last byte applied. */
  offset: number;
  /** Database selected at that offset (the master does not resend SELECT after +CONTINUE). */
  db: number;
}

// ---------------------------------------------------------------------------------------------
// Values

export type ValueType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'module';

/** [member, score]; the score is an IEEE double (Infinity, -Infinity and -0 included). */
export type ZsetEntry = [member: Bytes, score: number];
/** [field, value] */
export type HashEntry = [field: Bytes, value: Bytes];
/** [field, absolute unix ms] for hash fields that carry a TTL (RDB 12+ / Valkey HASH_2). */
export type FieldExpire = [field: Bytes, expireMs: number];

/** Stream ids are "ms-seq" decimal strings: both parts are u64 and may exceed 2^53. */
export type StreamId = string;

export interface StreamEntry {
  id: StreamId;
  fields: HashEntry[];
}

export interface StreamPendingEntry {
  id: StreamId;
  /** Name of the consumer owning the entry (resolved from the consumers' own PEL lists). */
  consumer: Bytes | null;
  deliveryTimeMs: number;
  deliveryCount: number;
}

export interface StreamConsumer {
  name: Bytes;
  seenTimeMs: number;
  /** RDB type 21+ (Redis 7.2+); null when the encoding does not carry it. */
  activeTimeMs: number | null;
  pel: StreamId[];
}

export interface StreamGroup {
  name: Bytes;
  lastDeliveredId: StreamId;
  /** RDB type 19+; null when not stored. */
  entriesRead: number | null;
  pel: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

export interface StreamMeta {
  length: number;
  lastId: StreamId;
  /** RDB type 19+ (null before). */
  firstId: StreamId | null;
  maxDeletedId: StreamId | null;
  entriesAdded: number | null;
  /** Number of listpack nodes (radix-tree keys) the stream had in the file. */
  listpackNodes: number;
}

export interface StreamValue {
  entries: StreamEntry[];
  meta: StreamMeta;
  groups: StreamGroup[];
}

/** Chunk of a big stream: entries in file order; `meta` only on the chunk where it was read;
 *  groups may be split across chunks (merge by name, concatenating pel and consumers). */
export interface StreamChunk {
  entries: StreamEntry[];
  meta?: StreamMeta;
  groups: StreamGroup[];
}

export interface ModuleValue {
  /** 9-character module type name decoded from the module id. */
  module: string;
  /** The 64-bit module id as decimal text. */
  moduleId: string;
  encver: number;
  /** The module's serialized value: every byte after the module id up to and including the EOF opcode. */
  raw: Bytes;
}

/** Whole value of a key, by type. */
export type TypedValue =
  | { valueType: 'string'; value: Bytes }
  | { valueType: 'list'; value: Bytes[] }
  | { valueType: 'set'; value: Bytes[] }
  | { valueType: 'zset'; value: ZsetEntry[] }
  | { valueType: 'hash'; value: HashEntry[]; fieldExpires?: FieldExpire[] }
  | { valueType: 'stream'; value: StreamValue }
  | { valueType: 'module'; value: ModuleValue };

/** Part of a big value. Concatenating the parts in `index` order gives the whole value
 *  (strings: bytes; lists/sets/zsets/hashes: elements; streams: see StreamChunk). */
export type TypedChunk =
  | { valueType: 'string'; value: Bytes }
  | { valueType: 'list'; value: Bytes[] }
  | { valueType: 'set'; value: Bytes[] }
  | { valueType: 'zset'; value: ZsetEntry[] }
  | { valueType: 'hash'; value: HashEntry[]; fieldExpires?: FieldExpire[] }
  | { valueType: 'stream'; value: StreamChunk };

/** Redis 8.6+ KEY_META class attached to a key, kept opaque. */
export interface KeyMetaClass {
  classSpec: number;
  raw: Bytes;
}

export interface KeyAttributes {
  key: Bytes;
  /** The value-type byte of the RDB record (0 string, 14 quicklist, 25 hash listpack-ex ...). */
  rdbType: number;
  /** Absolute unix ms; absent when the key has no expiry. */
  expireMs?: number;
  /** LFU counter (RDB_OPCODE_FREQ) when the file carries it. */
  lfuFreq?: number;
  /** LRU idle seconds (RDB_OPCODE_IDLE) when the file carries it. */
  lruIdleS?: number;
  keyMeta?: KeyMetaClass[];
}

// ---------------------------------------------------------------------------------------------
// Snapshot (RDB) events

export type SnapshotReason =
  | 'file' // an RDB file or AOF preamble read from disk
  | 'initial' // first full sync of this process (no checkpoint)
  | 'resync'; // the master refused to continue from the checkpoint: history was cut, a new snapshot begins

export interface SnapshotBeginEvent extends EventMeta {
  type: 'snapshot-begin';
  reason: SnapshotReason;
  magic: 'REDIS' | 'VALKEY';
  rdbVersion: number;
  /** With reason 'resync': where the previous history stopped. */
  previous?: { replid: string; offset: number };
}

export type ChecksumStatus =
  | 'verified' // CRC-64 matched
  | 'not-computed' // the writer stored 0 (rdbchecksum no)
  | 'absent'; // RDB < 5 has no checksum

export interface SnapshotEndEvent extends EventMeta {
  type: 'snapshot-end';
  checksum: ChecksumStatus;
  /** The stored CRC-64 as 16 hex digits (little-endian as in the file), when present. */
  checksumHex?: string;
  keys: number;
  /** Size of the RDB payload in bytes. */
  bytes: number;
}

export interface AuxEvent extends EventMeta {
  type: 'aux';
  key: Bytes;
  value: Bytes;
  /** True for AUX records found after the first SELECTDB (Valkey cluster slot-info). */
  inBody: boolean;
}

export interface FunctionEvent extends EventMeta {
  type: 'function';
  /** Library source ("#!lua name=..."); for the 7.0-rc format (opcode 246) the function body. */
  code: Bytes;
  /** Only in the 7.0-rc format (RDB_OPCODE_FUNCTION_PRE_GA). */
  preGa?: { name: Bytes; engine: Bytes; description: Bytes | null };
}

export interface ModuleAuxEvent extends EventMeta {
  type: 'module-aux';
  module: string;
  moduleId: string;
  encver: number;
  /** 1 = before the keyspace, 2 = after. */
  when: number;
  raw: Bytes;
}

export type KeyValueEvent = EventMeta & KeyAttributes & TypedValue & { type: 'key-value' };

export type KeyChunkEvent = EventMeta &
  KeyAttributes &
  TypedChunk & {
    type: 'key-chunk';
    /** 0-based position of this chunk among the key's chunks. */
    index: number;
    last: boolean;
  };

// ---------------------------------------------------------------------------------------------
// Command-stream events

export interface CommandBody {
  /** Canonical upper-case name; container commands include the subcommand: 'XGROUP CREATE'. */
  command: string;
  /** Every argument as received; args[0] is the command name as sent (any case). */
  args: Bytes[];
  /** The keys the command touches, from its key specs (empty for keyless commands). */
  keys: Bytes[];
  /** False when the command is not in our table: emitted as is with its raw args, never dropped. */
  known: boolean;
}

export interface CommandEvent extends EventMeta, CommandBody {
  type: 'command';
  /** Unix ms of the write when the source records it (AOF `#TS:` annotations, second precision). */
  timestampMs?: number;
}

export interface TransactionCommand extends CommandBody {
  /** Commands inside MULTI/EXEC may switch database with SELECT. */
  db: number;
}

export interface TransactionEvent extends EventMeta {
  type: 'transaction';
  commands: TransactionCommand[];
  /** As on CommandEvent. */
  timestampMs?: number;
}

export type StreamMode =
  | 'full' // after a snapshot
  | 'partial' // +CONTINUE: the master resumed from our offset
  | 'file'; // an AOF file

export interface StreamBeginEvent extends EventMeta {
  type: 'stream-begin';
  mode: StreamMode;
}

export interface StreamEndEvent extends EventMeta {
  type: 'stream-end';
  /** Why the command stream stopped: 'closed', 'link-lost', 'eof' ... */
  reason: string;
}

// ---------------------------------------------------------------------------------------------

export type SnapshotEvent =
  | SnapshotBeginEvent
  | SnapshotEndEvent
  | AuxEvent
  | FunctionEvent
  | ModuleAuxEvent
  | KeyValueEvent
  | KeyChunkEvent;

export type StreamEvent = CommandEvent | TransactionEvent | StreamBeginEvent | StreamEndEvent;

export type ReplicationEvent = SnapshotEvent | StreamEvent;

export type EventType = ReplicationEvent['type'];

export type EventOfType<T extends EventType> = Extract<ReplicationEvent, { type: T }>;

export const EVENT_TYPES: readonly EventType[] = [
  'snapshot-begin',
  'snapshot-end',
  'aux',
  'function',
  'module-aux',
  'key-value',
  'key-chunk',
  'command',
  'transaction',
  'stream-begin',
  'stream-end',
] as const;
