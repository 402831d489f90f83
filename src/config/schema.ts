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
  // --- cluster (deploy.model=cluster)
  k({ key: 'zookeeper.address', kind: 'string',
    doc: 'ZooKeeper servers, host:port[,host:port...] (an optional /chroot may follow). Required for deploy.model = cluster.' }),
  k({ key: 'zookeeper.root', kind: 'string', default: '/redis-mq-replicator',
    doc: 'Parent znode: each source keeps its election, epoch and checkpoint under <root>/<source id>.' }),
  k({ key: 'zookeeper.session.timeout.ms', kind: 'int', default: '10000', min: 1000,
    doc: 'ZooKeeper session timeout asked for (the server bounds it). A dead leader is replaced about this long after it died; a leader that hears nothing from ZooKeeper for 2/3 of it stops publishing.' }),
  k({ key: 'zookeeper.source.id', kind: 'string',
    doc: 'Name of the replicated source in ZooKeeper: instances with the same id elect one leader. Default: host:port of redis.uri.' }),
  k({ key: 'cluster.instance.id', kind: 'string', doc: "This instance's name in the election, the logs and `status`. Default: hostname-pid." }),
  // --- sink
  k({ key: 'sink', kind: 'enum', values: ['stdout', 'file', 'kafka', 'rocketmq'], default: 'file', doc: 'Where events go.' }),
  k({ key: 'sink.codec', kind: 'enum', values: ['json', 'binary'], default: 'json',
    doc: 'Wire format of events in Kafka/RocketMQ messages: json (schema v1 JSON, language-neutral) or binary (compact; the consumer SDK decodes both by content-type).' }),
  k({ key: 'sink.file.dir', kind: 'string', default: 'data', doc: 'Directory of the rotating JSON-lines files (sink=file).' }),
  k({ key: 'sink.file.max.bytes', kind: 'int', default: '268435456', min: 1024, doc: 'Start a new file when the current one reaches this size.' }),
  k({ key: 'sink.file.max.files', kind: 'int', default: '0', min: 0, doc: 'Delete the oldest files beyond this count (0 = keep all).' }),
  k({ key: 'sink.file.fsync', kind: 'bool', default: 'true', doc: 'fsync each batch before acknowledging it.' }),
  // --- Kafka sink (sink=kafka)
  k({ key: 'kafka.brokers', kind: 'list', doc: 'Bootstrap brokers, comma-separated host:port (required with sink=kafka).' }),
  k({ key: 'kafka.client.id', kind: 'string', default: 'redis-mq-replicator', doc: 'Kafka client id (broker logs, quotas).' }),
  k({ key: 'kafka.topic', kind: 'string', default: 'redis-events',
    doc: 'Topic of the events. May contain {db} (database number; "none" for events without one) and {type} (event type, e.g. key-value, command) for a topic per database or per event type.' }),
  k({ key: 'kafka.topic.prefixes', kind: 'string',
    doc: 'prefix=topic,prefix2=topic2: keys starting with a prefix go to its topic (longest prefix wins); other and keyless events go to kafka.topic; barriers to every topic.' }),
  k({ key: 'kafka.topic.create', kind: 'bool', default: 'false', doc: 'Create missing topics (else a missing topic is an error naming it).' }),
  k({ key: 'kafka.topic.partitions', kind: 'int', default: '8', min: 1, doc: 'Partitions of topics created by the sink.' }),
  k({ key: 'kafka.topic.replication.factor', kind: 'int', default: '-1', min: -1, doc: 'Replication factor of topics created by the sink (-1 = broker default).' }),
  k({ key: 'kafka.compression', kind: 'string', default: 'none',
    doc: 'none or gzip (snappy, lz4 and zstd need kafkajs codec packages this build does not include).' }),
  k({ key: 'kafka.max.message.bytes', kind: 'int', default: '1000000', min: 16384,
    doc: "Largest record batch per partition (keep it at or below the broker's message.max.bytes); larger events are split into parts (ce_part) that the SDK reassembles." }),
  k({ key: 'kafka.publish.timeout.ms', kind: 'int', default: '30000', min: 1000,
    doc: 'A produce request not acknowledged within this time fails; the pipeline publishes it again after a backoff.' }),
  k({ key: 'kafka.headers', kind: 'enum', values: ['compact', 'cloudevents'], default: 'compact',
    doc: 'compact: one header `rmqr` (t=type;r=replid;o=offset;d=db;c=codec..., see the README) and packed records; cloudevents: the ce_* headers of the CloudEvents Kafka binding, one event per record (interoperable, slower).' }),
  k({ key: 'kafka.pack.max.events', kind: 'int', default: '256', min: 1,
    doc: 'compact headers: consecutive events of one partition share a record (a pack, header n=<count>) up to this many; 1 = one event per record.' }),
  k({ key: 'kafka.pack.max.bytes', kind: 'int', min: 1024,
    doc: 'Most value bytes of a pack (default: kafka.max.message.bytes / 4).' }),
  k({ key: 'kafka.transactional.id', kind: 'string', default: '',
    doc: 'Kafka transactional id (empty = idempotent producer only). Every produce request then runs in a transaction and a newer producer with the same id fences this one (SINK_FENCED). Cluster mode sets redis-mq-replicator:<source id> when this is empty.' }),
  k({ key: 'kafka.sasl.mechanism', kind: 'enum', values: ['plain', 'scram-sha-256', 'scram-sha-512'], doc: 'SASL mechanism (unset = no SASL).' }),
  k({ key: 'kafka.sasl.username', kind: 'string', doc: 'SASL user name.' }),
  k({ key: 'kafka.sasl.password', kind: 'string', secret: true, doc: 'SASL password. ${ENV_VAR} references are expanded.' }),
  k({ key: 'kafka.ssl', kind: 'bool', default: 'false', doc: 'Connect to the brokers with TLS.' }),
  k({ key: 'kafka.ssl.ca', kind: 'string', doc: 'PEM file of the CA that signed the broker certificates (default: system CAs).' }),
  k({ key: 'kafka.ssl.reject.unauthorized', kind: 'bool', default: 'true', doc: 'Verify the broker certificates.' }),
  // --- RocketMQ sink (sink=rocketmq; RocketMQ 5, through the proxy's gRPC port)
  k({ key: 'rocketmq.endpoints', kind: 'string',
    doc: "Proxy gRPC endpoint(s) host:port[;host:port] (8081 by default; required with sink=rocketmq). RocketMQ 5 clients do not use the NameServer address." }),
  k({ key: 'rocketmq.nameserver.address', kind: 'string',
    doc: 'Not used (seed system key): RocketMQ 5 clients connect to the proxy, so setting it is an error that points to rocketmq.endpoints.' }),
  k({ key: 'rocketmq.namespace', kind: 'string', default: '', doc: 'Resource namespace of the topic (empty = none).' }),
  k({ key: 'rocketmq.producer.groupname', kind: 'string', default: 'redis-mq-replicator',
    doc: 'Name of this producer in the logs. RocketMQ 5 has no producer group on the wire (the proxy uses the topic), so it only identifies the instance.' }),
  k({ key: 'rocketmq.data.topic', kind: 'string', default: 'redis-events',
    doc: 'FIFO topic of the events (create it with mqadmin updateTopic -t <topic> -a +message.type=FIFO).' }),
  k({ key: 'rocketmq.access.key', kind: 'string', doc: 'ACL access key (with rocketmq.secret.key; unset = no ACL).' }),
  k({ key: 'rocketmq.secret.key', kind: 'string', secret: true, doc: 'ACL secret key. ${ENV_VAR} references are expanded.' }),
  k({ key: 'rocketmq.ssl', kind: 'bool', default: 'false', doc: 'Connect to the proxy with TLS (trusts the system CAs, or GRPC_DEFAULT_SSL_ROOTS_FILE_PATH).' }),
  k({ key: 'rocketmq.request.timeout.ms', kind: 'int', default: '3000', min: 1000,
    doc: 'Deadline of each request to the proxy; a send is tried 3 times before the pipeline retries the batch.' }),
  k({ key: 'rocketmq.order', kind: 'enum', values: ['key', 'global'], default: 'key',
    doc: 'key: message group = <db>:<key>, events of a key in order (barriers in group rmqr:barrier, not ordered against keys). global: one group for everything, total order, one message in flight at a time.' }),
  k({ key: 'rocketmq.send.concurrency', kind: 'int', default: '64', min: 1,
    doc: 'Messages in flight at once across message groups (within a group one at a time).' }),
  k({ key: 'rocketmq.max.message.bytes', kind: 'int', default: '4194304', min: 65536,
    doc: "The broker's maximum message size (proxy maxMessageSize); larger events are split into parts (ce_part) below it that the SDK reassembles." }),
  // --- pipeline
  k({ key: 'pipeline.batch.events', kind: 'int', default: '1000', min: 1, doc: 'Largest batch handed to the sink.' }),
  k({ key: 'pipeline.linger.ms', kind: 'int', default: '1', min: 0, doc: 'How long a partial batch waits for more events.' }),
  k({ key: 'pipeline.max.pending.bytes', kind: 'int', default: '67108864', min: 65536,
    doc: 'Bytes of events not yet acknowledged by the sink above which reading from the master pauses (back-pressure).' }),
  k({ key: 'pipeline.spill.dir', kind: 'string', default: 'data/spill', doc: 'Directory for the spill (pipeline.spill.max.bytes > 0).' }),
  k({ key: 'pipeline.spill.max.bytes', kind: 'int', default: '0', min: 0,
    doc: 'When the sink lags and pipeline.max.pending.bytes is reached, keep reading from the master and spill batches to disk up to this size (0 = no spill: reading pauses).' }),
  k({ key: 'pipeline.pause.max.ms', kind: 'int', default: '30000', min: 1000,
    doc: 'Reading paused this long (sink down, spill full): disconnect cleanly from the master and reconnect with PSYNC once the sink catches up.' }),
  // --- filters
  k({ key: 'filter.dbs', kind: 'list', doc: 'Publish only events of these databases (comma list; empty = all). Events about no database always pass.' }),
  k({ key: 'filter.keys', kind: 'list', doc: 'Publish only keys matching one of these Redis glob patterns (user:*,order:[0-9]*); a multi-key command passes when one of its keys does.' }),
  k({ key: 'filter.keys.exclude', kind: 'list', doc: 'Do not publish keys matching these glob patterns (applied after filter.keys).' }),
  k({ key: 'filter.types', kind: 'list', doc: 'Publish only these event types (e.g. command,transaction,snapshot-begin,snapshot-end; empty = all).' }),
  k({ key: 'filter.commands.exclude', kind: 'list', doc: 'Do not publish these commands (e.g. PUBLISH,SPUBLISH). Filtered events still advance the checkpoint.' }),
  // --- logging
  k({ key: 'log.level', kind: 'enum', values: ['debug', 'info', 'warn', 'error', 'silent'], default: 'info', doc: 'Log level (logs go to stderr).' }),
  k({ key: 'log.format', kind: 'enum', values: ['text', 'json'], default: 'text', doc: 'Log line format.' }),
] as const satisfies readonly KeySpec[];

export type ConfigKey = (typeof CONFIG_KEYS)[number]['key'];

export const KEY_INDEX: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((s) => [s.key, s]));
