// Runs the replicator as a long-lived process. Single mode: one Replicator with a checkpoint file.
// Cluster mode: this instance joins the ZooKeeper election and replicates only while it leads (see
// cluster-run.ts). Logs each (re)sync, stops gracefully on SIGINT/SIGTERM (a second signal exits at
// once), exits non-zero on a fatal error.
import type { Config } from '../config/load.js';
import { describeError } from '../errors.js';
import type { Replicator } from '../pipeline/replicator.js';
import type { Logger } from '../util/logger.js';
import { redactUri } from '../util/redact.js';
import { buildLogger, buildReplicator } from './build.js';
import { ClusterRun } from './cluster-run.js';
import { logReplicator, type ServiceRun } from './service-run.js';

export async function runService(config: Config): Promise<number> {
  const log = buildLogger(config);
  log.info('redis-mq-replicator starting', {
    redis: redactUri(config.str('redis.uri')),
    sink: config.str('sink'),
    deploy: config.str('deploy.model'),
    pid: process.pid,
  });
  for (const [k, v] of config.describe()) log.debug('config', { key: k, value: v });
  const service: ServiceRun = config.str('deploy.model') === 'cluster' ? new ClusterRun(config, log) : new SingleRun(config, log);

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting now; the next start resumes from the last checkpoint`);
      process.exit(130);
    }
    log.info(`${sig} received: stopping (publishing what was read, saving the checkpoint)`);
    service.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await service.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

class SingleRun implements ServiceRun {
  private readonly replicator: Replicator;

  constructor(
    config: Config,
    private readonly log: Logger,
  ) {
    this.replicator = buildReplicator(config, log);
    logReplicator(this.replicator, log);
  }

  async run(): Promise<number> {
    try {
      await this.replicator.open();
      await this.replicator.done;
      this.log.info('stopped', { ...(this.replicator.status().durable ?? {}) });
      return 0;
    } catch (err) {
      this.log.error(`stopped: ${describeError(err)}`);
      return 1;
    }
  }

  stop(): void {
    void this.replicator.close();
  }
}
