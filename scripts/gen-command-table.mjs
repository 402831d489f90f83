#!/usr/bin/env node
// Generates src/commands/table.ts: the union of the command tables of Redis and Valkey, read from the
// servers' own src/commands/*.json (the files Redis generates commands.def from).
//
// usage:
//   node scripts/gen-command-table.mjs [--out src/commands/table.ts] [--exclude GLOB]...
//        [--module <slug>:<dir>=<git-dir>]... <slug>[:<prefix>]=<git-dir-or-dir> ...
//
//   <slug>          owner/name of the repository (recorded in the header with the commit read)
//   <prefix>        folder holding src/commands inside the repository (a vendored copy), default ''
//   <git-dir>       a (bare) git directory, read at HEAD with git; or a plain checkout directory
//   --exclude GLOB  command names to leave out (e.g. SLOTS* for the commands a fork added)
//   --module        a module shipped with Redis (vector-sets): names and arity from <dir>/commands.json,
//                   flags and key positions from the RedisModule_CreateCommand calls in <dir>/*.c
//
// Sources are read in the order given: when a command exists in several, the first one wins (list the
// newest Redis first); the families ('redis', 'valkey') each command appears in are recorded.
// scripts/gen-command-table.extra.json adds commands newer than every source (documented there).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

function fail(msg) {
  process.stderr.write(`gen-command-table: ${msg}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const out = { out: resolve(HERE, '..', 'src', 'commands', 'table.ts'), exclude: [], sources: [], modules: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out.out = resolve(argv[++i] ?? fail('--out needs a path'));
    else if (a === '--exclude') out.exclude.push(argv[++i] ?? fail('--exclude needs a glob'));
    else if (a === '--module') out.modules.push(parseSource(argv[++i] ?? fail('--module needs a source')));
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 20).join('\n') + '\n');
      process.exit(0);
    } else out.sources.push(parseSource(a));
  }
  if (out.sources.length === 0) fail('no source given (see --help)');
  return out;
}

function parseSource(spec) {
  const eq = spec.indexOf('=');
  if (eq < 0) fail(`bad source "${spec}": expected <slug>[:<prefix>]=<dir>`);
  const [slug, prefix = ''] = spec.slice(0, eq).split(':');
  const dir = resolve(spec.slice(eq + 1));
  if (!existsSync(dir)) fail(`${dir} does not exist`);
  const family = /valkey/i.test(slug) ? 'valkey' : 'redis';
  return { slug, prefix: prefix.replace(/\/$/, ''), dir, family };
}

/** Reads files from a bare git dir at HEAD, or from a plain directory. */
function openRepo(src) {
  const isGit = existsSync(join(src.dir, 'HEAD')) && existsSync(join(src.dir, 'objects'));
  if (!isGit) {
    return {
      commit: 'worktree',
      list: (folder) => (existsSync(join(src.dir, folder)) ? readdirSync(join(src.dir, folder)).map((f) => `${folder}/${f}`) : []),
      read: (paths) => paths.map((p) => readFileSync(join(src.dir, p), 'utf8')),
    };
  }
  const git = (args, input) =>
    execFileSync('git', ['--git-dir', src.dir, ...args], { input, maxBuffer: 1 << 28 });
  const commit = git(['rev-parse', 'HEAD']).toString().trim();
  return {
    commit,
    list: (folder) =>
      git(['ls-tree', '--name-only', commit, `${folder}/`])
        .toString()
        .split('\n')
        .filter(Boolean),
    read: (paths) => {
      const raw = git(['cat-file', '--batch'], paths.map((p) => `${commit}:${p}\n`).join(''));
      const texts = [];
      let pos = 0;
      for (const p of paths) {
        const nl = raw.indexOf(10, pos);
        const header = raw.subarray(pos, nl).toString();
        const size = Number(header.split(' ')[2]);
        if (!Number.isFinite(size)) fail(`cannot read ${p}: ${header}`);
        texts.push(raw.subarray(nl + 1, nl + 1 + size).toString('utf8'));
        pos = nl + 1 + size + 1;
      }
      return texts;
    },
  };
}

const globToRegExp = (g) => new RegExp('^' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$', 'i');

// ------------------------------------------------------------------------------------------------
// JSON -> compact raw entries (the format is documented in src/commands/command-spec.ts)

function compactKeySpec(ks, where) {
  const out = { f: (ks.flags ?? []).join(' ') };
  const bs = ks.begin_search ?? {};
  if (bs.index) out.i = bs.index.pos;
  else if (bs.keyword) out.kw = [bs.keyword.keyword, bs.keyword.startfrom];
  else if ('unknown' in bs) out.bu = 1;
  else fail(`${where}: unsupported begin_search ${JSON.stringify(bs)}`);
  const fk = ks.find_keys ?? {};
  if (fk.range) out.r = [fk.range.lastkey, fk.range.step, fk.range.limit];
  else if (fk.keynum) out.n = [fk.keynum.keynumidx, fk.keynum.firstkey, fk.keynum.step];
  else if ('unknown' in fk) out.fu = 1;
  else fail(`${where}: unsupported find_keys ${JSON.stringify(fk)}`);
  return out;
}

function compactCommand(name, def, where) {
  const e = { g: def.group, a: def.arity, f: (def.command_flags ?? []).join(' ') };
  if (def.since) e.s = def.since;
  if (def.deprecated_since) e.d = def.deprecated_since;
  if (def.key_specs?.length) e.k = def.key_specs.map((ks, i) => compactKeySpec(ks, `${where} key_specs[${i}]`));
  return e;
}

/** Table key: lower-case name, 'container|sub' for subcommands. */
function tableKey(name, def) {
  return def.container ? `${def.container.toLowerCase()}|${name.toLowerCase()}` : name.toLowerCase();
}

const table = new Map(); // key -> { entry, families:Set, from }
const differences = [];

function addEntry(key, entry, family, from) {
  const have = table.get(key);
  if (!have) {
    table.set(key, { entry, families: new Set([family]), from });
    return;
  }
  have.families.add(family);
  const a = JSON.stringify({ ...have.entry, s: undefined, d: undefined });
  const b = JSON.stringify({ ...entry, s: undefined, d: undefined });
  if (a !== b) differences.push(`${key}: ${have.from} ${a}\n      ${from} ${b}`);
}

const args = parseArgs(process.argv.slice(2));
const excluded = args.exclude.map(globToRegExp);
const provenance = [];

for (const src of args.sources) {
  const repo = openRepo(src);
  const folder = src.prefix ? `${src.prefix}/src/commands` : 'src/commands';
  const files = repo.list(folder).filter((p) => p.endsWith('.json'));
  if (files.length === 0) fail(`no ${folder}/*.json in ${src.dir}`);
  const texts = repo.read(files);
  let count = 0;
  files.forEach((file, idx) => {
    const doc = JSON.parse(texts[idx]);
    for (const [name, def] of Object.entries(doc)) {
      const top = def.container ?? name;
      if (excluded.some((re) => re.test(top))) continue;
      addEntry(tableKey(name, def), compactCommand(name, def, file), src.family, `${src.slug}`);
      count++;
    }
  });
  provenance.push(`${src.slug}@${repo.commit} ${folder}/*.json (${count} commands)`);
}

for (const mod of args.modules) {
  const repo = openRepo(mod);
  const folder = mod.prefix;
  const files = repo.list(folder);
  const [docText] = repo.read([`${folder}/commands.json`]);
  const docs = JSON.parse(docText);
  const cFiles = files.filter((f) => f.endsWith('.c'));
  const registrations = new Map();
  // RedisModule_CreateCommand(ctx, "VADD", VADD_RedisCommand, "write deny-oom", 1, 1, 1)
  const re = /RedisModule_CreateCommand\(\s*ctx\s*,\s*"([^"]+)"\s*,\s*\w+\s*,\s*"([^"]*)"\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*,\s*(-?\d+)\s*\)/g;
  for (const text of repo.read(cFiles)) {
    for (const m of text.matchAll(re)) registrations.set(m[1].toUpperCase(), { flags: m[2], first: +m[3], last: +m[4], step: +m[5] });
  }
  let count = 0;
  for (const [name, def] of Object.entries(docs)) {
    const reg = registrations.get(name.toUpperCase());
    if (!reg) fail(`module command ${name} has no RedisModule_CreateCommand call in ${folder}`);
    const flags = reg.flags.split(/\s+/).filter(Boolean).map((f) => f.toUpperCase().replace(/-/g, ''));
    const e = { g: def.group, a: def.arity, f: flags.join(' ') };
    if (def.since) e.s = def.since;
    if (reg.first > 0) {
      // Legacy (first, last, step) key positions, as Redis turns them into a key spec (populateCommandLegacyRangeSpec).
      const write = flags.includes('WRITE');
      e.k = [{ f: write ? 'RW ACCESS UPDATE' : 'RO ACCESS', i: reg.first, r: [reg.last >= 0 ? reg.last - reg.first : reg.last, reg.step, 0] }];
    }
    addEntry(name.toLowerCase(), e, mod.family, mod.slug);
    count++;
  }
  provenance.push(`${mod.slug}@${repo.commit} ${folder}/commands.json + *.c (${count} module commands)`);
}

const extraPath = join(HERE, 'gen-command-table.extra.json');
if (existsSync(extraPath)) {
  const extra = JSON.parse(readFileSync(extraPath, 'utf8'));
  let count = 0;
  for (const item of extra.commands) {
    for (const [name, def] of Object.entries(item.json)) {
      const key = tableKey(name, def);
      if (table.has(key)) continue; // a source already has it: the server's own file wins
      addEntry(key, compactCommand(name, def, extraPath), item.family, item.from);
      count++;
    }
  }
  provenance.push(`scripts/gen-command-table.extra.json (${count} commands newer than the sources above)`);
}

// Containers: every key 'c|sub' needs a 'c' entry flagged as a container.
const containers = new Set([...table.keys()].filter((k) => k.includes('|')).map((k) => k.split('|')[0]));
for (const c of containers) {
  const have = table.get(c);
  if (!have) fail(`subcommands of ${c} without a container entry`);
  have.entry.c = 1;
}

// ------------------------------------------------------------------------------------------------
// Emit

const allFamilies = new Set(args.sources.map((s) => s.family));
function literal(v) {
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`;
  if (v && typeof v === 'object') {
    return `{ ${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${k}: ${literal(x)}`)
      .join(', ')} }`;
  }
  return typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v);
}

const keys = [...table.keys()].sort();
const lines = [];
for (const key of keys) {
  const { entry, families } = table.get(key);
  const e = { ...entry };
  if (families.size < allFamilies.size) e.fam = [...families][0];
  lines.push(`  ${literal(key)}: ${literal(e)},`);
}

const header = [
  `// generated by scripts/gen-command-table.mjs from`,
  ...provenance.map((p) => `//   ${p}`),
  `// do not edit: run \`npm run gen:commands\` (see the script header for the sources).`,
  `// Format: src/commands/command-spec.ts (RawCommand). ${keys.length} entries.`,
];
const text = `${header.join('\n')}
import type { RawCommandTable } from './command-spec.js';

export const COMMAND_SOURCES: readonly string[] = ${literal(provenance)};

export const RAW_COMMANDS = {
${lines.join('\n')}
} satisfies RawCommandTable;
`;
writeFileSync(args.out, text);
process.stderr.write(`gen-command-table: ${keys.length} entries -> ${args.out}\n`);
if (differences.length) {
  process.stderr.write(`gen-command-table: ${differences.length} commands differ between sources (first source kept):\n`);
  for (const d of differences) process.stderr.write(`  ${d}\n`);
}
