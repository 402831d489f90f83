// Listener typing and registry of RedisEventConsumer. A listener is typed by the event type it is
// registered for (EventOfType<T>), 'event' receives every event, 'error' receives what went wrong.
import { EVENT_TYPES, type EventOfType, type EventType, type ReplicationEvent } from '../events/types.js';
import { ConsumerError } from './errors.js';

/** What a listener gets with each event. */
export interface EventContext {
  /** Ordering domain the event came from: "<topic>/<partition>" (Kafka), see MessageSource. */
  readonly lane: string;
  /** Message key / message group ("<db>:<key>") of the message that carried the event; null when none. */
  readonly key: Buffer | null;
  /** Headers (Kafka) / properties (RocketMQ) of that message (of its first part when split). */
  readonly headers: Readonly<Record<string, string>>;
  /** The event's identity (ce_id, see events/identity.ts). */
  readonly id: string;
  /** How many messages carry this event (ce_copies: one per partition / group it touches); 1 when single. */
  readonly copies: number;
  /** How many messages the event was split into (ce_part); 1 when whole. */
  readonly parts: number;
  /** 1 on the first call; 2, 3 ... when the event is retried after a listener error. */
  readonly attempt: number;
}

export type ConsumerErrorStage =
  | 'listener' // a listener threw or rejected
  | 'message' // a message could not be turned into an event (bad headers, codec, missing parts)
  | 'source'; // the broker client failed

export interface ErrorContext {
  readonly stage: ConsumerErrorStage;
  readonly lane?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The event whose listener failed (stage 'listener'). */
  readonly event?: ReplicationEvent;
  /** Which attempt failed (stage 'listener'). */
  readonly attempt?: number;
  /** True when the SDK will try again; false when it skips the message or stops the consumer. */
  readonly willRetry: boolean;
}

export type EventListener<T extends EventType> = (event: EventOfType<T>, ctx: EventContext) => void | Promise<void>;
export type AnyEventListener = (event: ReplicationEvent, ctx: EventContext) => void | Promise<void>;
export type ErrorListener = (err: Error, ctx: ErrorContext) => void;

export type ListenerName = EventType | 'event' | 'error';

const NAMES: ReadonlySet<string> = new Set<string>([...EVENT_TYPES, 'event', 'error']);

/** Listeners by name, in registration order. */
export class ListenerRegistry {
  private readonly byType = new Map<EventType | 'event', AnyEventListener[]>();
  private readonly errorListeners: ErrorListener[] = [];

  add(name: string, listener: AnyEventListener | ErrorListener): void {
    if (!NAMES.has(name)) {
      throw new ConsumerError('SDK_BAD_LISTENER', `unknown listener name ${JSON.stringify(name)}: use an event type (${EVENT_TYPES.join(', ')}), 'event' or 'error'`);
    }
    if (typeof listener !== 'function') throw new ConsumerError('SDK_BAD_LISTENER', `the listener for ${name} is not a function`);
    if (name === 'error') {
      this.errorListeners.push(listener as ErrorListener);
      return;
    }
    const key = name as EventType | 'event';
    // A new array each time: a dispatch in progress keeps iterating the list it started with.
    this.byType.set(key, [...(this.byType.get(key) ?? []), listener as AnyEventListener]);
  }

  remove(name: string, listener: AnyEventListener | ErrorListener): void {
    if (name === 'error') {
      const i = this.errorListeners.indexOf(listener as ErrorListener);
      if (i >= 0) this.errorListeners.splice(i, 1);
      return;
    }
    const key = name as EventType | 'event';
    const list = this.byType.get(key);
    if (!list) return;
    const i = list.indexOf(listener as AnyEventListener);
    if (i >= 0) this.byType.set(key, [...list.slice(0, i), ...list.slice(i + 1)]);
  }

  /** The listeners an event goes to: those of its type, then the catch-all ones. */
  forEvent(type: EventType): readonly AnyEventListener[] {
    const typed = this.byType.get(type);
    const all = this.byType.get('event');
    if (!all || all.length === 0) return typed ?? [];
    if (!typed || typed.length === 0) return all;
    return [...typed, ...all];
  }

  get errors(): readonly ErrorListener[] {
    return this.errorListeners;
  }
}
