import type { Event } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';

export type EventObject = Kube<Event>;

/** legacyValidateEvent: the event lives in its object's namespace. */
export function validateEvent(ev: EventObject): FieldError[] {
  const errs: FieldError[] = [];
  const objNs = ev.involvedObject?.namespace ?? '';
  const ns = ev.metadata.namespace ?? '';
  if (objNs === '') {
    if (ns !== '' && ns !== 'default') errs.push(fieldErr.invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
  } else if (ns !== objNs) {
    errs.push(fieldErr.invalid('involvedObject.namespace', objNs, 'does not match event.namespace'));
  }
  return errs;
}

/** Last Seen: series last observation, else lastTimestamp, else first seen. */
function lastSeen(ev: EventObject, now: number): string {
  if (ev.series?.lastObservedTime) return age(ev.series.lastObservedTime, now);
  if (ev.lastTimestamp) return age(ev.lastTimestamp, now);
  return firstSeen(ev, now);
}

function firstSeen(ev: EventObject, now: number): string {
  return ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now);
}

/** `pod/web-1`, or just the kind when no name. */
export function eventObjectCell(ev: EventObject): string {
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  return ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
}

/** `kubelet, node-1`: component (or reporting controller), then host (or reporting instance). */
export function eventSourceCell(ev: EventObject): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

function eventCount(ev: EventObject): number {
  if (ev.series) return ev.series.count ?? 0;
  return ev.count || 1;
}

export const events = defineResource<EventObject>({
  group: '', version: 'v1', kind: 'Event', plural: 'events', scope: 'Namespaced',
  shortNames: ['ev'],
  schema: 'io.k8s.api.core.v1.Event',
  validate: validateEvent,
  // Upstream's event table has no leading Name column; Name is a wide column at the end.
  printerColumns: [
    { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', cell: lastSeen },
    { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future', cell: (e) => e.type ?? '' },
    { name: 'Reason', type: 'string', description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", cell: (e) => e.reason ?? '' },
    { name: 'Object', type: 'string', description: 'The object that this event is about.', cell: eventObjectCell },
    { name: 'Subobject', type: 'string', priority: 1, description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', cell: (e) => e.involvedObject?.fieldPath ?? '' },
    { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event. Should be a short machine understandable string.', cell: eventSourceCell },
    { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', cell: (e) => (e.message ?? '').trim() },
    { name: 'First Seen', type: 'string', priority: 1, description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', cell: firstSeen },
    { name: 'Count', type: 'string', priority: 1, description: 'The number of times this event has occurred.', cell: eventCount },
    { name: 'Name', type: 'string', format: 'name', priority: 1, description: 'Name must be unique within a namespace.', cell: (e) => e.metadata.name ?? '' },
  ],
  fieldSelectors: {
    'involvedObject.kind': (e) => e.involvedObject?.kind ?? '',
    'involvedObject.namespace': (e) => e.involvedObject?.namespace ?? '',
    'involvedObject.name': (e) => e.involvedObject?.name ?? '',
    'involvedObject.uid': (e) => e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath ?? '',
    reason: (e) => e.reason ?? '',
    reportingComponent: (e) => e.reportingComponent ?? '',
    source: (e) => e.source?.component ?? '',
    type: (e) => e.type ?? '',
  },
});
