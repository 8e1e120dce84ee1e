import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controllerKey, newControllerRef, planClaims, withControllerRef, withoutOwner } from './controller-ref.js';
import { labelSelectorAsSelector } from './label-selector.js';
import { defineResource } from '../api/resource.js';
import type { KubeObject } from '../api/types.js';

const replicaSets = defineResource({ group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', scope: 'Namespaced' });
const owner = { metadata: { name: 'web', namespace: 'default', uid: 'rs-uid' } };
const ref = newControllerRef(owner, replicaSets);
const obj = (name: string, labels: Record<string, string>, refs?: KubeObject['metadata']['ownerReferences'], deleting = false): KubeObject => ({
  metadata: { name, namespace: 'default', labels, ownerReferences: refs, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
});

test('newControllerRef and controllerKey', () => {
  assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true });
  assert.equal(controllerKey(obj('p', {}, [ref]), replicaSets), 'default/web');
  assert.equal(controllerKey(obj('p', {}, [{ ...ref, kind: 'StatefulSet' }]), replicaSets), undefined);
  assert.equal(controllerKey(obj('p', {}, [{ ...ref, controller: false }]), replicaSets), undefined);
});

test('planClaims: keep, adopt, release, ignore others', () => {
  const sel = labelSelectorAsSelector({ matchLabels: { app: 'web' } });
  const mine = obj('mine', { app: 'web' }, [ref]);
  const orphan = obj('orphan', { app: 'web' });
  const strayed = obj('strayed', { app: 'db' }, [ref]);
  const others = obj('others', { app: 'web' }, [{ ...ref, uid: 'other' }]);
  const dying = obj('dying', { app: 'web' }, undefined, true);
  const plan = planClaims(owner, sel, [mine, orphan, strayed, others, dying]);
  assert.deepEqual(plan.claimed.map((o) => o.metadata.name), ['mine', 'orphan']);
  assert.deepEqual(plan.adopt.map((o) => o.metadata.name), ['orphan']);
  assert.deepEqual(plan.release.map((o) => o.metadata.name), ['strayed']);
  const deletingOwner = { metadata: { ...owner.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } };
  const p2 = planClaims(deletingOwner, sel, [mine, orphan, strayed]);
  assert.deepEqual(p2.adopt, []);
  assert.deepEqual(p2.release, []);
});

test('withControllerRef / withoutOwner copy', () => {
  const o = obj('o', {});
  const adopted = withControllerRef(o, ref);
  assert.deepEqual(adopted.metadata.ownerReferences, [ref]);
  assert.equal(o.metadata.ownerReferences, undefined);
  assert.equal(withoutOwner(adopted, 'rs-uid').metadata.ownerReferences, undefined);
});
