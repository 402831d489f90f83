// Ways to cut an input into chunks, so every push-fed parser is tested on resumption at every byte.

export interface Chunking {
  name: string;
  split(input: Buffer): Buffer[];
}

/** Deterministic PRNG (mulberry32) so a failing chunking can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const whole: Chunking = { name: 'whole', split: (b) => [b] };

export const byteByByte: Chunking = {
  name: 'byte-by-byte',
  split: (b) => {
    const out: Buffer[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.subarray(i, i + 1));
    return out;
  },
};

/** Random sizes between 1 and maxSize, seeded. */
export function randomChunks(seed: number, maxSize = 4096): Chunking {
  return {
    name: `random(seed=${seed},max=${maxSize})`,
    split: (b) => {
      const rnd = prng(seed);
      const out: Buffer[] = [];
      for (let i = 0; i < b.length; ) {
        const n = 1 + Math.floor(rnd() * maxSize);
        out.push(b.subarray(i, i + n));
        i += n;
      }
      return out;
    },
  };
}

/** The standard set: whole, byte by byte (for inputs up to maxByteByByte bytes), two random splits. */
export function standardChunkings(inputSize: number, maxByteByByte = 300_000): Chunking[] {
  const list = [whole, randomChunks(1, 7), randomChunks(2, 65536)];
  if (inputSize <= maxByteByByte) list.splice(1, 0, byteByByte);
  return list;
}
