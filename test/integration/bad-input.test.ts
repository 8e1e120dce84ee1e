/**
 * Bad input gets a Kubernetes Status (reason, message, causes) and changes nothing; the server
 * keeps serving. Includes a seeded fuzz of the decode → validate path.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../fixtures/server.js';
import { rawClient } from '../fixtures/raw-https.js';

let server: TestServer;
let raw: Awaited<ReturnType<typeof rawClient>>;

before(async () => {
  server = await startTestServer();
  raw = await rawClient(server.kubeconfig);
});
after(async () => {
  raw?.close();
  await server?.stop();
});

const deployments = '/apis/apps/v1/namespaces/default/deployments';
const validDeployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ok' },
  spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }] }] } } },
};

interface StatusBody { kind: string; status: string; reason: string; message: string; code: number; details?: { causes?: { field?: string; reason?: string }[] } }

async function expectStatus(method: string, path: string, body: string | Buffer, contentType: string, code: number, reason: string, message?: RegExp): Promise<StatusBody> {
  const r = await raw.send(method, path, body, { 'Content-Type': contentType });
  assert.equal(r.status, code, `${method} ${path}: ${r.body}`);
  const st = r.json() as StatusBody;
  assert.equal(st.kind, 'Status');
  assert.equal(st.status, 'Failure');
  assert.equal(st.code, code);
  assert.equal(st.reason, reason);
  if (message) assert.match(st.message, message);
  return st;
}

async function names(): Promise<string[]> {
  const r = await raw.send('GET', deployments);
  return (r.json() as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
}

test('malformed bodies are 400 BadRequest', async () => {
  await expectStatus('POST', deployments, '{"apiVersion": "apps/v1", "kind": ', 'application/json', 400, 'BadRequest');
  await expectStatus('POST', deployments, 'kind: [unclosed', 'application/yaml', 400, 'BadRequest');
  await expectStatus('POST', deployments, Buffer.from([1, 2, 3, 4, 5]), 'application/vnd.kubernetes.protobuf', 400, 'BadRequest');
  await expectStatus('POST', deployments, '[1,2]', 'application/json', 400, 'BadRequest');
  await expectStatus('POST', deployments, JSON.stringify({ ...validDeployment, spec: { ...validDeployment.spec, replicas: 'three' } }), 'application/json', 400, 'BadRequest',
    /cannot unmarshal string into Go struct field DeploymentSpec\.spec\.replicas of type int32/);
  await expectStatus('POST', deployments, JSON.stringify({ ...validDeployment, kind: 'Pod' }), 'application/json', 400, 'BadRequest');
  await expectStatus('POST', deployments, 'x', 'text/csv', 415, 'UnsupportedMediaType');
  assert.deepEqual(await names(), []);
});

test('unknown and duplicate fields: Strict refuses, Warn warns, Ignore drops', async () => {
  const withUnknown = JSON.stringify({ ...validDeployment, metadata: { name: 'u' }, spec: { ...validDeployment.spec, bogus: 1 } });
  await expectStatus('POST', `${deployments}?fieldValidation=Strict`, withUnknown, 'application/json', 400, 'BadRequest', /strict decoding error: unknown field "spec\.bogus"/);
  const dup = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"metadata":{"name":"d"},"spec":' + JSON.stringify(validDeployment.spec) + '}';
  await expectStatus('POST', `${deployments}?fieldValidation=Strict`, dup, 'application/json', 400, 'BadRequest', /duplicate field "metadata"/);
  const warned = await raw.send('POST', `${deployments}?fieldValidation=Warn`, withUnknown, { 'Content-Type': 'application/json' });
  assert.equal(warned.status, 201);
  assert.match(String(warned.headers.warning), /unknown field \\"spec\.bogus\\"/);
  const stored = (await raw.send('GET', `${deployments}/u`)).json() as { spec: Record<string, unknown> };
  assert.equal(stored.spec.bogus, undefined);
  await raw.send('DELETE', `${deployments}/u`);
});

test('invalid objects are 422 Invalid with field causes, and nothing is written', async () => {
  const bad = { ...validDeployment, metadata: { name: 'Not_A_Name' }, spec: { ...validDeployment.spec, replicas: -1, template: { ...validDeployment.spec.template, spec: { containers: [{ name: 'c' }] } } } };
  const st = await expectStatus('POST', deployments, JSON.stringify(bad), 'application/json', 422, 'Invalid', /^Deployment\.apps "Not_A_Name" is invalid: \[/);
  const fields = (st.details?.causes ?? []).map((c) => c.field);
  for (const f of ['metadata.name', 'spec.replicas', 'spec.template.spec.containers[0].image']) assert.ok(fields.includes(f), `no cause for ${f}: ${JSON.stringify(fields)}`);
  const noName = { ...validDeployment, metadata: {} };
  await expectStatus('POST', deployments, JSON.stringify(noName), 'application/json', 422, 'Invalid', /name or generateName is required/);
  assert.deepEqual(await names(), []);
});

test('bodies over 3 MiB are refused with 413', async () => {
  const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
  const r = await raw.send('POST', '/api/v1/namespaces/default/configmaps', big, { 'Content-Type': 'application/json' });
  assert.equal(r.status, 413);
  assert.equal((r.json() as StatusBody).reason, 'RequestEntityTooLarge');
  assert.equal((await raw.send('GET', '/api/v1/namespaces/default/configmaps/big')).status, 404);
});

test('fuzz: mutated deployments always get 2xx or a 4xx Status, never 5xx, and the server keeps serving', async () => {
  let seed = 0x2545f491;
  const rand = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const junk: unknown[] = [null, true, -1, 1.5, 2 ** 40, '', 'x', '💥', [], {}, [1, 'a'], { a: { b: null } }];
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]) => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(validDeployment, []);
  const accepted: string[] = [];
  for (let i = 0; i < 300; i++) {
    const obj = structuredClone(validDeployment) as Record<string, unknown>;
    (obj.metadata as Record<string, unknown>).name = `fz-${i}`;
    let text: string;
    const mode = rand();
    if (mode < 0.6) {
      const path = pick(paths.filter((p) => p.length > 0 && !(p[0] === 'metadata' && p[1] === 'name')));
      let target = obj as Record<string | number, unknown>;
      for (const k of path.slice(0, -1)) target = target[k] as Record<string | number, unknown>;
      if (rand() < 0.2) delete target[path.at(-1)!]; else target[path.at(-1)!] = structuredClone(pick(junk));
      text = JSON.stringify(obj);
    } else if (mode < 0.8) {
      const s = JSON.stringify(obj);
      text = s.slice(0, Math.floor(rand() * s.length));
    } else {
      const s = Buffer.from(JSON.stringify(obj));
      for (let j = 0; j < 3; j++) s[Math.floor(rand() * s.length)] = Math.floor(rand() * 256);
      text = s.toString('latin1');
    }
    const r = await raw.send('POST', `${deployments}?fieldValidation=${pick(['Strict', 'Warn', 'Ignore'])}`, text, { 'Content-Type': 'application/json' });
    assert.ok(r.status < 500, `case ${i} got ${r.status}: ${r.body}\nbody: ${text}`);
    if (r.status === 201) accepted.push(`fz-${i}`);
    else {
      const st = r.json() as StatusBody;
      assert.equal(st.kind, 'Status', `case ${i}: ${r.body}`);
      assert.ok(st.message.length > 0);
    }
  }
  const live = (await names()).filter((n) => n.startsWith('fz-')).sort();
  assert.deepEqual(live, accepted.sort());
  assert.equal((await raw.send('GET', '/readyz')).status, 200);
});
