import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { defaultPodSpec, defaultPullPolicy, imageTag, defaultPodOnlyFields } from './pod-defaults.js';

test('imagePullPolicy follows the tag: latest or none → Always, others and digests → IfNotPresent', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.25'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/app:v2'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('busybox@sha256:' + 'a'.repeat(64)), 'IfNotPresent');
  assert.equal(defaultPullPolicy('registry.example.com/team/app:latest@sha256:' + 'b'.repeat(64)), 'Always');
  assert.equal(imageTag('Nginx'), '', 'upper-case repositories are not valid references');
  assert.equal(defaultPullPolicy(''), 'IfNotPresent');
});

test('defaultPodSpec fills the upstream SetDefaults values', () => {
  const spec: PodSpec = {
    containers: [{
      name: 'web', image: 'nginx:1.25',
      ports: [{ containerPort: 80 }],
      env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      livenessProbe: { httpGet: { port: 80 } },
      resources: { limits: { cpu: '1' } },
    }],
    volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }, { name: 's', secret: { secretName: 'x' } }, { name: 'h', hostPath: { path: '/x' } }],
  };
  defaultPodSpec(spec);
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, undefined, 'enableServiceLinks is a Pod-only default');
  const c = spec.containers[0]!;
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports![0]!.protocol, 'TCP');
  assert.equal(c.env![0]!.valueFrom!.fieldRef!.apiVersion, 'v1');
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.resources!.requests, undefined, 'templates do not copy limits to requests');
  assert.equal(spec.volumes![0]!.configMap!.defaultMode, 420);
  assert.deepEqual(spec.volumes![1]!.emptyDir, {});
  assert.equal(spec.volumes![2]!.secret!.defaultMode, 420);
  assert.equal(spec.volumes![3]!.hostPath!.type, '');
  const again = structuredClone(spec);
  defaultPodSpec(again);
  assert.deepEqual(again, spec, 'defaulting is idempotent');
});

test('pod-only defaults copy limits to missing requests and enable service links', () => {
  const spec: PodSpec = {
    hostNetwork: true,
    containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 8080 }], resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m' } } }],
  };
  defaultPodOnlyFields(spec);
  assert.deepEqual(spec.containers[0]!.resources!.requests, { cpu: '100m', memory: '1Gi' });
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.containers[0]!.ports![0]!.hostPort, 8080);
});
