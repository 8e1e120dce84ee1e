import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeIpamController } from './controller.js';
import { CidrSet } from './cidr-set.js';
import { fixture } from '../testing/fixture.js';
import { nodes } from '../../api/resources/index.js';
import type { ControllerDeps } from '../controller-deps.js';

const make = (deps: ControllerDeps) => nodeIpamController(deps, { clusterCidr: '10.42.0.0/22', nodeCidrMaskSize: 24 });
const node = (name: string, podCIDR?: string) => ({ metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

test('the pool rotates, reuses released subnets, and rejects foreign ones', () => {
  const s = new CidrSet('10.42.0.0/23', 24);
  assert.equal(s.allocateNext(), '10.42.0.0/24');
  assert.equal(s.allocateNext(), '10.42.1.0/24');
  assert.equal(s.allocateNext(), undefined);
  s.release('10.42.0.0/24');
  assert.equal(s.allocateNext(), '10.42.0.0/24');
  assert.equal(s.occupy('10.43.0.0/24'), false);
  assert.equal(s.occupy('10.42.0.0/25'), false);
  assert.throws(() => new CidrSet('10.42.0.0/16', 8));
});

test('assigns the next free /24 to a new node, keeping the ranges nodes already hold', async () => {
  const f = await fixture(make, [[nodes, node('a', '10.42.0.0/24'), node('b')]]);
  await f.sync('b');
  assert.deepEqual(f.actions(), ['patch nodes b']);
  assert.deepEqual(f.writes()[0]!.patch, { spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] } });
  assert.equal(f.client.peek(nodes, '', 'b')?.spec?.podCIDR, '10.42.1.0/24');
  f.clearActions();
  await f.sync('b');
  await f.sync('a');
  assert.deepEqual(f.actions(), []);
  await f.stop();
});

test('a deleted node returns its range; a full pool records CIDRNotAvailable', async () => {
  const f = await fixture(make, [[nodes, node('a', '10.42.0.0/24'), node('b', '10.42.1.0/24'), node('c', '10.42.2.0/24'), node('d', '10.42.3.0/24'), node('e')]]);
  await assert.rejects(f.sync('e'), /no remaining CIDRs/);
  assert.deepEqual(await f.events(), ['Normal CIDRNotAvailable Node e status is now: CIDRNotAvailable']);
  await f.client.delete(nodes, '', 'c');
  await f.settle();
  f.clearActions();
  await f.sync('e');
  assert.equal(f.client.peek(nodes, '', 'e')?.spec?.podCIDR, '10.42.2.0/24');
  await f.stop();
});
