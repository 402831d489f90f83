// Checkpoint in ZooKeeper (cluster mode): /<root>/<sourceId>/checkpoint holds JSON {replid, offset, db,
// epoch}, written only by the current leader. Each save is one transaction:
//   check(<our election node>, -1) + setData(<checkpoint>, data, <version we last saw>)
// so it commits only while our candidacy still exists (an expired leader's ephemeral node is gone) and
// nobody wrote in between. A save is refused at once, before any ZooKeeper call, when the leader guard
// says we do not lead (session in doubt, term over), and a stored checkpoint of a newer epoch fences us.
// node-zookeeper-client treats version 0 as "any version" inside transactions (its bug #67): the node is
// created empty and moved to version 1 with a plain setData before its first transactional write.
// This module does not import cluster/ (it comes later in the dependency order): the cluster side hands
// it the narrow ZkCheckpointAccess below (cluster/checkpoint-access.ts).
import { CheckpointError } from './errors.js';
import { parseCheckpoint, type Checkpoint, type CheckpointStore } from './store.js';

export type GuardedSetResult =
  | { ok: true; version: number }
  /** guard-gone: our election node no longer exists; stale-version: the node moved on; no-node: it was deleted. */
  | { ok: false; reason: 'guard-gone' | 'stale-version' | 'no-node' };

/** What the store needs from the leader's ZooKeeper session and term. */
export interface ZkCheckpointAccess {
  /** /<root>/<sourceId>/checkpoint */
  readonly checkpointPath: string;
  /** Our election node: every write checks that it still exists. */
  readonly electionNode: string;
  /** Epoch of our leadership term, stored with every checkpoint. */
  readonly epoch: number;
  /** Synchronous: false while the session is in doubt and once the term is over. */
  isLeader(): boolean;
  /** The error to throw for a refused write (the cluster's ClusterError with this code, not retriable). */
  refuse(code: 'CLUSTER_NOT_LEADER' | 'CLUSTER_FENCED', message: string): Error;
  /** Data and version, or null when the node does not exist. */
  read(path: string): Promise<{ data: Buffer; version: number } | null>;
  /** Creates the node with empty data unless it exists (its parent exists: the election created it). */
  createIfAbsent(path: string): Promise<void>;
  /** Plain compare-and-set (version 0 honoured): the new version, or null when `version` is stale. */
  setIfVersion(path: string, data: Buffer, version: number): Promise<number | null>;
  /** Transaction: check(guardPath, -1) + setData(path, data, version); version must be ≥ 1. */
  guardedSet(guardPath: string, path: string, data: Buffer, version: number): Promise<GuardedSetResult>;
}

/** Rounds of "node moved, read it again" a save may take before giving up. */
const MAX_ATTEMPTS = 3;

interface Known {
  version: number;
  /** Epoch of the stored checkpoint; undefined when the node is empty. */
  epoch: number | undefined;
}

export class ZkCheckpointStore implements CheckpointStore {
  /** The node as we last read or wrote it. */
  #known: Known | undefined;
  /** Saves are serialised: a later save never lands before an earlier one. */
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly zk: ZkCheckpointAccess) {}

  get path(): string {
    return this.zk.checkpointPath;
  }

  async load(): Promise<Checkpoint | null> {
    const node = await this.zk.read(this.path);
    if (node === null) {
      this.#known = undefined;
      return null;
    }
    const checkpoint = this.#parse(node.data);
    this.#known = { version: node.version, epoch: checkpoint?.epoch };
    return checkpoint;
  }

  save(checkpoint: Checkpoint): Promise<void> {
    const next = this.#chain.then(() => this.#write(checkpoint));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.#chain;
  }

  async #write(checkpoint: Checkpoint): Promise<void> {
    const epoch = this.zk.epoch;
    this.#assertLeader();
    if (checkpoint.epoch !== undefined && checkpoint.epoch !== epoch) {
      throw this.zk.refuse('CLUSTER_FENCED', `checkpoint of epoch ${checkpoint.epoch} handed to the store of epoch ${epoch}; not written`);
    }
    const data = Buffer.from(JSON.stringify({ replid: checkpoint.replid, offset: checkpoint.offset, db: checkpoint.db, epoch }));
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const version = await this.#writableVersion();
      this.#assertLeader(); // again, right before the write: the reads above took time
      const result = await this.zk.guardedSet(this.zk.electionNode, this.path, data, version);
      if (result.ok) {
        this.#known = { version: result.version, epoch };
        return;
      }
      switch (result.reason) {
        case 'guard-gone':
          throw this.zk.refuse(
            'CLUSTER_NOT_LEADER',
            `checkpoint not written: our election node ${this.zk.electionNode} is gone (ZooKeeper session ended); another instance may lead`,
          );
        case 'stale-version':
        case 'no-node':
          // written or deleted by someone else (or our own write whose answer we missed): look again
          this.#known = undefined;
          break;
        default: {
          const never: never = result.reason;
          throw new Error(`unknown guardedSet result ${String(never)}`);
        }
      }
    }
    throw new CheckpointError('CKPT_WRITE_FAILED', `checkpoint ${this.path} changed under us ${MAX_ATTEMPTS} times in a row; not written`, {
      retriable: true,
    });
  }

  /** The version to write against (never 0, see the header); refuses when a newer epoch wrote. */
  async #writableVersion(): Promise<number> {
    for (let attempt = 1; this.#known === undefined; attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        throw new CheckpointError('CKPT_WRITE_FAILED', `checkpoint node ${this.path} changed under us ${MAX_ATTEMPTS} times in a row`, { retriable: true });
      }
      let node = await this.zk.read(this.path);
      if (node === null) {
        await this.zk.createIfAbsent(this.path);
        node = await this.zk.read(this.path);
        if (node === null) continue;
      }
      const epoch = this.#parse(node.data)?.epoch;
      if (node.version !== 0) {
        this.#known = { version: node.version, epoch };
        break;
      }
      // plain setData honours version 0; null = someone else moved it first: read again
      const moved = await this.zk.setIfVersion(this.path, node.data, 0);
      if (moved !== null) this.#known = { version: moved, epoch };
    }
    const known = this.#known;
    if (known.epoch !== undefined && known.epoch > this.zk.epoch) {
      throw this.zk.refuse(
        'CLUSTER_FENCED',
        `checkpoint ${this.path} was written by leadership epoch ${known.epoch}, newer than ours (${this.zk.epoch}); not written`,
      );
    }
    return known.version;
  }

  #assertLeader(): void {
    if (!this.zk.isLeader()) {
      throw this.zk.refuse('CLUSTER_NOT_LEADER', `checkpoint not written: epoch ${this.zk.epoch} is not the current leader (session in doubt or term over)`);
    }
  }

  /** Empty data = no checkpoint yet (the node exists only to carry versions). */
  #parse(data: Buffer): Checkpoint | null {
    if (data.length === 0) return null;
    let doc: unknown;
    try {
      doc = JSON.parse(data.toString('utf8'));
    } catch (err) {
      throw new CheckpointError('CKPT_CORRUPT', `checkpoint znode ${this.path} is not valid JSON; delete it to start with a full sync`, { cause: err });
    }
    const parsed = parseCheckpoint(doc);
    if ('error' in parsed) {
      throw new CheckpointError('CKPT_CORRUPT', `checkpoint znode ${this.path} is invalid (${parsed.error}); delete it to start with a full sync`);
    }
    return parsed.checkpoint;
  }
}
