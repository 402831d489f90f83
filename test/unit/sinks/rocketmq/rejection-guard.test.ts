import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Runs in a child process: node:test installs its own rejection listeners, which would hide the
// difference between "logged" and "process stopped".
const guardModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'src', 'util', 'unhandled-rejection-guard.js')).href;

function run(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { guardUnhandledRejections, fromPackage } from ${JSON.stringify(guardModule)};
    const lines = [];
    const log = { debug() {}, info() {}, error() {}, warn: (m) => { lines.push(m); console.log('LOGGED ' + m); }, child() { return log; } };
    const clientError = (msg) => { const e = new Error(msg); e.stack = 'Error: ' + msg + '\\n    at doHeartbeat (/app/node_modules/rocketmq-client-nodejs/dist/client/BaseClient.js:1:1)'; return e; };
    const release = guardUnhandledRejections('rocketmq-client-nodejs', (r) => fromPackage(r, 'rocketmq-client-nodejs'), log);
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('unhandled-rejection guard: a rejection from the client library is logged and the process goes on', () => {
  const r = run(`
    Promise.reject(clientError('14 UNAVAILABLE: heartbeat failed'));
    setTimeout(() => { console.log('STILL RUNNING'); release(); }, 50);
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /LOGGED ignored an unhandled rejection from rocketmq-client-nodejs: 14 UNAVAILABLE: heartbeat failed/);
  assert.match(r.stdout, /STILL RUNNING/);
});

test('unhandled-rejection guard: any other unhandled rejection still stops the process, as without the guard', () => {
  const r = run(`
    Promise.reject(new Error('a bug of ours'));
    setTimeout(() => console.log('STILL RUNNING'), 200);
  `);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /a bug of ours/);
  assert.doesNotMatch(r.stdout, /STILL RUNNING/);
  // once released, the guard is gone: the library's rejections stop the process again
  const after = run(`
    release();
    Promise.reject(clientError('late'));
    setTimeout(() => console.log('STILL RUNNING'), 200);
  `);
  assert.notEqual(after.status, 0);
  assert.doesNotMatch(after.stdout, /LOGGED|STILL RUNNING/);
});
