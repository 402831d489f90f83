// Every file of shared/corpus/broken behaves as broken/index.json says: a typed error with the code and
// byte offset below, or the stated result. Checked both when the payload size is unknown (a socket:
// pushed whole, byte by byte, in random chunks) and through parseRdbFile (the size is known, so
// impossible lengths fail at once). Where the two differ, both outcomes are what the index allows.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { SnapshotEvent } from '../../../src/events/types.js';
import { RdbParseError } from '../../../src/rdb/errors.js';
import { parseRdbFile } from '../../../src/rdb/parse-file.js';
import { standardChunkings } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';
import { parseBuffer } from './parse-helpers.js';

type Outcome = { code: string; at: number } | { ok: true; keys: number; trailing?: number };
interface Expectation {
  stream: Outcome;
  /** When parseRdbFile (payload size known) reports something else. */
  file?: Outcome;
  /** Text the error message must contain. */
  message?: RegExp;
}

const err = (code: string, at: number): Outcome => ({ code, at });
const ok = (keys: number, trailing = 0): Outcome => ({ ok: true, keys, trailing });

const EXPECT: Record<string, Expectation> = {
  'valid_reference.rdb': { stream: ok(4) },
  'empty_zero_bytes.rdb': { stream: err('RDB_UNEXPECTED_EOF', 0), message: /empty input/ },
  'wrong_magic.rdb': { stream: err('RDB_BAD_MAGIC', 0), message: /bad magic/ },
  'wrong_magic_lowercase.rdb': { stream: err('RDB_BAD_MAGIC', 0), message: /bad magic/ },
  'nonnumeric_version.rdb': { stream: err('RDB_BAD_VERSION', 5), message: /bad version/ },
  'future_version_9999.rdb': { stream: err('RDB_UNSUPPORTED_VERSION', 5), message: /unsupported RDB version 9999/ },
  'truncated_in_magic.rdb': { stream: err('RDB_UNEXPECTED_EOF', 5) },
  'truncated_after_header.rdb': { stream: err('RDB_UNEXPECTED_EOF', 9) },
  'truncated_in_aux.rdb': { stream: err('RDB_UNEXPECTED_EOF', 14), message: /AUX/ },
  'truncated_in_key_name.rdb': { stream: err('RDB_UNEXPECTED_EOF', 50), message: /while reading a key/ },
  'truncated_in_value.rdb': { stream: err('RDB_UNEXPECTED_EOF', 60), message: /unexpected EOF at byte 60 while reading the value of key "greeting" \(db 0\)/ },
  'truncated_in_expire.rdb': { stream: err('RDB_UNEXPECTED_EOF', 71), message: /8-byte expire/ },
  'truncated_in_lzf.rdb': { stream: err('RDB_UNEXPECTED_EOF', 117), message: /LZF/ },
  'truncated_before_eof_opcode.rdb': { stream: err('RDB_UNEXPECTED_EOF', 123) },
  'truncated_checksum_missing.rdb': { stream: err('RDB_UNEXPECTED_EOF', 124), message: /checksum/ },
  'truncated_checksum_half.rdb': { stream: err('RDB_UNEXPECTED_EOF', 128), message: /checksum/ },
  'bad_checksum.rdb': { stream: err('RDB_BAD_CHECKSUM', 124), message: /stores ff9ce2138a81ad26, the data gives ff9ce2138a81ad73/ },
  'payload_bitflip_bad_checksum.rdb': { stream: err('RDB_BAD_CHECKSUM', 124) },
  'trailing_garbage_after_checksum.rdb': { stream: ok(4, 7) },
  'huge_key_length_2pow62.rdb': { stream: err('RDB_BAD_LENGTH', 46), message: /4611686018427387904/ },
  'huge_value_length_4GiB.rdb': { stream: err('RDB_UNEXPECTED_EOF', 64), file: err('RDB_UNEXPECTED_EOF', 64), message: /value of key "k"/ },
  // Unknown size: the count is believed, one element is read, then the EOF opcode is no string.
  'huge_list_count_2pow62.rdb': { stream: err('RDB_BAD_STRING_ENCODING', 65), file: err('RDB_BAD_LENGTH', 54) },
  'huge_set_count_2pow31.rdb': { stream: err('RDB_BAD_STRING_ENCODING', 60), file: err('RDB_UNEXPECTED_EOF', 69) },
  'lzf_huge_uncompressed_length.rdb': { stream: err('RDB_BAD_LZF', 49), message: /4611686018427387904 decompressed bytes/ },
  'lzf_backref_before_start.rdb': { stream: err('RDB_BAD_LZF', 52), message: /before the start of the output/ },
  'lzf_length_mismatch.rdb': { stream: err('RDB_BAD_LZF', 59), message: /output is 33 bytes but the header says 40/ },
  'unknown_type_byte_31.rdb': { stream: err('RDB_UNKNOWN_TYPE', 45), message: /unknown value type 31/ },
  'reserved_type_byte_8.rdb': { stream: err('RDB_UNKNOWN_TYPE', 45), message: /type 8/ },
  'module_pre_ga_type_6.rdb': { stream: err('RDB_UNSUPPORTED_TYPE', 45), message: /MODULE_PRE_GA/ },
  'unknown_opcode_0xF0.rdb': { stream: err('RDB_UNKNOWN_OPCODE', 45), message: /240/ },
  'bad_string_encoding_c4.rdb': { stream: err('RDB_BAD_STRING_ENCODING', 48), message: /unknown string encoding 4/ },
  'bad_length_byte_82.rdb': { stream: err('RDB_BAD_LENGTH', 46), message: /bad length encoding 0x82/ },
  'selectdb_huge.rdb': { stream: ok(1) }, // db 2^40 accepted as a number (no allocation)
  'eof_in_middle_then_data.rdb': { stream: ok(2, 36) },
  'duplicate_key.rdb': { stream: ok(5) }, // both "greeting" records are reported, in file order
  'zero_length_list.rdb': { stream: ok(0) }, // skipped like Redis skips empty keys
  'listpack_valid_hash.rdb': { stream: ok(1) },
  'listpack_bad_total_bytes.rdb': { stream: err('RDB_BAD_LISTPACK', 54), message: /total-bytes 999 != blob length 13/ },
  'listpack_missing_terminator.rdb': { stream: err('RDB_BAD_LISTPACK', 66), message: /terminator/ },
  'listpack_odd_hash_entries.rdb': { stream: err('RDB_BAD_LISTPACK', 63), message: /odd number of entries/ },
  // A type-14 (quicklist v1) node must be a ziplist; this one is a corrupt listpack.
  'listpack_entry_overruns.rdb': { stream: err('RDB_BAD_ZIPLIST', 55) },
  'ziplist_bad_header.rdb': { stream: err('RDB_BAD_ZIPLIST', 50), message: /zlbytes=200 but the blob is 14 bytes/ },
  'intset_bad_encoding.rdb': { stream: err('RDB_BAD_INTSET', 50), message: /encoding 3 invalid/ },
  'zset2_nan_score.rdb': { stream: err('RDB_NAN_SCORE', 52) },
  'stream_huge_listpack_count.rdb': { stream: err('RDB_BAD_STRING_ENCODING', 58), file: err('RDB_BAD_LENGTH', 49) },
  'ends_after_type_byte.rdb': { stream: err('RDB_UNEXPECTED_EOF', 46) },
  'only_eof_no_dbs.rdb': { stream: ok(0) },
  'only_eof_v6_zero_crc.rdb': { stream: ok(0) },
  'trunc_redis-2.8.24_nochecksum_at_17621.rdb': { stream: err('RDB_UNEXPECTED_EOF', 17621) },
  'trunc_redis-2.8.24_nochecksum_at_74616.rdb': { stream: err('RDB_UNEXPECTED_EOF', 74616) },
  'trunc_redis-7.4.1_nocompress_at_14834.rdb': { stream: err('RDB_UNEXPECTED_EOF', 14834) },
  'trunc_redis-7.4.1_nocompress_at_24018.rdb': { stream: err('RDB_UNEXPECTED_EOF', 24018) },
  'trunc_redis-7.4.1_nocompress_at_22258.rdb': { stream: err('RDB_UNEXPECTED_EOF', 22258) },
  // A bit flipped with the CRC recomputed: this flip leaves a structurally valid file.
  'bitflip_redis-7.4.1_nocompress_at_94658_crc_fixed.rdb': { stream: ok(205) },
  'bitflip_redis-7.4.1_nocompress_at_175574_crc_fixed.rdb': { stream: ok(205) },
};

