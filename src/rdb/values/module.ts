// Module data, kept as opaque bytes found by walking the module opcodes (rdbLoadCheckModuleValue),
// so a value of an unknown module never stops the parse:
//   MODULE_2 (7)      len module id, then annotated items, then opcode 0 (EOF)
//   MODULE_AUX (247)  len module id, len when-opcode (must be 2 = UINT), len when, annotated items, 0
// Annotated item = len opcode + payload: 1 SINT / 2 UINT: len; 3 FLOAT: 4 bytes; 4 DOUBLE: 8 bytes;
// 5 STRING: string. `raw` = every byte after the module id (or `when`) up to and including the EOF.
// The value is held whole (a module value cannot be split without its module); the walk resumes
// where it stopped when more input arrives, so a big value is not rescanned.
import type { KeyValueEvent, ModuleAuxEvent } from '../../events/types.js';
import {
  RDB_MODULE_OPCODE_DOUBLE,
  RDB_MODULE_OPCODE_EOF,
  RDB_MODULE_OPCODE_FLOAT,
  RDB_MODULE_OPCODE_SINT,
  RDB_MODULE_OPCODE_STRING,
  RDB_MODULE_OPCODE_UINT,
} from '../constants.js';
import type { RdbCursor } from '../cursor.js';
import { addKeyAttrs, type KeyAttrs } from '../key-emitter.js';
import { decodeModuleId, type ModuleId } from '../module-id.js';
import type { DecodeContext, ValueDecoder } from './value-decoder.js';

/** Walks annotated items from absolute offset `resume.at` to the EOF opcode, updating `resume.at`
 *  after each complete item; returns with the cursor right after the EOF opcode. */
export function walkAnnotated(cur: RdbCursor, resume: { at: number }, what: string): void {
  cur.pos = resume.at - cur.base;
  for (;;) {
    const at = cur.pos;
    const op = cur.len();
    switch (op) {
      case RDB_MODULE_OPCODE_EOF:
        resume.at = cur.base + cur.pos;
        return;
      case RDB_MODULE_OPCODE_SINT:
      case RDB_MODULE_OPCODE_UINT:
        cur.len();
        break;
      case RDB_MODULE_OPCODE_FLOAT:
        cur.skip(4);
        break;
      case RDB_MODULE_OPCODE_DOUBLE:
        cur.skip(8);
        break;
      case RDB_MODULE_OPCODE_STRING:
        cur.skipString();
        break;
      default:
        cur.fail('RDB_BAD_MODULE', `unknown opcode ${op} in ${what} (expected 0..5)`, cur.base + at);
    }
    resume.at = cur.base + cur.pos;
  }
}

export class ModuleDecoder implements ValueDecoder {
  private id: ModuleId = { name: '', id: '0', encver: 0 };
  private readonly resume = { at: 0 };
  private attrs: KeyAttrs | null = null;
  private when = 0;
  private recordOffset = 0;

  constructor(private readonly ctx: DecodeContext) {}

  /** Reads the module id of a MODULE_2 key (within the key's step). */
  readKeyHeader(): void {
    this.id = decodeModuleId(this.ctx.cur.lenBig());
  }

  /** Called once the key's step is committed: the raw bytes start at the mark. */
  startKey(attrs: KeyAttrs): void {
    this.attrs = attrs;
    this.resume.at = this.ctx.cur.base + this.ctx.cur.mark;
  }

  /** Reads a MODULE_AUX header after its opcode (within the record's step). */
  readAuxHeader(): void {
    const cur = this.ctx.cur;
    this.id = decodeModuleId(cur.lenBig());
    const at = cur.pos;
    const whenOpcode = cur.len();
    if (whenOpcode !== RDB_MODULE_OPCODE_UINT) {
      cur.fail('RDB_BAD_MODULE', `MODULE_AUX when-opcode is ${whenOpcode}, expected 2 (UINT)`, cur.base + at);
    }
    this.when = cur.len();
  }

  startAux(recordOffset: number): void {
    this.attrs = null;
    this.recordOffset = recordOffset;
    this.resume.at = this.ctx.cur.base + this.ctx.cur.mark;
  }

  step(): boolean {
    const cur = this.ctx.cur;
    const a = this.attrs;
    walkAnnotated(cur, this.resume, a === null ? `module "${this.id.name}" AUX data` : `the value of module "${this.id.name}"`);
    const raw = cur.buf.subarray(cur.mark, cur.pos);
    cur.commit();
    const id = this.id;
    if (a === null) {
      const ev: ModuleAuxEvent = {
        type: 'module-aux', replid: this.ctx.replid, offset: this.ctx.offset, db: -1, rdbOffset: this.recordOffset,
        module: id.name, moduleId: id.id, encver: id.encver, when: this.when, raw,
      };
      this.ctx.sink.emit(ev, raw.length);
    } else {
      const ev: KeyValueEvent = {
        type: 'key-value', replid: this.ctx.replid, offset: this.ctx.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType,
        valueType: 'module', value: { module: id.name, moduleId: id.id, encver: id.encver, raw },
      };
      addKeyAttrs(ev, a);
      this.ctx.sink.emit(ev, raw.length);
    }
    return true;
  }
}
