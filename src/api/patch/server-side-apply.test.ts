import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, trackUpdate, maxUpdateManagers, type ManagedFieldsEntry } from './server-side-apply.js';
import { patchMetaFromDefinitions } from './patch-meta.js';
import { definitions } from './testdata/definitions.js';
import { StatusError } from '../errors.js';
import type { JsonObject } from './json-value.js';

const meta = patchMetaFromDefinitions(definitions, 'io.k8s.api.apps.v1.Deployment');
const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';
const ctx = (manager: string, now: Date | string = T0, extra: object = {}) => ({ manager, apiVersion: 'apps/v1', kind: 'Deployment', now, meta, ...extra });

function statusOf(fn: () => unknown): StatusError {
  try { fn(); } catch (e) { if (e instanceof StatusError) return e; throw e; }
  assert.fail('expected a StatusError');
}
const mf = (o: JsonObject): ManagedFieldsEntry[] => ((o.metadata as JsonObject).managedFields ?? []) as unknown as ManagedFieldsEntry[];
const managerNames = (o: JsonObject): string[] => mf(o).map((e) => `${e.manager}/${e.operation}`);
const spec = (o: JsonObject): JsonObject => o.spec as JsonObject;

function manifest(replicas: number | undefined, containers: JsonObject[]): JsonObject {
  const s: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
  };
  if (replicas !== undefined) s.replicas = replicas;
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: s };
}

test('apply creates the object and records an Apply entry in the FieldsV1 encoding', () => {
  const cfg = manifest(2, [{ name: 'nginx', image: 'nginx:1', ports: [{ containerPort: 80 }] }]);
  const r = apply(undefined, cfg, ctx('kubectl'));
  assert.equal(r.changed, true);
  const { managedFields, ...rest } = r.object.metadata as JsonObject;
  assert.deepEqual({ ...r.object, metadata: rest }, cfg);
  assert.deepEqual(managedFields, [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': {
            '.': {}, 'f:image': {}, 'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          } } },
        },
      },
    },
  }]);
  assert.deepEqual(r.managedFields, managedFields);
});

test('re-applying without a field prunes it; fields nobody applied (defaults) stay', () => {
  const first = apply(undefined, manifest(2, [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }]), ctx('kubectl')).object;
  // the apiserver defaults a field nobody applied
  (spec(first)).revisionHistoryLimit = 10;
  const second = apply(first, manifest(undefined, [{ name: 'a', image: 'x2' }]), ctx('kubectl', T1)).object;
  assert.equal(spec(second).replicas, undefined, 'replicas pruned');
  assert.equal(spec(second).revisionHistoryLimit, 10, 'unowned default kept');
  assert.deepEqual((spec(second).template as { spec: JsonObject }).spec.containers, [{ name: 'a', image: 'x2' }]);
  assert.equal(mf(second)[0]!.time, T1);
  assert.equal(JSON.stringify(mf(second)[0]!.fieldsV1).includes('replicas'), false);
});

test('a conflicting change to a field another manager owns is a 409 with upstream wording', () => {
  const created = apply(undefined, manifest(2, [{ name: 'a', image: 'x' }]), ctx('kubectl')).object;
  const edited = trackUpdate(created, { ...created, spec: { ...spec(created), replicas: 5 } }, ctx('kubectl-edit', T1));
  assert.deepEqual(managerNames(edited), ['kubectl/Apply', 'kubectl-edit/Update']);
  const err = statusOf(() => apply(edited, manifest(3, [{ name: 'a', image: 'x' }]), ctx('kubectl', T2)));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  assert.deepEqual(err.status.details, { causes: [
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' },
  ] });
  // Applying the value the other manager set is no conflict: both own it.
  const same = apply(edited, manifest(5, [{ name: 'a', image: 'x' }]), ctx('kubectl', T2)).object;
  assert.equal(spec(same).replicas, 5);
  const owners = mf(same).filter((e) => JSON.stringify(e.fieldsV1).includes('f:replicas')).map((e) => e.manager);
  assert.deepEqual(owners.sort(), ['kubectl', 'kubectl-edit']);
});

