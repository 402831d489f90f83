// Delivers an event published as several copies (a multi-key command copied to the partitions of its
// keys, a barrier copied to every partition; RocketMQ: one copy per message group) ONCE, and only when
// its copies have arrived in every lane this consumer consumes among the lanes they were sent to.
// Meanwhile each lane that reached a copy waits there (the consumer returns from its delivery and the
// source pauses the lane), so the event runs after the earlier events of every one of those lanes: a
// RENAME a a2 copied to the partitions of a and a2 runs after the SET a still waiting in a slower
// partition, and a barrier after everything before it in every partition.
//
// Which lanes: the writer lists them (l= / ce_lanes: partitions, or "*" = every partition of the
// topic); the source says which ones this consumer owns (MessageSource.assignment). Without a list or an
// assignment (RocketMQ), `copies` distinct lanes are awaited, all assumed to be consumed here: with
// several consumer processes in one group a copy may be consumed elsewhere, and the event then waits
// for the timeout.
//
// A rebalance re-evaluates the waiting events: a lane that is no longer ours stops counting (its wait is
// cancelled); an event whose owned lanes have all arrived runs; one none of whose arrived lanes is ours
// any more is forgotten (the lanes' new owner delivers it). A safety timeout delivers an event anyway,
// with a warning, and its later copies are dropped (per-key order may then be broken for its keys).
import type { IntakeEvent } from './intake.js';
import { LruMap } from './lru.js';

export type ArriveOutcome =
  /** Run the event now, and call `finished` when its listeners are done (or failed). */
  | { kind: 'deliver'; finished: (failed: boolean, err?: unknown) => void }
  /** The event was already delivered here (a late copy): drop this one. */
  | { kind: 'drop' }
  /** Wait: the lane goes no further until `resume` settles (resolved: processed; rejected: cancelled). */
  | { kind: 'wait'; resume: Promise<void> };

export interface RendezvousOptions {
  /** Longest wait for the other copies before delivering anyway. */
  timeoutMs: number;
  /** Delivered events remembered, to drop their late copies (LRU). */
  maxRemembered: number;
  /** Lanes this consumer owns, undefined when the source cannot tell. */
  assignment(): ReadonlySet<string> | undefined;
  /** Runs an event released by a timeout or a rebalance (no delivery call in progress). */
  run(ev: IntakeEvent, lane: string): Promise<void>;
  /** Told when the timeout released an event with lanes still missing. */
  onTimeout(ev: IntakeEvent, arrived: string[], missing: string[] | number): void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Meeting {
  readonly key: string;
  readonly ev: IntakeEvent;
  /** Topic of the lane the first copy arrived in: l= partitions without a topic are of this topic. */
  readonly topic: string;
  /** Lanes that reached a copy, with their waits. */
  readonly arrived: Map<string, Waiter[]>;
  readonly timer: NodeJS.Timeout;
}

export class RendezvousCancelled extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'RendezvousCancelled';
  }
}

export class CopyRendezvous {
  private readonly meetings = new Map<string, Meeting>();
  private readonly delivered: LruMap<string, true>;

  constructor(private readonly o: RendezvousOptions) {
    this.delivered = new LruMap(Math.max(1, o.maxRemembered));
  }

  /** Events waiting for copies. */
  get waiting(): number {
    return this.meetings.size;
  }

  /** A copy of `ev` (ev.copies > 1) reached `lane`. */
  arrive(ev: IntakeEvent, lane: string): ArriveOutcome {
    const key = `${ev.event.type}|${ev.id}`;
    if (this.delivered.has(key)) return { kind: 'drop' };
    let m = this.meetings.get(key);
    if (!m) {
      const timer = setTimeout(() => this.timeout(key), this.o.timeoutMs);
      timer.unref();
      m = { key, ev, topic: topicOf(lane), arrived: new Map(), timer };
      this.meetings.set(key, m);
    }
    const waiters = m.arrived.get(lane) ?? [];
    m.arrived.set(lane, waiters);
    if (this.complete(m)) return { kind: 'deliver', finished: this.release(m) };
    const resume = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    return { kind: 'wait', resume };
  }

