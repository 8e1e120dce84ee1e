import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsDirName, parseRegistries, registryAuth, renderHostsFiles, writeHostsFiles } from './registries.js';

const yaml = `
mirrors:
  docker.io:
    endpoint:
      - "http://127.0.0.1:5000"
      - "registry.example.com:5443"
  "*":
    endpoint: ["http://127.0.0.1:5001/"]
configs:
  "registry.example.com:5443":
    tls:
      insecure_skip_verify: true
      ca_file: /etc/ca.pem
    auth:
      username: alice
      password: s3cret
`;

test('parseRegistries reads k3s mirrors and configs', () => {
  const cfg = parseRegistries(yaml);
  assert.deepEqual(cfg.mirrors['docker.io']!.endpoints, ['http://127.0.0.1:5000', 'https://registry.example.com:5443']);
  assert.deepEqual(cfg.mirrors['*']!.endpoints, ['http://127.0.0.1:5001']);
  assert.equal(cfg.configs['registry.example.com:5443']!.tls!.insecureSkipVerify, true);
  assert.deepEqual(registryAuth(cfg), { 'registry.example.com:5443': { username: 'alice', password: 's3cret', auth: undefined, identityToken: undefined } });
});

test('parseRegistries rejects malformed input with the field path', () => {
  assert.throws(() => parseRegistries('mirrors: { docker.io: { endpoint: 5 } }'), /mirrors\.docker\.io\.endpoint/);
  assert.throws(() => parseRegistries('mirrors: { docker.io: { endpoint: ["ftp://x"] } }'), /not http/);
  assert.throws(() => parseRegistries('configs: { a: { tls: { insecure_skip_verify: "yes" } } }'), /insecure_skip_verify/);
  assert.deepEqual(parseRegistries(''), { mirrors: {}, configs: {} });
});

test('renderHostsFiles: mirrors in order before the upstream, TLS of the endpoint host applied', () => {
  const files = renderHostsFiles(parseRegistries(yaml));
  const docker = files.get('docker.io')!;
  assert.match(docker, /^server = "https:\/\/registry-1\.docker\.io"$/m);
  const plain = docker.indexOf('[host."http://127.0.0.1:5000"]');
  const tls = docker.indexOf('[host."https://registry.example.com:5443"]');
  assert.ok(plain > 0 && tls > plain);
  assert.match(docker.slice(tls), /skip_verify = true\n {2}ca = "\/etc\/ca.pem"/);
  assert.doesNotMatch(docker.slice(plain, tls), /skip_verify/);
  assert.equal(hostsDirName('*'), '_default');
  assert.doesNotMatch(files.get('_default')!, /^server/m);
  // A host with only configs gets its own file with TLS at top level.
  assert.match(files.get('registry.example.com:5443')!, /^server = "https:\/\/registry\.example\.com:5443"\nskip_verify = true$/m);
});

test('writeHostsFiles replaces stale host directories', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-certs-'));
  try {
    await mkdir(join(dir, 'stale.example'), { recursive: true });
    await writeHostsFiles(dir, parseRegistries(yaml));
    assert.deepEqual((await readdir(dir)).sort(), ['_default', 'docker.io', 'registry.example.com:5443']);
    assert.match(await readFile(join(dir, 'docker.io', 'hosts.toml'), 'utf8'), /127\.0\.0\.1:5000/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
