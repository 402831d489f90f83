// Authentication against a real master of every test-bed version: requirepass with the right and a
// wrong password (library: done rejects with REPL_AUTH_FAILED, naming redis.password, never the
// password; CLI: non-zero exit, one error line, no stack, no password), and ACL users (6.0+): a user
// with exactly +psync +replconf +ping replicates, one without +psync gets a clear permission error.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReplicatorError } from '../../../src/errors.js';
import { runCli } from '../../helpers/cli.js';
import { EventRecorder } from '../../helpers/event-recorder.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { masterOffset } from '../../helpers/redis-master.js';
import type { RedisServer } from '../../servers/redis.js';
import { featuresOf } from './features.js';
import { clientFor, startMaster } from './master.js';

const servers = testServers();
const RIGHT = 'right-pw-7c1e';
const WRONG = 'wrong-pw-93ab';

async function expectFatal(server: RedisServer, endpoint: { username?: string; password?: string }, code: string): Promise<ReplicatorError> {
  const rec = await EventRecorder.open({ redis: { host: server.host, port: server.port, ...endpoint }, replication: { connectTimeoutMs: 3000 } });
  try {
    const err = await rec.replicator.done.then(
      () => assert.fail('done resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ReplicatorError, `a ReplicatorError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(rec.retries.length, 0, 'an auth error is not retried');
    assert.equal(rec.events.length, 0);
    return err;
  } finally {
    await rec.close();
  }
}

for (const r of servers.redis) {
  const f = featuresOf(r);

  test(`${f.label}: requirepass: a wrong password rejects done with REPL_AUTH_FAILED naming redis.password (not the password); the right one replicates`, async () => {
    const master = await startMaster(r, { diskless: true, args: ['--requirepass', RIGHT] });
    try {
      await withLogsOnFailure([master], async () => {
        const err = await expectFatal(master, { password: WRONG }, 'REPL_AUTH_FAILED');
        assert.match(err.message, /redis\.password/);
        assert.ok(!err.message.includes(WRONG), err.message);
        assert.ok(!err.message.includes(RIGHT), err.message);
        const none = await expectFatal(master, {}, 'REPL_AUTH_REQUIRED');
        assert.match(none.message, /redis\.password/);

        const c = clientFor(master, RIGHT);
        const rec = await EventRecorder.open({ redis: `redis://:${RIGHT}@${master.host}:${master.port}`, lingerMs: 1 });
        try {
          await c.connect();
          await rec.waitFor('stream-begin', () => rec.events.some((e) => e.type === 'stream-begin'));
          await c.call('SET', ['authed', 'yes']);
          await rec.waitForOffset(await masterOffset(c));
          assert.equal(rec.events.at(-1)!.type, 'command');
        } finally {
          c.disconnect();
          await rec.close();
        }
      });
    } finally {
      await master.dispose();
    }
  });

  test(`${f.label}: the CLI with a wrong password exits non-zero with a one-line REPL_AUTH_FAILED message and no password`, async () => {
    const master = await startMaster(r, { diskless: true, args: ['--requirepass', RIGHT] });
    const dir = mkdtempSync(join(tmpdir(), 'rmqr-auth-'));
    try {
      await withLogsOnFailure([master], async () => {
        const res = await runCli(
          ['replicate', '--redis', `redis://:${WRONG}@${master.host}:${master.port}`, '--sink', 'stdout', '--checkpoint', join(dir, 'cp.json')],
          { timeoutMs: 20_000 },
        );
        assert.notEqual(res.code, 0);
        assert.equal(res.stdout.length, 0, 'no event published');
        const errorLines = res.stderr.split('\n').filter((l) => /REPL_AUTH_FAILED/.test(l));
        assert.ok(errorLines.length >= 1, res.stderr);
        assert.match(errorLines.at(-1)!, /redis\.password/);
        assert.doesNotMatch(res.stderr, /^\s+at /m, 'no stack trace');
        assert.ok(!res.stderr.includes(WRONG) && !res.stderr.includes(RIGHT), `a password leaked:\n${res.stderr}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await master.dispose();
    }
  });

  if (!f.acl) {
    test(`${f.label}: an ACL user against a master without ACLs (< 6.0) fails with a clear REPL_AUTH_FAILED naming redis.user`, async () => {
      const master = await startMaster(r, { diskless: true, args: ['--requirepass', RIGHT] });
      try {
        await withLogsOnFailure([master], async () => {
          const err = await expectFatal(master, { username: 'repl', password: RIGHT }, 'REPL_AUTH_FAILED');
          assert.match(err.message, /redis\.user/);
          assert.match(err.message, /user "repl"/);
          assert.ok(!err.message.includes(RIGHT), 'the password is not in the message');
        });
      } finally {
        await master.dispose();
      }
    });
    continue;
  }

  test(`${f.label}: ACL user with +psync +replconf +ping replicates; without +psync a clear REPL_NO_PERMISSION [ACL 6.0+]`, async () => {
    const master = await startMaster(r, { diskless: true });
    const admin = clientFor(master);
    try {
      await withLogsOnFailure([master], async () => {
        await admin.connect();
        await admin.call('ACL', ['SETUSER', 'repl', 'on', '>repl-secret', '+psync', '+replconf', '+ping']);
        await admin.call('ACL', ['SETUSER', 'nopsync', 'on', '>other-secret', '+replconf', '+ping']);
        await admin.call('CONFIG', ['SET', 'requirepass', RIGHT]); // the default user needs a password too
        const admin2 = clientFor(master, RIGHT);
        await admin2.connect();

        const rec = await EventRecorder.open({ redis: `redis://repl:repl-secret@${master.host}:${master.port}`, lingerMs: 1 });
        try {
          await rec.waitFor('stream-begin', () => rec.events.some((e) => e.type === 'stream-begin'));
          await admin2.call('SET', ['acl', 'ok']);
          await rec.waitForOffset(await masterOffset(admin2));
          const last = rec.events.at(-1)!;
          assert.ok(last.type === 'command' && last.args[1]!.toString() === 'acl');
        } finally {
          await rec.close();
          admin2.disconnect();
        }

        const err = await expectFatal(master, { username: 'nopsync', password: 'other-secret' }, 'REPL_NO_PERMISSION');
        assert.match(err.message, /\+psync \+replconf \+ping/);
        assert.ok(!err.message.includes('other-secret'));
      });
    } finally {
      admin.disconnect();
      await master.dispose();
    }
  });
}