test('force takes ownership; a manager left owning nothing disappears', () => {
  const created = apply(undefined, manifest(2, [{ name: 'a', image: 'x' }]), ctx('kubectl')).object;
  const edited = trackUpdate(created, { ...created, spec: { ...spec(created), replicas: 5 } }, ctx('kubectl-edit', T1));
  const forced = apply(edited, manifest(3, [{ name: 'a', image: 'x' }]), { ...ctx('kubectl', T2), force: true }).object;
  assert.equal(spec(forced).replicas, 3);
  assert.deepEqual(managerNames(forced), ['kubectl/Apply']);
});

test('several conflicts are listed per manager as upstream lists them', () => {
  const created = apply(undefined, manifest(2, [{ name: 'a', image: 'x' }]), ctx('kubectl')).object;
  const s = spec(created);
  const tpl = s.template as { spec: { containers: JsonObject[] } };
  const edited = trackUpdate(created, {
    ...created,
    spec: { ...s, replicas: 4, template: { ...tpl, spec: { containers: [{ name: 'a', image: 'edited' }] } } },
  }, ctx('kubectl-edit', T1));
  const scaled = trackUpdate(edited, { ...edited, spec: { ...spec(edited), paused: true } }, ctx('other', T1));
  const err = statusOf(() => apply(scaled, { ...manifest(9, [{ name: 'a', image: 'mine' }]), spec: { ...spec(manifest(9, [{ name: 'a', image: 'mine' }])), paused: false } }, ctx('kubectl', T2)));
  assert.equal(err.message, 'Apply failed with 3 conflicts: conflicts with "kubectl-edit" using apps/v1:\n'
    + '- .spec.replicas\n- .spec.template.spec.containers[name="a"].image\n'
    + 'conflicts with "other" using apps/v1:\n- .spec.paused');
  assert.deepEqual(err.status.details?.causes?.map((c) => c.field),
    ['.spec.replicas', '.spec.template.spec.containers[name="a"].image', '.spec.paused']);
});

test('two appliers: a field stays while another applier still owns it', () => {
  const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
  const a1 = apply(undefined, { ...base, metadata: { name: 'web', labels: { shared: '1', a: '1' } } }, ctx('mgr-a')).object;
  const b1 = apply(a1, { ...base, metadata: { name: 'web', labels: { shared: '1', b: '1' } } }, ctx('mgr-b', T1)).object;
  assert.deepEqual((b1.metadata as JsonObject).labels, { shared: '1', a: '1', b: '1' });
  const a2 = apply(b1, { ...base, metadata: { name: 'web', labels: {} } }, ctx('mgr-a', T2)).object;
  assert.deepEqual((a2.metadata as JsonObject).labels, { shared: '1', b: '1' }, 'a pruned, shared kept for mgr-b');
  const b2 = apply(a2, base, ctx('mgr-b', T2)).object;
  assert.equal((b2.metadata as JsonObject).labels, undefined);
  assert.deepEqual(managerNames(b2), []);
});

test('a field another applier set differently conflicts with that applier by name only', () => {
  const base = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
  const a = apply(undefined, { ...base, spec: { replicas: 1 } }, ctx('mgr-a')).object;
  const err = statusOf(() => apply(a, { ...base, spec: { replicas: 2 } }, ctx('mgr-b', T1)));
  assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "mgr-a": .spec.replicas');
});

test('trackUpdate: create records Added fields with "." for maps and list items', () => {
  const obj = manifest(1, [{ name: 'a', image: 'x' }]);
  const out = trackUpdate(undefined, obj, ctx('kubectl-client-side-apply'));
  assert.deepEqual(mf(out), [{
    manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {}, 'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    },
  }]);
  // An update that changes nothing adds no entry and keeps times.
  const same = trackUpdate(out, structuredClone(out), ctx('controller', T1));
  assert.deepEqual(mf(same), mf(out));
});

