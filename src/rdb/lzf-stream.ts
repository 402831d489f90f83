// Incremental LZF decompression for strings larger than maxChunkBytes: the compressed bytes are
// consumed as they arrive and the output leaves in chunks of exactly `chunkSize` bytes (the last one
// shorter), so memory stays at one chunk plus the 8 KiB back-reference window whatever the size.
// Same instruction set as lzf.ts (lzf_d.c); back-references reach at most 8192 bytes back.
import { BlobFormatError } from './errors.js';
import { copyLongBackReference } from './lzf.js';

const WINDOW = 8192; // (0x1f << 8) + 0xff + 1
const MAX_INSTRUCTION_OUTPUT = 264; // (7 + 255) + 2

export class LzfStreamDecoder {
  private win: Buffer;
  private hist = 0; // back-reference history at the start of `win`
  private op = 0; // write position in `win`
  private emitted = 0; // output bytes already handed out as chunks
  /** Chunks ready to be emitted, in order. */
  readonly ready: Buffer[] = [];

  constructor(
    readonly rawLen: number,
    private readonly chunkSize: number,
  ) {
    this.win = Buffer.allocUnsafe(Math.min(rawLen, chunkSize) + MAX_INSTRUCTION_OUTPUT);
  }

  /** Output bytes produced so far. */
  get produced(): number {
    return this.emitted + this.op - this.hist;
  }

  /**
   * Decodes every complete instruction in src[start, end). Returns the input position after the last
   * one decoded (an instruction cut by `end` is left for the next call). `final` says that `end` is
   * the end of the compressed data: then a cut instruction or a short output is an error.
   * Offsets in errors are relative to `start`.
   */
  decode(src: Uint8Array, start: number, end: number, final: boolean): number {
    let ip = start;
    while (ip < end) {
      const ctrl = src[ip] as number;
      let n: number;
      if (ctrl < 32) {
        n = ctrl + 1;
        if (ip + 1 + n > end) break;
        this.reserve(n, ip - start);
        const win = this.win;
        let op = this.op;
        for (let k = 1; k <= n; k++) win[op++] = src[ip + k] as number;
        this.op = op;
        ip += 1 + n;
      } else {
        let len = ctrl >>> 5;
        let q = ip + 1;
        if (len === 7) {
          if (q >= end) break;
          len += src[q++] as number;
        }
        if (q >= end) break;
        const off = ((ctrl & 0x1f) << 8) + (src[q++] as number) + 1;
        len += 2;
        this.reserve(len, ip - start);
        const win = this.win;
        let op = this.op;
        const ref = op - off;
        if (ref < 0) {
          throw new BlobFormatError('RDB_BAD_LZF', `LZF back-reference points ${-ref} bytes before the start of the output`, ip - start);
        }
        if (len <= 16) {
          for (let r = ref; len-- > 0; ) win[op++] = win[r++] as number;
        } else {
          copyLongBackReference(win, op, ref, len);
          op += len;
        }
        this.op = op;
        ip = q;
      }
      // (a loop: one instruction can produce more than a chunk when chunks are tiny)
      while (this.op - this.hist >= this.chunkSize) this.cutChunk();
    }
    if (final) {
      if (ip < end) throw new BlobFormatError('RDB_BAD_LZF', 'LZF data ends inside an instruction', ip - start);
      if (this.produced !== this.rawLen) {
        throw new BlobFormatError('RDB_BAD_LZF', `LZF output is ${this.produced} bytes but the header says ${this.rawLen}`, end - start);
      }
      if (this.op > this.hist) {
        this.ready.push(this.win.subarray(this.hist, this.op));
        this.emitted += this.op - this.hist;
        this.hist = this.op;
      }
    }
    return ip;
  }

  /** Checks that `n` more output bytes fit in the announced length. */
  private reserve(n: number, at: number): void {
    if (this.produced + n > this.rawLen) {
      throw new BlobFormatError('RDB_BAD_LZF', `LZF output exceeds the ${this.rawLen} bytes the header announces`, at);
    }
  }

  /** Hands out one full chunk and starts a new window that keeps the back-reference history. */
  private cutChunk(): void {
    const boundary = this.hist + this.chunkSize;
    this.ready.push(this.win.subarray(this.hist, boundary));
    this.emitted += this.chunkSize;
    const keep = Math.min(WINDOW, boundary); // history bytes before the boundary still reachable
    const carry = this.op - boundary; // output of the last instruction past the boundary
    const remaining = this.rawLen - this.emitted;
    // The old window is never written again: the chunk just emitted stays valid as a view.
    const next = Buffer.allocUnsafe(keep + Math.min(remaining, this.chunkSize) + MAX_INSTRUCTION_OUTPUT);
    this.win.copy(next, 0, boundary - keep, this.op);
    this.win = next;
    this.hist = keep;
    this.op = keep + carry;
  }
}
