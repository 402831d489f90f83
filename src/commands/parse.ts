// argv -> CommandBody: canonical name, the args as received, the keys (from the key specs), and
// whether the command is in our table. Unknown commands are kept with their raw args, never dropped.
import type { CommandBody } from '../events/types.js';
import { resolveCommand } from './command-lookup.js';
import type { CommandInfo } from './command-spec.js';
import { commandKeys } from './key-specs.js';

/** Upper-case display name of a command the table does not know (latin1: byte-exact). */
export function unknownCommandName(args: readonly Buffer[], container: CommandInfo | undefined): string {
  if (args.length === 0) return '';
  if (container === undefined) return args[0].toString('latin1').toUpperCase();
  return args.length < 2 ? container.name : `${container.name} ${args[1].toString('latin1').toUpperCase()}`;
}

/** Builds the body for argv already resolved with resolveCommand (the assembler's hot path). */
export function commandBody(info: CommandInfo | undefined, args: Buffer[]): CommandBody {
  if (info === undefined || info.subcommands !== null) {
    return { command: unknownCommandName(args, info), args, keys: [], known: false };
  }
  return { command: info.name, args, keys: commandKeys(info, args), known: true };
}

/** argv (args[0] = command name, any case) -> CommandBody. */
export function parseCommand(args: Buffer[]): CommandBody {
  return commandBody(resolveCommand(args), args);
}
