import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceAccountController } from './controller.js';
import { fixture } from '../testing/fixture.js';
import { namespaces, serviceAccounts } from '../../api/resources/index.js';

test('creates the default ServiceAccount in an active namespace, and only once', async () => {
  const f = await fixture(serviceAccountController, [[namespaces, { metadata: { name: 'team' }, status: { phase: 'Active' } }]]);
  await f.sync('team');
  assert.deepEqual(f.actions(), ['create serviceaccounts team/default']);
  f.clearActions();
  await f.sync('team');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});

test('skips terminating namespaces', async () => {
  const f = await fixture(serviceAccountController, [[namespaces, { metadata: { name: 'old', deletionTimestamp: '2025-01-01T00:00:00Z' }, status: { phase: 'Terminating' } }]]);
  await f.sync('old');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});
