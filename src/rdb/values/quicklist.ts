// Lists as quicklists, one committed step per node (so a list of any length holds one node at a time):
//   LIST_QUICKLIST (14)    len nodes, nodes x string -> ziplist (LZF-compressed nodes included)
//   LIST_QUICKLIST_2 (18)  len nodes, nodes x (len container, string): container 1 = PLAIN (the
//                          string is one element, used for big elements), 2 = PACKED (a listpack)
// Empty ziplists/listpacks are skipped and a list left with no element is skipped, like Redis does
// (rdbLoadObject: "Silently skip empty ziplists").
import {
  QUICKLIST_NODE_CONTAINER_PACKED,
  QUICKLIST_NODE_CONTAINER_PLAIN,
  RDB_TYPE_LIST_QUICKLIST_2,
} from '../constants.js';
import { ListpackReader } from '../listpack.js';
import { ZiplistReader } from '../ziplist.js';
import { elements } from './blobs.js';
import type { DecodeContext, ValueDecoder } from './value-decoder.js';

export class QuicklistDecoder implements ValueDecoder {
  private v2 = false;
  private nodes = 0;
  private readonly lp = new ListpackReader();
  private readonly zl = new ZiplistReader();

  constructor(private readonly ctx: DecodeContext) {}

  readHeader(type: number): number {
    this.v2 = type === RDB_TYPE_LIST_QUICKLIST_2;
    this.nodes = this.ctx.cur.count('quicklist node count');
    return this.nodes;
  }

  step(): boolean {
    const cur = this.ctx.cur;
    while (this.nodes > 0) {
      let container = QUICKLIST_NODE_CONTAINER_PACKED;
      if (this.v2) {
        const at = cur.pos;
        container = cur.len();
        if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
          cur.fail('RDB_BAD_QUICKLIST', `quicklist node container ${container} is neither 1 (PLAIN) nor 2 (PACKED)`, cur.base + at);
        }
      }
      const at = cur.pos;
      const blob = cur.blob();
      if (blob.length === 0) cur.fail('RDB_BAD_QUICKLIST', 'quicklist node of 0 bytes', cur.base + at);
      cur.commit();
      this.nodes--;
      if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
        this.ctx.keys.pushElement(blob);
        continue;
      }
      try {
        if (this.v2) {
          this.lp.open(blob, 0, blob.length);
          elements(this.lp, this.ctx);
        } else {
          this.zl.open(blob, 0, blob.length);
          elements(this.zl, this.ctx);
        }
      } catch (e) {
        cur.failInBlob(e);
      }
    }
    return true;
  }
}