function check(name: string, o: Outcome, error: { code?: string; rdbOffset?: number; message: string } | null, keys: number, trailing: number, message?: RegExp): void {
  if ('ok' in o) {
    assert.equal(error, null, `${name}: unexpected ${error?.message}`);
    assert.equal(keys, o.keys, `${name}: keys`);
    assert.equal(trailing, o.trailing ?? 0, `${name}: trailing bytes`);
  } else {
    assert.ok(error, `${name}: expected ${o.code}, parsed fine`);
    assert.ok(error instanceof RdbParseError, `${name}: not an RdbParseError: ${error.message}`);
    assert.equal(error.code, o.code, `${name}: ${error.message}`);
    assert.equal(error.rdbOffset, o.at, `${name}: ${error.message}`);
    assert.doesNotMatch(error.message, /\n/, 'one-line message');
    if (message) assert.match(error.message, message);
  }
}

const countKeys = (events: SnapshotEvent[]): number => events.filter((e) => e.type === 'key-value').length;

const dir = corpusPath('broken');
const files = readdirSync(dir).filter((f) => f.endsWith('.rdb')).sort();

describe('broken corpus', () => {
  it('every file of broken/ has an expectation here and in index.json', () => {
    const index = (JSON.parse(readFileSync(`${dir}/index.json`, 'utf8')) as { file: string }[]).map((e) => e.file).sort();
    assert.deepEqual(files, index);
    assert.deepEqual(Object.keys(EXPECT).sort(), files);
  });

  for (const f of files) {
    const exp = EXPECT[f] as Expectation;
    it(`${f} (pushed, size unknown)`, () => {
      const input = readFileSync(`${dir}/${f}`);
      for (const chunking of standardChunkings(input.length)) {
        const r = parseBuffer(input, chunking);
        check(`${f} ${chunking.name}`, exp.stream, r.error, countKeys(r.events), r.remainder.length, exp.message);
      }
    });
    it(`${f} (parseRdbFile, size known)`, async () => {
      let keys = 0;
      let error: RdbParseError | null = null;
      let trailing = 0;
      try {
        const r = await parseRdbFile(`${dir}/${f}`, (events) => {
          keys += countKeys(events);
        });
        trailing = r.trailingBytes;
      } catch (e) {
        error = e as RdbParseError;
      }
      check(f, exp.file ?? exp.stream, error, keys, trailing, exp.file ? undefined : exp.message);
    });
  }
});
