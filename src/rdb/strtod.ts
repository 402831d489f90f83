// Textual doubles as Redis reads them with strtod()/"%lg": zset scores stored as text in old ZSET
// records (rdbLoadDoubleValue) and in ziplist/listpack zsets (zzlStrtod). Accepts leading
// whitespace, an optional sign, "inf"/"infinity"/"nan" in any case, and decimal numbers with an
// optional exponent; trailing bytes after the number are ignored as strtod does.
// Returns null when no number can be read at all.

export function parseDoubleText(buf: Uint8Array, start: number, end: number): number | null {
  let i = start;
  while (i < end && isSpace(buf[i] as number)) i++;
  let negative = false;
  if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) {
    negative = buf[i] === 0x2d;
    i++;
  }
  if (i < end && ((buf[i] as number) | 0x20) === 0x69) {
    // inf / infinity
    if (matchWord(buf, i, end, 'inf')) return negative ? -Infinity : Infinity;
    return null;
  }
  if (i < end && ((buf[i] as number) | 0x20) === 0x6e) {
    if (matchWord(buf, i, end, 'nan')) return NaN;
    return null;
  }
  const numStart = i;
  let digits = 0;
  while (i < end && isDigit(buf[i] as number)) {
    i++;
    digits++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end && isDigit(buf[i] as number)) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return null;
  if (i < end && ((buf[i] as number) | 0x20) === 0x65) {
    let j = i + 1;
    if (j < end && (buf[j] === 0x2b || buf[j] === 0x2d)) j++;
    if (j < end && isDigit(buf[j] as number)) {
      while (j < end && isDigit(buf[j] as number)) j++;
      i = j;
    }
  }
  // The matched text is a plain JS numeric literal: Number() rounds it correctly, like strtod.
  const v = Number(latin1(buf, numStart, i));
  return negative ? -v : v;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  if (Buffer.isBuffer(buf)) return buf.toString('latin1', start, end);
  let s = '';
  for (let k = start; k < end; k++) s += String.fromCharCode(buf[k] as number);
  return s;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function matchWord(buf: Uint8Array, i: number, end: number, word: string): boolean {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (((buf[i + k] as number) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}
