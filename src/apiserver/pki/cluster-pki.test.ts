import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../base/index.js';
import { bootstrapKey, loadOrCreatePki, type PkiStore } from './cluster-pki.js';
import { formatJoinToken } from './join-token.js';
import { WrongTokenError } from './token-seal.js';

function memoryStore(): PkiStore & { data: Map<string, Uint8Array> } {
  const data = new Map<string, Uint8Array>();
  return {
    data,
    async get(key) { return data.get(key); },
    async create(key, value) {
      if (data.has(key)) return false;
      data.set(key, value);
      return true;
    },
  };
}

function withDirs(n: number, fn: (dirs: string[]) => Promise<void>): () => Promise<void> {
  return async () => {
    const dirs = Array.from({ length: n }, () => mkdtempSync(join(tmpdir(), 'k8ts-pki-')));
    try { await fn(dirs); } finally { for (const d of dirs) rmSync(d, { recursive: true, force: true }); }
  };
}

const mode = (path: string): number => statSync(path).mode & 0o777;

test('a standalone server creates its PKI in <dataDir>/tls and reuses it on restart', withDirs(1, async ([dir]) => {
  const clock = new FakeClock(Date.now());
  const first = await loadOrCreatePki(dir!, { token: 'secret', clock });
  assert.equal(first.paths.dir, join(dir!, 'tls'));
  for (const key of [first.paths.caKey, first.paths.servingKey, first.paths.adminKey, first.paths.serviceAccountKey]) {
    assert.equal(mode(key), 0o600, key);
  }
  assert.equal(readFileSync(first.paths.caCert, 'utf8'), first.ca.certPem);
  assert.match(first.serviceAccount.publicKeyPem, /BEGIN PUBLIC KEY/);
  const again = await loadOrCreatePki(dir!, { token: 'secret', clock });
  assert.deepEqual(again, first);
}));

test('the serving certificate is reissued when the wanted SANs change, and renewed near expiry', withDirs(1, async ([dir]) => {
  const clock = new FakeClock(Date.now());
  const a = await loadOrCreatePki(dir!, { token: 't', clock, serving: { nodeAddresses: ['192.168.1.5'] } });
  const b = await loadOrCreatePki(dir!, { token: 't', clock, serving: { nodeAddresses: ['192.168.1.6'] } });
  assert.notEqual(b.serving.certPem, a.serving.certPem);
  assert.equal(new X509Certificate(b.serving.certPem).checkIP('192.168.1.6'), '192.168.1.6');
  assert.equal(b.ca.certPem, a.ca.certPem);
  clock.advance(300 * 24 * 3600 * 1000);
  const c = await loadOrCreatePki(dir!, { token: 't', clock, serving: { nodeAddresses: ['192.168.1.6'] } });
  assert.notEqual(c.serving.certPem, b.serving.certPem, 'less than 90 days left');
  assert.notEqual(c.admin.certPem, b.admin.certPem);
}));

test('servers sharing a datastore and token share the CA and service-account key', withDirs(2, async ([one, two]) => {
  const store = memoryStore();
  const a = await loadOrCreatePki(one!, { token: 'cluster-secret', sharedStore: store });
  assert.ok(store.data.has(bootstrapKey));
  assert.equal(Buffer.from(store.data.get(bootstrapKey)!).includes('PRIVATE KEY'), false, 'stored encrypted');
  // The second server may be handed the secure form of the token.
  const b = await loadOrCreatePki(two!, { token: formatJoinToken(a.ca.certPem, 'cluster-secret'), sharedStore: store, serving: { hostname: 'two' } });
  assert.equal(b.ca.certPem, a.ca.certPem);
  assert.equal(b.ca.keyPem, a.ca.keyPem);
  assert.deepEqual(b.serviceAccount, a.serviceAccount);
  assert.notEqual(b.serving.certPem, a.serving.certPem);
  assert.equal(new X509Certificate(b.serving.certPem).checkIssued(new X509Certificate(a.ca.certPem)), true);
}));

test('a wrong token or a token pinned to another CA fails clearly', withDirs(2, async ([one, two]) => {
  const store = memoryStore();
  const a = await loadOrCreatePki(one!, { token: 'right', sharedStore: store });
  await assert.rejects(loadOrCreatePki(two!, { token: 'wrong', sharedStore: store }),
    (e: unknown) => e instanceof WrongTokenError && /encrypted with a different token/.test(e.message));
  const otherCa = a.ca.certPem.replace(/A/, 'B');
  await assert.rejects(loadOrCreatePki(two!, { token: formatJoinToken(otherCa, 'right'), sharedStore: store }), /CA hash does not match/);
}));

test('when another server stores its bootstrap first, this one adopts it', withDirs(2, async ([one, two]) => {
  const shared = memoryStore();
  const first = await loadOrCreatePki(one!, { token: 'tok', sharedStore: shared });
  // The race: this server's get() misses, then its create() loses to the first server.
  let gets = 0;
  const racing: PkiStore = {
    async get(key) { return gets++ === 0 ? undefined : shared.data.get(key); },
    async create() { return false; },
  };
  const second = await loadOrCreatePki(two!, { token: 'tok', sharedStore: racing });
  assert.equal(gets, 2);
  assert.equal(second.ca.certPem, first.ca.certPem);
  assert.deepEqual(second.serviceAccount, first.serviceAccount);
  assert.equal(readFileSync(second.paths.caCert, 'utf8'), first.ca.certPem);
}));
