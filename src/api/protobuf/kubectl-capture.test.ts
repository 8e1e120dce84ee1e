// Captures the protobuf bodies the real kubectl sends (1.33, and 1.32 for autoscaling/v1) through a
// throwaway loopback server and checks that they decode to the JSON kubectl itself prints for the same
// object (`--dry-run=client -o json`), or to the expected review/token objects.
// With K8TS_UPDATE_FIXTURES=1 it (re)writes testdata/*.bin and *.json for the offline tests in decode.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeKubernetesProtobuf } from './decode.js';
import { captureCases, normalizeJson, sourceTestdataDir } from './testdata/cases.js';

const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
const updateFixtures = process.env['K8TS_UPDATE_FIXTURES'] === '1';

interface Captured { method: string; url: string; contentType: string; body: Buffer }

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const resourceLists: Record<string, unknown> = {
  '/api/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], verbs: ['create', 'get', 'list'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', shortNames: ['no'], verbs: ['get', 'list'] },
    { name: 'serviceaccounts', singularName: 'serviceaccount', namespaced: true, kind: 'ServiceAccount', verbs: ['create', 'get', 'list'] },
    { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
  ] },
  '/apis/apps/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [
    { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', shortNames: ['deploy'], verbs: ['create', 'get', 'list', 'patch', 'update'] },
    { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  ] },
  '/apis/autoscaling/v2': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'autoscaling/v2', resources: [
    { name: 'horizontalpodautoscalers', singularName: 'horizontalpodautoscaler', namespaced: true, kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], verbs: ['create', 'get'] },
  ] },
  '/apis/autoscaling/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'autoscaling/v1', resources: [
    { name: 'horizontalpodautoscalers', singularName: 'horizontalpodautoscaler', namespaced: true, kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], verbs: ['create', 'get'] },
  ] },
};

const groupList = { kind: 'APIGroupList', apiVersion: 'v1', groups: [
  { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
  { name: 'autoscaling', versions: [{ groupVersion: 'autoscaling/v2', version: 'v2' }, { groupVersion: 'autoscaling/v1', version: 'v1' }],
    preferredVersion: { groupVersion: 'autoscaling/v2', version: 'v2' } },
] };

const deployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: '0b6ad1b4-7c1f-4f55-9a7e-3c1d6a1f0001', resourceVersion: '7', creationTimestamp: '2025-01-01T00:00:00Z' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
};

/** Answers just enough for kubectl to reach its POST, records that POST and echoes the object back. */
function answer(req: IncomingMessage, res: ServerResponse, body: Buffer, captured: Captured[]): void {
  const path = (req.url ?? '').split('?')[0]!;
  if (req.method === 'GET') {
    if (path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') return send(res, 200, groupList);
    if (resourceLists[path]) return send(res, 200, resourceLists[path]);
    if (path === '/apis/apps/v1/namespaces/default/deployments/web') return send(res, 200, deployment);
    return send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` });
  }
  captured.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
  const object = decodeKubernetesProtobuf(body);
  const metadata = { name: 'x', namespace: 'default', ...(object['metadata'] as object | undefined) };
  const status: Record<string, unknown> = {
    SelfSubjectAccessReview: { allowed: true },
    SelfSubjectReview: { userInfo: { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] } },
    TokenRequest: { token: 'header.payload.signature', expirationTimestamp: '2030-01-01T00:00:00Z' },
  };
  send(res, 201, { ...object, metadata, status: status[object['kind'] as string] ?? {} });
}

async function withCaptureServer<T>(fn: (port: number, captured: Captured[]) => Promise<T>): Promise<T> {
  const captured: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try { answer(req, res, Buffer.concat(chunks), captured); } catch (e) {
        send(res, 500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: String(e) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn((server.address() as AddressInfo).port, captured);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function kubectl(version: string, args: readonly string[], home: string): Promise<{ stdout: string; stderr: string }> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
  return new Promise((resolve, reject) => {
    execFile(join(kubectlDir, `kubectl.${version}`), [...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl.${version} ${args.join(' ')}: ${stderr || err.message}`, { cause: err }));
      else resolve({ stdout, stderr });
    });
  });
}

const versions = ['1.33', '1.32'].filter((v) => existsSync(join(kubectlDir, `kubectl.${v}`)));

test('captures kubectl protobuf bodies and decodes them to kubectl\'s own JSON', { skip: versions.length === 0 && `no kubectl.1.32/1.33 in ${kubectlDir}` }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-'));
  writeFileSync(join(home, 'kubeconfig'), '');
  const outDir = sourceTestdataDir();
  try {
    for (const c of captureCases) {
      if (!versions.includes(c.kubectl)) { t.diagnostic(`skipping ${c.name}: kubectl.${c.kubectl} missing`); continue; }
      await t.test(`${c.name} (kubectl ${c.kubectl})`, async () => {
        const cacheDir = join(home, 'cache');
        const dashes = c.args.indexOf('--');
        const at = dashes < 0 ? c.args.length : dashes;
        const dryRunArgs = [...c.args.slice(0, at), '--dry-run=client', '-o', 'json', ...c.args.slice(at)];
        const [request, printed] = await withCaptureServer(async (port, captured) => {
          const server = [`--server=http://127.0.0.1:${port}`, `--cache-dir=${cacheDir}`];
          await kubectl(c.kubectl, [...server, ...c.args], home);
          const dryRun = c.dryRun ? await kubectl(c.kubectl, [...server, ...dryRunArgs], home) : undefined;
          return [captured[0], dryRun?.stdout] as const;
        });
        assert.ok(request, 'kubectl sent no POST');
        assert.equal(request.contentType, 'application/vnd.kubernetes.protobuf');
        assert.match(request.url, c.path);
        const decoded = decodeKubernetesProtobuf(request.body);
        const expected: unknown = printed === undefined ? c.expected : JSON.parse(printed);
        assert.deepEqual(normalizeJson(decoded), normalizeJson(expected));
        if (updateFixtures) {
          mkdirSync(outDir, { recursive: true });
          writeFileSync(join(outDir, `${c.name}.bin`), request.body);
          writeFileSync(join(outDir, `${c.name}.json`), `${JSON.stringify(expected, null, 2)}\n`);
        }
      });
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
