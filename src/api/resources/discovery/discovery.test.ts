import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlices, type EndpointSliceObject } from './endpoint-slices.js';
import { leases } from '../coordination/leases.js';
import { priorityClasses } from '../scheduling/priority-classes.js';

test('EndpointSlice defaults, validation and cells', () => {
  const es: EndpointSliceObject = { metadata: { name: 'web-abc' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.5'] }, { addresses: ['10.42.0.6'] }, { addresses: ['10.42.0.7', '10.42.0.8'] }], ports: [{ port: 80 }] };
  endpointSlices.defaults!(es);
  assert.deepEqual(es.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.deepEqual(endpointSlices.validate!(es), []);
  assert.deepEqual(endpointSlices.printerColumns!.slice(0, 3).map((c) => c.cell(es, 0)), ['IPv4', '80', '10.42.0.5,10.42.0.6,10.42.0.7 + 1 more...']);
  assert.deepEqual(endpointSlices.printerColumns!.slice(1, 3).map((c) => c.cell({ metadata: {}, addressType: 'IPv4', endpoints: [] }, 0)), ['<unset>', '<unset>']);
  assert.deepEqual(endpointSlices.validate!({ ...es, endpoints: [{ addresses: ['::1'] }] }).map((e) => e.detail), ['must be an IPv4 address']);
  assert.deepEqual(endpointSlices.validate!({ ...es, addressType: 'IPv6' }, es).at(-1)!.detail, 'field is immutable');
});

test('Lease printer and PriorityClass rules', () => {
  assert.equal(leases.printerColumns![0]!.cell({ metadata: {}, spec: { holderIdentity: 'node-1' } }, 0), 'node-1');
  const pc = { metadata: { name: 'high' }, value: 2_000_000_000 };
  assert.deepEqual(priorityClasses.validate!(pc).map((e) => e.detail), ['maximum allowed value of a user defined priority is 1000000000']);
  assert.deepEqual(priorityClasses.validate!({ metadata: { name: 'system-x' }, value: 1 }).map((e) => e.detail), ["priority class names with 'system-' prefix are reserved"]);
  const ok = { metadata: { name: 'low' }, value: 10, globalDefault: true };
  priorityClasses.defaults!(ok);
  assert.deepEqual(priorityClasses.printerColumns!.filter((c) => c.name !== 'Age').map((c) => c.cell(ok, 0)), [10, true, 'PreemptLowerPriority']);
  assert.deepEqual(priorityClasses.validate!({ ...ok, value: 11 }, ok).map((e) => e.detail), ['may not be changed in an update.']);
});
