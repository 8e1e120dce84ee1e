import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { isStatusError, type StatusError } from '../errors.js';
import { createProtobufDecoder, decodeKubernetesProtobuf, protobufMagic } from './decode.js';
import { loadProtobufSchema } from './schema.js';
import { captureCases, normalizeJson, sourceTestdataDir } from './testdata/cases.js';

const testdata = sourceTestdataDir();
// Beside this module (copied into dist/ with the schema, which it imports relatively).
const conversionsProto = fileURLToPath(new URL('./testdata/conversions.proto', import.meta.url));
const fixture = (name: string): Uint8Array => readFileSync(join(testdata, `${name}.bin`));
const expectedJson = (name: string): unknown => JSON.parse(readFileSync(join(testdata, `${name}.json`), 'utf8'));

// A protobuf writer that knows nothing of the schema: fields are written by the numbers in upstream's
// generated.proto, so these tests check the schema's numbering as well as the conversions.
type Field = [number, string | number | boolean | Uint8Array | Field[]];
function encode(fields: Field[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const [no, v] of fields) {
    if (typeof v === 'string') w.uint32((no << 3) | 2).string(v);
    else if (typeof v === 'number') w.uint32(no << 3).int64(v);
    else if (typeof v === 'boolean') w.uint32(no << 3).bool(v);
    else if (v instanceof Uint8Array) w.uint32((no << 3) | 2).bytes(v);
    else w.uint32((no << 3) | 2).bytes(encode(v));
  }
  return w.finish();
}
const entry = (key: string, value: string | Field[]): Field[] => [[1, key], [2, value]];
function body(apiVersion: string, kind: string, raw: Uint8Array, extra: Field[] = []): Uint8Array {
  const unknown = encode([[1, [[1, apiVersion], [2, kind]]], [2, raw], ...extra]);
  return new Uint8Array([...protobufMagic, ...unknown]);
}

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) {
    assert.ok(isStatusError(e), `expected a StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('every captured kubectl body decodes to the JSON kubectl prints for it', () => {
  for (const c of captureCases) {
    const decoded = decodeKubernetesProtobuf(fixture(c.name));
    assert.deepEqual(normalizeJson(decoded), normalizeJson(expectedJson(c.name)), c.name);
  }
});

test('presence: replicas 0 is kept, unset pointers stay absent, zero omitempty scalars are dropped', () => {
  const zero = decodeKubernetesProtobuf(fixture('create-deployment-zero')) as any;
  assert.equal(zero.spec.replicas, 0);
  assert.equal('paused' in zero.spec, false);
  assert.equal('progressDeadlineSeconds' in zero.spec, false);
  assert.deepEqual(zero.spec.strategy, {});
  assert.deepEqual(zero.status, {});
  assert.equal(zero.metadata.creationTimestamp, null);
  assert.equal('namespace' in zero.metadata, false);
  assert.equal('generateName' in zero.metadata, false);
  assert.deepEqual(zero.spec.template.spec.containers[0].command, ['sleep', '3600']);
  assert.equal('imagePullPolicy' in zero.spec.template.spec.containers[0], false);
  const three = decodeKubernetesProtobuf(fixture('create-deployment')) as any;
  assert.equal(three.spec.replicas, 3);
  assert.deepEqual(three.spec.template.spec.containers[0].ports, [{ containerPort: 80 }]);
});

test('bytes maps become base64, quantities and int-or-strings keep their JSON spelling', () => {
  const secret = decodeKubernetesProtobuf(fixture('create-secret')) as any;
  assert.deepEqual(secret.data, { password: Buffer.from('s3cr3t').toString('base64'), empty: '' });
  assert.equal(secret.type, 'Opaque');
  const svc = decodeKubernetesProtobuf(fixture('create-service-clusterip')) as any;
  assert.deepEqual(svc.spec.ports.map((p: any) => p.targetPort), [8080, 'https']);
  const quota = decodeKubernetesProtobuf(fixture('create-quota')) as any;
  assert.deepEqual(quota.spec.hard, { cpu: '1500m', memory: '1Gi', pods: '10' });
  const pdb = decodeKubernetesProtobuf(fixture('create-pdb')) as any;
  assert.equal(pdb.spec.minAvailable, '50%');
  const token = decodeKubernetesProtobuf(fixture('create-token')) as any;
  assert.equal(token.spec.expirationSeconds, 3600);
});

test('deep PodSpec fields: inline volume sources and probe handlers, ephemeral containers, env sources', () => {
  const intOrString = (n: number): Field[] => [[1, 0], [2, n]];
  const container: Field[] = [
    [1, 'app'], [2, 'nginx'],
    [7, [[1, 'FROM_CM'], [3, [[3, [[1, [[1, 'cfg']]], [2, 'k'], [3, true]]]]]]], // env[].valueFrom.configMapKeyRef
    [8, [[1, entry('cpu', [[1, '250m']])], [2, entry('memory', [[1, '64Mi']])]]], // resources.limits / requests
    [10, [[1, [[2, [[1, '/healthz'], [2, intOrString(8080)]]]]], [2, 3], [4, 10]]], // livenessProbe.handler.httpGet
    [12, [[2, [[1, [[1, 'sleep'], [1, '5']]]]]]], // lifecycle.preStop.exec.command
    [15, [[2, false], [4, 1000], [5, true]]], // securityContext: privileged, runAsUser, runAsNonRoot
    [14, ''], [16, false], // imagePullPolicy "", stdin false
  ];
  const podSpec: Field[] = [
    [1, [[1, 'data'], [2, [[2, [[1, '']]]]]]], // volumes[0]: emptyDir {medium: ""}
    [1, [[1, 'conf'], [2, [[19, [[1, [[1, 'cfg']]], [3, 420]]]]]]], // volumes[1]: configMap {name, defaultMode}
    [2, container],
    [34, [[1, [[1, 'debug'], [2, 'busybox']]], [2, 'app']]], // ephemeralContainers[0]
    [7, entry('disk', 'ssd')], // nodeSelector
    [29, 'runc'], [30, false], // runtimeClassName, enableServiceLinks (a pointer: false stays)
  ];
  const pod = encode([[1, [[1, 'p'], [3, 'default'], [8, []], [11, entry('app', 'web')]]], [2, podSpec]]);
  const decoded = decodeKubernetesProtobuf(body('v1', 'Pod', pod)) as any;
  assert.deepEqual(decoded.metadata, { name: 'p', namespace: 'default', creationTimestamp: null, labels: { app: 'web' } });
  assert.deepEqual(decoded.spec.volumes, [
    { name: 'data', emptyDir: {} },
    { name: 'conf', configMap: { name: 'cfg', defaultMode: 420 } },
  ]);
  const c = decoded.spec.containers[0];
  assert.deepEqual(c.env, [{ name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: true } } }]);
  assert.deepEqual(c.resources, { limits: { cpu: '250m' }, requests: { memory: '64Mi' } });
  assert.deepEqual(c.livenessProbe, { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 3, periodSeconds: 10 });
  assert.deepEqual(c.lifecycle, { preStop: { exec: { command: ['sleep', '5'] } } });
  assert.equal('imagePullPolicy' in c, false, 'zero omitempty string dropped');
  assert.equal('stdin' in c, false, 'zero omitempty bool dropped');
  assert.deepEqual(decoded.spec.ephemeralContainers, [{ name: 'debug', image: 'busybox', targetContainerName: 'app' }]);
  assert.deepEqual(c.securityContext, { privileged: false, runAsUser: 1000, runAsNonRoot: true });
  assert.deepEqual(decoded.spec.nodeSelector, { disk: 'ssd' });
  assert.equal(decoded.spec.runtimeClassName, 'runc');
  assert.equal(decoded.spec.enableServiceLinks, false);
});

test('list wrappers, renamed fields and non-omitempty zero values', () => {
  const sar = encode([[1, [[1, 'r']]], [2, [[3, 'alice'], [4, 'devs'], [5, entry('scopes', [[1, 'a'], [1, 'b']])]]]]);
  const decoded = decodeKubernetesProtobuf(body('authorization.k8s.io/v1', 'SubjectAccessReview', sar)) as any;
  assert.deepEqual(decoded.spec, { user: 'alice', groups: ['devs'], extra: { scopes: ['a', 'b'] } });
  // BoundObjectReference.uID is spelled "uid" in JSON.
  const tr = encode([[2, [[3, [[1, 'Pod'], [2, 'v1'], [3, 'p'], [4, 'abc']]]]]]);
  const token = decodeKubernetesProtobuf(body('authentication.k8s.io/v1', 'TokenRequest', tr)) as any;
  assert.deepEqual(token.spec.boundObjectRef, { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'abc' });
  // SubjectAccessReviewStatus.allowed has no omitempty: false stays.
  const st = encode([[3, [[1, false]]]]);
  assert.deepEqual((decodeKubernetesProtobuf(body('authorization.k8s.io/v1', 'SelfSubjectAccessReview', st)) as any).status, { allowed: false });
});

test('time, micro time, duration, raw extension and managed fields conversions', () => {
  const decoder = createProtobufDecoder(loadProtobufSchema([conversionsProto]));
  const raw = encode([
    [1, [[1, 1714979289], [2, 999]]],
    [2, [[1, 1714979289], [2, 123456789]]],
    [3, [[1, 5_400_000_000_000]]],
    [4, [[1, new TextEncoder().encode('{"a":[1,2]}')]]],
    [5, [[1, 1], [3, 'http']]],
    [6, [[1, '1Gi']]],
    [7, entry('cpu', [[1, '100m']])],
    [8, []],
  ]);
  assert.deepEqual(decoder.decodeMessage('k8ts.test.Conversions', raw), {
    time: '2024-05-06T07:08:09Z',
    microTime: '2024-05-06T07:08:09.123456Z',
    duration: '1h30m0s',
    raw: { a: [1, 2] },
    port: 'http',
    quantity: '1Gi',
    resources: { cpu: '100m' },
    zeroMicroTime: null,
  });
  const meta = encode([[1, 'x'], [9, [[1, 1714979289]]], [17, [[1, 'kubectl'], [2, 'Update'], [4, [[1, 1714979289]]], [6, 'FieldsV1'], [7, [[1, new TextEncoder().encode('{"f:data":{}}')]]]]]]);
  assert.deepEqual(decoder.decodeMessage('k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta', meta), {
    name: 'x', deletionTimestamp: '2024-05-06T07:08:09Z',
    managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2024-05-06T07:08:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
  });
});

test('malformed bodies are 400 BadRequest', () => {
  assert.equal(statusOf(() => decodeKubernetesProtobuf(new Uint8Array())).code, 400);
  const noMagic = statusOf(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"Pod"}')));
  assert.equal(noMagic.code, 400);
  assert.match(noMagic.message, /does not appear to be a protobuf message/);
  const good = fixture('create-configmap');
  assert.equal(statusOf(() => decodeKubernetesProtobuf(good.subarray(0, good.length - 7))).reason, 'BadRequest');
  const badObject = body('v1', 'ConfigMap', new Uint8Array([0x0a, 0x50, 0x01]));
  assert.equal(statusOf(() => decodeKubernetesProtobuf(badObject)).code, 400);
  assert.equal(statusOf(() => decodeKubernetesProtobuf(body('', '', new Uint8Array()))).code, 400);
  const badRaw = encode([[4, [[1, new TextEncoder().encode('{not json')]]]]);
  const decoder = createProtobufDecoder(loadProtobufSchema([conversionsProto]));
  assert.equal(statusOf(() => decoder.decodeMessage('k8ts.test.Conversions', badRaw)).code, 400);
});

test('kinds k8ts does not decode, and foreign encodings, are 415 UnsupportedMediaType', () => {
  const e = statusOf(() => decodeKubernetesProtobuf(body('example.com/v1', 'Widget', new Uint8Array())));
  assert.equal(e.code, 415);
  assert.equal(e.reason, 'UnsupportedMediaType');
  assert.match(e.message, /Widget \(example\.com\/v1\).*application\/json/);
  const gz = body('v1', 'ConfigMap', new Uint8Array(), [[3, 'gzip']]);
  assert.equal(statusOf(() => decodeKubernetesProtobuf(gz)).code, 415);
});
