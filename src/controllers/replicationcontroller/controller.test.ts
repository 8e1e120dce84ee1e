import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicationControllerController } from './controller.js';
import { fixture } from '../testing/fixture.js';
import { replicationControllers } from '../../api/resources/index.js';

test('creates pods owned by the ReplicationController', async () => {
  const f = await fixture(replicationControllerController, [[replicationControllers, {
    metadata: { name: 'rc', namespace: 'default', uid: 'rc-uid' },
    spec: { replicas: 2, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
  }]]);
  await f.sync('default/rc');
  assert.deepEqual(f.actions(), ['create pods default/rc-', 'create pods default/rc-', 'update replicationcontrollers/status default/rc']);
  const ref = (f.writes()[0]!.object as { metadata: { ownerReferences: unknown[] } }).metadata.ownerReferences[0];
  assert.deepEqual(ref, { apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'rc-uid', controller: true, blockOwnerDeletion: true });
  await f.stop();
});
