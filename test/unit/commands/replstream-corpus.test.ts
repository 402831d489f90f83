// The command-stream part of the corpus replication captures (aof-repl/*.replstream: every byte a real
// master sent after PSYNC), decoded and assembled as the replica client will do it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCommand } from '../../../src/commands/parse.js';
import { StreamAssembler } from '../../../src/commands/stream-assembler.js';
import type { CommandBody, CommandEvent, TransactionEvent } from '../../../src/events/types.js';
import { RespCommandDecoder } from '../../../src/resp/command-decoder.js';
import { standardChunkings } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';

type JsonBytes = string | { b64: string } | { len: number; sha256: string };

interface Expected {
  replication: {
    replid: string;
    fullresync_offset: number;
    command_stream_offset: number;
    command_stream_length: number;
    final_master_repl_offset: number;
    commands_issued: JsonBytes[][];
  };
}

const bytesOf = (v: JsonBytes): Buffer =>
  typeof v === 'string' ? Buffer.from(v, 'utf8') : 'b64' in v ? Buffer.from(v.b64, 'base64') : Buffer.alloc(0);

const captures = readdirSync(corpusPath('aof-repl')).filter((f) => f.endsWith('.replstream'));

describe('replication captures (corpus aof-repl/*.replstream)', () => {
  it('finds the captures', () => assert.ok(captures.length >= 5, captures.join(', ')));

  for (const file of captures) {
    const expected = JSON.parse(readFileSync(corpusPath('aof-repl', file.replace(/\.replstream$/, '.expected.json')), 'utf8')) as Expected;
    const repl = expected.replication;
    const all = readFileSync(corpusPath('aof-repl', file));
    const stream = all.subarray(repl.command_stream_offset, repl.command_stream_offset + repl.command_stream_length);

    for (const chunking of standardChunkings(stream.length)) {
      it(`${file}: ${chunking.name}`, () => {
        const events: (CommandEvent | TransactionEvent)[] = [];
        let lastProgress = -1;
        const assembler = new StreamAssembler(
          { onEvent: (e) => events.push(e), onProgress: (o) => (lastProgress = o) },
          { replid: repl.replid, offset: repl.fullresync_offset },
        );
        const decoder = new RespCommandDecoder(assembler, { position: repl.fullresync_offset });
        for (const c of chunking.split(stream)) decoder.feed(c);
        decoder.end();

        // Offsets: the stream ends exactly at the master's final offset, on a command boundary.
        assert.equal(decoder.position, repl.final_master_repl_offset);
        assert.equal(assembler.offset, repl.final_master_repl_offset);
        assert.equal(assembler.offset - repl.fullresync_offset, repl.command_stream_length);
        assert.equal(Math.max(lastProgress, events.at(-1)?.offset ?? -1), repl.final_master_repl_offset);
        assert.equal(assembler.inTransaction, false);
        for (let i = 1; i < events.length; i++) assert.ok(events[i].offset > events[i - 1].offset, 'offsets increase');
        for (const e of events) assert.equal(e.replid, repl.replid);

        // Flatten events to (db, body) to compare with what the client issued.
        const applied: { db: number; body: CommandBody }[] = [];
        for (const e of events) {
          if (e.type === 'command') applied.push({ db: e.db, body: e });
          else for (const c of e.commands) applied.push({ db: c.db, body: c });
        }
        for (const a of applied) assert.equal(a.body.known, true, `unknown command ${a.body.command}`);

        // Every issued write's keys arrive in the propagated form (rewritten commands included), in its db.
        let db = 0;
        for (const issued of repl.commands_issued) {
          const args = issued.map(bytesOf);
          const body = parseCommand(args);
          if (body.command === 'SELECT') {
            db = Number(args[1].toString());
            continue;
          }
          for (const key of body.keys) {
            const found = applied.some((a) => a.db === db && a.body.keys.some((k) => k.equals(key)));
            assert.ok(found, `${body.command} ${key.toString()} (db ${db}) not found among the parsed commands' keys`);
          }
        }

        // The 1 MiB random value arrives whole.
        const bigIssued = repl.commands_issued.find((c) => c[1] === 'w:big-1MB');
        assert.ok(bigIssued);
        const digest = bigIssued[2] as { len: number; sha256: string };
        const big = applied.find((a) => a.body.command === 'SET' && a.body.args[1].toString() === 'w:big-1MB');
        assert.ok(big);
        assert.equal(big.body.args[2].length, digest.len);
        assert.equal(createHash('sha256').update(big.body.args[2]).digest('hex'), digest.sha256);

        // Propagated forms seen on the wire.
        const names = new Set(applied.map((a) => a.body.command));
        for (const n of ['SET', 'PEXPIREAT', 'SREM', 'XCLAIM', 'XGROUP CREATE', 'FLUSHDB', 'RENAME', 'UNLINK']) assert.ok(names.has(n), n);
        assert.ok(events.some((e) => e.type === 'transaction'), 'MULTI/EXEC becomes a transaction');
      });
    }
  }
});
