import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatImageTable, imageRows } from './list.js';

test('imageRows/formatImageTable: one row per tag, crictl-like columns', () => {
  const rows = imageRows([
    { id: 'sha256:' + 'c'.repeat(64), repoTags: ['k8ts.io/pause:1.0'], repoDigests: [], size: 340277 },
    { id: 'sha256:' + 'd'.repeat(64), repoTags: ['docker.io/library/nginx:1.20.1', 'docker.io/library/nginx:latest'],
      repoDigests: ['docker.io/library/nginx@sha256:' + 'e'.repeat(64)], size: 54_000_000 },
  ]);
  assert.deepEqual(rows.map((r) => `${r.image}:${r.tag}`), ['docker.io/library/nginx:1.20.1', 'docker.io/library/nginx:latest', 'k8ts.io/pause:1.0']);
  const text = formatImageTable(rows);
  assert.equal(text.split('\n')[0], 'IMAGE                     TAG      IMAGE ID        SIZE');
  assert.match(text, /k8ts.io\/pause +1.0 +cccccccccccc. +340kB/);
  assert.match(text, /nginx +latest +ddddddddddddd +54.0MB/);
});
