import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, decodeStrategicMergePatch } from './strategic-merge-patch.js';
import { patchMetaFromDefinitions, untypedMeta } from './patch-meta.js';
import { definitions } from './testdata/definitions.js';
import { StatusError } from '../errors.js';
import type { JsonObject } from './json-value.js';

const deployMeta = patchMetaFromDefinitions(definitions, 'io.k8s.api.apps.v1.Deployment');
const smp = (original: JsonObject, patch: JsonObject | string, opts = {}): JsonObject =>
  applyStrategicMergePatch(original, typeof patch === 'string' ? decodeStrategicMergePatch(patch) : patch, deployMeta, opts);
const podSpec = (spec: JsonObject): JsonObject => ({ spec: { template: { spec } } });
const containersOf = (o: JsonObject): unknown => ((o.spec as JsonObject).template as JsonObject & { spec: JsonObject }).spec.containers;

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}

test('reproduces the kubectl apply three-way patch of wire-contract §4.3 against a live Deployment', () => {
  const live: JsonObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', generation: 1,
      labels: { app: 'web', tier: 'front' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n' },
    },
    spec: {
      replicas: 2, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          restartPolicy: 'Always', terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: 'a', image: 'img:1', imagePullPolicy: 'IfNotPresent', args: ['x', 'y'],
              env: [{ name: 'E1', value: '1' }, { name: 'E2', value: '2' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
            },
            { name: 'b', image: 'img-b:1', imagePullPolicy: 'IfNotPresent' },
          ],
          volumes: [{ name: 'v1', emptyDir: {} }],
        },
      },
    },
    status: { replicas: 2, observedGeneration: 1 },
  };
  const patch = '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"new\\":true}\\n"},"labels":{"tier":null}},'
    + '"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},'
    + '"template":{"spec":{'
    + '"$setElementOrder/containers":[{"name":"a"}],'
    + '"$setElementOrder/volumes":[{"name":"v1"}],'
    + '"containers":[{"$setElementOrder/env":[{"name":"E2"}],"$setElementOrder/ports":[{"containerPort":443}],'
    + '"args":["x","z"],"env":[{"$patch":"delete","name":"E1"}],"image":"img:2","name":"a",'
    + '"ports":[{"$patch":"delete","containerPort":80}]},'
    + '{"$patch":"delete","name":"b"}],'
    + '"volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"emptyDir":null,"name":"v1"}]}}}}';
  const before = structuredClone(live);
  const out = smp(live, patch);
  assert.deepEqual(out, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: {
      name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', generation: 1,
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"new":true}\n' },
    },
    spec: {
      replicas: 2, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          restartPolicy: 'Always', terminationGracePeriodSeconds: 30,
          containers: [{
            name: 'a', image: 'img:2', imagePullPolicy: 'IfNotPresent', args: ['x', 'z'],
            env: [{ name: 'E2', value: '2' }],
            ports: [{ containerPort: 443, protocol: 'TCP' }],
          }],
          volumes: [{ name: 'v1', configMap: { name: 'cm' } }],
        },
      },
    },
    status: { replicas: 2, observedGeneration: 1 },
  });
  assert.deepEqual(live, before, 'the input object is not modified');
  assert.doesNotMatch(JSON.stringify(out), /\$/, 'no directive survives');
});

test('removing one of two finalizers ($deleteFromPrimitiveList + $setElementOrder, verified kubectl 1.27)', () => {
  const live = { metadata: { name: 'x', finalizers: ['example.com/a', 'example.com/b'] } };
  const out = smp(live, '{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/b"],"$setElementOrder/finalizers":["example.com/a"]}}');
  assert.deepEqual(out, { metadata: { name: 'x', finalizers: ['example.com/a'] } });
});

