// Bounded spill of batches to local disk. When the sink falls behind and the events held in memory
// reach pipeline.max.pending.bytes, new batches are written here instead of pausing the master link, so
// the master's output buffer for us (client-output-buffer-limit replica) does not fill during a long
// full sync. Batches are read back in order when the sink catches up. The spill is a cache, not a log:
// it is not fsynced and is emptied at start (after a crash the pipeline resumes from its checkpoint).
import { closeSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fromJson, toJson } from '../events/json.js';
import type { ReplicationEvent } from '../events/types.js';

export interface SpillOptions {
  dir: string;
  /** Largest total size of the spill files. */
  maxBytes: number;
  /** Size at which a new segment file is started (segments are deleted once fully read). */
  segmentBytes?: number;
}

export interface SpillRef {
  segment: number;
  offset: number;
  length: number;
}

interface Segment {
  fd: number;
  path: string;
  size: number;
  /** Records written and not yet released. */
  live: number;
  sealed: boolean;
}

export class Spill {
  private readonly segments = new Map<number, Segment>();
  private current = -1;
  private total = 0;
  private readonly segmentBytes: number;

  constructor(private readonly opts: SpillOptions) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    mkdirSync(opts.dir, { recursive: true });
    for (const f of readdirSync(opts.dir)) if (/^spill-\d+\.jsonl$/.test(f)) unlinkSync(join(opts.dir, f));
  }

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /** Bytes on disk not yet released. */
  get bytes(): number {
    return this.total;
  }

  /** True when `bytes` more would still fit. */
  hasRoom(bytes: number): boolean {
    return this.total + bytes <= this.opts.maxBytes;
  }

  write(events: readonly ReplicationEvent[]): SpillRef {
    let text = '';
    for (const e of events) text += JSON.stringify(toJson(e)) + '\n';
    const data = Buffer.from(text, 'utf8');
    let seg = this.segments.get(this.current);
    if (!seg || seg.size + data.length > this.segmentBytes) {
      if (seg) seg.sealed = true;
      this.release(this.current, 0); // closes it if nothing in it is live
      this.current++;
      const path = join(this.opts.dir, `spill-${this.current}.jsonl`);
      seg = { fd: openSync(path, 'w+'), path, size: 0, live: 0, sealed: false };
      this.segments.set(this.current, seg);
    }
    writeSync(seg.fd, data, 0, data.length, seg.size);
    const ref = { segment: this.current, offset: seg.size, length: data.length };
    seg.size += data.length;
    seg.live++;
    this.total += data.length;
    return ref;
  }

  read(ref: SpillRef): ReplicationEvent[] {
    const seg = this.segments.get(ref.segment);
    if (!seg) throw new Error(`spill segment ${ref.segment} is gone`);
    const data = Buffer.allocUnsafe(ref.length);
    readSync(seg.fd, data, 0, ref.length, ref.offset);
    const out: ReplicationEvent[] = [];
    let start = 0;
    for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, start)) {
      out.push(fromJson(JSON.parse(data.toString('utf8', start, i))));
      start = i + 1;
    }
    return out;
  }

  /** The batch at `ref` is delivered: its bytes no longer count, and a drained segment is deleted. */
  free(ref: SpillRef): void {
    this.total -= ref.length;
    this.release(ref.segment, 1);
  }

  private release(segment: number, n: number): void {
    const seg = this.segments.get(segment);
    if (!seg) return;
    seg.live -= n;
    if (seg.live <= 0 && (seg.sealed || segment !== this.current)) {
      closeSync(seg.fd);
      unlinkSync(seg.path);
      this.segments.delete(segment);
    }
  }

  /** Deletes every spill file (the directory itself is left alone: it may be shared). */
  close(): void {
    for (const seg of this.segments.values()) {
      closeSync(seg.fd);
      unlinkSync(seg.path);
    }
    this.segments.clear();
    this.total = 0;
  }
}
