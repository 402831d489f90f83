import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dispatcher } from '../../../src/pipeline/dispatcher.js';
import { Spill } from '../../../src/pipeline/spill.js';
import type { CommandEvent, ReplicationEvent } from '../../../src/events/types.js';
import { toJson } from '../../../src/events/json.js';

const R = 'd'.repeat(40);
const cmd = (offset: number): CommandEvent => ({
  type: 'command', replid: R, offset, db: 2, command: 'SET',
  args: [Buffer.from('SET'), Buffer.from([0xff, offset & 0xff]), Buffer.alloc(200, 7)], keys: [Buffer.from([0xff, offset & 0xff])], known: true,
});

test('spill round-trips batches byte for byte and deletes drained segments', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-spill-'));
  try {
    const spill = new Spill({ dir, maxBytes: 1 << 20, segmentBytes: 4096 });
    const refs = [];
    for (let i = 0; i < 50; i++) refs.push(spill.write([cmd(i), cmd(i + 1000)]));
    assert.ok((await readdir(dir)).length > 1, 'several segments');
    for (let i = 0; i < 50; i++) {
      const back = spill.read(refs[i]!);
      assert.deepEqual(back.map(toJson), [cmd(i), cmd(i + 1000)].map(toJson));
      spill.free(refs[i]!);
    }
    assert.equal(spill.bytes, 0);
    assert.ok((await readdir(dir)).length <= 1, 'drained segments are deleted');
    spill.close();
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dispatcher (in-process fake slow sink) spills instead of pausing, then pauses only when the spill is full', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-spill-'));
  try {
    const spill = new Spill({ dir, maxBytes: 60_000, segmentBytes: 16_384 });
    let open!: () => void;
    let gate = new Promise<void>((r) => (open = r));
    const delivered: number[] = [];
    const pressure: boolean[] = [];
    let maxSpilled = 0;
    const d = new Dispatcher(
      { maxInFlight: 1, maxEvents: 1, lingerMs: 0, maxPendingBytes: 5_000, spill },
      {
        deliver: async (batch: readonly ReplicationEvent[]) => {
          await gate;
          for (const e of batch) delivered.push(e.offset);
        },
        onDurable: () => undefined,
        onPressure: (h) => pressure.push(h),
        onDeliveryError: () => undefined,
      },
      null,
    );
    for (let i = 1; i <= 60; i++) {
      d.push([cmd(i)], { replid: R, offset: i, db: 2 });
      maxSpilled = Math.max(maxSpilled, d.spilled);
      if (i === 40) assert.deepEqual(pressure, [], 'no pause while the spill has room');
    }
    assert.ok(maxSpilled > 0, 'batches went to the spill');
    assert.deepEqual(pressure, [true], 'paused once the spill was full');
    open();
    gate = Promise.resolve();
    await d.drain();
    assert.deepEqual(delivered, Array.from({ length: 60 }, (_, i) => i + 1), 'every event delivered once, in order');
    assert.deepEqual(pressure, [true, false]);
    assert.equal(d.spilled, 0);
    spill.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
