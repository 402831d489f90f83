// A small LZF compressor for tests (the format of lzf_c.c, not its exact output): greedy matching with
// a hash of 3-byte sequences. Produces literal runs of 1..32 bytes and back-references of 3..264
// bytes reaching up to 8192 bytes back, so decoders can be tested on every instruction form.

export function lzfCompress(input: Uint8Array): Buffer {
  const out: number[] = [];
  const table = new Map<number, number>();
  let lit: number[] = [];
  const flush = (): void => {
    while (lit.length > 0) {
      const n = Math.min(32, lit.length);
      out.push(n - 1, ...lit.slice(0, n));
      lit = lit.slice(n);
    }
  };
  let i = 0;
  while (i < input.length) {
    if (i + 3 <= input.length) {
      const h = ((input[i] as number) << 16) | ((input[i + 1] as number) << 8) | (input[i + 2] as number);
      const cand = table.get(h);
      table.set(h, i);
      if (cand !== undefined && i - cand - 1 < 8192) {
        let len = 0;
        while (i + len < input.length && len < 264 && input[cand + len] === input[i + len]) len++;
        if (len >= 3) {
          flush();
          const off = i - cand - 1;
          const l = len - 2;
          if (l < 7) out.push((l << 5) | (off >> 8), off & 0xff);
          else out.push((7 << 5) | (off >> 8), l - 7, off & 0xff);
          i += len;
          continue;
        }
      }
    }
    lit.push(input[i] as number);
    i++;
  }
  flush();
  return Buffer.from(out);
}
