// A Replicator run around a test's writes, collecting what it emitted.
import type { ReplicationEvent } from '../../src/events/types.js';
import { Replicator, type ReplicatorOptions } from '../../src/pipeline/replicator.js';
import { waitFor } from './wait-for.js';

/**
 * Opens a Replicator, waits until its stream begins (the snapshot is published), runs `writes` (which
 * waits for whatever it needs to have been emitted), then closes it: close() drains, so every emitted
 * event was acknowledged by the sink. Returns the emitted events, in order.
 */
export async function replicateDuring(
  options: ReplicatorOptions,
  writes: (emitted: readonly ReplicationEvent[], replicator: Replicator) => Promise<void>,
): Promise<ReplicationEvent[]> {
  const emitted: ReplicationEvent[] = [];
  const replicator = new Replicator(options);
  replicator.on('event', (e) => {
    emitted.push(e);
  });
  await replicator.open();
  try {
    await waitFor('the stream to begin', () => emitted.some((e) => e.type === 'stream-begin'));
    await writes(emitted, replicator);
  } finally {
    await replicator.close();
  }
  return emitted;
}
