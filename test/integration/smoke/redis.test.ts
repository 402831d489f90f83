// Every Redis/Valkey version of the test bed is real: SET/GET over ioredis and `INFO server` reports
// the version its binary announced. A dedicated instance restarts on the same port with its data.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { defaultRedis, testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { parseInfo } from '../../servers/resp-call.js';
import { startRedis } from '../../servers/redis.js';

const servers = testServers();

test('the test bed has Debian Redis 7.0', () => {
  assert.match(defaultRedis().version, /^7\.0\.\d+$/);
});

for (const r of servers.redis) {
  test(`${r.flavor} ${r.version} (${r.source}): SET/GET and INFO server`, async () => {
    await withLogsOnFailure([{ name: `${r.flavor}-${r.version}`, logPath: r.logPath }], async () => {
      const client = new Redis({ host: r.host, port: r.port, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        const key = `rmqr-smoke:${process.pid}`;
        const value = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x41]); // binary-safe, not UTF-8
        assert.equal(await client.set(key, value), 'OK');
        assert.deepEqual(await client.getBuffer(key), value);
        const info = parseInfo(await client.info('server'));
        if (r.flavor === 'valkey') {
          assert.equal(info.get('server_name'), 'valkey');
          assert.equal(info.get('valkey_version'), r.version);
        } else {
          assert.equal(info.get('redis_version'), r.version);
          assert.equal(info.get('valkey_version'), undefined);
        }
        assert.equal(info.get('tcp_port'), String(r.port));
      } finally {
        client.disconnect();
      }
    });
  });
}

// A version the test bed could not obtain shows up as a skipped test with its reason, never silently.
for (const m of servers.missing) {
  test(`${m.name}: not obtained`, { skip: m.reason }, () => undefined);
}

test('a dedicated Redis restarts on the same port and keeps its RDB', async () => {
  const redis = await startRedis({ binary: defaultRedis().binary, args: ['--save', '3600 1'] });
  try {
    await withLogsOnFailure([redis], async () => {
      const client = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      await client.set('survives', 'restart');
      await client.save();
      client.disconnect();
      const firstPid = redis.pid;
      await redis.restart();
      assert.notEqual(redis.pid, firstPid);
      const again = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
      await again.connect();
      assert.equal(await again.get('survives'), 'restart');
      again.disconnect();
    });
  } finally {
    await redis.dispose();
  }
  assert.equal(redis.process.running, false);
  assert.equal(existsSync(redis.dir), false);
});
