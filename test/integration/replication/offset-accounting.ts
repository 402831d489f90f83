// Independent offset arithmetic: how many replication-stream bytes a command or a transaction takes
// on the wire (RESP multibulk, plus the SELECT the master inserts when the db changes, plus MULTI and
// EXEC). Used to check that every event's offset is exactly the master's offset after it.
import type { CommandEvent, TransactionEvent } from '../../../src/events/types.js';

export function respLength(args: readonly Buffer[]): number {
  let n = `*${args.length}\r\n`.length;
  for (const a of args) n += `$${a.length}\r\n`.length + a.length + 2;
  return n;
}

const selectLength = (db: number): number => respLength([Buffer.from('SELECT'), Buffer.from(String(db))]);
const MULTI_EXEC = respLength([Buffer.from('MULTI')]) + respLength([Buffer.from('EXEC')]);

/**
 * Walks the events (command or transaction, in order) from `startOffset` with the master's selected db
 * `startDb` (-1 after a full sync: the master then always sends SELECT first) and returns, for each event,
 * the offset the bytes predict. The master's keyless commands (PING, REPLCONF) must not occur in between.
 */
export function predictOffsets(events: readonly (CommandEvent | TransactionEvent)[], startOffset: number, startDb: number): number[] {
  let offset = startOffset;
  let db = startDb;
  const out: number[] = [];
  for (const e of events) {
    if (e.type === 'command') {
      if (e.db !== db) offset += selectLength(e.db);
      db = e.db;
      offset += respLength(e.args);
    } else {
      offset += MULTI_EXEC;
      for (const c of e.commands) {
        if (c.db !== db) offset += selectLength(c.db);
        db = c.db;
        offset += respLength(c.args);
      }
    }
    out.push(offset);
  }
  return out;
}
