import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { defineResource, storageKey, storagePrefix, type ResourceDefinition } from './resource.js';
import type { Kube } from './types.js';

test('defineResource fills Kubernetes naming defaults and the metadata field selectors', () => {
  const deployments = defineResource<Kube<Deployment>>({
    group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', scope: 'Namespaced',
    defaults(d) { d.spec ??= { selector: {}, template: {} }; },
  });
  const list: readonly ResourceDefinition[] = [deployments];
  assert.equal(list[0]!.singular, 'deployment');
  assert.equal(deployments.listKind, 'DeploymentList');
  assert.deepEqual(Object.keys(deployments.fieldSelectors).sort(), ['metadata.name', 'metadata.namespace']);
  assert.equal(deployments.fieldSelectors['metadata.name']!({ metadata: { name: 'web' } }), 'web');
  assert.equal(storageKey(deployments, 'default', 'web'), '/registry/apps/deployments/default/web');
  assert.equal(storagePrefix(deployments), '/registry/apps/deployments/');
});
