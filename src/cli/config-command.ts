// `redis-mq-replicator config`: prints every configuration key, or checks a config file.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { configReferenceMarkdown, configReferenceText } from '../config/reference.js';
import type { Subcommand } from './main.js';

const HELP = `usage: redis-mq-replicator config [--markdown] [--check FILE [--set key=value ...]]

Without options, lists every configuration key with its default and meaning.
  --markdown      the same as a Markdown table (the README's configuration reference)
  --check FILE    validate a config file (and overrides) and print the effective values, secrets masked`;

export const subcommand: Subcommand = {
  summary: 'list the configuration keys, or check a config file',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { markdown: { type: 'boolean' }, check: { type: 'string' }, set: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    if (values.check !== undefined) {
      const config = loadConfig({ file: values.check, overrides: values.set ?? [] });
      for (const [k, v] of config.describe()) process.stdout.write(`${k} = ${v}\n`);
      return 0;
    }
    process.stdout.write((values.markdown ? configReferenceMarkdown() : configReferenceText()) + '\n');
    return 0;
  },
};
