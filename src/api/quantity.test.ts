import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalQuantity, parseQuantity, compareQuantities, quantityMilliValue, quantityValue, formatQuantity,
  newMilliQuantity, addQuantities, validateQuantity, errQuantityFormat,
} from './quantity.js';
import { formatFieldError } from './errors.js';

test('canonical forms as Kubernetes serializes them', () => {
  const cases: [string | number, string][] = [
    ['100m', '100m'], ['0.1', '100m'], ['1000m', '1'], ['1.5', '1500m'], ['1500', '1500'], ['2000', '2k'],
    ['1500000', '1500k'], ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['1.5Gi', '1536Mi'],
    ['512', '512'], ['1Ki', '1Ki'], ['0.5Ki', '512'], ['100Ki', '100Ki'], ['1e3', '1e3'], ['1E3', '1e3'],
    ['1000e0', '1e3'], ['0', '0'], ['0Gi', '0'], ['-1', '-1'], ['-100m', '-100m'], ['0.1n', '1n'], ['1.0001n', '2n'],
    ['+5', '5'], ['5.', '5'], ['1M', '1M'], ['1000k', '1M'], ['12e-1', '1200e-3'], [1, '1'], [0.5, '500m'],
    ['1u', '1u'], ['10000n', '10u'], ['3.3Mi', '3460300800m'], ['1Ei', '1Ei'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `input ${input}`);
});

test('bad quantities carry upstream messages', () => {
  assert.throws(() => parseQuantity(''), { message: errQuantityFormat });
  assert.throws(() => parseQuantity('1x'), { message: errQuantityFormat });
  assert.throws(() => parseQuantity('1Kii'), { message: "unable to parse quantity's suffix" });
  assert.throws(() => parseQuantity('1 Gi'), { message: errQuantityFormat });
  assert.throws(() => parseQuantity('abc'), { message: errQuantityFormat });
  assert.deepEqual(validateQuantity('-1', 'spec.capacity[storage]').map(formatFieldError), ['spec.capacity[storage]: Invalid value: "-1": must be greater than or equal to 0']);
  assert.deepEqual(validateQuantity('2Gi', 'x'), []);
});

test('compare, values, arithmetic', () => {
  assert.equal(compareQuantities(parseQuantity('1Gi'), parseQuantity('1073741824')), 0);
  assert.equal(compareQuantities(parseQuantity('999m'), parseQuantity('1')), -1);
  assert.equal(quantityMilliValue(parseQuantity('0.5')), 500);
  assert.equal(quantityValue(parseQuantity('100m')), 1);
  assert.equal(quantityValue(parseQuantity('2Ki')), 2048);
  assert.equal(formatQuantity(newMilliQuantity(250)), '250m');
  assert.equal(formatQuantity(addQuantities(parseQuantity('1Gi'), parseQuantity('1Gi'))), '2Gi');
});
