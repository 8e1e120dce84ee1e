import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { deployments, type DeploymentObject } from './deployments.js';
import { replicaSets, type ReplicaSetObject } from './replica-sets.js';
import { statefulSets, statefulSetUpdateForbiddenMessage, type StatefulSetObject } from './stateful-sets.js';
import { daemonSets, templateGenerationAnnotation, type DaemonSetObject } from './daemon-sets.js';
import { controllerRevisions } from './controller-revisions.js';
import { appsResources } from './index.js';

const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } });

function deployment(): DeploymentObject {
  const d: DeploymentObject = { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } };
  deployments.defaults!(d);
  return d;
}

test('Deployment defaults: 1 replica, RollingUpdate 25%/25%, 10 revisions, 600s deadline, template defaults', () => {
  const d = deployment();
  assert.equal(d.spec!.replicas, 1);
  assert.deepEqual(d.spec!.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec!.revisionHistoryLimit, 10);
  assert.equal(d.spec!.progressDeadlineSeconds, 600);
  assert.equal(d.spec!.template.spec!.restartPolicy, 'Always');
  assert.equal(d.spec!.template.spec!.containers[0]!.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(deployments.validate!(d), []);
});

test('Deployment validation: selector mismatch, missing selector, zero surge and unavailable, Recreate with rollingUpdate', () => {
  const d = deployment();
  d.spec!.template.metadata!.labels = { app: 'other' };
  assert.deepEqual(deployments.validate!(d).map(formatFieldError), ['spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`']);
  const noSel = deployment();
  delete (noSel.spec as { selector?: unknown }).selector;
  const errs = deployments.validate!(noSel).map(formatFieldError);
  assert.ok(errs.includes('spec.selector: Required value'), errs.join('\n'));
  const zero = deployment();
  zero.spec!.strategy!.rollingUpdate = { maxSurge: 0, maxUnavailable: '0%' };
  assert.deepEqual(deployments.validate!(zero).map(formatFieldError), ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0']);
  const recreate = deployment();
  recreate.spec!.strategy!.type = 'Recreate';
  assert.deepEqual(deployments.validate!(recreate).map(formatFieldError), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
  const bad = deployment();
  bad.spec!.strategy!.rollingUpdate = { maxSurge: '25', maxUnavailable: '120%' };
  const be = deployments.validate!(bad).map(formatFieldError);
  assert.ok(be.some((e) => e.startsWith(`spec.strategy.rollingUpdate.maxSurge: Invalid value: "25": a valid percent string must be a numeric string followed by an ending '%'`)), be.join('\n'));
  assert.ok(be.includes('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "120%": must not be greater than 100%'));
  const restart = deployment();
  restart.spec!.template.spec!.restartPolicy = 'Never';
  assert.deepEqual(deployments.validate!(restart).map(formatFieldError), ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});

test('Deployment: status reset on create, generation bumps on spec or annotation change, selector immutable', () => {
  const d = deployment();
  (d as { status?: unknown }).status = { replicas: 9 };
  deployments.prepareForCreate!(d);
  assert.deepEqual(d.status, {});
  assert.equal(d.metadata.generation, 1);
  const labelled = structuredClone(d);
  labelled.metadata.labels = { x: 'y' };
  labelled.status = { replicas: 5 };
  deployments.prepareForUpdate!(labelled, d);
  assert.equal(labelled.metadata.generation, 1);
  assert.deepEqual(labelled.status, {});
  const scaled = structuredClone(d);
  scaled.spec!.replicas = 3;
  deployments.prepareForUpdate!(scaled, d);
  assert.equal(scaled.metadata.generation, 2);
  const moved = structuredClone(d);
  moved.spec!.selector = { matchLabels: { app: 'web', tier: 'x' } };
  moved.spec!.template.metadata!.labels = { app: 'web', tier: 'x' };
  assert.ok(deployments.validate!(moved, d).map(formatFieldError)[0]!.endsWith(': field is immutable'));
  assert.deepEqual(deployments.subresources.scale, { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', labelSelectorPath: 'spec.selector' });
});

test('Deployment printer: Ready is ready/spec.replicas; wide Containers, Images, Selector', () => {
  const d = deployment();
  d.spec!.replicas = 3;
  d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  d.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  const cells = deployments.printerColumns!.map((c) => c.cell(d, Date.parse('2025-01-01T00:05:00Z')));
  assert.deepEqual(cells, ['2/3', 3, 2, '5m', 'web', 'nginx:1.25', 'app=web']);
  assert.deepEqual(deployments.printerColumns!.map((c) => c.name), ['Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
});

test('ReplicaSet: empty selector message and printer', () => {
  const rs: ReplicaSetObject = { metadata: { name: 'r' }, spec: { selector: {}, template: template({ a: 'b' }) } };
  replicaSets.defaults!(rs);
  assert.deepEqual(replicaSets.validate!(rs).map(formatFieldError), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
  rs.spec!.selector = { matchLabels: { a: 'b' } };
  rs.status = { replicas: 2, readyReplicas: 1 };
  assert.deepEqual(replicaSets.printerColumns!.map((c) => c.cell(rs, 0)).filter((_, i) => i !== 3), [1, 2, 1, 'web', 'nginx:1.25', 'a=b']);
  assert.equal(replicaSets.fieldSelectors['status.replicas']!(rs), '2');
});

test('StatefulSet defaults and the update whitelist', () => {
  const s: StatefulSetObject = {
    metadata: { name: 'db' },
    spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }), volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
  };
  statefulSets.defaults!(s);
  assert.equal(s.spec!.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(s.spec!.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.spec!.volumeClaimTemplates![0]!.spec!.volumeMode, 'Filesystem');
  assert.deepEqual(statefulSets.validate!(s), []);
  const scaled = structuredClone(s);
  scaled.spec!.replicas = 5;
  assert.deepEqual(statefulSets.validate!(scaled, s), []);
  const renamed = structuredClone(s);
  renamed.spec!.serviceName = 'other';
  assert.deepEqual(statefulSets.validate!(renamed, s).map(formatFieldError), [`spec: Forbidden: ${statefulSetUpdateForbiddenMessage}`]);
  s.status = { replicas: 1, readyReplicas: 1 };
  assert.equal(statefulSets.printerColumns![0]!.cell(s, 0), '1/1');
});

test('DaemonSet defaults, surge/unavailable rules, template generation annotation and printer', () => {
  const ds: DaemonSetObject = { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'a' } }, template: template({ app: 'a' }) } };
  daemonSets.defaults!(ds);
  assert.deepEqual(ds.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.deepEqual(daemonSets.validate!(ds), []);
  const both = structuredClone(ds);
  both.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 1, maxSurge: 1 };
  assert.deepEqual(daemonSets.validate!(both).map(formatFieldError), ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero']);
  const none = structuredClone(ds);
  none.spec!.updateStrategy!.rollingUpdate = { maxUnavailable: 0, maxSurge: 0 };
  assert.deepEqual(daemonSets.validate!(none).map(formatFieldError), ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0']);
  daemonSets.prepareForCreate!(ds);
  assert.equal(ds.metadata.annotations![templateGenerationAnnotation], '1');
  const changed = structuredClone(ds);
  changed.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  daemonSets.prepareForUpdate!(changed, ds);
  assert.equal(changed.metadata.annotations![templateGenerationAnnotation], '2');
  assert.equal(changed.metadata.generation, 2);
  ds.spec!.template.spec!.nodeSelector = { 'kubernetes.io/os': 'linux' };
  const cols = daemonSets.printerColumns!;
  assert.equal(cols.find((c) => c.name === 'Node Selector')!.cell(ds, 0), 'kubernetes.io/os=linux');
});

test('ControllerRevision: data required and immutable; Controller column', () => {
  const r = { metadata: { name: 'agent-abc', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }, revision: 2, data: { spec: {} } };
  assert.deepEqual(controllerRevisions.validate!(r), []);
  const changed = { ...r, data: { spec: { x: 1 } } };
  assert.ok(controllerRevisions.validate!(changed, r).map(formatFieldError)[0]!.startsWith('data: Invalid value'));
  assert.equal(controllerRevisions.printerColumns![0]!.cell(r, 0), 'daemonset.apps/agent');
  assert.deepEqual(appsResources.map((d) => d.plural), ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets']);
});
