import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPullPolicy, normalizeImageReference } from './reference.js';

test('normalizeImageReference follows docker/containerd normalisation', () => {
  assert.equal(normalizeImageReference('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImageReference('nginx:1.20.1'), 'docker.io/library/nginx:1.20.1');
  assert.equal(normalizeImageReference('bitnami/redis'), 'docker.io/bitnami/redis:latest');
  assert.equal(normalizeImageReference('index.docker.io/library/busybox:1'), 'docker.io/library/busybox:1');
  assert.equal(normalizeImageReference('127.0.0.1:5000/app:v2'), '127.0.0.1:5000/app:v2');
  assert.equal(normalizeImageReference('localhost/app'), 'localhost/app:latest');
  const d = 'sha256:' + 'a'.repeat(64);
  assert.equal(normalizeImageReference(`nginx@${d}`), `docker.io/library/nginx@${d}`);
  assert.equal(normalizeImageReference(`k8ts.io/pause:1.0@${d}`), `k8ts.io/pause:1.0@${d}`);
  assert.throws(() => normalizeImageReference('NGINX'), /lowercase/);
  assert.throws(() => normalizeImageReference('nginx:bad tag'), /bad tag/);
});

test('defaultPullPolicy: Always for latest or untagged, IfNotPresent otherwise', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.20'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('127.0.0.1:5000/nginx'), 'Always');
  assert.equal(defaultPullPolicy(`nginx@sha256:${'b'.repeat(64)}`), 'IfNotPresent');
});
