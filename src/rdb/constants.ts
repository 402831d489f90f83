// RDB protocol constants, with Redis's (and Valkey's) own names so a search finds them in both
// codebases. Sources: redis src/rdb.h (8.6.3, RDB 13), valkey src/rdb.h (unstable, RDB 81).
import type { ValueType } from '../events/types.js';

export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5; // RDB 8
export const RDB_TYPE_MODULE_PRE_GA = 6; // 4.0 release candidates: refused, like Redis does
export const RDB_TYPE_MODULE_2 = 7; // RDB 8
export const RDB_TYPE_HASH_ZIPMAP = 9; // RDB 2
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13; // RDB 4
export const RDB_TYPE_LIST_QUICKLIST = 14; // RDB 7
export const RDB_TYPE_STREAM_LISTPACKS = 15; // RDB 9
export const RDB_TYPE_HASH_LISTPACK = 16; // RDB 10
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
export const RDB_TYPE_SET_LISTPACK = 20; // RDB 11
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;
// Type 22/23 mean different things in the two families; the magic decides.
export const RDB_TYPE_HASH_METADATA_PRE_GA = 22; // Redis 7.4 rc (REDIS magic)
export const RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23; // Redis 7.4 rc (REDIS magic)
export const RDB_TYPE_HASH_2 = 22; // Valkey 9 (VALKEY magic, RDB 80)
export const RDB_TYPE_PATH_HASH = 23; // Valkey 9.2 (VALKEY magic, RDB 81): format not published
export const RDB_TYPE_HASH_METADATA = 24; // RDB 12
export const RDB_TYPE_HASH_LISTPACK_EX = 25; // RDB 12
export const RDB_TYPE_STREAM_LISTPACKS_4 = 26; // RDB 13

// Redis Enterprise opcodes, as redis/librdb reads them (src/lib/defines.h, parser.c): one length
// each, before a key; hints a CDC reader can skip.
export const RDB_OPCODE_RAM_LRU = 107;
export const RDB_OPCODE_SLOT_NUM = 121;

export const RDB_OPCODE_UPDATE = 242; // Valkey 9.2: inline RESP command during a forkless save
export const RDB_OPCODE_KEY_META = 243; // Redis RDB 13 (REDIS magic)
export const RDB_OPCODE_SLOT_IMPORT = 243; // Valkey RDB 80 (VALKEY magic)
export const RDB_OPCODE_SLOT_INFO = 244;
export const RDB_OPCODE_FUNCTION2 = 245;
export const RDB_OPCODE_FUNCTION_PRE_GA = 246;
export const RDB_OPCODE_MODULE_AUX = 247;
export const RDB_OPCODE_IDLE = 248;
export const RDB_OPCODE_FREQ = 249;
export const RDB_OPCODE_AUX = 250;
export const RDB_OPCODE_RESIZEDB = 251;
export const RDB_OPCODE_EXPIRETIME_MS = 252;
export const RDB_OPCODE_EXPIRETIME = 253;
export const RDB_OPCODE_SELECTDB = 254;
export const RDB_OPCODE_EOF = 255;

// Length prefix (rdbLoadLenByRef): top two bits of the first byte.
export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_ENCVAL = 3;
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

// Annotated values of modules, module AUX and key metadata (rdbLoadCheckModuleValue).
export const RDB_MODULE_OPCODE_EOF = 0;
export const RDB_MODULE_OPCODE_SINT = 1;
export const RDB_MODULE_OPCODE_UINT = 2;
export const RDB_MODULE_OPCODE_FLOAT = 3;
export const RDB_MODULE_OPCODE_DOUBLE = 4;
export const RDB_MODULE_OPCODE_STRING = 5;

// quicklist.h QUICKLIST_NODE_CONTAINER_*
export const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
export const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/** Versions this parser reads: REDIS magic 1..13, VALKEY magic 80..81. */
export const MAX_REDIS_RDB_VERSION = 13;
export const MIN_VALKEY_RDB_VERSION = 80;
export const MAX_VALKEY_RDB_VERSION = 81;

export type RdbFamily = 'REDIS' | 'VALKEY';

/** The value type a type byte decodes to, or null when the byte is not a value type of the family. */
export function valueTypeOf(type: number, family: RdbFamily): ValueType | null {
  switch (type) {
    case RDB_TYPE_STRING:
      return 'string';
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
      return 'list';
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_INTSET:
    case RDB_TYPE_SET_LISTPACK:
      return 'set';
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK:
      return 'zset';
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK:
      return 'hash';
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      return 'stream';
    case RDB_TYPE_MODULE_2:
      return 'module';
    case 22:
    case 23:
      return 'hash'; // Redis pre-GA HFE hashes, Valkey HASH_2 / PATH_HASH
    case RDB_TYPE_HASH_METADATA:
    case RDB_TYPE_HASH_LISTPACK_EX:
      return family === 'REDIS' ? 'hash' : null;
    case RDB_TYPE_STREAM_LISTPACKS_4:
      return family === 'REDIS' ? 'stream' : null;
    default:
      return null;
  }
}

/** Redis's name for a type byte, for messages. */
export function typeName(type: number, family: RdbFamily): string {
  const names: Record<number, string> = {
    0: 'STRING', 1: 'LIST', 2: 'SET', 3: 'ZSET', 4: 'HASH', 5: 'ZSET_2', 6: 'MODULE_PRE_GA', 7: 'MODULE_2',
    9: 'HASH_ZIPMAP', 10: 'LIST_ZIPLIST', 11: 'SET_INTSET', 12: 'ZSET_ZIPLIST', 13: 'HASH_ZIPLIST',
    14: 'LIST_QUICKLIST', 15: 'STREAM_LISTPACKS', 16: 'HASH_LISTPACK', 17: 'ZSET_LISTPACK',
    18: 'LIST_QUICKLIST_2', 19: 'STREAM_LISTPACKS_2', 20: 'SET_LISTPACK', 21: 'STREAM_LISTPACKS_3',
    24: 'HASH_METADATA', 25: 'HASH_LISTPACK_EX', 26: 'STREAM_LISTPACKS_4',
  };
  if (type === 22) return family === 'VALKEY' ? 'RDB_TYPE_HASH_2' : 'RDB_TYPE_HASH_METADATA_PRE_GA';
  if (type === 23) return family === 'VALKEY' ? 'RDB_TYPE_PATH_HASH' : 'RDB_TYPE_HASH_LISTPACK_EX_PRE_GA';
  const n = names[type];
  return n === undefined ? `type ${type}` : `RDB_TYPE_${n}`;
}
