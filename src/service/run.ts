// Runs the replicator as a long-lived process: logs each (re)sync and checkpoint progress, stops
// gracefully on SIGINT/SIGTERM (a second signal exits at once), exits non-zero on a fatal error.
import type { Config } from '../config/load.js';
import { describeError } from '../errors.js';
import { redactUri } from '../util/redact.js';
import { buildLogger, buildReplicator } from './build.js';

export async function runService(config: Config): Promise<number> {
  const log = buildLogger(config);
  log.info('redis-mq-replicator starting', {
    redis: redactUri(config.str('redis.uri')),
    sink: config.str('sink'),
    deploy: config.str('deploy.model'),
    pid: process.pid,
  });
  for (const [k, v] of config.describe()) log.debug('config', { key: k, value: v });
  const replicator = buildReplicator(config, log);

  replicator.on('sync', (info) => {
    if (info.mode === 'partial') log.info('partial resync accepted (+CONTINUE)', { replid: info.replid, offset: info.offset });
    else log.info('full sync: a snapshot was published', { replid: info.replid, offset: info.offset });
  });
  replicator.on('checkpoint', (cp) => log.debug('checkpoint saved', { replid: cp.replid, offset: cp.offset, db: cp.db }));

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting now; the next start resumes from the last checkpoint`);
      process.exit(130);
    }
    log.info(`${sig} received: stopping (publishing what was read, saving the checkpoint)`);
    void replicator.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    await replicator.open();
    await replicator.done;
    log.info('stopped', { ...(replicator.status().durable ?? {}) });
    return 0;
  } catch (err) {
    log.error(`stopped: ${describeError(err)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
