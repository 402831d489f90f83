// Waiting on several replicator processes at once, and what the cluster's log lines say.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { ClusterFixture } from './cluster-fixture.js';
import { isLeading } from './cluster-fixture.js';
import { numberField, type LogRecord, type ReplicatorProcess } from './replicator-process.js';

/** election.ts logs it the moment the new term (with its epoch) exists. */
export const ACQUIRED = 'leadership acquired';

export interface Hit {
  process: ReplicatorProcess;
  record: LogRecord;
}

/** The first of `candidates` to log `msg` after its mark; fails after `timeoutMs`. */
export async function waitForAny(candidates: ReadonlyArray<{ process: ReplicatorProcess; from: number }>, msg: string, timeoutMs: number): Promise<Hit> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const c of candidates) {
      const record = c.process.find(msg, c.from)[0];
      if (record !== undefined) return { process: c.process, record };
    }
    if (Date.now() > deadline) {
      throw new Error(`none of ${candidates.map((c) => c.process.name).join(', ')} logged "${msg}" within ${timeoutMs} ms\n${candidates.map((c) => c.process.logTail(15)).join('\n')}`);
    }
    await delay(20);
  }
}

/** The one running instance that leads; fails when there is none or more than one. */
export function theLeader(fixture: ClusterFixture): ReplicatorProcess {
  const leaders = fixture.processes.filter(isLeading);
  assert.equal(leaders.length, 1, `exactly one instance leads (${leaders.map((p) => p.name).join(', ') || 'none'})`);
  return leaders[0]!;
}

/** Epoch of the process's current (last) term. */
export function epochOf(p: ReplicatorProcess): number {
  const acquired = p.find(ACQUIRED);
  const last = acquired[acquired.length - 1];
  if (last === undefined) throw new Error(`${p.name} never led`);
  return numberField(last, 'epoch');
}

/** Session timeout ZooKeeper granted the process's latest session. */
export function negotiatedSessionTimeout(p: ReplicatorProcess): number {
  const sessions = p.find('ZooKeeper session established');
  const last = sessions[sessions.length - 1];
  if (last === undefined) throw new Error(`${p.name} never had a ZooKeeper session`);
  return numberField(last, 'sessionTimeoutMs');
}

/**
 * `status` (text and --json) names `leader` (instance id and pid) and `epoch`, and lists `candidates`
 * (instance ids, leader first).
 */
export async function assertStatusShows(fixture: ClusterFixture, leader: ReplicatorProcess, epoch: number, candidates: readonly string[]): Promise<void> {
  const json = await fixture.statusCli(true);
  assert.equal(json.code, 0, `status --json failed: ${json.stderr}`);
  const doc = JSON.parse(json.stdout.toString('utf8')) as {
    leader?: { instanceId?: string; pid?: number };
    epoch: number | null;
    candidates: Array<{ instanceId?: string }>;
  };
  assert.equal(doc.leader?.instanceId, leader.name, `status --json leader: ${json.stdout.toString()}`);
  assert.equal(doc.leader?.pid, leader.pid, 'status --json leader pid');
  assert.equal(doc.epoch, epoch, 'status --json epoch');
  assert.deepEqual(doc.candidates.map((c) => c.instanceId).sort(), [...candidates].sort(), 'status --json candidates');
  assert.equal(doc.candidates[0]?.instanceId, leader.name, 'status --json: the leader is the first candidate');

  const text = await fixture.statusCli(false);
  assert.equal(text.code, 0, `status failed: ${text.stderr}`);
  const out = text.stdout.toString('utf8');
  assert.match(out, new RegExp(`^leader +${leader.name} host \\S+ pid ${leader.pid} `, 'm'), `status text:\n${out}`);
  assert.match(out, new RegExp(`^epoch +${epoch}$`, 'm'), `status text:\n${out}`);
  assert.match(out, new RegExp(`^candidates +${candidates.length}$`, 'm'), `status text:\n${out}`);
}
