import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildOciImage, sha256 } from './oci-tar.js';
import { entriesFromDirectory, tarArchive, withParents } from './tar.js';

async function withTmp(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-oci-'));
  try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('tarArchive output is read back by GNU tar, long names included', () => withTmp((dir) => {
  const long = `d/${'x'.repeat(150)}.txt`;
  const tar = tarArchive(withParents([
    { path: 'bin/app', mode: 0o755, content: Buffer.from('#!/bin/true\n') },
    { path: long, content: Buffer.from('long') },
    { path: 'bin/link', type: 'symlink', target: 'app' },
    { path: 'empty', type: 'dir', mode: 0o700 },
  ]));
  assert.equal(tar.length % 512, 0);
  writeFileSync(join(dir, 'a.tar'), tar);
  mkdirSync(join(dir, 'out'));
  execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', join(dir, 'out')]);
  assert.equal(readFileSync(join(dir, 'out', long), 'utf8'), 'long');
  assert.equal(readFileSync(join(dir, 'out/bin/link'), 'utf8'), '#!/bin/true\n');
  const listing = execFileSync('tar', ['-tvf', join(dir, 'a.tar')], { encoding: 'utf8' });
  assert.match(listing, /^-rwxr-xr-x 0\/0 +12 .* bin\/app$/m);
  assert.match(listing, /^drwx------ 0\/0 .* empty\/$/m);
}));

test('entriesFromDirectory reads files, dirs and symlinks as root-owned entries', () => withTmp((dir) => {
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  writeFileSync(join(dir, 'root/etc/conf'), 'x=1');
  symlinkSync('etc/conf', join(dir, 'root/conf'));
  return entriesFromDirectory(join(dir, 'root')).then((entries) => {
    assert.deepEqual(entries.map((e) => [e.path, e.type, e.uid]), [['conf', 'symlink', undefined], ['etc', 'dir', undefined], ['etc/conf', 'file', undefined]]);
    assert.equal(entries[0]!.target, 'etc/conf');
  });
}));

test('buildOciImage writes a consistent OCI layout naming the image for containerd', () => withTmp((dir) => {
  const img = buildOciImage({
    name: 'myapp:v1', files: [{ path: 'app', mode: 0o755, content: Buffer.from('binary') }],
    config: { entrypoint: ['/app'], cmd: ['serve'], env: ['A=1'], workingDir: '/data', user: '1000', exposedPorts: ['8080'] },
  });
  assert.equal(img.name, 'docker.io/library/myapp:v1');
  writeFileSync(join(dir, 'img.tar'), img.tar);
  execFileSync('tar', ['-xf', join(dir, 'img.tar'), '-C', dir]);
  const blob = (d: string) => readFileSync(join(dir, 'blobs/sha256', d.slice(7)));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const desc = index.manifests[0];
  assert.equal(desc.digest, img.manifestDigest);
  assert.equal(desc.annotations['io.containerd.image.name'], 'docker.io/library/myapp:v1');
  assert.equal(desc.annotations['org.opencontainers.image.ref.name'], 'v1');
  const manifest = blob(desc.digest);
  assert.equal(sha256(manifest), desc.digest);
  assert.equal(manifest.length, desc.size);
  const m = JSON.parse(manifest.toString());
  assert.equal(m.config.digest, img.configDigest);
  const config = JSON.parse(blob(m.config.digest).toString());
  assert.deepEqual(config.config, { User: '1000', ExposedPorts: { '8080/tcp': {} }, Env: ['A=1'], Entrypoint: ['/app'], Cmd: ['serve'], WorkingDir: '/data' });
  const layer = blob(m.layers[0].digest);
  assert.equal(m.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.equal(sha256(gunzipSync(layer)), config.rootfs.diff_ids[0]);
  // Reproducible: same input, same digests.
  assert.equal(buildOciImage({ name: 'myapp:v1', files: [{ path: 'app', mode: 0o755, content: Buffer.from('binary') }],
    config: { entrypoint: ['/app'], cmd: ['serve'], env: ['A=1'], workingDir: '/data', user: '1000', exposedPorts: ['8080'] } }).manifestDigest, img.manifestDigest);
}));
