import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatMicroTime, formatTime } from './go-json.js';

test('formatDuration spells durations as Go time.Duration.String does', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'], [1n, '1ns'], [999n, '999ns'], [1_000n, '1µs'], [1_500n, '1.5µs'], [250_000_000n, '250ms'],
    [1_000_000_001n, '1.000000001s'], [1_500_000_000n, '1.5s'], [90_000_000_000n, '1m30s'], [3_600_000_000_000n, '1h0m0s'],
    [5_400_000_000_000n, '1h30m0s'], [360_000_000_000_001n, '100h0m0.000000001s'], [-2_500_000_000n, '-2.5s'],
    [-1_000n, '-1µs'], [60_000_000_000n, '1m0s'],
  ];
  for (const [ns, text] of cases) assert.equal(formatDuration(ns), text, String(ns));
});

test('formatTime and formatMicroTime use RFC 3339 in UTC, and null for Go\'s zero time', () => {
  assert.equal(formatTime(0n), '1970-01-01T00:00:00Z');
  assert.equal(formatTime(1714979289n), '2024-05-06T07:08:09Z');
  assert.equal(formatTime(-62135596800n), null);
  assert.equal(formatMicroTime(1714979289n, 1_000), '2024-05-06T07:08:09.000001Z');
  assert.equal(formatMicroTime(1714979289n, 999), '2024-05-06T07:08:09.000000Z');
  assert.equal(formatMicroTime(-62135596800n, 0), null);
});
