import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../base/clock.js';
import { SchedulingQueue } from './scheduling-queue.js';
import type { ClusterEvent } from '../framework/types.js';
import { makePod } from '../testing/fixtures.js';

const newQueue = (clock = new FakeClock()) => ({
  clock,
  q: new SchedulingQueue({ clock, pluginEvents: new Map<string, Set<ClusterEvent>>([['NodeResourcesFit', new Set(['NodeAdd', 'AssignedPodDelete'])], ['TaintToleration', new Set(['NodeUpdate'])]]) }),
});

test('activeQ pops by priority, then by time queued', async () => {
  const { clock, q } = newQueue();
  q.add(makePod('a'));
  clock.advance(1);
  q.add(makePod('b', {}, { priority: 10 }));
  clock.advance(1);
  q.add(makePod('c'));
  const order = [];
  for (let i = 0; i < 3; i++) { const p = await q.pop(); order.push(p!.pod.metadata!.name); q.done(p!.key); }
  assert.deepEqual(order, ['b', 'a', 'c']);
});

test('pop waits for a pod and ends when closed', async () => {
  const { q } = newQueue();
  const waiting = q.pop();
  q.add(makePod('x'));
  assert.equal((await waiting)?.key, 'default/x');
  const closed = q.pop();
  q.close();
  assert.equal(await closed, undefined);
});

test('unschedulable pods move only on events their rejecting plugins registered, into backoff first', async () => {
  const { clock, q } = newQueue();
  q.add(makePod('p'));
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulable(p);
  assert.equal(q.has('default/p'), 'unschedulable');
  q.moveAllToActiveOrBackoff('NodeUpdate');
  assert.equal(q.has('default/p'), 'unschedulable');
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.equal(q.has('default/p'), 'backoff'); // 1 s backoff after the first attempt
  clock.advance(999);
  q.flushBackoffCompleted();
  assert.equal(q.has('default/p'), 'backoff');
  clock.advance(1);
  q.flushBackoffCompleted();
  assert.equal(q.has('default/p'), 'active');
});

test('backoff doubles per attempt from 1 s and caps at 10 s', async () => {
  const { q } = newQueue();
  q.add(makePod('p'));
  const p = (await q.pop())!;
  const durations = [];
  for (let attempts = 1; attempts <= 6; attempts++) { p.attempts = attempts; durations.push(q.backoffDuration(p)); }
  assert.deepEqual(durations, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('a move request during the attempt sends the failed pod to backoff, not unschedulable', async () => {
  const { q } = newQueue();
  q.add(makePod('p'));
  const p = (await q.pop())!;
  q.moveAllToActiveOrBackoff('NodeAdd');
  p.unschedulablePlugins = new Set(['TaintToleration']);
  q.addUnschedulable(p);
  assert.equal(q.has('default/p'), 'backoff');
});

test('unschedulable pods are flushed after 5 minutes; a spec update retries them; delete removes', async () => {
  const { clock, q } = newQueue();
  q.add(makePod('p'));
  const p = (await q.pop())!;
  p.unschedulablePlugins = new Set(['TaintToleration']);
  q.addUnschedulable(p);
  clock.advance(4 * 60_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.has('default/p'), 'unschedulable');
  clock.advance(60_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.has('default/p'), 'active');

  q.add(makePod('u'));
  const all = [(await q.pop())!, (await q.pop())!];
  const u = all.find((x) => x.key === 'default/u')!;
  u.unschedulablePlugins = new Set(['TaintToleration']);
  q.addUnschedulable(u);
  const old = u.pod;
  q.update(old, { ...old, status: { phase: 'Pending', conditions: [] } });
  assert.equal(q.has('default/u'), 'unschedulable'); // status-only change
  q.update(old, { ...old, metadata: { ...old.metadata, labels: { new: 'label' } } });
  assert.notEqual(q.has('default/u'), 'unschedulable');
  q.delete('default/u');
  assert.equal(q.has('default/u'), undefined);
});
