// Reads conf/replicator.conf (ini: `key = value`, optional [section] prefixes) and `--set key=value`
// overrides, expands ${ENV_VAR} references, and checks every key and value against the schema.
import { readFileSync } from 'node:fs';
import { parse as parseIni } from 'ini';
import { ConfigError } from './errors.js';
import { CONFIG_KEYS, KEY_INDEX, type ConfigKey, type KeySpec } from './schema.js';

export interface ConfigSource {
  /** Path of the ini file, if any. */
  file?: string;
  /** `key=value` overrides, applied after the file in order. */
  overrides?: readonly string[];
  /** Environment for ${VAR} expansion (default process.env). */
  env?: NodeJS.ProcessEnv;
}

interface RawEntry {
  value: string;
  origin: string; // "conf/replicator.conf line 12" or "--set"
}

export class Config {
  constructor(private readonly values: ReadonlyMap<string, RawEntry>) {}

  has(key: ConfigKey): boolean {
    return this.values.has(key) || KEY_INDEX.get(key)?.default !== undefined;
  }

  /** The raw text of a key (explicit or default), or undefined. */
  raw(key: ConfigKey): string | undefined {
    return this.values.get(key)?.value ?? KEY_INDEX.get(key)?.default;
  }

  str(key: ConfigKey): string {
    const v = this.raw(key);
    if (v === undefined) throw missing(key);
    return v;
  }

  optStr(key: ConfigKey): string | undefined {
    const v = this.raw(key);
    return v === undefined || v === '' ? undefined : v;
  }

  int(key: ConfigKey): number {
    return Number(this.str(key));
  }

  bool(key: ConfigKey): boolean {
    return parseBool(this.str(key)) === true;
  }

  list(key: ConfigKey): string[] {
    const v = this.optStr(key);
    return v === undefined ? [] : splitList(v);
  }

  /** Where a key's value came from, for messages. */
  origin(key: ConfigKey): string {
    return this.values.get(key)?.origin ?? 'default';
  }

  /** Every key with its effective value, secrets masked (for `--print-config` and startup logs). */
  describe(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const spec of CONFIG_KEYS) {
      const v = this.raw(spec.key);
      if (v === undefined) continue;
      out.push([spec.key, 'secret' in spec && spec.secret && v !== '' ? '***' : v]);
    }
    return out;
  }
}

export function loadConfig(source: ConfigSource = {}): Config {
  const env = source.env ?? process.env;
  const values = new Map<string, RawEntry>();
  if (source.file !== undefined) {
    for (const [key, entry] of readIniFile(source.file)) values.set(key, entry);
  }
  for (const o of source.overrides ?? []) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError('CONFIG_BAD_OVERRIDE', `--set expects key=value, got "${o}"`);
    values.set(o.slice(0, eq).trim(), { value: o.slice(eq + 1).trim(), origin: '--set' });
  }
  for (const [key, entry] of values) {
    const spec = KEY_INDEX.get(key);
    if (!spec) {
      const hint = closestKey(key);
      throw new ConfigError(
        'CONFIG_UNKNOWN_KEY',
        `unknown configuration key "${key}" (${entry.origin})${hint ? `; did you mean "${hint}"?` : ''}`,
      );
    }
    entry.value = expandEnv(entry.value, spec, entry.origin, env);
    checkValue(spec, entry);
  }
  return new Config(values);
}

function readIniFile(path: string): Map<string, RawEntry> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseIni(text) as Record<string, unknown>;
  const lines = text.split(/\r?\n/);
  const lineOf = (key: string): number => {
    const last = key.slice(key.lastIndexOf('.') + 1);
    const i = lines.findIndex((l) => new RegExp(`^\\s*(${escapeRe(key)}|${escapeRe(last)})\\s*=`).test(l));
    return i + 1;
  };
  const out = new Map<string, RawEntry>();
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, key);
      else {
        const line = lineOf(key);
        out.set(key, { value: Array.isArray(v) ? v.join(',') : String(v), origin: line > 0 ? `${path} line ${line}` : path });
      }
    }
  };
  walk(parsed, '');
  return out;
}

function expandEnv(value: string, spec: KeySpec, origin: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) {
      throw new ConfigError('CONFIG_ENV_MISSING', `${spec.key} (${origin}) refers to environment variable ${name}, which is not set`);
    }
    return v;
  });
}

function checkValue(spec: KeySpec, entry: RawEntry): void {
  const v = entry.value;
  const shown = spec.secret ? '***' : JSON.stringify(v);
  const bad = (why: string): ConfigError =>
    new ConfigError('CONFIG_BAD_VALUE', `${spec.key} = ${shown} (${entry.origin}): ${why}`);
  switch (spec.kind) {
    case 'string':
    case 'list':
      return;
    case 'bool':
      if (parseBool(v) === undefined) throw bad('expected true or false');
      return;
    case 'enum':
      if (!spec.values?.includes(v)) throw bad(`expected one of ${spec.values?.join(', ')}`);
      return;
    case 'int': {
      if (!/^-?\d+$/.test(v)) throw bad('expected an integer');
      const n = Number(v);
      if (spec.min !== undefined && n < spec.min) throw bad(`must be at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw bad(`must be at most ${spec.max}`);
      return;
    }
    default: {
      const never: never = spec.kind;
      throw new Error(`unhandled key kind ${String(never)}`);
    }
  }
}

function parseBool(v: string): boolean | undefined {
  const s = v.toLowerCase();
  if (s === 'true' || s === 'yes' || s === '1' || s === 'on') return true;
  if (s === 'false' || s === 'no' || s === '0' || s === 'off') return false;
  return undefined;
}

export function splitList(v: string): string[] {
  return v
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function missing(key: string): ConfigError {
  return new ConfigError('CONFIG_MISSING_KEY', `configuration key "${key}" is required; set it in the config file or with --set ${key}=...`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Nearest known key by edit distance, for "did you mean". */
function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const spec of CONFIG_KEYS) {
    const d = editDistance(key, spec.key);
    if (d < bestD) {
      bestD = d;
      best = spec.key;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Checks one key=value outside a file (used by tests and the CLI flag shorthands). */
export function isKnownKey(key: string): key is ConfigKey {
  return KEY_INDEX.has(key);
}
