// `redis-mq-replicator replicate`: connects to the master as a replica and publishes every event.
import { runService } from '../service/run.js';
import { configFromArgs, parseConfigArgs } from './config-args.js';
import type { Subcommand } from './main.js';

const HELP = `usage: redis-mq-replicator replicate [--config FILE] [--set key=value ...] [--redis URI]
                                     [--sink stdout|file|kafka|rocketmq] [--checkpoint FILE]

Replicates a Redis/Valkey master (RDB snapshot, then the command stream) and publishes every event.
  --config FILE      ini file (conf/replicator.conf); without it every key has its default
  --set key=value    override any configuration key (repeatable; applied after the file)
  --redis URI        shorthand for --set redis.uri=URI
  --sink NAME        shorthand for --set sink=NAME
  --checkpoint FILE  shorthand for --set checkpoint.file=FILE
Stops gracefully on SIGINT/SIGTERM; the next start resumes from the checkpoint with PSYNC.`;

export const subcommand: Subcommand = {
  summary: 'replicate a Redis/Valkey master and publish its events (the service)',
  async run(argv) {
    const v = parseConfigArgs(argv, { redis: { type: 'string' }, sink: { type: 'string' }, checkpoint: { type: 'string' } }, HELP);
    if (v.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const overrides = [...(v.set ?? [])];
    if (v.redis !== undefined) overrides.push(`redis.uri=${v.redis}`);
    if (v.sink !== undefined) overrides.push(`sink=${v.sink}`);
    if (v.checkpoint !== undefined) overrides.push(`checkpoint.file=${v.checkpoint}`);
    return runService(configFromArgs(v.config, overrides));
  },
};
