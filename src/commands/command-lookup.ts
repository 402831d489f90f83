// Case-insensitive lookup of argv[0] (and argv[1] for containers) in the command table, without
// turning the name into a string: names are hashed byte by byte (ASCII-lower-cased, FNV-1a) into a
// Map of small integers, and the candidate is confirmed byte by byte.
import { equalsIgnoreCase } from './bytes.js';
import { compileCommand, type CommandInfo, type RawCommand } from './command-spec.js';
import { RAW_COMMANDS } from './table.js';

interface Slot {
  lower: string;
  info: CommandInfo;
}

/** Longest top-level name in the table is ~30 bytes; anything longer is unknown. */
const MAX_NAME = 64;

function hashLower(buf: Buffer): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < buf.length; i++) {
    let c = buf[i];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

function hashString(lower: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < lower.length; i++) h = Math.imul(h ^ lower.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const byKey = new Map<string, CommandInfo>();
const byHash = new Map<number, Slot[]>();
/** Subcommands of each container, as a short list (matched linearly: at most ~30). */
const subSlots = new Map<CommandInfo, Slot[]>();

function build(): void {
  const raw = RAW_COMMANDS as Record<string, RawCommand>;
  const subsOf = new Map<string, [string, RawCommand][]>();
  for (const [key, entry] of Object.entries(raw)) {
    const bar = key.indexOf('|');
    if (bar < 0) continue;
    const container = key.slice(0, bar);
    let list = subsOf.get(container);
    if (!list) subsOf.set(container, (list = []));
    list.push([key, entry]);
  }
  for (const [key, entry] of Object.entries(raw)) {
    if (key.includes('|')) continue;
    const subs = subsOf.get(key);
    let subMap: Map<string, CommandInfo> | null = null;
    const slots: Slot[] = [];
    if (subs) {
      subMap = new Map();
      for (const [subKey, subEntry] of subs) {
        const info = compileCommand(subKey, subEntry, null);
        const lower = subKey.slice(key.length + 1);
        subMap.set(lower, info);
        byKey.set(subKey, info);
        slots.push({ lower, info });
      }
    }
    const info = compileCommand(key, entry, subMap);
    byKey.set(key, info);
    if (subs) subSlots.set(info, slots);
    const h = hashString(key);
    const bucket = byHash.get(h);
    if (bucket) bucket.push({ lower: key, info });
    else byHash.set(h, [{ lower: key, info }]);
  }
}
build();

/** The top-level command named by `name` (any case), or undefined. */
export function findCommand(name: Buffer): CommandInfo | undefined {
  if (name.length > MAX_NAME) return undefined;
  const bucket = byHash.get(hashLower(name));
  if (bucket === undefined) return undefined;
  for (let i = 0; i < bucket.length; i++) if (equalsIgnoreCase(name, bucket[i].lower)) return bucket[i].info;
  return undefined;
}

/** The subcommand `sub` (any case) of a container, or undefined. */
export function findSubcommand(container: CommandInfo, sub: Buffer): CommandInfo | undefined {
  const slots = subSlots.get(container);
  if (slots === undefined) return undefined;
  for (let i = 0; i < slots.length; i++) if (equalsIgnoreCase(sub, slots[i].lower)) return slots[i].info;
  return undefined;
}

/**
 * The table entry for argv: the subcommand's entry for containers. Returns the container's own entry
 * (whose `subcommands` is not null) when the subcommand is missing or unknown, undefined when the
 * command is unknown.
 */
export function resolveCommand(args: readonly Buffer[]): CommandInfo | undefined {
  if (args.length === 0) return undefined;
  const top = findCommand(args[0]);
  if (top === undefined || top.subcommands === null || args.length < 2) return top;
  return findSubcommand(top, args[1]) ?? top;
}

/** Entry by name: 'set', 'SET', 'XGROUP CREATE', 'xgroup|create'. */
export function getCommand(name: string): CommandInfo | undefined {
  return byKey.get(name.toLowerCase().trim().replace(/\s+/, '|'));
}

/** Every entry (top-level and subcommands), in table order. */
export function allCommands(): IterableIterator<CommandInfo> {
  return byKey.values();
}
