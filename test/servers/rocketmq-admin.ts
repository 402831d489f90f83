// Creates RocketMQ topics and FIFO consumer groups with the admin tool's main class (mqadmin), one JVM
// per batch (updateTopicList / updateSubGroupList). mqadmin exits 0 even on failure, so success is
// read from its output, and it is retried while the broker is not yet registered.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execTool, lastLines } from './exec.js';
import { TOOL_JVM_FLAGS, classpathOf, javaCommand } from './java.js';
import { rocketmqEnv, rocketmqJvmFlags } from './rocketmq.js';
import type { RocketmqTopic } from './rocketmq-resources.js';

/** What the admin tool needs to reach a running RocketMQ (a RocketmqServer, or RMQR_SERVERS' rocketmq). */
export interface RocketmqAdminTarget {
  namesrv: string;
  /** Broker remoting address: topics and groups are created on it directly (no cluster lookup). */
  broker: string;
  jarsDir: string;
  /** A writable directory with rmq.logback.xml (the server's dir). */
  dir: string;
}

let batch = 0;

/** Runs one mqadmin sub-command; `doneWhen` ends the JVM as soon as its result is printed. */
export async function mqadmin(target: RocketmqAdminTarget, args: string[], doneWhen?: RegExp): Promise<string> {
  const result = await execTool(
    javaCommand(),
    [...TOOL_JVM_FLAGS, ...rocketmqJvmFlags(target.dir), '-cp', classpathOf(target.jarsDir), 'org.apache.rocketmq.tools.command.MQAdminStartup', ...args],
    { env: rocketmqEnv(target.dir), cwd: target.dir, timeoutMs: 120_000, ...(doneWhen === undefined ? {} : { doneWhen }) },
  );
  if (result.code !== 0) throw new Error(`mqadmin ${args[0] ?? ''} exited ${String(result.code)}:\n${lastLines(result.output)}`);
  return result.output;
}

/**
 * Creates (or updates) the topics with their message type. Call it before any client asks for their
 * routes: the proxy caches "topic does not exist" for a while.
 */
export async function createRocketmqTopics(target: RocketmqAdminTarget, topics: readonly RocketmqTopic[]): Promise<void> {
  if (topics.length === 0) return;
  const file = join(target.dir, `topics-${process.pid}-${++batch}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      topics.map((t) => ({
        topicName: t.name,
        readQueueNums: t.queues ?? 8,
        writeQueueNums: t.queues ?? 8,
        perm: 6, // read + write
        topicFilterType: 'SINGLE_TAG',
        topicSysFlag: 0,
        order: false,
        attributes: { '+message.type': t.type },
      })),
    ),
  );
  await retryAdmin(target, ['updateTopicList', '-n', target.namesrv, '-b', target.broker, '-f', file], 'submit batch of topic config to');
}

/** Creates consumer groups with consumeMessageOrderly=true, which FIFO delivery needs. */
export async function createRocketmqFifoGroups(target: RocketmqAdminTarget, groups: readonly string[]): Promise<void> {
  if (groups.length === 0) return;
  const file = join(target.dir, `groups-${process.pid}-${++batch}.json`);
  writeFileSync(file, JSON.stringify(groups.map((g) => ({ groupName: g, consumeMessageOrderly: true, consumeEnable: true }))));
  await retryAdmin(
    target,
    ['updateSubGroupList', '-n', target.namesrv, '-b', target.broker, '-f', file],
    'submit batch of group config to',
  );
}

async function retryAdmin(target: RocketmqAdminTarget, args: string[], success: string): Promise<void> {
  let output = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    output = await mqadmin(target, args, new RegExp(`${success}.*success`));
    if (output.includes(success)) return;
    // e.g. the broker is still starting: mqadmin printed a stack trace instead
    process.stderr.write(`mqadmin ${args[0] ?? ''} attempt ${attempt} failed:\n${lastLines(output, 10)}\n`);
    await delay(1000);
  }
  throw new Error(`mqadmin ${args.join(' ')} did not succeed after 5 attempts:\n${lastLines(output)}`);
}
