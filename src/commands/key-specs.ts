// Key-spec evaluation: which arguments of argv are keys. Mirrors Redis 8.6 db.c getKeysUsingKeySpecs with
// GET_KEYSPEC_RETURN_PARTIAL: every spec is evaluated on its own, a spec that does not apply (keyword
// absent, numkeys invalid, out of range) contributes nothing, and an INCOMPLETE spec contributes what it
// finds. NOT_KEY specs (SPUBLISH's shard channel) are not keys. Keys are returned in spec order,
// duplicates kept, as Redis does.
//
// Hand-coded special cases, where Redis itself ignores the specs and runs a getkeys proc:
//  - SORT: the STORE destination (spec 'unknown'); Redis db.c sortGetKeys, skipping the arguments of
//    LIMIT (2), GET (1) and BY (1), the last STORE wins. SORT_RO needs nothing: its key is argv[1].
//  - MIGRATE: argv[3] is the key unless it is empty and a KEYS option follows, then the keys after
//    KEYS; Redis db.c migrateGetKeys (skips the arguments of AUTH (1) and AUTH2 (2)).
import { equalsIgnoreCase, parseDecimal } from './bytes.js';
import type { CommandInfo, KeySpec } from './command-spec.js';

/** Appends to `out` the argv indexes of the keys one spec finds. */
export function keySpecIndexes(spec: KeySpec, args: readonly Buffer[], out: number[]): void {
  const argc = args.length;
  let first = 0;
  const bs = spec.beginSearch;
  if (bs.type === 'index') {
    first = bs.pos;
  } else if (bs.type === 'keyword') {
    // As Redis: the end index itself is not examined (a keyword there could not be followed by a key).
    const startIndex = bs.startFrom > 0 ? bs.startFrom : argc + bs.startFrom;
    const endIndex = bs.startFrom > 0 ? argc - 1 : 1;
    const dir = startIndex <= endIndex ? 1 : -1;
    for (let i = startIndex; i !== endIndex; i += dir) {
      if (i >= argc || i < 1) break;
      if (equalsIgnoreCase(args[i], bs.keywordLower)) {
        first = i + 1;
        break;
      }
    }
    if (first === 0) return;
  } else {
    return;
  }

  const fk = spec.findKeys;
  let last: number;
  let step: number;
  if (fk.type === 'range') {
    step = fk.step;
    if (fk.lastKey >= 0) last = first + fk.lastKey;
    else if (fk.limit === 0) last = argc + fk.lastKey;
    else last = first + (Math.floor((argc - first) / fk.limit) + fk.lastKey);
  } else if (fk.type === 'keynum') {
    step = fk.step;
    const at = first + fk.keyNumIndex;
    if (at >= argc) return;
    const numkeys = parseDecimal(args[at]);
    if (!(numkeys >= 0)) return;
    first += fk.firstKey;
    // Redis 8.6 multiplies by the step (MSETEX: key value pairs); earlier versions only had step 1.
    last = first + (numkeys - 1) * step;
  } else {
    return;
  }
  if (last >= argc || last < first || first >= argc || step < 1) return;
  for (let i = first; i <= last; i += step) out.push(i);
}

/** Argv indexes of the keys of a command, in spec order. */
export function keyIndexes(info: CommandInfo, args: readonly Buffer[], out: number[] = []): number[] {
  if (info.name === 'SORT') return sortKeyIndexes(args, out);
  if (info.name === 'MIGRATE') return migrateKeyIndexes(args, out);
  const specs = info.keySpecs;
  for (let j = 0; j < specs.length; j++) {
    const spec = specs[j];
    if (spec.flags.includes('NOT_KEY')) continue;
    keySpecIndexes(spec, args, out);
  }
  return out;
}

const scratch: number[] = [];

/** The key arguments themselves (the same Buffers as in args: no copy). */
export function commandKeys(info: CommandInfo, args: readonly Buffer[]): Buffer[] {
  const keys: Buffer[] = [];
  if (info.keySpecs.length === 0) return keys;
  scratch.length = 0;
  keyIndexes(info, args, scratch);
  for (let i = 0; i < scratch.length; i++) keys.push(args[scratch[i]]);
  return keys;
}

function sortKeyIndexes(args: readonly Buffer[], out: number[]): number[] {
  if (args.length < 2) return out;
  out.push(1);
  let store = -1;
  for (let i = 2; i < args.length; i++) {
    const a = args[i];
    if (equalsIgnoreCase(a, 'limit')) i += 2;
    else if (equalsIgnoreCase(a, 'get') || equalsIgnoreCase(a, 'by')) i += 1;
    else if (equalsIgnoreCase(a, 'store') && i + 1 < args.length) store = i + 1;
  }
  if (store > 0) out.push(store);
  return out;
}

function migrateKeyIndexes(args: readonly Buffer[], out: number[]): number[] {
  const argc = args.length;
  if (argc < 4) return out;
  let first = 3;
  let num = 1;
  for (let i = 6; i < argc; i++) {
    const a = args[i];
    if (equalsIgnoreCase(a, 'keys')) {
      if (args[3].length > 0) num = 0;
      else {
        first = i + 1;
        num = argc - first;
      }
      break;
    }
    if (equalsIgnoreCase(a, 'auth')) i += 1;
    else if (equalsIgnoreCase(a, 'auth2')) i += 2;
  }
  for (let k = 0; k < num; k++) out.push(first + k);
  return out;
}
