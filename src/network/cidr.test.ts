import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, cidrSize, cidrsOverlap, formatCidr, ipAt, parseCidr, subnetAt } from './cidr.js';

test('parses and walks IPv4 ranges', () => {
  const c = parseCidr('10.43.7.9/16');
  assert.equal(formatCidr(c), '10.43.0.0/16');
  assert.equal(cidrSize(c), 65536);
  assert.equal(ipAt(c, 1), '10.43.0.1');
  assert.equal(ipAt(c, 10), '10.43.0.10');
  assert.ok(cidrContains(c, '10.43.255.255'));
  assert.ok(!cidrContains(c, '10.44.0.0'));
  assert.equal(formatCidr(subnetAt(parseCidr('10.42.0.0/16'), 24, 3)), '10.42.3.0/24');
  assert.ok(cidrsOverlap(parseCidr('10.42.0.0/16'), parseCidr('10.42.5.0/24')));
  assert.ok(!cidrsOverlap(parseCidr('10.42.0.0/16'), parseCidr('10.43.0.0/16')));
  assert.throws(() => parseCidr('10.0.0.0/33'));
  assert.throws(() => parseCidr('300.0.0.0/8'));
});
