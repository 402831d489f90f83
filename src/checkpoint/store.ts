// Where the replication position is kept between runs. A checkpoint names the last replication offset
// whose events (and all before them) the sink has made durable; a restart resumes with
// PSYNC <replid> <offset + 1>.

export interface Checkpoint {
  /** Replication id of the history the offset belongs to. */
  replid: string;
  /** Last master offset whose effects are durably published. */
  offset: number;
  /** Database selected at that offset (the master does not resend SELECT after +CONTINUE). */
  db: number;
  /** Cluster mode: leadership epoch of the writer. */
  epoch?: number;
}

export interface CheckpointStore {
  /** The stored checkpoint, or null when there is none yet. */
  load(): Promise<Checkpoint | null>;
  /** Persists atomically: after it resolves, a crash cannot lose or tear the checkpoint. */
  save(checkpoint: Checkpoint): Promise<void>;
  close(): Promise<void>;
}

/** Validates a parsed checkpoint document; returns null (and says why) when it is not one. */
export function parseCheckpoint(doc: unknown): { checkpoint: Checkpoint } | { error: string } {
  if (typeof doc !== 'object' || doc === null) return { error: 'not a JSON object' };
  const o = doc as Record<string, unknown>;
  if (typeof o.replid !== 'string' || !/^[0-9a-f]{40}$/i.test(o.replid)) return { error: '"replid" must be 40 hex digits' };
  if (typeof o.offset !== 'number' || !Number.isSafeInteger(o.offset) || o.offset < 0) {
    return { error: '"offset" must be a non-negative integer' };
  }
  if (typeof o.db !== 'number' || !Number.isSafeInteger(o.db) || o.db < 0) return { error: '"db" must be a non-negative integer' };
  const checkpoint: Checkpoint = { replid: o.replid, offset: o.offset, db: o.db };
  if (o.epoch !== undefined) {
    if (typeof o.epoch !== 'number' || !Number.isSafeInteger(o.epoch)) return { error: '"epoch" must be an integer' };
    checkpoint.epoch = o.epoch;
  }
  return { checkpoint };
}
