import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { parse } from 'yaml';
import { loadOrCreatePki } from './cluster-pki.js';
import { writeAdminKubeconfig } from './kubeconfig.js';

const kubectlBin = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

test('the admin kubeconfig is written atomically, mode 0600, with inline CA and client credentials', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
  try {
    const pki = await loadOrCreatePki(dir, { token: 't' });
    const path = join(dir, 'kubeconfig.yaml');
    writeFileSync(path, 'old', { mode: 0o644 });
    await writeAdminKubeconfig(path, { port: 6443, caCertPem: pki.ca.certPem, admin: pki.admin });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const cfg = parse(readFileSync(path, 'utf8'));
    assert.equal(cfg.kind, 'Config');
    assert.equal(cfg['current-context'], 'default');
    assert.equal(cfg.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    assert.equal(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), pki.ca.certPem);
    assert.equal(Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64').toString(), pki.admin.certPem);
    assert.equal(Buffer.from(cfg.users[0].user['client-key-data'], 'base64').toString(), pki.admin.keyPem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real kubectl trusts the serving certificate and presents the admin client certificate', { skip: !existsSync(kubectlBin) && `${kubectlBin} is absent` }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
  const pki = await loadOrCreatePki(dir, { token: 't' });
  const users: string[] = [];
  const server = createServer({ cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      users.push(socket.authorized ? String(socket.getPeerCertificate().subject.CN) : 'anonymous');
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const path = join(dir, 'kubeconfig.yaml');
    await writeAdminKubeconfig(path, { port: (server.address() as AddressInfo).port, caCertPem: pki.ca.certPem, admin: pki.admin });
    const out = await new Promise<string>((resolve, reject) => {
      execFile(kubectlBin, ['--kubeconfig', path, '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/healthz'],
        { env: { PATH: process.env['PATH'] ?? '', HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
    });
    assert.equal(out.trim(), 'ok');
    assert.deepEqual([...new Set(users)], ['system:admin']);
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
