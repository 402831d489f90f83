// Which files make up "the AOF" at a path, in load order (Redis aof.c loadAppendOnlyFiles):
//  - a manifest file (*.manifest): its base, then its incr files in manifest order (history skipped);
//  - a directory holding one *.manifest, or holding appendonlydir/ (the default appenddirname) with one;
//  - a directory with no manifest but exactly one *.aof file (a pre-7.0 data directory): that file;
//  - any other file: a single AOF (plain, or with an RDB preamble).
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AofError } from './errors.js';
import { parseManifest, type AofFileType } from './manifest.js';

export interface AofPart {
  path: string;
  /** 'single' for a one-file AOF. */
  type: AofFileType | 'single';
  /** Manifest seq; null for a one-file AOF. */
  seq: number | null;
}

export interface AofLayout {
  kind: 'single' | 'multipart';
  /** The manifest read (multipart only). */
  manifest: string | null;
  /** Files to load, in order. */
  parts: AofPart[];
}

async function kindOf(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

async function fromManifest(manifest: string): Promise<AofLayout> {
  let text: string;
  try {
    text = await readFile(manifest, 'latin1');
  } catch (err) {
    throw new AofError('AOF_NOT_FOUND', `cannot read the AOF manifest ${manifest}: ${(err as Error).message}`, null, { cause: err });
  }
  const entries = parseManifest(text, manifest);
  const dir = dirname(manifest);
  const base = entries.filter((e) => e.type === 'base');
  const incr = entries.filter((e) => e.type === 'incr');
  const parts: AofPart[] = [...base, ...incr].map((e) => ({ path: join(dir, e.name), type: e.type, seq: e.seq }));
  if (parts.length === 0) throw new AofError('AOF_BAD_MANIFEST', `${manifest} lists no base or incr file`);
  for (const p of parts) {
    if ((await kindOf(p.path)) !== 'file') {
      throw new AofError('AOF_NOT_FOUND', `${basename(p.path)} listed in ${manifest} (type ${p.type}, seq ${p.seq}) does not exist in ${dir}`);
    }
  }
  return { kind: 'multipart', manifest, parts };
}

export async function resolveAofLayout(path: string): Promise<AofLayout> {
  const kind = await kindOf(path);
  if (kind === null) throw new AofError('AOF_NOT_FOUND', `${path} does not exist`);
  if (kind === 'file') {
    if (path.endsWith('.manifest')) return fromManifest(path);
    return { kind: 'single', manifest: null, parts: [{ path, type: 'single', seq: null }] };
  }
  let dir = path;
  if ((await kindOf(join(path, 'appendonlydir'))) === 'dir') dir = join(path, 'appendonlydir');
  const manifests = (await readdir(dir)).filter((f) => f.endsWith('.manifest') && !f.startsWith('temp-'));
  if (manifests.length === 1) return fromManifest(join(dir, manifests[0]));
  if (manifests.length === 0) {
    // A pre-7.0 data directory: one appendonly.aof (any *.aof) and no manifest.
    const aofs = (await readdir(dir)).filter((f) => f.endsWith('.aof'));
    if (aofs.length === 1) return { kind: 'single', manifest: null, parts: [{ path: join(dir, aofs[0]), type: 'single', seq: null }] };
    throw new AofError(
      'AOF_NOT_FOUND',
      `no *.manifest${aofs.length > 1 ? ` and several *.aof files (${aofs.join(', ')})` : ' and no *.aof file'} in ${dir}: give the path of an AOF file or of a manifest`,
    );
  }
  throw new AofError('AOF_BAD_MANIFEST', `several manifests in ${dir} (${manifests.join(', ')}): give the manifest's path`);
}
