// Checkpoint in a local file (single mode). Each save writes a temporary file in the same directory,
// fsyncs it, renames it over the checkpoint and fsyncs the directory, so a crash at any moment leaves
// either the old or the new checkpoint, never a torn one.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { CheckpointError } from './errors.js';
import { parseCheckpoint, type Checkpoint, type CheckpointStore } from './store.js';

export class FileCheckpointStore implements CheckpointStore {
  private readonly tmpPath: string;
  private dirReady = false;
  /** Saves are serialised: a later save never lands before an earlier one. */
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {
    this.tmpPath = join(dirname(path), `.${basename(path)}.tmp`);
  }

  async load(): Promise<Checkpoint | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new CheckpointError('CKPT_READ_FAILED', `cannot read checkpoint file ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new CheckpointError(
        'CKPT_CORRUPT',
        `checkpoint file ${this.path} is not valid JSON; delete it to start with a full sync`,
        { cause: err },
      );
    }
    const parsed = parseCheckpoint(doc);
    if ('error' in parsed) {
      throw new CheckpointError(
        'CKPT_CORRUPT',
        `checkpoint file ${this.path} is invalid (${parsed.error}); delete it to start with a full sync`,
      );
    }
    return parsed.checkpoint;
  }

  save(checkpoint: Checkpoint): Promise<void> {
    const next = this.chain.then(() => this.write(checkpoint));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(checkpoint: Checkpoint): Promise<void> {
    const dir = dirname(this.path);
    try {
      if (!this.dirReady) {
        await mkdir(dir, { recursive: true });
        this.dirReady = true;
      }
      const fh = await open(this.tmpPath, 'w', 0o644);
      try {
        await fh.writeFile(JSON.stringify(checkpoint) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(this.tmpPath, this.path);
      const dh = await open(dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch (err) {
      throw new CheckpointError('CKPT_WRITE_FAILED', `cannot write checkpoint file ${this.path}: ${(err as Error).message}`, {
        cause: err,
        retriable: true,
      });
    }
  }

  async close(): Promise<void> {
    await this.chain;
  }
}
