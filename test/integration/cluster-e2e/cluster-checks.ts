// Checks on what a cluster published: epochs on every event, epoch order per partition (fencing seen
// from the consumer side), every write present, and where a term's command stream starts.
import assert from 'node:assert/strict';
import type { CommandEvent, ReplicationEvent } from '../../../src/events/types.js';
import { encodeCommand } from '../../../src/resp/encoder.js';
import { loadIndexes } from '../../helpers/write-load.js';
import type { TopicEvent } from './topic-events.js';

/** A record of an older epoch after a record of a newer one in the same partition. */
export interface EpochViolation {
  partition: number;
  record: number;
  event: ReplicationEvent;
  /** The newest epoch the partition had shown before this record. */
  newerSeen: number;
}

/** Per partition, in record order: records whose epoch is lower than one already seen there. */
export function epochOrderViolations(events: readonly TopicEvent[]): EpochViolation[] {
  const max = new Map<number, number>();
  const out: EpochViolation[] = [];
  for (const e of events) {
    const epoch = e.event.epoch ?? -1;
    const seen = max.get(e.partition);
    if (seen !== undefined && epoch < seen) out.push({ partition: e.partition, record: e.record, event: e.event, newerSeen: seen });
    else max.set(e.partition, epoch);
  }
  return out;
}

export function describeViolation(v: EpochViolation): string {
  return `partition ${v.partition} record ${v.record}: ${v.event.type}@${v.event.offset} of epoch ${v.event.epoch} after epoch ${v.newerSeen}`;
}

export function assertEveryEventHasEpoch(events: readonly TopicEvent[]): void {
  const without = events.filter((e) => e.event.epoch === undefined);
  assert.equal(
    without.length,
    0,
    `${without.length} events without an epoch, e.g. ${without.slice(0, 3).map((e) => `${e.event.type}@${e.event.offset}`).join(', ')}`,
  );
}

/** Every SET <prefix>:<i> for i < written is among the events. */
export function assertAllWrites(events: readonly TopicEvent[], prefix: string, written: number): void {
  const seen = new Set(loadIndexes(events.map((e) => e.event), prefix));
  const missing: number[] = [];
  for (let i = 0; i < written; i++) if (!seen.has(i)) missing.push(i);
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${written} writes of "${prefix}" missing from Kafka`);
}

/** Master offset where the command starts: its event's offset is the one just after it. */
export function commandStart(e: CommandEvent): number {
  return e.offset - encodeCommand(e.args).length;
}

/** The commands of one epoch (or of all with `epoch` undefined), one per offset, in stream order. */
export function commandsOf(events: readonly TopicEvent[], epoch?: number): CommandEvent[] {
  const byOffset = new Map<number, CommandEvent>();
  for (const { event } of events) if (event.type === 'command' && (epoch === undefined || event.epoch === epoch)) byOffset.set(event.offset, event);
  return [...byOffset.values()].sort((a, b) => a.offset - b.offset);
}

/** Offsets where a command does not start where the one before it ended (the first is not checked). */
export function commandGaps(commands: readonly CommandEvent[]): string[] {
  const gaps: string[] = [];
  for (let i = 1; i < commands.length; i++) {
    const prev = commands[i - 1]!.offset;
    const start = commandStart(commands[i]!);
    if (start !== prev) gaps.push(`${commands[i]!.command}@${commands[i]!.offset} starts at ${start}, the previous command ended at ${prev}`);
  }
  return gaps;
}