test('trackUpdate: status is owned only through /status, in an entry of its own', () => {
  const created = trackUpdate(undefined, manifest(1, [{ name: 'a' }]), ctx('creator'));
  const withStatus = trackUpdate(created, { ...created, status: { replicas: 1 } }, ctx('creator', T1));
  assert.equal(JSON.stringify(mf(withStatus)).includes('f:status'), false, 'main resource does not own status');
  const viaStatus = trackUpdate(withStatus, { ...withStatus, status: { replicas: 2 } }, ctx('deployment-controller', T1, { subresource: 'status' }));
  const entry = mf(viaStatus).find((e) => e.manager === 'deployment-controller')!;
  assert.deepEqual(entry, {
    manager: 'deployment-controller', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:replicas': {} } }, subresource: 'status',
  });
  // an apply to the main resource does not conflict over status
  const r = apply(viaStatus, { ...manifest(1, [{ name: 'a' }]), status: { replicas: 7 } }, ctx('kubectl', T2));
  assert.equal(JSON.stringify(r.managedFields.find((e) => e.manager === 'kubectl')).includes('f:status'), false);
});

test('trackUpdate: removed fields leave their owners; owners of nothing disappear', () => {
  const created = trackUpdate(undefined, manifest(1, [{ name: 'a' }]), ctx('creator'));
  const scaled = trackUpdate(created, { ...created, spec: { ...spec(created), replicas: 3 } }, ctx('scaler', T1));
  assert.deepEqual(managerNames(scaled), ['creator/Update', 'scaler/Update']);
  const s = { ...spec(scaled) };
  delete s.replicas;
  const dropped = trackUpdate(scaled, { ...scaled, spec: s }, ctx('editor', T2));
  assert.deepEqual(managerNames(dropped), ['creator/Update']);
});

test('kubectl last-applied migration: a JSON patch replacing managedFields is honoured', () => {
  const created = trackUpdate(undefined, manifest(1, [{ name: 'a' }]), ctx('kubectl-client-side-apply'));
  const migrated = mf(created).map((e) => ({ ...e, manager: 'kubectl', operation: 'Apply' as const }));
  const next = structuredClone(created);
  (next.metadata as JsonObject).managedFields = migrated as never;
  const out = trackUpdate(created, next, ctx('kubectl', T1));
  assert.deepEqual(managerNames(out), ['kubectl/Apply']);
  // now an apply by kubectl that drops replicas prunes it: kubectl owns it as an applier
  const applied = apply(out, manifest(undefined, [{ name: 'a' }]), ctx('kubectl', T2)).object;
  assert.equal(spec(applied).replicas, undefined);
  // a list without any valid entry clears managedFields
  const cleared = structuredClone(created);
  (cleared.metadata as JsonObject).managedFields = [{}];
  assert.equal((trackUpdate(created, cleared, ctx('x', T1)).metadata as JsonObject).managedFields, undefined);
});

test('apply keeps the last-applied annotation in sync for manager kubectl', () => {
  const live = apply(undefined, manifest(1, [{ name: 'a' }]), ctx('kubectl')).object;
  (live.metadata as JsonObject).annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const cfg = manifest(2, [{ name: 'a' }]);
  const out = apply(live, cfg, ctx('kubectl', T1)).object;
  const ann = ((out.metadata as JsonObject).annotations as JsonObject)['kubectl.kubernetes.io/last-applied-configuration'];
  assert.equal(ann, `${JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { labels: { app: 'web' }, name: 'web', namespace: 'default' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a' }] } } },
  })}\n`);
});

