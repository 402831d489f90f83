// Embedded default sink: JSON lines in rotating local files (data/ by default). A batch is acknowledged
// after it is written and fsynced. Files are named events-<UTC time>-<seq>.jsonl so they sort in write
// order; a file is closed and a new one started when it reaches maxFileBytes; with maxFiles > 0 the oldest
// files beyond that count are deleted.
import { mkdir, open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplicationEvent } from '../events/types.js';
import { SinkError } from './errors.js';
import type { LineEncoder, Sink } from './sink.js';

export interface FileSinkOptions {
  /** Directory of the event files (created if missing). Default 'data'. */
  dir?: string;
  /** Rotate when the current file reaches this size. Default 256 MiB. */
  maxFileBytes?: number;
  /** Keep at most this many files (0 = keep all). Default 0. */
  maxFiles?: number;
  /** fsync each batch before acknowledging it. Default true. */
  fsync?: boolean;
}

export const DEFAULT_FILE_SINK_OPTIONS: Required<FileSinkOptions> = {
  dir: 'data',
  maxFileBytes: 256 * 1024 * 1024,
  maxFiles: 0,
  fsync: true,
};

const FILE_RE = /^events-\d{8}T\d{6}Z-\d{6}\.jsonl$/;

export class FileSink implements Sink {
  readonly name = 'file';
  readonly maxInFlight = 1;
  private readonly opts: Required<FileSinkOptions>;
  private fh: FileHandle | null = null;
  private size = 0;
  private seq = 0;
  private currentPath = '';

  constructor(
    private readonly encode: LineEncoder,
    options: FileSinkOptions = {},
  ) {
    this.opts = { ...DEFAULT_FILE_SINK_OPTIONS, ...options };
  }

  /** Path of the file being written (for tests and status). */
  get path(): string {
    return this.currentPath;
  }

  async open(): Promise<void> {
    try {
      await mkdir(this.opts.dir, { recursive: true });
      const existing = (await readdir(this.opts.dir)).filter((f) => FILE_RE.test(f)).sort();
      const last = existing.at(-1);
      this.seq = last ? Number(last.slice(-12, -6)) + 1 : 0;
    } catch (err) {
      throw new SinkError('SINK_FILE_OPEN_FAILED', `cannot use directory ${this.opts.dir} for event files: ${(err as Error).message}`, {
        cause: err,
      });
    }
    await this.rotate();
  }

  async publish(batch: readonly ReplicationEvent[]): Promise<void> {
    if (!this.fh) throw new SinkError('SINK_NOT_OPEN', 'file sink used before open()');
    let text = '';
    for (const e of batch) text += this.encode(e) + '\n';
    const bytes = Buffer.from(text, 'utf8');
    try {
      if (this.size > 0 && this.size + bytes.length > this.opts.maxFileBytes) await this.rotate();
      await this.fh.write(bytes);
      this.size += bytes.length;
      if (this.opts.fsync) await this.fh.sync();
    } catch (err) {
      throw new SinkError('SINK_FILE_WRITE_FAILED', `cannot write ${this.currentPath}: ${(err as Error).message}`, {
        cause: err,
        retriable: true,
      });
    }
  }

  private async rotate(): Promise<void> {
    if (this.fh) await this.fh.close();
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.currentPath = join(this.opts.dir, `events-${stamp}-${String(this.seq++ % 1_000_000).padStart(6, '0')}.jsonl`);
    this.fh = await open(this.currentPath, 'a');
    this.size = 0;
    if (this.opts.maxFiles > 0) await this.prune();
  }

  private async prune(): Promise<void> {
    const files = (await readdir(this.opts.dir)).filter((f) => FILE_RE.test(f)).sort();
    for (const f of files.slice(0, Math.max(0, files.length - this.opts.maxFiles))) {
      await unlink(join(this.opts.dir, f));
    }
  }

  async close(): Promise<void> {
    if (this.fh) {
      await this.fh.close();
      this.fh = null;
    }
  }
}
