import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RespCommandDecoder } from '../../../src/resp/command-decoder.js';
import { encodeCommand, encodeCommands } from '../../../src/resp/encoder.js';

describe('encodeCommand', () => {
  it('writes an array of bulk strings', () => {
    assert.equal(encodeCommand(['REPLCONF', 'ACK', '1050902']).toString('latin1'), '*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$7\r\n1050902\r\n');
    assert.equal(encodeCommand([]).toString(), '*0\r\n');
  });

  it('counts UTF-8 bytes, keeps binary Buffers as they are', () => {
    const bin = Buffer.from([0, 13, 10, 255]);
    const enc = encodeCommand(['SET', 'clé', bin]);
    assert.ok(enc.equals(Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\nclé\r\n$4\r\n'), bin, Buffer.from('\r\n')])));
  });

  it('round-trips through the decoder, with lengths of every digit count', () => {
    const commands = [1, 9, 10, 99, 100, 12345].map((n) => ['SET', `k${n}`, Buffer.alloc(n, 120)]);
    const got: Buffer[][] = [];
    const decoder = new RespCommandDecoder({ onCommand: (args) => got.push(args) });
    decoder.feed(encodeCommands(commands));
    decoder.end();
    assert.deepEqual(
      got,
      commands.map((c) => c.map((a) => (typeof a === 'string' ? Buffer.from(a) : a))),
    );
  });
});
