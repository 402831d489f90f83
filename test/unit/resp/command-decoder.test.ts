import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RespCommandDecoder, type RespCommandDecoderOptions } from '../../../src/resp/command-decoder.js';
import { encodeCommand } from '../../../src/resp/encoder.js';
import { RespProtocolError } from '../../../src/resp/errors.js';
import { prng, standardChunkings, whole, byteByByte } from '../../helpers/chunkings.js';

interface Item {
  kind: 'command' | 'annotation';
  args: Buffer[];
  start: number;
  end: number;
}

function decodeAll(chunks: Buffer[], options: RespCommandDecoderOptions = {}): { items: Item[]; decoder: RespCommandDecoder } {
  const items: Item[] = [];
  const decoder = new RespCommandDecoder(
    {
      onCommand: (args, start, end) => items.push({ kind: 'command', args, start, end }),
      onAnnotation: (text, start, end) => items.push({ kind: 'annotation', args: [text], start, end }),
    },
    options,
  );
  for (const c of chunks) decoder.feed(c);
  decoder.end();
  return { items, decoder };
}

function catchError(fn: () => void): RespProtocolError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RespProtocolError, `expected RespProtocolError, got ${String(err)}`);
    return err;
  }
  assert.fail('no error thrown');
}

/** A stream of varied commands, with the expected items and positions. */
function sampleStream(): { input: Buffer; expected: { args: Buffer[]; start: number; end: number }[] } {
  const rnd = prng(42);
  const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  const commands: Buffer[][] = [
    [Buffer.from('SELECT'), Buffer.from('0')],
    [Buffer.from('set'), Buffer.from('k'), Buffer.from('v')],
    [Buffer.from('SET'), Buffer.from('bin'), Buffer.from('\x00\r\n\xff$3\r\n*1\r\n', 'latin1')],
    [Buffer.from('SET'), Buffer.from('empty'), Buffer.alloc(0)],
    [Buffer.from('RPUSH'), Buffer.from('l'), ...Array.from({ length: 40 }, (_, i) => Buffer.from(`e${i}`))],
    [Buffer.from('SET'), Buffer.from('big'), randomBytes(200_000)],
    [Buffer.from('ping')],
    [Buffer.from('SET'), Buffer.from('mid'), randomBytes(70_000)],
    [Buffer.from('MULTI')],
    [Buffer.from('INCR'), Buffer.from('c')],
    [Buffer.from('EXEC')],
  ];
  const parts: Buffer[] = [];
  const expected: { args: Buffer[]; start: number; end: number }[] = [];
  let pos = 0;
  for (const args of commands) {
    const enc = encodeCommand(args);
    expected.push({ args, start: pos, end: pos + enc.length });
    parts.push(enc);
    pos += enc.length;
  }
  return { input: Buffer.concat(parts), expected };
}

