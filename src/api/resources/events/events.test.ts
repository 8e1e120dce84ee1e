import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { eventsV1, eventV1ToCore, coreEventToV1, type EventV1Object } from './events.js';

const ev: EventV1Object = {
  apiVersion: 'events.k8s.io/v1', kind: 'Event',
  metadata: { name: 'web.17', namespace: 'default' },
  eventTime: '2025-01-01T00:00:00.000000Z', reportingController: 'k8ts.io/scheduler', reportingInstance: 'node-1',
  action: 'Binding', reason: 'Scheduled', type: 'Normal', note: 'Successfully assigned default/web to node-1',
  regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
  deprecatedCount: 2, deprecatedSource: { component: 'scheduler' },
  deprecatedFirstTimestamp: '2025-01-01T00:00:00Z', deprecatedLastTimestamp: '2025-01-01T00:00:30Z',
};

test('events.k8s.io/v1 ↔ core/v1 conversion maps fields as upstream', () => {
  const core = eventV1ToCore(ev);
  assert.equal(core.apiVersion, 'v1');
  assert.equal(core.message, ev.note);
  assert.deepEqual(core.involvedObject, ev.regarding);
  assert.equal(core.count, 2);
  assert.equal(core.reportingComponent, 'k8ts.io/scheduler');
  assert.deepEqual(core.source, { component: 'scheduler' });
  assert.equal(core.firstTimestamp, ev.deprecatedFirstTimestamp);
  assert.deepEqual(coreEventToV1(core), ev);
  assert.deepEqual(eventsV1.storage, { group: '', resource: 'events', version: 'v1' });
});

test('events.k8s.io/v1 validation and printing through the core printer', () => {
  assert.deepEqual(eventsV1.validate!(ev), []);
  const bad = { metadata: { name: 'x', namespace: 'default' } } as EventV1Object;
  assert.deepEqual(eventsV1.validate!(bad).map(formatFieldError), [
    'eventTime: Required value', 'type: Invalid value: "": has invalid value: ',
    'reportingController: Required value',
    "reportingController: Invalid value: \"\": name part must be non-empty",
    "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    'reportingInstance: Required value', 'action: Required value', 'reason: Required value',
  ]);
  const now = Date.parse('2025-01-01T00:01:00Z');
  assert.deepEqual(eventsV1.printerColumns!.slice(0, 4).map((c) => c.cell(ev, now)), ['30s', 'Normal', 'Scheduled', 'pod/web']);
  assert.equal(eventsV1.fieldSelectors['involvedObject.name']!(ev), 'web');
});
