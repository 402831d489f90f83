// The test bed as JSON: printed by servers:start and passed to integration tests in RMQR_SERVERS.

import type { RedisFlavor, MissingServer } from './redis-binaries.js';
import type { RocketmqTopic } from './rocketmq-resources.js';

export interface RedisDescription {
  version: string;
  flavor: RedisFlavor;
  host: string;
  port: number;
  /** The server binary, to start a dedicated instance of this version (startRedis({binary})). */
  binary: string;
  source: string;
  logPath: string;
}

export interface KafkaDescription {
  bootstrap: string;
  version: string;
  host: string;
  port: number;
  controllerPort: number;
  /** Jar dir of this version, to start a dedicated broker. */
  jarsDir: string;
  dir: string;
  logPath: string;
}

export interface RocketmqDescription {
  namesrv: string;
  /** gRPC endpoint of the proxy (rocketmq-client-nodejs `endpoints`). */
  proxy: string;
  version: string;
  broker: string;
  clusterName: string;
  brokerName: string;
  topics: RocketmqTopic[];
  fifoGroups: string[];
  jarsDir: string;
  /** Server dir (configs, rmq.logback.xml): what createRocketmqTopics() needs as its target. */
  dir: string;
  logPaths: string[];
}

export interface ZookeeperDescription {
  connect: string;
  version: string;
  host: string;
  port: number;
  logPath: string;
}

export interface ServersDescription {
  redis: RedisDescription[];
  /** Redis/Valkey versions that could not be obtained, with the reason. */
  missing: MissingServer[];
  kafka: KafkaDescription;
  rocketmq: RocketmqDescription;
  zookeeper: ZookeeperDescription;
  runDir: string;
  cacheDir: string;
  /** Time from spawn to "really serves", per server, in ms. */
  startMs: Record<string, number>;
}

/** One running server process, as servers:stop finds it again (pid + kernel start time). */
export interface ProcessRecord {
  name: string;
  pid: number;
  startTicks: number | undefined;
  group: boolean;
}

/** `<runDir>/state.json` */
export interface RunState {
  ownerPid: number;
  ownerStartTicks: number | undefined;
  processes: ProcessRecord[];
  description?: ServersDescription;
}
