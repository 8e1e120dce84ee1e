import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { pods, type PodObject } from './pods.js';
import { computePodQOS } from './pod-qos.js';

const newPod = (containers: PodObject['spec'] extends infer S ? S extends { containers: infer C } ? C : never : never): PodObject =>
  ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers } });

test('QoS class: BestEffort, Burstable, Guaranteed as upstream computes it', () => {
  assert.equal(computePodQOS({ containers: [{ name: 'a' }] }), 'BestEffort');
  assert.equal(computePodQOS({ containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
  assert.equal(computePodQOS({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
  assert.equal(computePodQOS({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } } }] }), 'Guaranteed');
  assert.equal(computePodQOS({ containers: [{ name: 'a', resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }] }), 'Burstable');
  assert.equal(computePodQOS({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }] }), 'Burstable');
});

test('create: defaults then a Pending status with qosClass; limits become requests first', () => {
  const p = newPod([{ name: 'a', image: 'nginx', resources: { limits: { cpu: '1', memory: '64Mi' } } }]);
  p.status = { phase: 'Running' };
  pods.defaults!(p);
  pods.prepareForCreate!(p);
  assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  assert.equal(p.spec!.enableServiceLinks, true);
  assert.deepEqual(pods.validate!(p), []);
});

test('create with scheduling gates records the SchedulingGated condition; ephemeral containers are refused', () => {
  const p = newPod([{ name: 'a', image: 'nginx' }]);
  p.spec!.schedulingGates = [{ name: 'example.com/wait' }];
  pods.defaults!(p);
  pods.prepareForCreate!(p);
  assert.equal(p.status!.conditions![0]!.reason, 'SchedulingGated');
  p.spec!.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }];
  pods.defaults!(p);
  assert.ok(pods.validate!(p).map(formatFieldError).includes('spec.ephemeralContainers: Forbidden: cannot be set on create'));
});

test('updates keep status; field selectors read pod fields', () => {
  const old = newPod([{ name: 'a', image: 'nginx' }]);
  old.status = { phase: 'Running', podIPs: [{ ip: '10.42.0.9' }] };
  old.spec!.nodeName = 'n1';
  const next = structuredClone(old);
  next.status = { phase: 'Failed' };
  pods.prepareForUpdate!(next, old);
  assert.equal(next.status!.phase, 'Running');
  const f = pods.fieldSelectors;
  assert.equal(f['spec.nodeName']!(old), 'n1');
  assert.equal(f['status.phase']!(old), 'Running');
  assert.equal(f['status.podIP']!(old), '10.42.0.9');
  assert.equal(f['spec.hostNetwork']!(old), 'false');
  assert.equal(f['status.nominatedNodeName']!(old), '');
  assert.equal(f['metadata.namespace']!(old), 'default');
});

test('graceful deletion: spec grace for scheduled pods, immediate for unscheduled or finished ones', () => {
  const p = newPod([{ name: 'a', image: 'x' }]);
  pods.defaults!(p);
  assert.equal(pods.gracefulDeletionSeconds!(p), 0);
  p.spec!.nodeName = 'n1';
  assert.equal(pods.gracefulDeletionSeconds!(p), 30);
  assert.equal(pods.gracefulDeletionSeconds!(p, 5), 5);
  assert.equal(pods.gracefulDeletionSeconds!(p, -3), 1);
  p.status = { phase: 'Succeeded' };
  assert.equal(pods.gracefulDeletionSeconds!(p), 0);
});

test('status writes: terminated containers of a Never pod stay terminated; IPs must be valid', () => {
  const old = newPod([{ name: 'a', image: 'x' }]);
  old.spec!.restartPolicy = 'Never';
  old.status = { containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 1 } } }] };
  const next = structuredClone(old);
  next.status = { podIPs: [{ ip: '10.0.0.300' }], containerStatuses: [{ name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] };
  const errs = pods.validateStatus!(next, old).map(formatFieldError);
  assert.ok(errs.includes('status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state'), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('status.podIPs[0]: Invalid value: "10.0.0.300"')));
});

test('printer columns match upstream 1.33 names and priorities', () => {
  assert.deepEqual(pods.printerColumns!.map((c) => `${c.name}:${c.priority ?? 0}`), [
    'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1',
  ]);
  assert.deepEqual(pods.subresources.other, ['ephemeralcontainers', 'log', 'exec', 'attach', 'portforward', 'proxy', 'binding', 'eviction']);
});
