// Message value -> event, by the content-type header (events/envelope.ts): JSON when absent, the
// binary codec, or any codec the application adds.
import { binaryCodec } from '../events/binary-codec.js';
import { decodePack, jsonCodec, type EventCodec } from '../events/envelope.js';
import type { ReplicationEvent } from '../events/types.js';
import { ConsumerError } from './errors.js';

export class CodecRegistry {
  private readonly byType = new Map<string, EventCodec>();

  constructor(extra: readonly EventCodec[] = []) {
    for (const c of [jsonCodec, binaryCodec, ...extra]) this.byType.set(normalize(c.contentType), c);
  }

  /** The codec for a content-type header value (parameters such as "; charset=utf-8" ignored). */
  codecFor(contentType: string | undefined): EventCodec {
    if (contentType === undefined || contentType === '') return jsonCodec;
    const c = this.byType.get(normalize(contentType));
    if (!c) {
      throw new ConsumerError(
        'SDK_UNKNOWN_CONTENT_TYPE',
        `no codec for content-type ${JSON.stringify(contentType.slice(0, 80))} (known: ${[...this.byType.keys()].join(', ')}): pass it in the consumer's codecs option`,
      );
    }
    return c;
  }

  decode(value: Buffer, contentType: string | undefined): ReplicationEvent {
    return this.codecFor(contentType).decode(value);
  }

  /** The events of a pack (events/envelope.ts), in order. */
  decodePack(value: Buffer, contentType: string | undefined, count: number): ReplicationEvent[] {
    return decodePack(this.codecFor(contentType), value, count);
  }
}

function normalize(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}
