import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImageArchive } from './build.js';

test('buildImageArchive writes one OCI archive naming the image under every tag; skopeo reads each', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-build-'));
  try {
    await mkdir(join(dir, 'root/www'), { recursive: true });
    await writeFile(join(dir, 'root/www/index.html'), 'hi\n');
    const file = join(dir, 'img.tar');
    const r = await buildImageArchive({ tag: 'web:1', moreTags: ['example.com/web:2', 'web:1'], dir: join(dir, 'root'), entrypoint: ['/bin/sh'] }, file);
    assert.deepEqual(r.names, ['docker.io/library/web:1', 'example.com/web:2']);
    assert.equal(r.size, (await readFile(file)).length);
    execFileSync('tar', ['-xf', file, '-C', dir, 'index.json']);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    assert.deepEqual(index.manifests.map((m: { annotations: Record<string, string> }) => [m.annotations['io.containerd.image.name'], m.annotations['org.opencontainers.image.ref.name']]),
      [['docker.io/library/web:1', '1'], ['example.com/web:2', '2']]);
    assert.equal(new Set(index.manifests.map((m: { digest: string }) => m.digest)).size, 1);
    if (existsSync('/usr/bin/skopeo')) {
      for (const ref of ['1', '2']) {
        const out = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `oci-archive:${file}:${ref}`], { encoding: 'utf8' }));
        assert.deepEqual(out.config.Entrypoint, ['/bin/sh']);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('buildImageArchive refuses a missing directory', async () => {
  await assert.rejects(buildImageArchive({ tag: 'x:1', dir: '/nonexistent-k8ts' }, '/tmp/never.tar'), /cannot read/);
});
