import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaderElector } from './leader-election.js';
import { FakeClient } from './testing/fake-client.js';
import { leases } from '../api/resources/coordination/index.js';
import { FakeClock } from '../base/clock.js';
import { silentLogger } from '../base/log.js';

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

test('one candidate acquires; the other waits until the lease expires, then takes over with a transition', async () => {
  const clock = new FakeClock();
  const client = new FakeClient({ clock });
  // Sleeps advance the fake clock, so the election runs without waiting.
  const sleep = async (ms: number, signal: AbortSignal) => {
    if (signal.aborted) throw signal.reason;
    clock.advance(ms);
    await new Promise((r) => setImmediate(r));
    if (signal.aborted) throw signal.reason;
  };
  const a = leaderElector({ client, clock, log: silentLogger, namespace: 'kube-system', name: 'kcm', identity: 'a', sleep, releaseOnCancel: false, ...timing });
  const b = leaderElector({ client, clock, log: silentLogger, namespace: 'kube-system', name: 'kcm', identity: 'b', sleep, ...timing });
  const stopA = new AbortController();
  let aLeading!: () => void;
  const aStarted = new Promise<void>((r) => { aLeading = r; });
  const runA = a.run(stopA.signal, {
    onStartedLeading: async (s) => { aLeading(); await new Promise((r) => s.addEventListener('abort', r, { once: true })); },
  });
  await aStarted;
  assert.equal(a.isLeader(), true);
  const lease = client.peek(leases, 'kube-system', 'kcm')!;
  assert.equal(lease.spec?.holderIdentity, 'a');
  assert.equal(lease.spec?.leaseDurationSeconds, 15);
  assert.equal(lease.spec?.leaseTransitions, 0);

  // b cannot take a lease that a keeps renewing.
  const stopB = new AbortController();
  let bStarted = false;
  const runB = b.run(stopB.signal, { onStartedLeading: async () => { bStarted = true; } });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(bStarted, false);
  assert.equal(b.leader(), 'a');

  // a stops without releasing (crash-like): the holder stays 'a' until it expires for b.
  stopA.abort();
  await runA;
  assert.equal(a.isLeader(), false);
  const start = clock.now();
  for (let i = 0; i < 50 && !bStarted; i++) await new Promise((r) => setImmediate(r));
  assert.equal(bStarted, true);
  const taken = client.peek(leases, 'kube-system', 'kcm')!;
  assert.equal(taken.spec?.holderIdentity, 'b');
  assert.equal(taken.spec?.leaseTransitions, 1);
  assert.ok(clock.now() - start >= 13_000, 'b waited for the lease to expire');
  stopB.abort();
  await runB;
  assert.equal(client.peek(leases, 'kube-system', 'kcm')!.spec?.holderIdentity, undefined, 'releaseOnCancel gives the lease up');
});

test('a leader that cannot renew within renewDeadline steps down', async () => {
  const clock = new FakeClock();
  const client = new FakeClient({ clock });
  const sleep = async (ms: number) => { clock.advance(ms); await new Promise((r) => setImmediate(r)); };
  const a = leaderElector({ client, clock, log: silentLogger, namespace: 'kube-system', name: 'kcm', identity: 'a', sleep, ...timing });
  let renewals = 0;
  client.react((act) => (act.verb === 'update' && act.resource === 'leases' && ++renewals > 2 ? new Error('etcd unavailable') : undefined));
  let stopped = false;
  let workSignal: AbortSignal | undefined;
  await a.run(new AbortController().signal, {
    onStartedLeading: async (s) => { workSignal = s; },
    onStoppedLeading: () => { stopped = true; },
  });
  assert.equal(stopped, true);
  assert.equal(workSignal?.aborted, true);
  assert.equal(a.isLeader(), false);
});

test('rejects timings upstream rejects', () => {
  const clock = new FakeClock();
  assert.throws(() => leaderElector({ client: new FakeClient(), clock, log: silentLogger, namespace: 'x', name: 'y', identity: 'z', leaseDurationMs: 5000, renewDeadlineMs: 5000 }));
});
