import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, Agent } from 'node:https';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { ClusterRole, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { clusterRoles, roleBindings, serviceAccounts } from '../../src/api/resources/index.js';
import type { Kube } from '../../src/api/types.js';
import { isNotFound } from '../../src/api/errors.js';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { kubectlFor } from '../fixtures/kubectl.js';
import { until } from '../fixtures/until.js';

let server: TestServer;
let dir: string;
let token: string;
let ca: Buffer;
let agent: Agent;
let saKubeconfig: string;
const sa = 'system:serviceaccount:default:robot';

before(async () => {
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'k8ts-rbac-'));
  const kc = parseYaml(await readFile(server.kubeconfig, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] };
  ca = Buffer.from(kc.clusters[0]!.cluster['certificate-authority-data'], 'base64');
  agent = new Agent({ keepAlive: true, ca });
  // The bootstrap (namespaces, then the RBAC policy) runs as the server starts; wait for `view` to be aggregated.
  await until('the view ClusterRole aggregated', async () => {
    try {
      const view = await server.client.get(clusterRoles, '', 'view') as ClusterRole;
      return (view.rules ?? []).some((r) => r.resources?.includes('pods'));
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }, 15_000, 50);
  await server.client.create(serviceAccounts, { metadata: { name: 'robot', namespace: 'default' } } as Kube<ServiceAccount>);
  const tr = await server.client.createSubresource(serviceAccounts, 'default', 'robot', 'token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [] } }) as TokenRequest;
  token = tr.status!.token;
  saKubeconfig = join(dir, 'robot.kubeconfig');
  await writeFile(saKubeconfig, toYaml({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'robot',
    clusters: [{ name: 'k8ts', cluster: { server: server.url, 'certificate-authority-data': ca.toString('base64') } }],
    users: [{ name: 'robot', user: { token } }],
    contexts: [{ name: 'robot', context: { cluster: 'k8ts', user: 'robot', namespace: 'default' } }],
  }));
});

after(async () => {
  agent?.destroy();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});


function send(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; bearer?: string } = {}): Promise<{ status: number; body: string }> {
  const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: url.hostname, port: url.port, method, path, agent,
      headers: { Accept: 'application/json', Authorization: `Bearer ${opts.bearer ?? token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}), ...opts.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

test('a service account may only discover: 403 with upstream wording, then 200 after a RoleBinding', async () => {
  const denied = await send('GET', '/api/v1/namespaces/default/pods');
  assert.equal(denied.status, 403);
  assert.deepEqual(JSON.parse(denied.body), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: `pods is forbidden: User "${sa}" cannot list resource "pods" in API group "" in the namespace "default"`,
    reason: 'Forbidden', details: { kind: 'pods' }, code: 403,
  });
  const named = JSON.parse((await send('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body) as { message: string; details: unknown };
  assert.equal(named.message, `deployments.apps "web" is forbidden: User "${sa}" cannot get resource "deployments" in API group "apps" in the namespace "default"`);
  assert.deepEqual(named.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal(JSON.parse((await send('GET', '/api/v1/nodes')).body).message, `nodes is forbidden: User "${sa}" cannot list resource "nodes" in API group "" at the cluster scope`);
  assert.equal(JSON.parse((await send('GET', '/api/v1/namespaces/default/pods/p/log')).body).message,
    `pods "p" is forbidden: User "${sa}" cannot get resource "pods/log" in API group "" in the namespace "default"`);
  const metrics = await send('GET', '/metrics');
  assert.equal(metrics.status, 403);
  assert.equal(JSON.parse(metrics.body).message, `forbidden: User "${sa}" cannot get path "/metrics"`);
  for (const path of ['/api', '/apis', '/api/v1', '/apis/apps/v1', '/version', '/openapi/v2']) {
    assert.equal((await send('GET', path)).status, 200, path);
  }

  await server.client.create(roleBindings, {
    metadata: { name: 'robot-view', namespace: 'default' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }],
  } as Kube<RoleBinding>);
  const allowed = await send('GET', '/api/v1/namespaces/default/pods');
  assert.equal(allowed.status, 200, allowed.body);
  assert.equal((await send('GET', '/api/v1/namespaces/kube-system/pods')).status, 403, 'a RoleBinding grants one namespace');
  assert.equal((await send('GET', '/api/v1/namespaces/default/secrets')).status, 403, 'view does not read secrets');
  assert.equal((await send('GET', '/api/v1/namespaces/default')).status, 200, 'view may read its own namespace object');
  assert.equal((await send('GET', '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1')).status, 200);
});

test('escalation: a namespace admin may not bind cluster-admin, but may bind what it holds', async () => {
  await server.client.create(serviceAccounts, { metadata: { name: 'nsadmin', namespace: 'default' } } as Kube<ServiceAccount>);
  await server.client.create(roleBindings, {
    metadata: { name: 'nsadmin-admin', namespace: 'default' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'nsadmin', namespace: 'default' }],
  } as Kube<RoleBinding>);
  const tr = await server.client.createSubresource(serviceAccounts, 'default', 'nsadmin', 'token', { spec: { audiences: [] } }) as TokenRequest;
  const bearer = tr.status!.token;
  const binding = (name: string, role: string) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'User', name: 'mallory', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  const denied = await send('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { bearer, body: binding('to-cluster-admin', 'cluster-admin') });
  assert.equal(denied.status, 403);
  assert.match(JSON.parse(denied.body).message, /^rolebindings\.rbac\.authorization\.k8s\.io "to-cluster-admin" is forbidden: user "system:serviceaccount:default:nsadmin" \(groups=\["system:serviceaccounts" "system:serviceaccounts:default" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  const ok = await send('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { bearer, body: binding('to-edit', 'edit') });
  assert.equal(ok.status, 201, ok.body);
});

test('impersonation: the admin may act as the service account; the service account may not impersonate', async () => {
  const kc = parseYaml(await readFile(server.kubeconfig, 'utf8')) as { users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[] };
  const adminAgent = new Agent({ ca, cert: Buffer.from(kc.users[0]!.user['client-certificate-data'], 'base64'), key: Buffer.from(kc.users[0]!.user['client-key-data'], 'base64') });
  try {
    const url = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      request({ hostname: url.hostname, port: url.port, path: '/api/v1/namespaces/kube-system/pods', agent: adminAgent, headers: { 'Impersonate-User': sa } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
        .on('error', reject).end();
    });
    assert.equal(status, 403, 'acting as the service account, the admin loses its own rights');
  } finally {
    adminAgent.destroy();
  }
  const r = await send('GET', '/api/v1/namespaces/default/pods', { headers: { 'Impersonate-User': 'system:admin' } });
  assert.equal(r.status, 403);
  assert.equal(JSON.parse(r.body).message, `users "system:admin" is forbidden: User "${sa}" cannot impersonate resource "users" in API group "" at the cluster scope`);
});

for (const minor of [33, 27]) {
  test(`kubectl 1.${minor} auth can-i, --list and --as answer from RBAC`, async (t) => {
    const asRobot = kubectlFor(minor, saKubeconfig);
    const asAdmin = kubectlFor(minor, server.kubeconfig);
    if (!asRobot || !asAdmin) return t.skip(`kubectl 1.${minor} is not installed`);
    const yes = await asRobot(['auth', 'can-i', 'list', 'pods']);
    assert.equal(yes.stdout.trim(), 'yes', yes.stderr);
    assert.equal(yes.code, 0);
    const no = await asRobot(['auth', 'can-i', 'delete', 'pods']);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal(no.code, 1);
    assert.equal((await asRobot(['auth', 'can-i', 'list', 'pods', '-n', 'kube-system'])).stdout.trim(), 'no');
    assert.equal((await asRobot(['get', 'pods', '-n', 'kube-system'])).stderr.trim(),
      `Error from server (Forbidden): pods is forbidden: User "${sa}" cannot list resource "pods" in API group "" in the namespace "kube-system"`);

    const list = await asRobot(['auth', 'can-i', '--list']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    assert.match(list.stdout, /\[\/api\/\*\]\s+\[\]\s+\[get\]/);

    assert.equal((await asAdmin(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes');
    assert.equal((await asAdmin(['auth', 'can-i', 'get', 'pods', '-n', 'default', '--as', sa])).stdout.trim(), 'yes');
    assert.equal((await asAdmin(['auth', 'can-i', 'get', 'secrets', '-n', 'default', '--as', sa])).stdout.trim(), 'no');
    assert.equal((await asAdmin(['auth', 'can-i', 'get', 'pods', '-n', 'default', '--as', 'nobody'])).stdout.trim(), 'no');
    assert.equal((await asAdmin(['auth', 'can-i', 'get', 'pods', '-n', 'default', '--as', 'nobody', '--as-group', 'system:masters'])).stdout.trim(), 'yes');
    const imp = await asRobot(['auth', 'can-i', 'get', 'pods', '--as', 'system:admin']);
    assert.notEqual(imp.code, 0);
    assert.match(imp.stderr, /users "system:admin" is forbidden: User "system:serviceaccount:default:robot" cannot impersonate resource "users" in API group "" at the cluster scope/);
  });
}
