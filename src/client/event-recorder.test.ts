import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventRecorder } from './event-recorder.js';
import { FakeClient } from './testing/fake-client.js';
import { events } from '../api/resources/core/index.js';
import { testPods as pods } from './testing/resources.js';
import { FakeClock } from '../base/clock.js';
import { silentLogger } from '../base/log.js';

const pod = { metadata: { name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '7' }, spec: { containers: [] } };

test('writes an Event with source, reporting controller and involvedObject', async () => {
  const clock = new FakeClock();
  const client = new FakeClient({ clock });
  const rec = eventRecorder({ client, clock, log: silentLogger, component: 'replicaset-controller' });
  rec.event(pods, pod, 'Normal', 'SuccessfulCreate', 'Created pod: web-1');
  await rec.flush();
  const [ev] = client.all(events);
  assert.ok(ev);
  assert.match(ev.metadata.name!, /^web-1\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u1', apiVersion: 'v1', resourceVersion: '7' });
  assert.deepEqual(ev.source, { component: 'replicaset-controller' });
  assert.equal(ev.reportingComponent, 'replicaset-controller');
  assert.equal(ev.count, 1);
  assert.equal(ev.firstTimestamp, '2025-01-01T00:00:00Z');
});

test('repeats bump count and lastTimestamp on the same Event', async () => {
  const clock = new FakeClock();
  const client = new FakeClient({ clock });
  const rec = eventRecorder({ client, clock, log: silentLogger, component: 'kubelet' });
  rec.event(pods, pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.advance(10_000);
  rec.event(pods, pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pods, pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  const all = client.all(events);
  assert.equal(all.length, 1);
  assert.equal(all[0]!.count, 3);
  assert.equal(all[0]!.firstTimestamp, '2025-01-01T00:00:00Z');
  assert.equal(all[0]!.lastTimestamp, '2025-01-01T00:00:10Z');
  assert.deepEqual(client.actions.map((a) => a.verb), ['create', 'patch', 'patch']);
});

test('ten distinct messages for one reason are combined', async () => {
  const clock = new FakeClock();
  const client = new FakeClient({ clock });
  const rec = eventRecorder({ client, clock, log: silentLogger, component: 'c' });
  for (let i = 0; i < 12; i++) rec.event(pods, pod, 'Normal', 'Thing', `message ${i}`);
  await rec.flush();
  const all = client.all(events);
  const combined = all.filter((e) => e.message?.startsWith('(combined from similar events): '));
  assert.equal(all.length, 10);
  assert.equal(combined.length, 1);
  assert.equal(combined[0]!.count, 3);
});

test('a source may burst 25 events about one object', async () => {
  const clock = new FakeClock();
  const client = new FakeClient({ clock });
  const rec = eventRecorder({ client, clock, log: silentLogger, component: 'c' });
  for (let i = 0; i < 30; i++) rec.event(pods, pod, 'Normal', `R${i}`, 'm');
  await rec.flush();
  assert.equal(client.all(events).length, 25);
});
