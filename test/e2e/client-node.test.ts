/**
 * The official JavaScript client (@kubernetes/client-node 1.4) against `k8ts server` as a
 * process: typed CRUD, list with selectors, patches, and an informer that sees every add,
 * update and delete in order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';

let server: K8tsProcess;
let kc: k8s.KubeConfig;

before(async () => {
  server = await startK8ts(['--disable-agent']);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfig);
});

after(async () => {
  await server?.stop();
  await server?.cleanup();
});

test('typed CRUD and list with label selectors', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'cn' } } });
  for (const [name, tier] of [['a', 'web'], ['b', 'db'], ['c', 'web']]) {
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: name!, labels: { tier: tier! } }, data: { k: name! } } });
  }
  const web = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'tier=web' });
  assert.deepEqual(web.items.map((i) => i.metadata?.name).sort(), ['a', 'c']);
  // `notin` also selects objects without the label (every namespace has kube-root-ca.crt): ask for the label too.
  const notWeb = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'tier,tier notin (web)' });
  assert.deepEqual(notWeb.items.map((i) => i.metadata?.name), ['b']);

  const got = await core.readNamespacedConfigMap({ name: 'a', namespace: 'cn' });
  assert.equal(got.data?.k, 'a');
  got.data = { k: 'A' };
  const replaced = await core.replaceNamespacedConfigMap({ name: 'a', namespace: 'cn', body: got });
  assert.equal(replaced.data?.k, 'A');
  // client-node's default patch type is JSON patch.
  const patched = await core.patchNamespacedConfigMap({ name: 'a', namespace: 'cn', body: [{ op: 'replace', path: '/data/k', value: 'AA' }] });
  assert.equal(patched.data?.k, 'AA');

  await core.deleteNamespacedConfigMap({ name: 'b', namespace: 'cn' });
  await assert.rejects(core.readNamespacedConfigMap({ name: 'b', namespace: 'cn' }), (e: unknown) => (e as { code?: number }).code === 404);

  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const d = await apps.createNamespacedDeployment({ namespace: 'cn', body: {
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  } });
  assert.equal(d.spec?.strategy?.type, 'RollingUpdate');
});

test('KubernetesObjectApi works through per-group discovery', async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const created = await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: 'cn' }, data: { x: 'y' } } as k8s.KubernetesObject);
  assert.equal(created.metadata?.name, 'generic');
  const read = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace: 'cn' } });
  assert.equal((read as k8s.V1ConfigMap).data?.x, 'y');
});

test('an informer sees every add, update and delete in order', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'inf' } } });
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
  // The root CA publisher adds kube-root-ca.crt to every namespace, as on Kubernetes: not ours to follow.
  const seen: string[] = [];
  const ours = (o: k8s.V1ConfigMap) => o.metadata?.name !== 'kube-root-ca.crt';
  informer.on('add', (o) => { if (ours(o)) seen.push(`add ${o.metadata?.name}`); });
  informer.on('update', (o) => { if (ours(o)) seen.push(`update ${o.metadata?.name} ${o.data?.v}`); });
  informer.on('delete', (o) => { if (ours(o)) seen.push(`delete ${o.metadata?.name}`); });
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'one' }, data: { v: '1' } } });
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'two' }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'one', namespace: 'inf', body: [{ op: 'replace', path: '/data/v', value: '2' }] });
    await core.deleteNamespacedConfigMap({ name: 'two', namespace: 'inf' });
    const want = ['add one', 'add two', 'update one 2', 'delete two'];
    const deadline = Date.now() + 10_000;
    while (seen.length < want.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen, want);
    assert.deepEqual(informer.list('inf').filter(ours).map((o) => o.metadata?.name), ['one']);
  } finally {
    await informer.stop();
  }
});