test('primitive merge lists are a union; patch items keep their order, server-only items theirs', () => {
  const live = { metadata: { finalizers: ['a', 'b'] } };
  assert.deepEqual(smp(live, { metadata: { finalizers: ['c', 'a'] } }), { metadata: { finalizers: ['c', 'a', 'b'] } });
  assert.deepEqual(smp(live, { metadata: { finalizers: ['b'] } }), { metadata: { finalizers: ['a', 'b'] } });
  assert.equal(statusOf(() => smp(live, { metadata: { $setElementOrder: 1 } as JsonObject })).message,
    'expected a []interface {}, but received a int64');
});

test('$setElementOrder on a primitive list reorders and adds', () => {
  const live = { metadata: { finalizers: ['a', 'b', 'c'] } };
  const out = smp(live, { metadata: { '$setElementOrder/finalizers': ['c', 'd', 'a', 'b'], finalizers: ['d'] } });
  assert.deepEqual(out, { metadata: { finalizers: ['c', 'd', 'a', 'b'] } });
});

test('maps merge recursively and null deletes; a null for a missing key is ignored', () => {
  const live = { metadata: { labels: { a: '1', b: '2' } }, spec: { replicas: 1 } };
  assert.deepEqual(smp(live, { metadata: { labels: { a: null, c: '3', zz: null } }, spec: { paused: true } }),
    { metadata: { labels: { b: '2', c: '3' } }, spec: { replicas: 1, paused: true } });
  assert.deepEqual(smp(live, { spec: null }), { metadata: { labels: { a: '1', b: '2' } } });
});

test('nulls inside newly added maps and list elements are dropped', () => {
  const out = smp({ spec: {} }, { spec: { strategy: { type: 'Recreate', rollingUpdate: null } } });
  assert.deepEqual(out, { spec: { strategy: { type: 'Recreate' } } });
  const added = smp({}, podSpec({ containers: [{ name: 'a', image: null, args: ['x'] }] }));
  assert.deepEqual(containersOf(added), [{ name: 'a', args: ['x'] }]);
});

test('new merge-list elements go before the server-only items, in patch order (upstream ordering)', () => {
  const live = podSpec({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] });
  assert.deepEqual(containersOf(smp(live, podSpec({ containers: [{ name: 'c', image: '2' }, { name: 'd', image: '2' }] }))),
    [{ name: 'c', image: '2' }, { name: 'd', image: '2' }, { name: 'a', image: '1' }, { name: 'b', image: '1' }]);
  // A new item after an existing one is placed right after it.
  assert.deepEqual(containersOf(smp(live, podSpec({ containers: [{ name: 'a', image: '2' }, { name: 'c', image: '2' }] }))),
    [{ name: 'a', image: '2' }, { name: 'c', image: '2' }, { name: 'b', image: '1' }]);
});

test('$setElementOrder fixes the final order of a merged list of objects', () => {
  const live = podSpec({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] });
  const out = smp(live, podSpec({
    '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }, { name: 'a' }],
    containers: [{ name: 'c', image: '3' }],
  }));
  assert.deepEqual(containersOf(out), [{ name: 'b', image: '1' }, { name: 'c', image: '3' }, { name: 'a', image: '1' }]);
  const reordered = smp(live, podSpec({ '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] }));
  assert.deepEqual(containersOf(reordered), [{ name: 'b', image: '1' }, { name: 'a', image: '1' }]);
});

test('$setElementOrder that contradicts the patch list order is rejected', () => {
  const live = podSpec({ containers: [{ name: 'a' }, { name: 'b' }] });
  const err = statusOf(() => smp(live, podSpec({
    '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
    containers: [{ name: 'b', image: 'x' }, { name: 'a', image: 'y' }],
  })));
  assert.equal(err.code, 500);
  assert.match(err.message, /doesn't match \$setElementOrder list/);
});

test('$patch: delete removes a list element by key; $patch: replace replaces the whole list', () => {
  const live = podSpec({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }, { name: 'c', image: '1' }] });
  assert.deepEqual(containersOf(smp(live, podSpec({ containers: [{ name: 'b', $patch: 'delete' }] }))),
    [{ name: 'a', image: '1' }, { name: 'c', image: '1' }]);
  assert.deepEqual(containersOf(smp(live, podSpec({ containers: [{ name: 'z', image: '9' }, { $patch: 'replace' }] }))),
    [{ name: 'z', image: '9' }]);
  assert.deepEqual(containersOf(smp(live, podSpec({ containers: [{ $patch: 'replace' }] }))), []);
});

test('$patch: replace on a map replaces it; $patch: delete empties it; $patch: merge merges', () => {
  const live = { metadata: { labels: { a: '1', b: '2' } } };
  assert.deepEqual(smp(live, { metadata: { labels: { $patch: 'replace', c: '3' } } }), { metadata: { labels: { c: '3' } } });
  assert.deepEqual(smp(live, { metadata: { labels: { $patch: 'delete' } } }), { metadata: { labels: {} } });
  assert.deepEqual(smp(live, { metadata: { labels: { $patch: 'merge', c: '3' } } }), { metadata: { labels: { a: '1', b: '2', c: '3' } } });
  // rollout undo of a DaemonSet/StatefulSet sends spec.template with $patch: replace.
  const tpl = { spec: { template: { metadata: { labels: { v: '1' } }, spec: { containers: [{ name: 'a', image: '1', args: ['q'] }] } } } };
  const undone = smp(tpl, { spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'a', image: '0' }] } } } });
  assert.deepEqual(undone, { spec: { template: { spec: { containers: [{ name: 'a', image: '0' }] } } } });
});