test('apply rejects another kind and applied managedFields', () => {
  const e1 = statusOf(() => apply(undefined, { ...manifest(1, []), kind: 'StatefulSet' }, ctx('kubectl')));
  assert.equal(e1.code, 400);
  assert.equal(e1.message, 'invalid object type: apps/v1, Kind=StatefulSet');
  const e2 = statusOf(() => apply(undefined, { ...manifest(1, []), apiVersion: 'v1' }, ctx('kubectl')));
  assert.equal(e2.message, 'invalid object type: /v1, Kind=Deployment');
  const withMf = manifest(1, []);
  (withMf.metadata as JsonObject).managedFields = [];
  assert.equal(statusOf(() => apply(undefined, withMf, ctx('kubectl'))).message, 'metadata.managedFields must be nil');
});

test('an unchanged apply reports no change and keeps the object', () => {
  const first = apply(undefined, manifest(1, [{ name: 'a' }]), ctx('kubectl'));
  const again = apply(first.object, manifest(1, [{ name: 'a' }]), ctx('kubectl', T1));
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, first.object);
});

test('list-map items merge by key; new applied items keep applied order among live ones', () => {
  const live = trackUpdate(undefined, manifest(1, [{ name: 'a', image: '1' }, { name: 'b', image: '1' }]), ctx('creator'));
  const out = apply(live, manifest(1, [{ name: 'c', image: '2' }, { name: 'a', image: '2' }]), { ...ctx('kubectl', T1), force: true }).object;
  const names = ((spec(out).template as { spec: { containers: JsonObject[] } }).spec.containers).map((c) => `${c.name}:${c.image}`);
  assert.deepEqual(names, ['c:2', 'a:2', 'b:1']);
});

test('duplicate keys in an applied list are rejected', () => {
  const e = statusOf(() => apply(undefined, manifest(1, [{ name: 'a' }, { name: 'a' }]), ctx('kubectl')));
  assert.equal(e.code, 400);
  assert.match(e.message, /duplicate entries for key \[name="a"\]/);
});

test('Update managers beyond the cap fold into ancient-changes', () => {
  let obj = trackUpdate(undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }, ctx('creator'));
  for (let i = 0; i < maxUpdateManagers + 2; i++) {
    const next = structuredClone(obj);
    (next.metadata as JsonObject).labels = { ...((obj.metadata as JsonObject).labels as JsonObject ?? {}), [`l${i}`]: 'v' };
    obj = trackUpdate(obj, next, ctx(`m${i}`, new Date(Date.parse(T0) + (i + 1) * 1000)));
  }
  const names = mf(obj).map((e) => e.manager);
  assert.equal(names.length, maxUpdateManagers);
  assert.ok(names.includes('ancient-changes'));
  assert.ok(names.includes(`m${maxUpdateManagers + 1}`));
});

test('a frozen (watch-cache shared) FieldsV1 of a manager the write leaves alone is decoded and encoded once', () => {
  const deepFreeze = <T>(o: T): T => { if (o && typeof o === 'object') { Object.values(o).forEach(deepFreeze); Object.freeze(o); } return o; };
  const created = deepFreeze(JSON.parse(JSON.stringify(trackUpdate(undefined, manifest(1, [{ name: 'a' }]), ctx('creator')))) as JsonObject);
  const pause = (minReadySeconds: number) => trackUpdate(created, { ...created, spec: { ...spec(created), minReadySeconds } }, ctx('pauser', T1));
  const [a, b] = [pause(2), pause(3)];
  const creatorOf = (o: JsonObject) => mf(o).find((e) => e.manager === 'creator')!.fieldsV1;
  assert.equal(creatorOf(a), creatorOf(b));
  assert.deepEqual(creatorOf(a), mf(created)[0]!.fieldsV1);
  // Not frozen: decoded afresh each time, the same content.
  const thawed = JSON.parse(JSON.stringify(created)) as JsonObject;
  const c = trackUpdate(thawed, { ...thawed, spec: { ...spec(thawed), minReadySeconds: 4 } }, ctx('pauser', T1));
  assert.deepEqual(creatorOf(c), creatorOf(a));
  assert.deepEqual(managerNames(a), ['creator/Update', 'pauser/Update']);
});
