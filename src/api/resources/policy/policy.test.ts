import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { podDisruptionBudgets, type PodDisruptionBudgetObject } from './pod-disruption-budgets.js';
import { evictionNameMismatchMessage, evictionTargetError, validateEviction } from './evictions.js';

const pdb = (spec: PodDisruptionBudgetObject['spec']): PodDisruptionBudgetObject => ({ metadata: { name: 'p' }, spec });

test('PDB: minAvailable xor maxUnavailable, percent rules, selector validity', () => {
  assert.deepEqual(podDisruptionBudgets.validate!(pdb({ minAvailable: 1, selector: { matchLabels: { app: 'x' } } })), []);
  assert.deepEqual(podDisruptionBudgets.validate!(pdb({ minAvailable: 1, maxUnavailable: '10%' })).map(formatFieldError), [
    'spec: Invalid value: {"minAvailable":1,"maxUnavailable":"10%"}: minAvailable and maxUnavailable cannot be both set',
  ]);
  assert.deepEqual(podDisruptionBudgets.validate!(pdb({ maxUnavailable: '150%' })).map(formatFieldError), ['spec.maxUnavailable: Invalid value: "150%": must not be greater than 100%']);
  assert.deepEqual(podDisruptionBudgets.validate!(pdb({ minAvailable: -1 })).map(formatFieldError), ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0']);
});

test('PDB: status reset, generation and printer cells', () => {
  const p = pdb({ minAvailable: '50%' });
  podDisruptionBudgets.prepareForCreate!(p);
  assert.deepEqual(p.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  assert.equal(p.metadata.generation, 1);
  p.status!.disruptionsAllowed = 2;
  assert.deepEqual(podDisruptionBudgets.printerColumns!.slice(0, 3).map((c) => c.cell(p, 0)), ['50%', 'N/A', 2]);
  const next = structuredClone(p);
  next.spec!.minAvailable = 1;
  podDisruptionBudgets.prepareForUpdate!(next, p);
  assert.equal(next.metadata.generation, 2);
});

test('Eviction body checks', () => {
  assert.equal(evictionTargetError({ metadata: { name: 'a' } }, 'b', 'default'), evictionNameMismatchMessage);
  assert.equal(evictionTargetError({ metadata: { name: 'a', namespace: 'default' } }, 'a', 'default'), undefined);
  assert.deepEqual(validateEviction({ metadata: { name: 'a' }, deleteOptions: { propagationPolicy: 'Sometimes' } }).map(formatFieldError), [
    'deleteOptions.propagationPolicy: Unsupported value: "Sometimes": supported values: "Foreground", "Background", "Orphan", "nil"',
  ]);
});
