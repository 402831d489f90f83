// Where the shared corpus lives: $RMQR_CORPUS, else ../shared/corpus next to the checkout,
// else /work/shared/corpus. Tests that need it fail loudly when it is missing.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is dist/test/helpers/corpus.js once compiled). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function findCorpus(): string | null {
  const candidates = [
    process.env.RMQR_CORPUS,
    resolve(REPO_ROOT, '..', 'shared', 'corpus'),
    '/work/shared/corpus',
  ];
  for (const c of candidates) if (c && existsSync(resolve(c, 'MANIFEST.md'))) return c;
  return null;
}

const found = findCorpus();

/** Absolute path of the corpus directory; throws with the fix when it cannot be found. */
export function corpusDir(): string {
  if (!found) {
    throw new Error('RDB corpus not found: set RMQR_CORPUS to the directory holding MANIFEST.md (../shared/corpus)');
  }
  return found;
}

export function corpusPath(...parts: string[]): string {
  return resolve(corpusDir(), ...parts);
}