describe('RespCommandDecoder', () => {
  const { input, expected } = sampleStream();

  for (const chunking of [...standardChunkings(input.length), byteByByte]) {
    it(`decodes every command with exact positions (${chunking.name})`, () => {
      const { items, decoder } = decodeAll(chunking.split(input));
      assert.equal(items.length, expected.length);
      items.forEach((item, i) => {
        assert.equal(item.kind, 'command');
        assert.equal(item.start, expected[i].start, `start of command ${i}`);
        assert.equal(item.end, expected[i].end, `end of command ${i}`);
        assert.deepEqual(item.args, expected[i].args, `args of command ${i}`);
      });
      assert.equal(decoder.position, input.length);
      assert.equal(decoder.boundary, input.length);
      assert.ok(decoder.idle);
    });
  }

  it('hands out views of the fed chunk when a bulk lies in one chunk', () => {
    const { items } = decodeAll([input]);
    for (const item of items) for (const a of item.args) if (a.length > 0) assert.equal(a.buffer, input.buffer);
  });

  it('copies a bulk that spans chunks exactly once, when complete', () => {
    const big = Buffer.alloc(100_000, 7);
    const enc = encodeCommand(['SET', 'k', big]);
    const seen: Buffer[][] = [];
    const decoder = new RespCommandDecoder({ onCommand: (args) => seen.push(args) });
    const chunks = [enc.subarray(0, 1000), enc.subarray(1000, 50_000), enc.subarray(50_000)];
    decoder.feed(chunks[0]);
    decoder.feed(chunks[1]);
    assert.equal(seen.length, 0);
    decoder.feed(chunks[2]);
    assert.equal(seen.length, 1);
    const value = seen[0][2];
    assert.equal(value.length, big.length);
    assert.ok(value.equals(big));
    for (const c of chunks) assert.notEqual(value.buffer, c.buffer);
    // The key lies in the first chunk: a view.
    assert.equal(seen[0][1].buffer, enc.buffer);
  });

  it('starts positions at the configured stream offset', () => {
    const { items } = decodeAll([encodeCommand(['PING']), encodeCommand(['SET', 'a', 'b'])], { position: 1_000_000 });
    assert.deepEqual(
      items.map((i) => [i.start, i.end]),
      [
        [1_000_000, 1_000_014],
        [1_000_014, 1_000_014 + 27],
      ],
    );
  });

  it('reports *0 and *-1 as empty commands that still count their bytes', () => {
    const { items } = decodeAll([Buffer.from('*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n')]);
    assert.deepEqual(
      items.map((i) => [i.args.length, i.start, i.end]),
      [
        [0, 0, 4],
        [0, 4, 9],
        [1, 9, 23],
      ],
    );
  });

  it('reports AOF annotations when enabled, in every chunking', () => {
    const stream = Buffer.concat([
      Buffer.from('#TS:1795279866\r\n'),
      encodeCommand(['SET', 'a', '1']),
      Buffer.from('#\r\n'),
      Buffer.from('#TS:1795279867\n'),
      encodeCommand(['DEL', 'a']),
    ]);
    for (const chunking of standardChunkings(stream.length)) {
      const { items } = decodeAll(chunking.split(stream), { annotations: true });
      assert.deepEqual(
        items.map((i) => [i.kind, i.args.map((a) => a.toString()), i.start, i.end]),
        [
          ['annotation', ['TS:1795279866'], 0, 16],
          ['command', ['SET', 'a', '1'], 16, 43],
          ['annotation', [''], 43, 46],
          ['annotation', ['TS:1795279867'], 46, 61],
          ['command', ['DEL', 'a'], 61, 81],
        ],
        chunking.name,
      );
    }
  });

  it('refuses annotations unless enabled', () => {
    const err = catchError(() => decodeAll([Buffer.from('#TS:1\r\n')]));
    assert.equal(err.code, 'RESP_UNEXPECTED_BYTE');
    assert.equal(err.offset, 0);
  });

  describe('malformed input', () => {
    const cases: { name: string; input: string; code: string; offset: number; options?: RespCommandDecoderOptions }[] = [
      { name: 'inline command', input: 'PING\r\n', code: 'RESP_UNEXPECTED_BYTE', offset: 0 },
      { name: 'reply instead of command', input: '*1\r\n$4\r\nPING\r\n+OK\r\n', code: 'RESP_UNEXPECTED_BYTE', offset: 14 },
      { name: 'non-numeric argc', input: '*x\r\n', code: 'RESP_BAD_LENGTH', offset: 1 },
      { name: 'empty argc', input: '*\r\n', code: 'RESP_BAD_LENGTH', offset: 1 },
      { name: 'integer instead of bulk', input: '*1\r\n:1\r\n', code: 'RESP_UNEXPECTED_BYTE', offset: 4 },
      { name: 'negative bulk length', input: '*1\r\n$-1\r\n', code: 'RESP_BAD_LENGTH', offset: 5 },
      { name: 'CR without LF after argc', input: '*1\rX', code: 'RESP_MISSING_CRLF', offset: 3 },
      { name: 'bulk not followed by CRLF', input: '*1\r\n$2\r\nabcd\r\n', code: 'RESP_MISSING_CRLF', offset: 10 },
      { name: 'bulk followed by CR only', input: '*1\r\n$2\r\nab\rX', code: 'RESP_MISSING_CRLF', offset: 11 },
      { name: 'length with too many digits', input: '*1\r\n$1234567890123456\r\n', code: 'RESP_BAD_LENGTH', offset: 20 },
      {
        name: 'bulk above the limit (no allocation, no wait for the bytes)',
        input: '*1\r\n$999999999999999\r\n',
        code: 'RESP_BULK_TOO_LARGE',
        offset: 22,
      },
      { name: 'bulk above a configured limit', input: '*1\r\n$11\r\n', code: 'RESP_BULK_TOO_LARGE', offset: 9, options: { maxBulkLength: 10 } },
      { name: 'array above a configured limit', input: '*5\r\n', code: 'RESP_ARRAY_TOO_LARGE', offset: 4, options: { maxArrayLength: 4 } },
      {
        name: 'annotation line too long',
        input: '#' + 'x'.repeat(100),
        code: 'RESP_LINE_TOO_LONG',
        offset: 1,
        options: { annotations: true, maxLineLength: 50 },
      },
    ];
    for (const c of cases) {
      it(`${c.name} -> ${c.code} at ${c.offset}`, () => {
        const err = catchError(() => decodeAll([Buffer.from(c.input, 'latin1')], c.options));
        assert.equal(err.code, c.code);
        assert.equal(err.offset, c.offset);
        assert.match(err.message, /stream offset \d+/);
        assert.match(err.message, /bytes there: [0-9a-f]{2}|no bytes/);
      });
      it(`${c.name}: same error fed byte by byte`, () => {
        const bytes = Buffer.from(c.input, 'latin1');
        const err = catchError(() => decodeAll(byteByByte.split(bytes), c.options));
        assert.equal(err.code, c.code);
        // Fed one byte at a time, the annotation limit trips on the byte that crosses it.
        if (c.code !== 'RESP_LINE_TOO_LONG') assert.equal(err.offset, c.offset);
      });
    }
  });

  it('stays failed after an error until reset()', () => {
    const items: Buffer[][] = [];
    const decoder = new RespCommandDecoder({ onCommand: (args) => items.push(args) });
    assert.throws(() => decoder.feed(Buffer.from('*1\r\n:1\r\n')), RespProtocolError);
    assert.throws(() => decoder.feed(encodeCommand(['PING'])), RespProtocolError);
    decoder.reset(100);
    decoder.feed(encodeCommand(['PING']));
    assert.equal(items.length, 1);
    assert.equal(decoder.position, 114);
  });

  it('end() reports a truncated command with the offset where it starts', () => {
    const stream = Buffer.concat([encodeCommand(['SET', 'a', '1']), encodeCommand(['SET', 'b', '2']).subarray(0, 20)]);
    for (const chunking of [whole, byteByByte]) {
      const items: Buffer[][] = [];
      const decoder = new RespCommandDecoder({ onCommand: (args) => items.push(args) }, { position: 10 });
      for (const c of chunking.split(stream)) decoder.feed(c);
      assert.equal(items.length, 1);
      assert.equal(decoder.idle, false);
      assert.equal(decoder.boundary, 37);
      assert.equal(decoder.position, 57);
      const err = catchError(() => decoder.end());
      assert.equal(err.code, 'RESP_TRUNCATED');
      assert.equal(err.offset, 37);
      assert.match(err.message, /starts at offset 37 \(20 bytes of it received\)/);
    }
  });

  it('reset() drops a partial command and resumes at a given position', () => {
    const items: [number, number][] = [];
    const decoder = new RespCommandDecoder({ onCommand: (_a, s, e) => items.push([s, e]) });
    decoder.feed(encodeCommand(['SET', 'a', '1']).subarray(0, 10));
    decoder.reset(500);
    decoder.feed(encodeCommand(['PING']));
    assert.deepEqual(items, [[500, 514]]);
  });

  it('survives random garbage without hanging: every outcome is a RespProtocolError or a decoded command', () => {
    const rnd = prng(7);
    for (let round = 0; round < 300; round++) {
      const base = encodeCommand(['SET', `k${round}`, 'x'.repeat(round)]);
      const bytes = Buffer.from(base);
      const flips = 1 + Math.floor(rnd() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      try {
        decodeAll([bytes], { maxBulkLength: 1 << 20 });
      } catch (err) {
        assert.ok(err instanceof RespProtocolError, String(err));
      }
    }
  });
});