test('an unknown $patch directive is an error worded as upstream', () => {
  const live = podSpec({ containers: [{ name: 'a' }] });
  const e1 = statusOf(() => smp(live, podSpec({ containers: [{ name: 'a', $patch: 'bogus' }] })));
  assert.equal(e1.code, 500);
  assert.equal(e1.message, 'unknown patch type: bogus in map: map[$patch:bogus name:a]');
  const e2 = statusOf(() => smp({ metadata: {} }, { metadata: { $patch: 'nope' } }));
  assert.equal(e2.message, 'unknown patch type: nope in map: map[$patch:nope]');
});

test('unknown $ directives are rejected under Strict, reported under Warn, dropped under Ignore', () => {
  const live = { metadata: { name: 'x' } };
  const err = statusOf(() => smp(live, { metadata: { '$bogus': 1 } }));
  assert.equal(err.code, 422);
  assert.match(err.message, /strict decoding error: unknown field "metadata.\$bogus"/);
  const warnings: string[] = [];
  assert.deepEqual(smp(live, { metadata: { '$bogus': 1 } }, { fieldValidation: 'Warn', warnings }), live);
  assert.deepEqual(warnings, ['unknown field "metadata.$bogus"']);
  assert.deepEqual(smp(live, { metadata: { '$bogus': 1 } }, { fieldValidation: 'Ignore' }), live);
});

test('$retainKeys clears unlisted keys and rejects patch keys outside the list', () => {
  const live = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  assert.deepEqual(smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }), { spec: { strategy: { type: 'Recreate' } } });
  const e = statusOf(() => smp(live, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } }));
  assert.equal(e.code, 422);
  assert.equal(e.message, 'the server rejected our request due to an error in our request');
  const bad = statusOf(() => smp(live, { spec: { strategy: { $retainKeys: 'type' } } }));
  assert.equal(bad.code, 400);
  assert.equal(bad.message, 'invalid patch format of retainKeys');
});

test('lists without merge strategy are replaced wholesale', () => {
  const live = podSpec({ containers: [{ name: 'a', args: ['1', '2'] }], tolerations: [{ key: 'x' }, { key: 'y' }] });
  const out = smp(live, podSpec({ containers: [{ name: 'a', args: ['3'] }], tolerations: [{ key: 'z' }] }));
  assert.deepEqual(out, podSpec({ containers: [{ name: 'a', args: ['3'] }], tolerations: [{ key: 'z' }] }));
});

