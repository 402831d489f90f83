// Helpers for the cluster tests against a real ZooKeeper: unique roots, sessions that are always closed,
// bounded waits for events and conditions, and the "kill a session from outside" trick.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import * as zookeeper from 'node-zookeeper-client';
import { LeaderElection, type LeaderTerm } from '../../../src/cluster/election.js';
import { isZkError, ZkSession, type SessionCredentials } from '../../../src/cluster/zk-session.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';

/** A fresh zookeeper.root per test: tests never see each other's nodes on the shared server. */
export function uniqueRoot(label: string): string {
  return `/rmqr-test-cluster/${label}-${randomUUID().slice(0, 8)}`;
}

export class Sessions {
  readonly #all: ZkSession[] = [];
  readonly #roots: string[] = [];

  constructor(
    readonly address: string,
    readonly sessionTimeoutMs: number,
  ) {}

  async open(): Promise<ZkSession> {
    const s = await ZkSession.connect({ address: this.address, sessionTimeoutMs: this.sessionTimeoutMs, connectTimeoutMs: 20_000 });
    this.#all.push(s);
    return s;
  }

  /** Registers a root whose tree closeAll() deletes (tests leave nothing on the shared server). */
  track(root: string): string {
    this.#roots.push(root);
    return root;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#all.map((s) => s.close()));
    if (this.#roots.length > 0) await removeTrees(this.address, this.#roots);
  }
}

/**
 * Runs fn on the shared ZooKeeper with sessions of `sessionTimeoutMs` and a fresh root (uniqueRoot(label))
 * they track; then closes every session and removes the root, and prints ZooKeeper's log tail when fn failed.
 */
export async function onSharedZk<T>(label: string, sessionTimeoutMs: number, fn: (sessions: Sessions, root: string) => Promise<T>): Promise<T> {
  const zk = testServers().zookeeper;
  const sessions = new Sessions(zk.connect, sessionTimeoutMs);
  return withLogsOnFailure([{ name: 'zookeeper', logPath: zk.logPath }], async () => {
    try {
      return await fn(sessions, sessions.track(uniqueRoot(label)));
    } finally {
      await sessions.closeAll();
    }
  });
}

/** Deletes each tree (children first) through a fresh session. */
export async function removeTrees(address: string, roots: readonly string[]): Promise<void> {
  const session = await ZkSession.connect({ address, sessionTimeoutMs: 4000, connectTimeoutMs: 20_000 });
  const remove = async (path: string): Promise<void> => {
    let children: string[];
    try {
      children = await session.getChildren(path);
    } catch (err) {
      if (isZkError(err, 'NO_NODE')) return;
      throw err;
    }
    for (const child of children) await remove(`${path}/${child}`);
    await session.remove(path).catch((err: unknown) => {
      if (!isZkError(err, 'NO_NODE')) throw err;
    });
  };
  try {
    for (const root of roots) await remove(root);
  } finally {
    await session.close();
  }
}

export interface Candidate {
  name: string;
  session: ZkSession;
  election: LeaderElection;
  terms: LeaderTerm[];
}

export async function startCandidate(sessions: Sessions, root: string, name: string, sourceId = 'src'): Promise<Candidate> {
  const session = await sessions.open();
  const election = new LeaderElection(session, { root, sourceId, instanceId: name });
  const terms: LeaderTerm[] = [];
  election.on('leader', (t) => terms.push(t));
  await election.start();
  return { name, session, election, terms };
}

/** Resolves with the arguments of the next `event`, or fails after `ms`. */
export function nextEvent<T extends unknown[]>(emitter: EventEmitter, event: string, ms: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, on);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const on = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolvePromise(args as T);
    };
    emitter.once(event, on);
  });
}

/** Polls `probe` every 20 ms until it returns a value other than undefined; fails after `ms`. */
export async function waitFor<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await delay(20);
  }
}

/**
 * Ends `victim`'s session from outside, the way a partition longer than the session timeout would
 * (test-servers.md §5.3): a bare client joins the session with its id and password (undocumented
 * node-zookeeper-client options), which moves it there and drops the victim's connection, and closes it
 * in the same tick; the victim then gets EXPIRED when it reconnects. The victim reconnects at once, so
 * in the rare case it wins the race the kill is repeated. Resolves with the Date.now() at which the
 * successful attempt started.
 */
export async function killSession(address: string, victim: ZkSession): Promise<number> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const startedAt = Date.now();
    await joinAndClose(address, victim.credentials());
    const dead = await waitFor('victim session lost', 5000, () => (victim.alive ? undefined : true)).catch(() => false);
    if (dead) return startedAt;
  }
  throw new Error(`could not kill ZooKeeper session ${victim.sessionId}`);
}

function joinAndClose(address: string, credentials: SessionCredentials): Promise<void> {
  const options: Partial<zookeeper.Option> & { sessionId: Buffer; sessionPassword: Buffer } = {
    sessionTimeout: 4000,
    sessionId: credentials.sessionId,
    sessionPassword: credentials.password,
  };
  const thief = zookeeper.createClient(address, options);
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      thief.close();
      reject(new Error(`joining session ${credentials.sessionId.toString('hex')}: not connected within 10 s`));
    }, 10_000);
    thief.once('connected', () => {
      thief.close();
      thief.once('disconnected', () => {
        clearTimeout(timer);
        resolvePromise();
      });
    });
    // the session is gone already (an earlier attempt ended it)
    thief.once('expired', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    thief.connect();
  });
}
