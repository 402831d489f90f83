// What every value decoder shares: the cursor, the emitters and the options.
//
// A decoder is resumable: step() reads as far as the input allows and commits after each unit it
// completed (an element, a node, a chunk of a big string). Every read happens before the commit
// that follows it, so a unit interrupted by the end of the input is simply read again from its
// start, and nothing is emitted twice.
import type { RdbFamily } from '../constants.js';
import type { RdbCursor } from '../cursor.js';
import type { EventSink } from '../chunked-emitter.js';
import type { KeyEmitter } from '../key-emitter.js';
import type { StreamEmitter } from '../stream-emitter.js';

export interface DecodeContext {
  readonly cur: RdbCursor;
  readonly keys: KeyEmitter;
  readonly streams: StreamEmitter;
  readonly sink: EventSink;
  readonly replid: string;
  readonly offset: number;
  readonly maxChunkBytes: number;
  family: RdbFamily;
}

export interface ValueDecoder {
  /** Decodes and commits as much as the input allows; true once the value is complete.
   *  Throws NEED_MORE (after committing its progress) when the input ends first. */
  step(): boolean;
}
