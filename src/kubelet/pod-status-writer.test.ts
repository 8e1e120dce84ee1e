import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodStatus } from 'kubernetes-types/core/v1.js';
import { mergePodStatus, podStatusChanged } from './pod-status-writer.js';
import { podServiceEnv } from './service-env.js';
import { renderCniConflist } from './cni-conflist.js';

test('status merge keeps the scheduler PodScheduled and nominatedNodeName; equal statuses are no change', () => {
  const stored: PodStatus = {
    phase: 'Pending', nominatedNodeName: 'n1',
    conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', lastProbeTime: null as unknown as undefined }],
  };
  const mine: PodStatus = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:05:00Z' }] };
  const merged = mergePodStatus(stored, mine);
  assert.equal(merged.conditions?.[1]?.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(merged.nominatedNodeName, 'n1');
  assert.equal(podStatusChanged(stored, merged), true);
  assert.equal(podStatusChanged(merged, structuredClone(merged)), false);
  // null and absent are the same to the API.
  assert.equal(podStatusChanged({ phase: 'Running', conditions: [] }, { phase: 'Running' }), false);
});

test('service env: the pod namespace Services and default/kubernetes, docker-link variables', () => {
  const svc = (ns: string, name: string, ip: string, ports: { name?: string; port: number; protocol?: string }[]) =>
    ({ metadata: { namespace: ns, name }, spec: { clusterIP: ip, ports } });
  const env = podServiceEnv({ metadata: { namespace: 'app' }, spec: { containers: [] } }, [
    svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443 }]),
    svc('app', 'redis-master', '10.43.0.20', [{ port: 6379 }]),
    svc('app', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'nope', '10.43.0.30', [{ port: 80 }]),
  ] as never);
  assert.equal(env['KUBERNETES_SERVICE_HOST'], '10.43.0.1');
  assert.equal(env['KUBERNETES_SERVICE_PORT_HTTPS'], '443');
  assert.equal(env['REDIS_MASTER_SERVICE_PORT'], '6379');
  assert.equal(env['REDIS_MASTER_PORT'], 'tcp://10.43.0.20:6379');
  assert.equal(env['REDIS_MASTER_PORT_6379_TCP_ADDR'], '10.43.0.20');
  assert.equal(env['REDIS_MASTER_PORT_6379_TCP_PROTO'], 'tcp');
  assert.equal(env['HEADLESS_SERVICE_HOST'], undefined);
  assert.equal(env['NOPE_SERVICE_HOST'], undefined);
  const noLinks = podServiceEnv({ metadata: { namespace: 'app' }, spec: { containers: [], enableServiceLinks: false } }, [
    svc('app', 'redis-master', '10.43.0.20', [{ port: 6379 }]), svc('default', 'kubernetes', '10.43.0.1', [{ port: 443 }]),
  ] as never);
  assert.deepEqual(Object.keys(noLinks).filter((k) => k.startsWith('REDIS')), []);
  assert.equal(noLinks['KUBERNETES_SERVICE_HOST'], '10.43.0.1');
});

test('CNI conflist: bridge + host-local on the pod CIDR + portmap (containerd brings lo up itself)', () => {
  const conf = JSON.parse(renderCniConflist({ podCIDR: '10.42.3.0/24', bridge: 'cni0', ipamDir: '/d/cni-ipam' })) as { plugins: { type: string; bridge?: string; ipam?: { ranges: { subnet: string }[][]; dataDir: string } }[] };
  assert.deepEqual(conf.plugins.map((p) => p.type), ['bridge', 'portmap']);
  assert.equal(conf.plugins[0]?.bridge, 'cni0');
  assert.equal(conf.plugins[0]?.ipam?.ranges[0]?.[0]?.subnet, '10.42.3.0/24');
  assert.equal(conf.plugins[0]?.ipam?.dataDir, '/d/cni-ipam');
});
