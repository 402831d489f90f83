// npm run servers:start | servers:stop, and `fetch` for .ci/run:
//   node dist/test/servers/cli.js start   starts every test server, prints ONE JSON line on stdout, exits
//                                          leaving them running
//   node dist/test/servers/cli.js stop    stops the servers of every test bed whose owner is gone
//   node dist/test/servers/cli.js fetch   downloads jars and wheels into the cache (no server started)
// Progress goes to stderr, so stdout stays machine-readable.
import { fetchAll, startTestBed, stopOrphanTestBeds } from './test-bed.js';

const log = (line: string): void => {
  process.stderr.write(`[servers] ${line}\n`);
};

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'start': {
      const t0 = Date.now();
      const bed = await startTestBed({ detached: true, log });
      bed.release();
      log(`all servers ready in ${Date.now() - t0} ms; stop them with: npm run servers:stop`);
      process.stdout.write(`${JSON.stringify(bed.description)}\n`);
      return 0;
    }
    case 'stop': {
      const n = await stopOrphanTestBeds(log);
      log(n === 0 ? 'no test servers to stop' : `stopped ${n} test bed(s)`);
      return 0;
    }
    case 'fetch': {
      const t0 = Date.now();
      await fetchAll(log);
      log(`fetch done in ${Date.now() - t0} ms`);
      return 0;
    }
    default:
      process.stderr.write('usage: node dist/test/servers/cli.js start|stop|fetch\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    log(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
