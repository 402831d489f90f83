// Every configuration key the service understands, with its type, default and one line of help.
// conf/replicator.conf and `--set key=value` are checked against this table: an unknown key or a bad
// value is an error naming the key and the accepted values. The README's configuration reference lists
// the same keys (a unit test keeps them in step).

export type KeyKind = 'string' | 'int' | 'bool' | 'enum' | 'list';

export interface KeySpec {
  key: string;
  kind: KeyKind;
  /** Default as written in a config file; undefined = no default (optional, or required per `required`). */
  default?: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Masked in every message and log. */
  secret?: boolean;
  doc: string;
}

const k = (spec: KeySpec): KeySpec => spec;

export const CONFIG_KEYS = [
  // --- source
  k({ key: 'redis.uri', kind: 'string', default: 'redis://127.0.0.1:6379',
    doc: 'Master to replicate: redis://[user:password@]host:port (rediss:// for TLS). Query parameters authUser, authPassword and ssl=yes are accepted as in redis-replicator.' }),
  k({ key: 'redis.user', kind: 'string', doc: 'ACL user for AUTH (overrides the URI user).' }),
  k({ key: 'redis.password', kind: 'string', secret: true, doc: 'Password for AUTH (overrides the URI password). ${ENV_VAR} references are expanded.' }),
  k({ key: 'redis.tls.ca', kind: 'string', doc: 'PEM file of the CA that signed the master certificate (TLS only).' }),
  k({ key: 'redis.tls.reject.unauthorized', kind: 'bool', default: 'true', doc: 'Verify the master certificate (TLS only).' }),
  k({ key: 'redis.connect.timeout.ms', kind: 'int', default: '10000', min: 100, doc: 'TCP/TLS connect and handshake timeout.' }),
  // --- replication
  k({ key: 'replication.listening.port', kind: 'int', default: '0', min: 0, max: 65535,
    doc: 'Port announced with REPLCONF listening-port (0 = the local port of our connection). Shown by INFO replication on the master.' }),
  k({ key: 'replication.ack.interval.ms', kind: 'int', default: '1000', min: 100, doc: 'Period of REPLCONF ACK <durable offset>.' }),
  k({ key: 'replication.timeout.ms', kind: 'int', default: '60000', min: 1000, doc: 'Link considered dead after this long without a byte from the master (repl-timeout).' }),
  k({ key: 'replication.announce.version', kind: 'string', default: '9.0.0',
    doc: 'Sent as REPLCONF version (Valkey 9 then sends RDB 80 with hash-field TTLs; Redis ignores it). Empty = do not send.' }),
  k({ key: 'replication.backoff.max.ms', kind: 'int', default: '30000', min: 100, doc: 'Longest wait between reconnection attempts.' }),
  // --- RDB
  k({ key: 'rdb.chunk.elements', kind: 'int', default: '1024', min: 1, doc: 'Collections with more elements are published as key-chunk events of this many elements.' }),
  k({ key: 'rdb.chunk.bytes', kind: 'int', default: '1048576', min: 1024, doc: 'Strings larger than this are published as key-chunk events of at most this many bytes.' }),
  k({ key: 'rdb.verify.checksum', kind: 'bool', default: 'true', doc: 'Verify the RDB CRC-64 (a mismatch stops the sync).' }),
  // --- deployment, checkpoint
  k({ key: 'deploy.model', kind: 'enum', values: ['single', 'cluster'], default: 'single',
    doc: 'single: one instance, checkpoint in checkpoint.file. cluster: ZooKeeper leader election and checkpoint (zookeeper.*).' }),
  k({ key: 'checkpoint.file', kind: 'string', default: 'data/checkpoint.json', doc: 'Checkpoint file in single mode (relative paths are relative to the working directory).' }),
  k({ key: 'checkpoint.interval.ms', kind: 'int', default: '1000', min: 0, doc: 'Write the checkpoint at most this often (and on shutdown).' }),
  // --- sink
  k({ key: 'sink', kind: 'enum', values: ['stdout', 'file'], default: 'file', doc: 'Where events go.' }),
  k({ key: 'sink.file.dir', kind: 'string', default: 'data', doc: 'Directory of the rotating JSON-lines files (sink=file).' }),
  k({ key: 'sink.file.max.bytes', kind: 'int', default: '268435456', min: 1024, doc: 'Start a new file when the current one reaches this size.' }),
  k({ key: 'sink.file.max.files', kind: 'int', default: '0', min: 0, doc: 'Delete the oldest files beyond this count (0 = keep all).' }),
  k({ key: 'sink.file.fsync', kind: 'bool', default: 'true', doc: 'fsync each batch before acknowledging it.' }),
  // --- pipeline
  k({ key: 'pipeline.batch.events', kind: 'int', default: '1000', min: 1, doc: 'Largest batch handed to the sink.' }),
  k({ key: 'pipeline.linger.ms', kind: 'int', default: '5', min: 0, doc: 'How long a partial batch waits for more events.' }),
  k({ key: 'pipeline.max.pending.bytes', kind: 'int', default: '67108864', min: 65536,
    doc: 'Bytes of events not yet acknowledged by the sink above which reading from the master pauses (back-pressure).' }),
  k({ key: 'pipeline.spill.dir', kind: 'string', default: 'data/spill', doc: 'Directory for the spill (pipeline.spill.max.bytes > 0).' }),
  k({ key: 'pipeline.spill.max.bytes', kind: 'int', default: '0', min: 0,
    doc: 'When the sink lags and pipeline.max.pending.bytes is reached, keep reading from the master and spill batches to disk up to this size (0 = no spill: reading pauses).' }),
  k({ key: 'pipeline.pause.max.ms', kind: 'int', default: '30000', min: 1000,
    doc: 'Reading paused this long (sink down, spill full): disconnect cleanly from the master and reconnect with PSYNC once the sink catches up.' }),
  // --- logging
  k({ key: 'log.level', kind: 'enum', values: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info', doc: 'Log level (logs go to stderr).' }),
  k({ key: 'log.format', kind: 'enum', values: ['text', 'json'], default: 'text', doc: 'Log line format.' }),
] as const satisfies readonly KeySpec[];

export type ConfigKey = (typeof CONFIG_KEYS)[number]['key'];

export const KEY_INDEX: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((s) => [s.key, s]));
