import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listSemantics, patchMetaFromDefinitions, patchStrategyOf, type Definitions } from './patch-meta.js';
import { definitions } from './testdata/definitions.js';
import { toFieldSet } from './structured-merge.js';
import { FieldSet, pathToString } from './field-set.js';

const deploy = patchMetaFromDefinitions(definitions, 'io.k8s.api.apps.v1.Deployment');
const podSpec = deploy.field('spec')!.field('template')!.field('spec')!;

test('field lookups follow $ref and carry the property extensions', () => {
  const containers = podSpec.field('containers')!;
  assert.equal(containers.shape, 'list');
  assert.deepEqual(patchStrategyOf(containers), { retainKeys: false, strategy: 'merge' });
  assert.equal(containers.patchMergeKey, 'name');
  assert.deepEqual(listSemantics(containers), { type: 'map', keys: ['name'] });
  const volumes = podSpec.field('volumes')!;
  assert.deepEqual(patchStrategyOf(volumes), { retainKeys: true, strategy: 'merge' });
  assert.deepEqual(patchStrategyOf(deploy.field('spec')!.field('strategy')), { retainKeys: true, strategy: '' });
  const ports = containers.items().field('ports')!;
  assert.deepEqual(listSemantics(ports), { type: 'map', keys: ['containerPort', 'protocol'] });
  assert.equal(ports.items().field('protocol')!.default, 'TCP');
  assert.equal(deploy.field('metadata')!.field('labels')!.shape, 'map');
  assert.equal(deploy.field('metadata')!.field('labels')!.field('anything')!.shape, 'scalar');
  assert.equal(deploy.field('spec')!.field('selector')!.mapType, 'atomic');
  assert.equal(deploy.field('spec')!.field('nope'), undefined);
  assert.equal(deploy.field('spec')!.field('strategy')!.field('rollingUpdate')!.field('maxSurge')!.shape, 'scalar');
  assert.deepEqual(listSemantics(podSpec.field('tolerations')), { type: 'atomic', keys: [] });
  assert.deepEqual(listSemantics(podSpec.field('imagePullSecrets')), { type: 'map', keys: ['name'] }, 'merge key implies a list-map');
  assert.deepEqual(listSemantics(deploy.field('metadata')!.field('finalizers')), { type: 'set', keys: [] });
  assert.equal(podSpec.isRequired('containers'), true);
});

test('recursive definitions and allOf-wrapped refs (OpenAPI v3 style) resolve lazily', () => {
  const defs: Definitions = {
    Props: {
      type: 'object',
      properties: {
        properties: { type: 'object', additionalProperties: { allOf: [{ $ref: '#/components/schemas/Props' }] } as never },
        items: { allOf: [{ $ref: '#/definitions/Props' }], 'x-kubernetes-patch-strategy': 'replace' } as never,
        type: { type: 'string' },
      },
    },
  };
  const m = patchMetaFromDefinitions(defs, 'Props');
  const deep = m.field('properties')!.field('x')!.field('properties')!.field('y')!;
  assert.equal(deep.shape, 'struct');
  assert.equal(deep.field('type')!.shape, 'scalar');
  assert.deepEqual(m.field('items')!.patchStrategies, ['replace']);
  assert.equal(m.field('items')!.field('type')!.shape, 'scalar');
  assert.equal(patchMetaFromDefinitions(defs, 'Missing').shape, 'untyped');
});

test('field sets: k: for list-map items (key defaults filled in), v: for set elements', () => {
  const set = toFieldSet({
    metadata: { finalizers: ['example.com/a'] },
    spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 8080 }] }] } } },
  }, deploy);
  assert.deepEqual(set.toFieldsV1(), {
    'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': {
      '.': {}, 'f:name': {},
      'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
    } } } } },
  });
  const round = FieldSet.fromFieldsV1(set.toFieldsV1());
  assert.deepEqual(round.toFieldsV1(), set.toFieldsV1());
  assert.deepEqual(round.paths().map(pathToString), [
    '.metadata.finalizers[="example.com/a"]',
    '.spec.template.spec.containers[name="a"]',
    '.spec.template.spec.containers[name="a"].name',
    '.spec.template.spec.containers[name="a"].ports[containerPort=8080,protocol="TCP"]',
    '.spec.template.spec.containers[name="a"].ports[containerPort=8080,protocol="TCP"].containerPort',
  ]);
});

test('FieldsV1 children are ordered as upstream: fields, then keys, values, indices', () => {
  const s = FieldSet.fromFieldsV1({ 'i:1': {}, 'v:2': {}, 'k:{"b":1}': {}, 'k:{"a":2}': {}, 'f:z': {}, 'f:a': {}, 'v:"x"': {}, 'i:0': {} });
  assert.deepEqual(Object.keys(s.toFieldsV1()), ['f:a', 'f:z', 'k:{"a":2}', 'k:{"b":1}', 'v:2', 'v:"x"', 'i:0', 'i:1']);
});
