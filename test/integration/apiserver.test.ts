import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { configMaps, deployments, namespaces } from '../../src/api/resources/index.js';
import type { Kube } from '../../src/api/types.js';
import { isAlreadyExists, isConflict, isNotFound, isInvalid, StatusError } from '../../src/api/errors.js';
import { restClient } from '../../src/client/rest-client.js';
import type { Client } from '../../src/client/types.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';

let server: TestServer;
let http: ReturnType<typeof restClient>;

before(async () => {
  server = await startTestServer();
  const kc = parseYaml(await readFile(server.kubeconfig, 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  http = restClient({
    server: server.url,
    ca: Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(kc.users[0]!.user['client-certificate-data'], 'base64'),
    key: Buffer.from(kc.users[0]!.user['client-key-data'], 'base64'),
  });
});

after(async () => {
  http?.close();
  await server?.stop();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }): Kube<ConfigMap> => ({ metadata: { name, namespace: 'default' }, data });

for (const [label, clientOf] of [['https', () => http], ['in-process', () => server.client]] as const) {
  test(`${label}: create, get, list, update with resourceVersion preconditions, delete`, async () => {
    const c: Client = clientOf();
    const name = `cm-${label}`;
    const created = await c.create(configMaps, cm(name));
    assert.ok(created.metadata.uid);
    assert.ok(created.metadata.resourceVersion);
    assert.match(created.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await assert.rejects(c.create(configMaps, cm(name)), (e) => isAlreadyExists(e));

    const got = await c.get(configMaps, 'default', name);
    assert.deepEqual(got.data, { a: '1' });
    const updated = await c.update(configMaps, { ...got, data: { a: '2' } });
    assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
    await assert.rejects(c.update(configMaps, { ...got, data: { a: '3' } }), (e) => isConflict(e));

    const list = await c.list(configMaps, { namespace: 'default', fieldSelector: `metadata.name=${name}` });
    assert.deepEqual(list.items.map((i) => i.metadata.name), [name]);
    assert.ok(Number(list.metadata.resourceVersion) >= Number(updated.metadata.resourceVersion));

    await c.delete(configMaps, 'default', name);
    await assert.rejects(c.get(configMaps, 'default', name), (e) => isNotFound(e));
  });
}

test('the system namespaces and the kubernetes Service exist from the start', async () => {
  const ns = await server.client.list(namespaces);
  const names = ns.items.map((n) => n.metadata.name).sort();
  for (const want of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(want), `missing ${want}`);
});

test('a namespaced object in a missing namespace is refused with 404', async () => {
  await assert.rejects(server.client.create(configMaps, { metadata: { name: 'x', namespace: 'nope' }, data: {} }),
    (e) => e instanceof StatusError && e.code === 404 && e.message === 'namespaces "nope" not found');
});

test('deployments get defaults and generation; bad input is a 422 with causes and changes nothing', async () => {
  const d = await server.client.create(deployments, {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  } as Kube<Deployment>);
  assert.equal(d.spec!.replicas, 1);
  assert.equal(d.spec!.strategy!.type, 'RollingUpdate');
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.spec!.template.spec!.containers[0]!.imagePullPolicy, 'Always');
  await assert.rejects(server.client.create(deployments, {
    metadata: { name: 'bad', namespace: 'default' },
    spec: { replicas: -1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  } as Kube<Deployment>), (e) => isInvalid(e) && (e as StatusError).status.details!.causes!.some((c) => c.field === 'spec.replicas'));
  await assert.rejects(server.client.get(deployments, 'default', 'bad'), (e) => isNotFound(e));
});

test('watch replays from a resourceVersion and follows live changes in order', async () => {
  const first = await server.client.create(configMaps, cm('w1'));
  const abort = new AbortController();
  const seen: string[] = [];
  const watching = (async () => {
    for await (const e of http.watch(configMaps, { namespace: 'default', resourceVersion: first.metadata.resourceVersion }, abort.signal)) {
      seen.push(`${e.type} ${e.object.metadata.name}`);
      if (seen.length === 3) abort.abort();
    }
  })();
  const w2 = await server.client.create(configMaps, cm('w2'));
  await server.client.update(configMaps, { ...w2, data: { b: '2' } });
  await server.client.delete(configMaps, 'default', 'w1');
  await watching;
  assert.deepEqual(seen, ['ADDED w2', 'MODIFIED w2', 'DELETED w1']);
});

test('the in-process client never writes to the objects it is given (informer caches are frozen)', async () => {
  const freeze = <T>(o: T): T => { if (o && typeof o === 'object') { Object.values(o).forEach(freeze); Object.freeze(o); } return o; };
  const created = await server.client.create(configMaps, freeze(cm('frozen')));
  const updated = await server.client.update(configMaps, freeze({ ...created, data: { a: 'x' } }));
  assert.equal(updated.data?.a, 'x');
  await server.client.updateStatus(deployments, freeze(await server.client.get(deployments, 'default', 'web')));
  await server.client.delete(configMaps, 'default', 'frozen');
});

test('serviceaccounts/token issues a JWT the server accepts (kubectl create token)', async () => {
  const { serviceAccounts } = await import('../../src/api/resources/index.js');
  await server.client.create(serviceAccounts, { metadata: { name: 'robot', namespace: 'default' } });
  const tr = await server.client.createSubresource<{ status: { token: string; expirationTimestamp: string } }>(serviceAccounts, 'default', 'robot', 'token',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  assert.match(tr.status.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const asRobot = restClient({ server: server.url, ca: (await readFile(join(server.dataDir, 'tls', 'ca.crt'))), token: tr.status.token });
  try {
    // The token authenticates (a bad one gets 401); RBAC then lets a bare service account only discover.
    await assert.rejects(asRobot.list(configMaps, { namespace: 'default' }), (e) => e instanceof StatusError && e.code === 403
      && e.message === 'configmaps is forbidden: User "system:serviceaccount:default:robot" cannot list resource "configmaps" in API group "" in the namespace "default"');
  } finally {
    asRobot.close();
  }
  await assert.rejects(server.client.createSubresource(serviceAccounts, 'default', 'robot', 'token', { spec: { expirationSeconds: 60 } }), (e) => isInvalid(e));
});

test('pods/binding assigns the node and the PodScheduled condition past the field manager, as upstream', async () => {
  const { pods } = await import('../../src/api/resources/index.js');
  // A scheduler name nobody serves: the server's own scheduler would race the test's binding.
  await server.client.create(pods, { metadata: { name: 'bind-me', namespace: 'default' }, spec: { schedulerName: 'test-binds-it', containers: [{ name: 'c', image: 'x' }] } }, { fieldManager: 'kubectl-run' });
  await server.client.createSubresource(pods, 'default', 'bind-me', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { kind: 'Node', name: 'n1' } }, { fieldManager: 'kube-scheduler' });
  const p = await server.client.get(pods, 'default', 'bind-me');
  assert.equal(p.spec?.nodeName, 'n1');
  assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
  assert.deepEqual(p.metadata.managedFields?.map((m) => m.manager), ['kubectl-run']);
  // A write's answer is a copy of the watch cache's object: changing it changes nothing stored.
  const u = await server.client.update(pods, { ...p, metadata: { ...p.metadata, resourceVersion: undefined, labels: { tier: 'web' } } });
  u.metadata.labels!.tier = 'changed';
  assert.equal((await server.client.get(pods, 'default', 'bind-me')).metadata.labels?.tier, 'web');
  await assert.rejects(server.client.createSubresource(pods, 'default', 'bind-me', 'binding', { target: { kind: 'Node', name: 'n2' } }), (e) => isConflict(e));
});

test('a watch with bookmarks sends events as they come and a BOOKMARK each quiet interval', async () => {
  const rest = server.running.api.rest;
  const ac = new AbortController();
  const seen: string[] = [];
  const list = await server.client.list(configMaps, { namespace: 'default' });
  const events = rest.watch(configMaps, 'default', { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, bookmarkInterval: 150 }, ac.signal);
  const reading = (async () => {
    for await (const e of events) {
      seen.push(e.type === 'BOOKMARK' ? 'BOOKMARK' : `${e.type} ${e.object.metadata.name}`);
      // Watches end when their signal aborts (the HTTP handler's does when the client goes).
      if (seen.filter((s) => s === 'BOOKMARK').length === 2) { ac.abort(); break; }
    }
  })();
  await server.client.create(configMaps, cm('bm-1'));
  await server.client.create(configMaps, cm('bm-2'));
  await reading;
  assert.deepEqual(seen.filter((s) => s !== 'BOOKMARK'), ['ADDED bm-1', 'ADDED bm-2']);
  assert.equal(seen.at(-1), 'BOOKMARK');
});