test('int merge keys (containerPort) match by number, not by string', () => {
  const live = podSpec({ containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080, name: 'alt' }] }] });
  const out = smp(live, podSpec({ containers: [{ name: 'a', ports: [{ containerPort: 8080, name: 'web' }, { containerPort: '80', name: 'str' }] }] }));
  // 8080 merges in place, "80" is a new element; 80 stays first as it precedes 8080 on the server.
  assert.deepEqual(containersOf(out), [{ name: 'a', ports: [
    { containerPort: 80, protocol: 'TCP' }, { containerPort: 8080, name: 'web' }, { containerPort: '80', name: 'str' },
  ] }]);
});

test('merge-key lists without list-type metadata (imagePullSecrets) still merge by key', () => {
  const live = podSpec({ imagePullSecrets: [{ name: 'a' }] });
  assert.deepEqual((smp(live, podSpec({ imagePullSecrets: [{ name: 'b' }] })).spec as never as { template: { spec: JsonObject } }).template.spec,
    { imagePullSecrets: [{ name: 'b' }, { name: 'a' }] });
});

test('a patch element without its merge key is an error', () => {
  const live = podSpec({ containers: [{ name: 'a' }] });
  const e = statusOf(() => smp(live, podSpec({ containers: [{ image: 'x' }] })));
  assert.equal(e.message, 'map: map[image:x] does not contain declared merge key: name');
});

test('a type change replaces the value; a $deleteFromPrimitiveList for a missing list is a no-op', () => {
  assert.deepEqual(smp({ spec: { replicas: 'x' } }, { spec: { replicas: 2 } }), { spec: { replicas: 2 } });
  assert.deepEqual(smp({ metadata: { labels: 'junk' } }, { metadata: { labels: { a: '1', b: null } } }), { metadata: { labels: { a: '1' } } });
  assert.deepEqual(smp({ metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }), { metadata: {} });
  const e = statusOf(() => smp({ metadata: {} }, { metadata: { '$deleteFromPrimitiveListX/finalizers': ['a'] } }));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'invalid patch format of primitive list');
});

test('nulls inside lists: null elements of merge lists are skipped, atomic lists keep them', () => {
  const live = podSpec({ containers: [{ name: 'a' }] });
  assert.deepEqual(containersOf(smp(live, podSpec({ containers: [null, { name: 'b' }] } as never))), [{ name: 'b' }, { name: 'a' }]);
  const out = smp(live, podSpec({ containers: [{ name: 'a', args: ['x', null] }] } as never));
  assert.deepEqual(containersOf(out), [{ name: 'a', args: ['x', null] }]);
});

test('without metadata (untyped) maps merge and lists replace', () => {
  const out = applyStrategicMergePatch({ a: { b: 1, c: [1, 2] } }, { a: { c: [3], d: null } }, untypedMeta);
  assert.deepEqual(out, { a: { b: 1, c: [3] } });
});

test('decodeStrategicMergePatch: non-object bodies are 400', () => {
  assert.equal(statusOf(() => decodeStrategicMergePatch('[1]')).code, 400);
  assert.equal(statusOf(() => decodeStrategicMergePatch('{')).message, 'unexpected end of JSON input');
  assert.equal(statusOf(() => decodeStrategicMergePatch('nul')).code, 400);
});

test('big merge lists merge in linear-ish time', () => {
  const n = 20000;
  const env = Array.from({ length: n }, (_, i) => ({ name: `E${i}`, value: String(i) }));
  const live = podSpec({ containers: [{ name: 'a', env }] });
  const patchEnv = Array.from({ length: n }, (_, i) => ({ name: `E${n - 1 - i}`, value: 'x' }));
  const t0 = Date.now();
  const out = smp(live, podSpec({ containers: [{ name: 'a', env: patchEnv }] }));
  const took = Date.now() - t0;
  const outEnv = (containersOf(out) as { env: { name: string; value: string }[] }[])[0]!.env;
  assert.equal(outEnv.length, n);
  assert.equal(outEnv[0]!.name, `E${n - 1}`);
  assert.ok(outEnv.every((e) => e.value === 'x'));
  assert.ok(took < 5000, `took ${took} ms`);
});
