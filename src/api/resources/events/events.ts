import type { Event as EventV1 } from 'kubernetes-types/events/v1.js';
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube, KubeObject } from '../../types.js';
import { defineResource, type FieldGetter, type PrinterColumn } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { isQualifiedName } from '../../validation/index.js';
import { events as coreEvents, type EventObject } from '../core/events.js';

export type EventV1Object = Kube<EventV1>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** events.k8s.io/v1 → core/v1 (the storage version), field for field as upstream converts. */
export function eventV1ToCore(ev: EventV1Object): EventObject {
  const out: Mutable<CoreEvent> & { metadata: EventObject['metadata'] } = {
    apiVersion: 'v1', kind: 'Event', metadata: ev.metadata,
    involvedObject: ev.regarding ?? {},
  };
  if (ev.related) out.related = ev.related;
  if (ev.note !== undefined) out.message = ev.note;
  if (ev.reason !== undefined) out.reason = ev.reason;
  if (ev.type !== undefined) out.type = ev.type;
  if (ev.action !== undefined) out.action = ev.action;
  if (ev.eventTime !== undefined) out.eventTime = ev.eventTime;
  if (ev.series) out.series = { count: ev.series.count, lastObservedTime: ev.series.lastObservedTime };
  if (ev.reportingController !== undefined) out.reportingComponent = ev.reportingController;
  if (ev.reportingInstance !== undefined) out.reportingInstance = ev.reportingInstance;
  if (ev.deprecatedSource) out.source = ev.deprecatedSource;
  if (ev.deprecatedFirstTimestamp !== undefined) out.firstTimestamp = ev.deprecatedFirstTimestamp;
  if (ev.deprecatedLastTimestamp !== undefined) out.lastTimestamp = ev.deprecatedLastTimestamp;
  if (ev.deprecatedCount !== undefined) out.count = ev.deprecatedCount;
  return out;
}

/** core/v1 → events.k8s.io/v1. */
export function coreEventToV1(ev: KubeObject): EventV1Object {
  const e = ev as EventObject;
  const out: Mutable<EventV1> & { metadata: EventV1Object['metadata'] } = {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata,
    eventTime: e.eventTime as EventV1['eventTime'],
  };
  if (e.involvedObject && Object.keys(e.involvedObject).length > 0) out.regarding = e.involvedObject;
  if (e.related) out.related = e.related;
  if (e.message !== undefined) out.note = e.message;
  if (e.reason !== undefined) out.reason = e.reason;
  if (e.type !== undefined) out.type = e.type;
  if (e.action !== undefined) out.action = e.action;
  if (e.series) out.series = { count: e.series.count ?? 0, lastObservedTime: e.series.lastObservedTime as string };
  if (e.reportingComponent !== undefined) out.reportingController = e.reportingComponent;
  if (e.reportingInstance !== undefined) out.reportingInstance = e.reportingInstance;
  if (e.source && Object.keys(e.source).length > 0) out.deprecatedSource = e.source;
  if (e.firstTimestamp !== undefined) out.deprecatedFirstTimestamp = e.firstTimestamp;
  if (e.lastTimestamp !== undefined) out.deprecatedLastTimestamp = e.lastTimestamp;
  if (e.count !== undefined) out.deprecatedCount = e.count;
  if (out.eventTime === undefined) (out as { eventTime?: unknown }).eventTime = null;
  return out;
}

/** ValidateEventCreate for events.k8s.io/v1 requests (paths in this version's names). */
export function validateEventV1(ev: EventV1Object): FieldError[] {
  const errs: FieldError[] = [];
  if (!ev.eventTime) errs.push(fieldErr.required('eventTime', ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(fieldErr.invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (!ev.reportingController) errs.push(fieldErr.required('reportingController', ''));
  for (const m of isQualifiedName(ev.reportingController ?? '')) errs.push(fieldErr.invalid('reportingController', ev.reportingController ?? '', m));
  if (!ev.reportingInstance) errs.push(fieldErr.required('reportingInstance', ''));
  else if (ev.reportingInstance.length > 128) errs.push(fieldErr.invalid('reportingInstance', '', 'can have at most 128 characters'));
  if (!ev.action) errs.push(fieldErr.required('action', ''));
  else if (ev.action.length > 128) errs.push(fieldErr.invalid('action', '', 'can have at most 128 characters'));
  if (!ev.reason) errs.push(fieldErr.required('reason', ''));
  else if (ev.reason.length > 128) errs.push(fieldErr.invalid('reason', '', 'can have at most 128 characters'));
  if ((ev.note ?? '').length > 1024) errs.push(fieldErr.invalid('note', '', 'can have at most 1024 characters'));
  const regardingNs = ev.regarding?.namespace ?? '';
  const ns = ev.metadata.namespace ?? '';
  if (regardingNs !== '' && regardingNs !== ns) errs.push(fieldErr.invalid('regarding.namespace', regardingNs, 'does not match event.namespace'));
  if (ev.series && ev.series.count < 2) errs.push(fieldErr.invalid('series.count', ev.series.count, 'should be at least 2'));
  return errs;
}

/** The server prints events.k8s.io events with the core Event printer. */
const printerColumns: PrinterColumn<EventV1Object>[] = (coreEvents.printerColumns ?? []).map((c) => ({
  ...c, cell: (e: EventV1Object, now: number) => c.cell(eventV1ToCore(e), now),
}));

const fieldSelectors: Record<string, FieldGetter<EventV1Object>> = Object.fromEntries(
  Object.entries(coreEvents.fieldSelectors).map(([k, get]) => [k, (e: EventV1Object) => get(eventV1ToCore(e))]),
);

export const eventsV1 = defineResource<EventV1Object>({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', scope: 'Namespaced',
  shortNames: ['ev'],
  schema: 'io.k8s.api.events.v1.Event',
  storage: { group: '', resource: 'events', version: 'v1' },
  conversion: { toStorage: eventV1ToCore, fromStorage: coreEventToV1 },
  validate: validateEventV1,
  printerColumns,
  fieldSelectors,
});
