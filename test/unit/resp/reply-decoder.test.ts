import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RespProtocolError } from '../../../src/resp/errors.js';
import { RespReplyDecoder, type RespReply } from '../../../src/resp/reply-decoder.js';
import { byteByByte, standardChunkings } from '../../helpers/chunkings.js';

function drain(decoder: RespReplyDecoder): RespReply[] {
  const out: RespReply[] = [];
  for (let r = decoder.next(); r !== undefined; r = decoder.next()) out.push(r);
  return out;
}

describe('RespReplyDecoder', () => {
  const input = Buffer.from(
    '\n\n+PONG\r\n-NOAUTH Authentication required.\r\n:42\r\n:-7\r\n$5\r\nhe\r\no\r\n$0\r\n\r\n$-1\r\n' +
      '*3\r\n+a\r\n*1\r\n:1\r\n$-1\r\n*-1\r\n*0\r\n\r\n',
    'latin1',
  );
  const expected: RespReply[] = [
    { type: 'simple', value: 'PONG' },
    { type: 'error', value: 'NOAUTH Authentication required.' },
    { type: 'integer', value: 42 },
    { type: 'integer', value: -7 },
    { type: 'bulk', value: Buffer.from('he\r\no') },
    { type: 'bulk', value: Buffer.alloc(0) },
    { type: 'bulk', value: null },
    {
      type: 'array',
      value: [
        { type: 'simple', value: 'a' },
        { type: 'array', value: [{ type: 'integer', value: 1 }] },
        { type: 'bulk', value: null },
      ],
    },
    { type: 'array', value: null },
    { type: 'array', value: [] },
  ];

  for (const chunking of [...standardChunkings(input.length), byteByByte]) {
    it(`decodes every reply type and skips keepalive newlines (${chunking.name})`, () => {
      const decoder = new RespReplyDecoder({ position: 100 });
      const got: RespReply[] = [];
      for (const c of chunking.split(input)) {
        decoder.push(c);
        got.push(...drain(decoder));
      }
      assert.deepEqual(got, expected);
      assert.equal(decoder.keepalives, 3);
      assert.equal(decoder.buffered, 0);
      assert.equal(decoder.position, 100 + input.length);
    });
  }

  it('stops at +FULLRESYNC and hands back the RDB bytes that follow it, exactly', () => {
    const rdbPart = Buffer.from('$175\r\nREDIS0010\xfa\x09redis-ver', 'latin1');
    const input2 = Buffer.concat([Buffer.from('\n\n+FULLRESYNC 50b5d33b380cbfe28936d04c2e840ff5a2c13c92 0\r\n'), rdbPart]);
    for (const chunking of standardChunkings(input2.length)) {
      const decoder = new RespReplyDecoder();
      let reply: RespReply | undefined;
      const chunks = chunking.split(input2);
      let k = 0;
      while (reply === undefined && k < chunks.length) {
        decoder.push(chunks[k++]);
        reply = decoder.next();
      }
      assert.deepEqual(reply, { type: 'simple', value: 'FULLRESYNC 50b5d33b380cbfe28936d04c2e840ff5a2c13c92 0' });
      const rest = Buffer.concat([decoder.takeRemainder(), ...chunks.slice(k)]);
      assert.ok(rest.equals(rdbPart), chunking.name);
      assert.equal(decoder.buffered, 0);
      // takeRemainder() moves the position past every byte pushed so far.
      assert.equal(decoder.position, chunks.slice(0, k).reduce((n, c) => n + c.length, 0));
    }
  });

  it('a large bulk split into many chunks is parsed once enough bytes arrived', () => {
    const body = Buffer.alloc(1 << 20, 0x61);
    const input3 = Buffer.concat([Buffer.from(`$${body.length}\r\n`), body, Buffer.from('\r\n+OK\r\n')]);
    const decoder = new RespReplyDecoder();
    const got: RespReply[] = [];
    for (let i = 0; i < input3.length; i += 1000) {
      decoder.push(input3.subarray(i, i + 1000));
      got.push(...drain(decoder));
    }
    assert.equal(got.length, 2);
    assert.equal(got[0].type, 'bulk');
    assert.ok(got[0].type === 'bulk' && got[0].value !== null && got[0].value.equals(body));
    assert.deepEqual(got[1], { type: 'simple', value: 'OK' });
  });

  const bad: { name: string; input: string; code: string; offset: number }[] = [
    { name: 'unknown type byte', input: '!x\r\n', code: 'RESP_UNEXPECTED_BYTE', offset: 0 },
    { name: 'CR without LF', input: '+OK\rX', code: 'RESP_MISSING_CRLF', offset: 4 },
    { name: 'bad integer', input: ':12a\r\n', code: 'RESP_BAD_LENGTH', offset: 1 },
    { name: 'bad bulk length', input: '$\r\n', code: 'RESP_BAD_LENGTH', offset: 1 },
    { name: 'bulk without CRLF', input: '$2\r\nabc\r\n', code: 'RESP_MISSING_CRLF', offset: 6 },
    { name: 'huge bulk length', input: '$999999999999999\r\n', code: 'RESP_BULK_TOO_LARGE', offset: 0 },
  ];
  for (const c of bad) {
    it(`${c.name} -> ${c.code}`, () => {
      const decoder = new RespReplyDecoder();
      decoder.push(Buffer.from(c.input, 'latin1'));
      try {
        decoder.next();
        assert.fail('no error');
      } catch (err) {
        assert.ok(err instanceof RespProtocolError);
        assert.equal(err.code, c.code);
        assert.equal(err.offset, c.offset);
      }
    });
  }

  it('bounds nesting and line length', () => {
    const deep = new RespReplyDecoder({ maxDepth: 3 });
    deep.push(Buffer.from('*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n'));
    assert.throws(() => deep.next(), (e: unknown) => e instanceof RespProtocolError && e.code === 'RESP_NESTING_TOO_DEEP');
    const long = new RespReplyDecoder({ maxLineLength: 10 });
    long.push(Buffer.from('+' + 'x'.repeat(20)));
    assert.throws(() => long.next(), (e: unknown) => e instanceof RespProtocolError && e.code === 'RESP_LINE_TOO_LONG');
  });
});