  /** After a rebalance: drop lanes that are not ours any more, run or forget events accordingly. */
  reassess(): void {
    const owned = this.o.assignment();
    if (owned === undefined) return;
    for (const m of [...this.meetings.values()]) {
      for (const [lane, waiters] of m.arrived) {
        if (owned.has(lane)) continue;
        m.arrived.delete(lane);
        for (const w of waiters) w.reject(new RendezvousCancelled(`lane ${lane} was revoked`));
      }
      if (m.arrived.size === 0) {
        // none of the copies that arrived is ours any more: the new owners deliver the event
        this.forget(m);
        continue;
      }
      if (this.complete(m)) this.runReleased(m);
    }
  }

  /** Cancels every wait (the consumer stops). */
  clear(): void {
    for (const m of [...this.meetings.values()]) {
      this.forget(m);
      for (const waiters of m.arrived.values()) for (const w of waiters) w.reject(new RendezvousCancelled('the consumer stopped'));
    }
    this.delivered.clear();
  }

  private complete(m: Meeting): boolean {
    const expected = this.expected(m);
    if (typeof expected === 'number') return m.arrived.size >= expected;
    for (const lane of expected) if (!m.arrived.has(lane)) return false;
    return true;
  }

  /** The lanes the copies must arrive in here, or how many when the lanes cannot be known. */
  private expected(m: Meeting): Set<string> | number {
    const owned = this.o.assignment();
    const spec = m.ev.lanes;
    if (owned === undefined || spec === undefined) return m.ev.copies;
    const out = new Set<string>();
    for (const raw of spec.split(',')) {
      const entry = raw.trim();
      if (entry === '') continue;
      const slash = entry.lastIndexOf('/');
      const topic = slash < 0 ? m.topic : entry.slice(0, slash);
      const partition = slash < 0 ? entry : entry.slice(slash + 1);
      if (partition === '*') {
        const prefix = `${topic}/`;
        for (const lane of owned) if (lane.startsWith(prefix) && isDigits(lane, prefix.length)) out.add(lane);
      } else {
        const lane = `${topic}/${partition}`;
        if (owned.has(lane)) out.add(lane);
      }
    }
    return out;
  }

  /** Marks the event delivered; the returned callback settles the waits when it was processed. */
  private release(m: Meeting): (failed: boolean, err?: unknown) => void {
    this.forget(m);
    this.delivered.set(m.key, true);
    return (failed, err) => {
      for (const waiters of m.arrived.values()) {
        for (const w of waiters) {
          if (failed) w.reject(err instanceof Error ? err : new RendezvousCancelled(`event ${m.ev.id} failed`));
          else w.resolve();
        }
      }
    };
  }

  private runReleased(m: Meeting): void {
    const finished = this.release(m);
    const lane = m.arrived.keys().next().value ?? m.topic;
    this.o.run(m.ev, lane).then(
      () => finished(false),
      (err: unknown) => finished(true, err),
    );
  }

  private timeout(key: string): void {
    const m = this.meetings.get(key);
    if (!m) return;
    const expected = this.expected(m);
    const missing = typeof expected === 'number' ? expected - m.arrived.size : [...expected].filter((l) => !m.arrived.has(l));
    this.o.onTimeout(m.ev, [...m.arrived.keys()], missing);
    this.runReleased(m);
  }

  private forget(m: Meeting): void {
    clearTimeout(m.timer);
    this.meetings.delete(m.key);
  }
}

/** "<topic>/<partition>" -> topic (Kafka topic names have no '/'). */
function topicOf(lane: string): string {
  const slash = lane.lastIndexOf('/');
  return slash < 0 ? lane : lane.slice(0, slash);
}

function isDigits(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
