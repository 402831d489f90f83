// Strings longer than maxChunkBytes (RDB_TYPE_STRING): emitted as key-chunk events of exactly
// maxChunkBytes bytes (the last one shorter) while the bytes arrive, never held whole.
// Plain strings: each chunk is one view into the input. LZF strings: the compressed bytes are
// decompressed incrementally (lzf-stream.ts) and consumed as they arrive.
import type { KeyChunkEvent } from '../../events/types.js';
import { BlobFormatError } from '../errors.js';
import { addKeyAttrs, type KeyAttrs } from '../key-emitter.js';
import { LzfStreamDecoder } from '../lzf-stream.js';
import type { DecodeContext, ValueDecoder } from './value-decoder.js';

/** How much compressed input to wait for when an LZF instruction is cut (bounded by what is left). */
const LZF_READ_AHEAD = 65536;

export class BigStringDecoder implements ValueDecoder {
  private attrs!: KeyAttrs;
  private remaining = 0; // plain: bytes left; LZF: compressed bytes left
  private lzf: LzfStreamDecoder | null = null;
  private index = 0;

  constructor(private readonly ctx: DecodeContext) {}

  beginPlain(attrs: KeyAttrs, length: number): void {
    this.attrs = attrs;
    this.remaining = length;
    this.lzf = null;
    this.index = 0;
  }

  beginLzf(attrs: KeyAttrs, compressed: number, raw: number): void {
    this.attrs = attrs;
    this.remaining = compressed;
    this.lzf = new LzfStreamDecoder(raw, this.ctx.maxChunkBytes);
    this.index = 0;
  }

  step(): boolean {
    return this.lzf === null ? this.stepPlain() : this.stepLzf(this.lzf);
  }

  private stepPlain(): boolean {
    const cur = this.ctx.cur;
    while (this.remaining > 0) {
      const n = Math.min(this.remaining, this.ctx.maxChunkBytes);
      const chunk = cur.bytes(n);
      cur.commit();
      this.remaining -= n;
      this.emit(chunk, this.remaining === 0);
    }
    return true;
  }

  private stepLzf(dec: LzfStreamDecoder): boolean {
    const cur = this.ctx.cur;
    cur.inLzf = true;
    for (;;) {
      const take = Math.min(cur.end - cur.pos, this.remaining);
      const final = take === this.remaining;
      let upTo: number;
      try {
        upTo = dec.decode(cur.buf, cur.pos, cur.pos + take, final);
      } catch (e) {
        if (e instanceof BlobFormatError) cur.fail(e.code, e.message, cur.base + cur.pos + e.at);
        throw e;
      }
      this.remaining -= upTo - cur.pos;
      cur.pos = upTo;
      cur.commit();
      const ready = dec.ready;
      for (let i = 0; i < ready.length; i++) this.emit(ready[i] as Buffer, final && i === ready.length - 1);
      ready.length = 0;
      if (final) return true;
      cur.inLzf = true;
      cur.more(Math.min(this.remaining, Math.max(LZF_READ_AHEAD, cur.end - cur.pos + 1)));
    }
  }

  private emit(value: Buffer, last: boolean): void {
    const a = this.attrs;
    const ev: KeyChunkEvent = {
      type: 'key-chunk', replid: this.ctx.replid, offset: this.ctx.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType,
      valueType: 'string', value, index: this.index++, last,
    };
    addKeyAttrs(ev, a);
    this.ctx.sink.emit(ev, value.length);
  }
}
