import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCronSchedule } from '../../api/resources/index.js';
import { mostRecentSchedule, nextActivation, rfc3339In } from './schedule.js';

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

test('next activation of five-field schedules and descriptors (UTC)', () => {
  assert.equal(iso(nextActivation(parseCronSchedule('*/5 * * * *'), at('2025-01-01T00:00:00Z'))), '2025-01-01T00:05:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('*/5 * * * *'), at('2025-01-01T00:03:10Z'))), '2025-01-01T00:05:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('@hourly'), at('2025-01-01T10:00:00Z'))), '2025-01-01T11:00:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('@daily'), at('2025-01-01T10:00:00Z'))), '2025-01-02T00:00:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('@weekly'), at('2025-01-01T10:00:00Z'))), '2025-01-05T00:00:00.000Z', 'next Sunday');
  assert.equal(iso(nextActivation(parseCronSchedule('@monthly'), at('2025-01-31T10:00:00Z'))), '2025-02-01T00:00:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('@yearly'), at('2025-03-01T00:00:00Z'))), '2026-01-01T00:00:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('0 0 29 2 *'), at('2025-03-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('@every 90s'), at('2025-01-01T00:00:00.500Z'))), '2025-01-01T00:01:30.000Z');
});

test('day-of-month and day-of-week are ORed unless one is a star', () => {
  // the 13th or any Friday
  assert.equal(iso(nextActivation(parseCronSchedule('0 0 13 * 5'), at('2025-01-01T00:00:00Z'))), '2025-01-03T00:00:00.000Z');
  // Fridays only
  assert.equal(iso(nextActivation(parseCronSchedule('0 0 * * 5'), at('2025-01-04T00:00:00Z'))), '2025-01-10T00:00:00.000Z');
});

test('time zones: spec.timeZone and CRON_TZ', () => {
  assert.equal(iso(nextActivation(parseCronSchedule('0 9 * * *'), at('2025-01-01T00:00:00Z'), 'Asia/Tokyo')), '2025-01-02T00:00:00.000Z', 'strictly after 09:00 JST');
  assert.equal(iso(nextActivation(parseCronSchedule('0 9 * * *'), at('2024-12-31T23:59:00Z'), 'Asia/Tokyo')), '2025-01-01T00:00:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('CRON_TZ=America/New_York 30 2 * * *'), at('2025-07-01T00:00:00Z'))), '2025-07-01T06:30:00.000Z');
  assert.equal(iso(nextActivation(parseCronSchedule('0 12 * * *'), at('2025-03-30T00:00:00Z'), 'Europe/Berlin')), '2025-03-30T10:00:00.000Z', 'after the DST switch');
  assert.equal(rfc3339In(at('2025-01-01T00:00:00Z'), 'Asia/Tokyo'), '2025-01-01T09:00:00+09:00');
  assert.equal(rfc3339In(at('2025-01-01T00:00:00Z'), 'America/New_York'), '2024-12-31T19:00:00-05:00');
  assert.equal(rfc3339In(at('2025-01-01T00:00:00Z')), '2025-01-01T00:00:00Z');
});

test('most recent missed activation and the count of misses', () => {
  const every5 = parseCronSchedule('*/5 * * * *');
  assert.deepEqual(mostRecentSchedule(every5, at('2025-01-01T00:00:00Z'), at('2025-01-01T00:04:00Z')), { missed: 0 });
  assert.deepEqual(mostRecentSchedule(every5, at('2025-01-01T00:00:00Z'), at('2025-01-01T00:05:00Z')), { mostRecent: at('2025-01-01T00:05:00Z'), missed: 1 });
  assert.deepEqual(mostRecentSchedule(every5, at('2025-01-01T00:00:00Z'), at('2025-01-01T01:02:00Z')), { mostRecent: at('2025-01-01T01:00:00Z'), missed: 12 });
  const r = mostRecentSchedule(parseCronSchedule('* * * * *'), at('2024-01-01T00:00:00Z'), at('2025-01-01T00:00:30Z'));
  assert.equal(r.mostRecent, at('2025-01-01T00:00:00Z'));
  assert.equal(r.missed, 527040);
  const irregular = mostRecentSchedule(parseCronSchedule('0 0 1,15 * *'), at('2025-01-01T00:00:00Z'), at('2025-03-20T00:00:00Z'));
  assert.equal(iso(irregular.mostRecent), '2025-03-15T00:00:00.000Z');
});
