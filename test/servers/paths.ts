// Where the test servers keep downloads (a cache shared by every checkout) and per-run state (temp dirs).
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Prefix of every per-run directory under os.tmpdir(); servers:stop looks for it. */
export const RUN_DIR_PREFIX = 'rmqr-servers-';

/** `$RMQR_CACHE`, else ~/.cache/redis-mq-replicator: outside the checkout so fresh clones reuse it. */
export function cacheDir(): string {
  const fromEnv = process.env['RMQR_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(homedir(), '.cache', 'redis-mq-replicator');
}

/** The checkout root, found from this compiled file (<outDir>/test/servers/paths.js). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Source folder of the poms (they are not compiled, so they stay under test/servers/maven). */
export const MAVEN_POMS_DIR = join(REPO_ROOT, 'test', 'servers', 'maven');

/** A fresh per-run directory for one test bed (all its servers live below it). */
export function makeRunDir(): string {
  return mkdtempSync(join(tmpdir(), RUN_DIR_PREFIX));
}

const ownedDirs = new Set<string>();
let dirHookInstalled = false;

/**
 * A fresh directory for one dedicated server started outside a test bed. It is removed when this
 * process exits, even if the test never reached dispose() (a failure, a signal).
 */
export function makeServerDir(kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rmqr-${kind}-`));
  ownedDirs.add(dir);
  if (!dirHookInstalled) {
    dirHookInstalled = true;
    process.on('exit', () => {
      if (process.env['RMQR_KEEP_RUN_DIR'] === '1') return;
      for (const d of ownedDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Removes a directory made by makeServerDir (dispose()). */
export function removeServerDir(dir: string): void {
  ownedDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}
