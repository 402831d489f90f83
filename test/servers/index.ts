// The test servers module: start real servers on 127.0.0.1 from tests, the global setup and by hand.
export { startRedis, RedisServer, reportedVersion, type RedisOptions } from './redis.js';
export { REDIS_SOURCES, DEFAULT_REDIS_PATH, describeRedisBinary, obtainRedisBinaries } from './redis-binaries.js';
export type { RedisBinary, RedisFlavor, MissingServer, ObtainedRedis } from './redis-binaries.js';
export { startKafka, KafkaServer, kafkaClusterId, type KafkaOptions, type KafkaLine } from './kafka.js';
export { startZookeeper, ZookeeperServer, fourLetterWord, type ZookeeperOptions } from './zookeeper.js';
export { startRocketmq, RocketmqServer, ROCKETMQ_CLUSTER, ROCKETMQ_BROKER_NAME, type RocketmqOptions } from './rocketmq.js';
export { createRocketmqTopics, createRocketmqFifoGroups, mqadmin, type RocketmqAdminTarget } from './rocketmq-admin.js';
export { ROCKETMQ_TOPICS, ROCKETMQ_FIFO_GROUPS, type RocketmqTopic, type RocketmqTopicType } from './rocketmq-resources.js';
export { ensureJars, mavenClasspath, type MavenClasspath, type MavenClasspathName } from './maven-jars.js';
export { startTestBed, fetchAll, stopOrphanTestBeds, printLogTails, type TestBed } from './test-bed.js';
export { ServerProcess, type ExitInfo } from './server-process.js';
export { freePort, LOOPBACK } from './ports.js';
export { cacheDir } from './paths.js';
export { tailFile, formatLogTail } from './log-tail.js';
export { redisCall, parseInfo, RespErrorReply, type RespReply } from './resp-call.js';
export type * from './description.js';
