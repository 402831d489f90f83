// consumer/dispatch.ts KeyedScheduler: bounded concurrency, per-key order, barriers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedScheduler } from '../../../src/consumer/dispatch.js';
import { prng } from '../../helpers/chunkings.js';
import { deferred, sleep } from './fake-source.js';

interface Trace {
  events: Array<{ id: number; what: 'start' | 'end' }>;
  running: Set<number>;
  maxRunning: number;
}

function traced(trace: Trace, id: number, keys: readonly string[] | null, runningKeys: Map<string, number>, delayMs: number) {
  return async (): Promise<void> => {
    for (const k of keys ?? []) {
      assert.equal(runningKeys.get(k), undefined, `job ${id} started while job ${runningKeys.get(k)} holds key ${k}`);
      runningKeys.set(k, id);
    }
    if (keys === null) assert.equal(trace.running.size, 0, `barrier ${id} started while ${[...trace.running].join(',')} run`);
    trace.running.add(id);
    trace.maxRunning = Math.max(trace.maxRunning, trace.running.size);
    trace.events.push({ id, what: 'start' });
    await sleep(delayMs);
    trace.events.push({ id, what: 'end' });
    trace.running.delete(id);
    for (const k of keys ?? []) runningKeys.delete(k);
  };
}

describe('KeyedScheduler', () => {
  it('runs each key in submission order under concurrency with random delays, never two of a key at once', async () => {
    const rnd = prng(7);
    const s = new KeyedScheduler(8);
    const trace: Trace = { events: [], running: new Set(), maxRunning: 0 };
    const runningKeys = new Map<string, number>();
    const jobs: Array<{ id: number; keys: string[] }> = [];
    const all: Promise<void>[] = [];
    for (let id = 0; id < 600; id++) {
      const n = rnd() < 0.1 ? 2 : 1; // some multi-key jobs
      const keys = Array.from({ length: n }, () => `k${Math.floor(rnd() * 12)}`);
      const uniq = [...new Set(keys)];
      jobs.push({ id, keys: uniq });
      const d = deferred();
      all.push(d.promise);
      s.submit(uniq, traced(trace, id, uniq, runningKeys, Math.floor(rnd() * 3)), (failed, err) => (failed ? d.reject(err) : d.resolve()));
    }
    await Promise.all(all);
    assert.ok(trace.maxRunning > 1 && trace.maxRunning <= 8, `max running ${trace.maxRunning}`);
    const startOrder = trace.events.filter((e) => e.what === 'start').map((e) => e.id);
    for (let k = 0; k < 12; k++) {
      const ofKey = jobs.filter((j) => j.keys.includes(`k${k}`)).map((j) => j.id);
      assert.deepEqual(startOrder.filter((id) => ofKey.includes(id)), ofKey, `order of key k${k}`);
    }
    assert.equal(s.inFlight, 0);
    assert.equal(s.queued, 0);
  });

  it('starts a barrier after everything before it and everything after it after the barrier', async () => {
    const s = new KeyedScheduler(4);
    const trace: Trace = { events: [], running: new Set(), maxRunning: 0 };
    const runningKeys = new Map<string, number>();
    const done: Promise<void>[] = [];
    const submit = (id: number, keys: string[] | null, delay: number): void => {
      const d = deferred();
      done.push(d.promise);
      s.submit(keys, traced(trace, id, keys, runningKeys, delay), (failed, err) => (failed ? d.reject(err) : d.resolve()));
    };
    submit(0, ['a'], 20);
    submit(1, ['b'], 5);
    submit(2, null, 1); // barrier
    submit(3, ['c'], 1);
    submit(4, ['a'], 1);
    submit(5, null, 1);
    submit(6, ['d'], 1);
    await Promise.all(done);
    const pos = (id: number, what: 'start' | 'end'): number => trace.events.findIndex((e) => e.id === id && e.what === what);
    assert.ok(pos(2, 'start') > pos(0, 'end') && pos(2, 'start') > pos(1, 'end'));
    assert.ok(pos(3, 'start') > pos(2, 'end') && pos(4, 'start') > pos(2, 'end'));
    assert.ok(pos(5, 'start') > pos(3, 'end') && pos(5, 'start') > pos(4, 'end'));
    assert.ok(pos(6, 'start') > pos(5, 'end'));
    // 3 and 4 (different keys, after the same barrier) ran concurrently
    assert.ok(pos(4, 'start') < pos(3, 'end'));
  });

  it('lets a later job of another key overtake a blocked one', async () => {
    const s = new KeyedScheduler(2);
    const gate = deferred();
    const order: string[] = [];
    s.submit(['a'], () => gate.promise.then(() => void order.push('a1')), () => undefined);
    s.submit(['a'], () => void order.push('a2'), () => undefined);
    s.submit(['b'], () => void order.push('b1'), () => undefined);
    await sleep(1);
    assert.deepEqual(order, ['b1']);
    gate.resolve();
    await sleep(1);
    assert.deepEqual(order, ['b1', 'a1', 'a2']);
  });

  it('runs 200 000 synchronous jobs without growing the stack', () => {
    const s = new KeyedScheduler(1);
    let n = 0;
    let completed = 0;
    for (let i = 0; i < 200_000; i++) s.submit(['k'], () => void n++, (failed) => void (failed ? 0 : completed++));
    assert.equal(n, 200_000);
    assert.equal(completed, 200_000);
  });

  it('reports a failing job to its done callback and goes on with jobs that do not wait on it', async () => {
    const s = new KeyedScheduler(1);
    const results: Array<[boolean, unknown]> = [];
    s.submit(['k'], () => {
      throw new Error('sync boom');
    }, (f, e) => void results.push([f, e]));
    s.submit(['k'], () => Promise.reject(new Error('async boom')), (f, e) => void results.push([f, e]));
    await sleep(1);
    s.submit(['k'], () => undefined, (f, e) => void results.push([f, e]));
    assert.equal(results.length, 3);
    assert.equal(results[0]![0], true);
    assert.match((results[0]![1] as Error).message, /sync boom/);
    assert.equal(results[1]![0], true);
    assert.match((results[1]![1] as Error).message, /async boom/);
    assert.deepEqual(results[2], [false, undefined]);
  });

  it('fails the jobs waiting on a failed job without running them, and runs the others', async () => {
    const s = new KeyedScheduler(4);
    const gate = deferred();
    const ran: string[] = [];
    const results: string[] = [];
    const done = (name: string) => (failed: boolean, err: unknown) => void results.push(failed ? `${name}:${(err as Error).message}` : `${name}:ok`);
    s.submit(['a'], () => gate.promise, done('a1'));
    s.submit(['a'], () => void ran.push('a2'), done('a2'));
    s.submit(['a', 'b'], () => void ran.push('ab'), done('ab'));
    s.submit(['b'], () => void ran.push('b2'), done('b2'));
    s.submit(['c'], () => void ran.push('c'), done('c'));
    gate.reject(new Error('listener failed'));
    await sleep(1);
    assert.deepEqual(ran, ['c']);
    assert.deepEqual(results, ['c:ok', 'a1:listener failed', 'a2:listener failed', 'ab:listener failed', 'b2:listener failed']);
    assert.equal(s.queued, 0);
    s.submit(['b'], () => void ran.push('b3'), done('b3'));
    assert.deepEqual(ran, ['c', 'b3'], 'the key is free again');
  });

  it('abort fails the jobs not started and lets running ones finish', async () => {
    const s = new KeyedScheduler(1);
    const gate = deferred();
    const results: string[] = [];
    s.submit(['a'], () => gate.promise, (f) => void results.push(f ? 'a:failed' : 'a:ok'));
    s.submit(['a'], () => void results.push('a2:ran'), (f, e) => void results.push(f ? `a2:${(e as Error).message}` : 'a2:ok'));
    s.submit(null, () => void results.push('barrier:ran'), (f) => void results.push(f ? 'barrier:failed' : 'barrier:ok'));
    assert.equal(s.queued, 2);
    s.abort(new Error('stopped'));
    assert.deepEqual(results, ['a2:stopped', 'barrier:failed']);
    gate.resolve();
    await sleep(1);
    assert.deepEqual(results, ['a2:stopped', 'barrier:failed', 'a:ok']);
    // still usable afterwards
    s.submit(['a'], () => void results.push('a3:ran'), () => undefined);
    assert.equal(results.at(-1), 'a3:ran');
  });
});
