// The command line of the subcommands that read the configuration (replicate, status): --config FILE,
// --set key=value (repeatable), -h/--help, plus their own options; no positionals. A malformed command
// line is a ConfigError CONFIG_BAD_ARGUMENT followed by the subcommand's help.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadConfig, type Config } from '../config/load.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const CONFIG_OPTIONS = {
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

type ConfigArgs<O extends Options> = { args: string[]; options: typeof CONFIG_OPTIONS & O; strict: true; allowPositionals: false };
export type ConfigArgValues<O extends Options> = ReturnType<typeof parseArgs<ConfigArgs<O>>>['values'];

/** Parses argv with the config options and `options`; throws CONFIG_BAD_ARGUMENT with `help`. */
export function parseConfigArgs<O extends Options>(argv: string[], options: O, help: string): ConfigArgValues<O> {
  try {
    return parseArgs({ args: argv, options: { ...CONFIG_OPTIONS, ...options }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError('CONFIG_BAD_ARGUMENT', `${(err as Error).message}\n${help}`);
  }
}

/** The configuration of --config (when given) with `overrides` applied. */
export function configFromArgs(file: string | undefined, overrides: string[]): Config {
  return loadConfig({ ...(file !== undefined ? { file } : {}), overrides });
}
