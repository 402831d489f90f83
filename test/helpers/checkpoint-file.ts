// The checkpoint file a replicator under test writes (checkpoint.file), read from outside.
import { readFile } from 'node:fs/promises';

/** The checkpoint as the file holds it now; null when it is not written yet (or mid-replace). */
export async function readCheckpointFile(path: string): Promise<{ replid: string; offset: number } | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { replid: string; offset: number };
  } catch {
    return null;
  }
}

/** The checkpoint's offset; -1 when there is none yet. */
export async function checkpointOffset(path: string): Promise<number> {
  return (await readCheckpointFile(path))?.offset ?? -1;
}
