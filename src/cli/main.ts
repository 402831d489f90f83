// Entry point of bin/redis-mq-replicator: dispatches to one module per subcommand.
import { describeError } from '../errors.js';

export interface Subcommand {
  /** One line for the usage text. */
  summary: string;
  /** Runs the subcommand; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

type Loader = () => Promise<{ subcommand: Subcommand }>;

// Each subcommand lives in its own file and is loaded only when used.
const SUBCOMMANDS: Record<string, Loader> = {
  rdb: () => import('./rdb-command.js'),
  replicate: () => import('./replicate-command.js'),
  config: () => import('./config-command.js'),
  aof: () => import('./aof-command.js'),
  status: () => import('./status-command.js'),
};

async function usage(): Promise<string> {
  const lines = ['usage: redis-mq-replicator <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(SUBCOMMANDS)) {
    lines.push(`  ${name.padEnd(10)} ${(await load()).subcommand.summary}`);
  }
  lines.push('', 'Run "redis-mq-replicator <command> --help" for the options of a command.');
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await usage()) + '\n');
    return name === undefined ? 2 : 0;
  }
  const load = SUBCOMMANDS[name];
  if (!load) {
    process.stderr.write(`redis-mq-replicator: unknown command "${name}"\n${await usage()}\n`);
    return 2;
  }
  return (await load()).subcommand.run(rest);
}

// A reader that goes away (`| head`) is not an error: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`redis-mq-replicator: cannot write to stdout: ${err.message}\n`);
  process.exit(1);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One line, no stack trace: the message names the problem and the fix.
    process.stderr.write(`redis-mq-replicator: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
