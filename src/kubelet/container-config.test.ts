import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { containerConfig, containerHash, etcHostsContent } from './container-config.js';
import { containerEnv, ContainerConfigError, expandVars } from './env.js';
import { nodeRuntimeConfig } from './node-config.js';
import { podQOSClass } from './qos.js';
import { milliCPUToQuota, milliCPUToShares, oomScoreAdj } from './resources.js';
import { podCgroupParent, podDNSConfig, podSandboxConfig } from './sandbox-config.js';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { app: 'web' } },
  spec: {
    hostname: 'h', subdomain: 'sub',
    containers: [{
      name: 'app', image: 'nginx', command: ['/bin/$(CMD)'], args: ['--port=$(PORT)', '$$(PORT)'],
      ports: [{ containerPort: 80, hostPort: 8080 }],
      env: [{ name: 'PORT', value: '80' }, { name: 'CMD', value: 'serve' }],
      resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
      securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    }],
    securityContext: { runAsUser: 1000, fsGroup: 2000 },
    terminationGracePeriodSeconds: 5,
  },
};
const node = nodeRuntimeConfig('/data', { nodeName: 'n1', memoryCapacityBytes: 1 << 30, clusterDNS: ['10.43.0.10'] });

test('resources: shares, quota, oom_score_adj never negative', () => {
  assert.equal(milliCPUToShares(0), 2);
  assert.equal(milliCPUToShares(250), 256);
  assert.equal(milliCPUToQuota(1000), 100_000);
  assert.equal(milliCPUToQuota(5), 1000);
  assert.equal(oomScoreAdj('Guaranteed', 0, 1), 0);
  assert.equal(oomScoreAdj('BestEffort', 0, 1), 1000);
  assert.equal(oomScoreAdj('Burstable', 64 << 20, 1 << 30), 938);
  assert.equal(oomScoreAdj('Burstable', 2 * 2 ** 30, 1 << 30), 3);
  assert.equal(oomScoreAdj('Burstable', 0, 1 << 30), 999);
  assert.equal(podQOSClass(pod), 'Burstable');
  const g: Pod = { spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } };
  assert.equal(podQOSClass(g), 'Guaranteed');
});

test('containerConfig: env expansion, resources, security, labels and log path', () => {
  const c = pod.spec!.containers[0]!;
  const env = containerEnv(pod, c);
  const cfg = containerConfig(pod, c, { type: 'regular', restartCount: 2, env, qos: 'Burstable', memoryCapacityBytes: 1 << 30, podDir: '/p', image: 'sha256:abc', etcHostsPath: '/p/etc-hosts', terminationLogPath: '/p/t' });
  assert.deepEqual(cfg.command, ['/bin/serve']);
  assert.deepEqual(cfg.args, ['--port=80', '$(PORT)']);
  assert.equal(cfg.logPath, 'app/2.log');
  assert.deepEqual(cfg.metadata, { name: 'app', attempt: 2 });
  assert.deepEqual(cfg.linux?.resources, { cpuShares: 256, oomScoreAdj: 938, cpuPeriod: 100_000, cpuQuota: 100_000, memoryLimitInBytes: 128 << 20 });
  const sc = cfg.linux?.securityContext;
  assert.deepEqual(sc?.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });
  assert.equal(sc?.readonlyRootfs, true);
  assert.equal(sc?.noNewPrivs, true);
  assert.deepEqual(sc?.runAsUser, { value: 1000 });
  assert.deepEqual(sc?.supplementalGroups, [2000]);
  assert.equal(cfg.labels?.['io.kubernetes.pod.uid'], 'u-1');
  assert.equal(cfg.annotations?.['io.kubernetes.container.hash'], containerHash(c));
  assert.deepEqual(cfg.mounts?.map((m) => m.containerPath), ['/etc/hosts', '/dev/termination-log']);
  assert.deepEqual(cfg.image, { image: 'sha256:abc', userSpecifiedImage: 'nginx' });
});

test('sandbox config: hostname, DNS ClusterFirst, host ports, cgroup parent, log dir', () => {
  const s = podSandboxConfig(pod, node, 1);
  assert.equal(s.hostname, 'h');
  assert.equal(s.logDirectory, '/data/agent/pods/shop_web_u-1');
  assert.deepEqual(s.dnsConfig, { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
  assert.deepEqual(s.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
  assert.equal(s.linux?.cgroupParent, '/k8ts/kubepods/burstable/podu-1');
  assert.equal(s.labels?.app, 'web');
  assert.equal(s.annotations?.['io.kubernetes.pod.terminationGracePeriod'], '5');
  assert.equal(podCgroupParent({ metadata: { uid: 'x' }, spec: { containers: [{ name: 'a' }] } }, '/k8ts'), '/k8ts/kubepods/besteffort/podx');
  assert.equal(podDNSConfig({ spec: { containers: [], dnsPolicy: 'Default' } }, node), undefined);
  assert.deepEqual(podDNSConfig({ spec: { containers: [], dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] } } }, node),
    { servers: ['1.1.1.1'], searches: [], options: ['ndots:2'] });
});

test('env: fieldRef, resourceFieldRef, configMap/secret keys, missing references', () => {
  const p: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { tier: 'db' } },
    spec: { nodeName: 'n1', containers: [{ name: 'c', resources: { limits: { memory: '128Mi', cpu: '1500m' } },
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
      env: [
        { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'pw' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'none', key: 'k', optional: true } } },
      ] }] },
  };
  const env = new Map(containerEnv(p, p.spec!.containers[0]!, {
    podIP: '10.42.0.9',
    configMap: (ns, name) => (ns === 'ns' && name === 'cm' ? { data: { a: '1' } } : undefined),
    secret: (_ns, name) => (name === 's' ? { data: { pw: Buffer.from('hunter2').toString('base64') } } : undefined),
  }));
  assert.deepEqual(Object.fromEntries(env), { CM_a: '1', TIER: 'db', IP: '10.42.0.9', MEM: '128', CPU: '2', PW: 'hunter2' });
  assert.throws(() => containerEnv(p, p.spec!.containers[0]!, {}), (e: unknown) => e instanceof ContainerConfigError && /configmap "cm" not found/.test(e.message));
  assert.equal(expandVars('$(A)-$$(A)-$(B)', (n) => (n === 'A' ? 'x' : undefined)), 'x-$(A)-$(B)');
});

test('etcHostsContent: pod IP with FQDN for a subdomain', () => {
  const text = etcHostsContent(pod, ['10.42.0.9'], 'cluster.local');
  assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(text, /^10\.42\.0\.9\th\.sub\.shop\.svc\.cluster\.local\th$/m);
});
