// Redis-style glob patterns (as KEYS / SCAN MATCH): * ? [abc] [^a-z] [!a] and \ escapes, matched against
// the raw key bytes. Compiled once to a RegExp over the latin1 form of the key, which maps every byte to
// one character, so binary keys match exactly.

export function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) re += escape(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('^') || body.startsWith('!');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(re + '$');
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Matches a key (bytes) against any of the patterns. */
export function compileGlobs(patterns: readonly string[]): (key: Buffer) => boolean {
  const res = patterns.map(globToRegExp);
  return (key) => {
    const s = key.toString('latin1');
    return res.some((r) => r.test(s));
  };
}
