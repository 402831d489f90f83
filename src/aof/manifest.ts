// The Redis 7.x multi-part AOF manifest (appendonly.aof.manifest), as aof.c aofLoadManifestFromFile
// reads it: one line per file, "file <name> seq <n> type <b|h|i>" (key/value pairs in any order,
// keys in any case, values quoted like sdssplitargs when needed), '#' comment lines, no blank line,
// every line ended by '\n'.
// b = base (at most one; an RDB or an AOF), i = incr (loaded in manifest order, seq increasing),
// h = history (a former base/incr awaiting deletion: not loaded).
import { AofError } from './errors.js';

export type AofFileType = 'base' | 'incr' | 'history';

export interface ManifestEntry {
  name: string;
  seq: number;
  type: AofFileType;
}

const TYPES: Record<string, AofFileType> = { b: 'base', i: 'incr', h: 'history' };

/** Splits a line like Redis sdssplitargs: spaces separate, "..." with \-escapes, '...' with \' only. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && /\s/.test(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) return null; // unterminated quotes
        const c = line[i];
        if (c === '\\' && i + 3 < n && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
        } else if (c === '\\' && i + 1 < n) {
          const e = line[i + 1];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
          i += 2;
        } else if (c === '"') {
          i++;
          if (i < n && !/\s/.test(line[i])) return null; // closing quote must be followed by a space
          break;
        } else {
          cur += c;
          i++;
        }
      }
    } else if (line[i] === "'") {
      i++;
      for (;;) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          if (i < n && !/\s/.test(line[i])) return null;
          break;
        } else {
          cur += c;
          i++;
        }
      }
    } else {
      while (i < n && !/\s/.test(line[i])) cur += line[i++];
    }
    out.push(cur);
  }
}

/** Parses a manifest; names are decoded as latin1 so any byte survives. */
export function parseManifest(text: string, where: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  if (text === '') throw new AofError('AOF_BAD_MANIFEST', `${where}: empty manifest`);
  const lines = text.split('\n');
  // The last element is what follows the final '\n': it must be empty (Redis reads lines with fgets
  // and refuses one without '\n': "contains too long line").
  if (lines[lines.length - 1] !== '') {
    throw new AofError('AOF_BAD_MANIFEST', `${where}: the last line is not terminated by a newline (truncated manifest?)`);
  }
  lines.pop();
  let bases = 0;
  let lastIncrSeq = -Infinity;
  lines.forEach((raw, idx) => {
    if (raw.startsWith('#')) return;
    const line = raw.trim();
    const where1 = `${where} line ${idx + 1}`;
    if (line === '') throw new AofError('AOF_BAD_MANIFEST', `${where1}: empty line (Redis refuses it too)`);
    const argv = splitArgs(line);
    // At least file/seq/type; more pairs are allowed for forward compatibility, as in Redis.
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) {
      throw new AofError('AOF_BAD_MANIFEST', `${where1}: unbalanced quotes or not "file <name> seq <n> type <b|h|i>": ${JSON.stringify(line)}`);
    }
    let name: string | undefined;
    let seq = 0;
    let typeChar: string | undefined;
    for (let k = 0; k < argv.length; k += 2) {
      const key = argv[k].toLowerCase();
      const value = argv[k + 1];
      if (key === 'file') name = value;
      else if (key === 'seq') seq = /^\d+$/.test(value) ? Number(value) : 0;
      else if (key === 'type') typeChar = value[0];
      // Unknown keys are ignored, as Redis does.
    }
    if (name === undefined || name === '' || seq === 0 || typeChar === undefined) {
      throw new AofError('AOF_BAD_MANIFEST', `${where1}: expected "file <name> seq <n > 0> type <b|h|i>": ${JSON.stringify(line)}`);
    }
    const type = TYPES[typeChar];
    if (type === undefined) throw new AofError('AOF_BAD_MANIFEST', `${where1}: unknown file type ${JSON.stringify(typeChar)} (b, h or i)`);
    if (name.includes('/')) throw new AofError('AOF_BAD_MANIFEST', `${where1}: file name ${JSON.stringify(name)} must not contain '/'`);
    if (type === 'base' && ++bases > 1) throw new AofError('AOF_BAD_MANIFEST', `${where1}: more than one base file`);
    if (type === 'incr') {
      if (seq <= lastIncrSeq) throw new AofError('AOF_BAD_MANIFEST', `${where1}: incr seq ${seq} does not increase`);
      lastIncrSeq = seq;
    }
    entries.push({ name, seq, type });
  });
  return entries;
}
