import type { Event as CoreEvent, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { ResourceDefinition } from '../api/resource.js';
import { apiVersionOfResource } from '../api/resource.js';
import type { Kube, KubeObject } from '../api/types.js';
import { events } from '../api/resources/core/index.js';
import { isNotFound } from '../api/errors.js';
import type { Clock } from '../base/clock.js';
import { rfc3339 } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { Client } from './types.js';

export type EventType = 'Normal' | 'Warning';

/** Records core/v1 Events about objects, as client-go's EventRecorder. */
export interface EventRecorder {
  /** Queues an Event about `obj` (a `res`); writing happens in the background, in order. */
  event(res: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>, obj: KubeObject, type: EventType, reason: string, message: string): void;
  /** Resolves when every queued Event has been written (or given up). */
  flush(): Promise<void>;
}

export interface EventRecorderOptions {
  client: Client;
  clock: Clock;
  log: Logger;
  /** source.component and reportingController: `deployment-controller`, `default-scheduler`. */
  component: string;
  /** source.host and reportingInstance. */
  host?: string;
  /** Events waiting to be written beyond which new ones are dropped (upstream: 1000). */
  maxQueued?: number;
}

/** Upstream's EventCorrelator defaults. */
const cacheSize = 4096;
const aggregateMaxEvents = 10;
const aggregateIntervalMs = 600_000;
const spamBurst = 25;
const spamQps = 1 / 300;

interface Observation { count: number; firstTimestamp: string; name: string; namespace: string }
interface Aggregate { messages: Set<string>; last: number }
interface Bucket { tokens: number; last: number }

/** A Map that forgets its least recently used entries beyond `max`. */
function lru<V>(max: number) {
  const m = new Map<string, V>();
  return {
    get(k: string): V | undefined {
      const v = m.get(k);
      if (v !== undefined) { m.delete(k); m.set(k, v); }
      return v;
    },
    set(k: string, v: V): void {
      m.delete(k);
      m.set(k, v);
      if (m.size > max) m.delete(m.keys().next().value!);
    },
  };
}

type EventObject = Kube<CoreEvent>;

/**
 * An EventRecorder with upstream's correlation: identical events (same source, object,
 * type, reason and message) bump `count` and `lastTimestamp` on the existing Event; more
 * than 10 distinct messages for one object and reason within 10 minutes are combined
 * ("(combined from similar events): …"); a source may burst 25 events per object, refilled
 * one every 5 minutes, beyond which events are dropped.
 */
export function eventRecorder(opts: EventRecorderOptions): EventRecorder {
  const { client, clock, component } = opts;
  const host = opts.host ?? '';
  const log = opts.log.child({ component: 'event-recorder', source: component });
  const maxQueued = opts.maxQueued ?? 1000;
  const observed = lru<Observation>(cacheSize);
  const aggregates = lru<Aggregate>(cacheSize);
  const spam = lru<Bucket>(cacheSize);
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;
  let lastNanos = 0n;

  function allowed(spamKey: string, now: number): boolean {
    const b = spam.get(spamKey) ?? { tokens: spamBurst, last: now };
    b.tokens = Math.min(spamBurst, b.tokens + ((now - b.last) / 1000) * spamQps);
    b.last = now;
    spam.set(spamKey, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  function uniqueName(objName: string, now: number): string {
    let nanos = BigInt(now) * 1_000_000n;
    if (nanos <= lastNanos) nanos = lastNanos + 1n;
    lastNanos = nanos;
    return `${objName}.${nanos.toString(16)}`;
  }

  async function write(ev: EventObject, key: string): Promise<void> {
    const seen = observed.get(key);
    const ns = ev.metadata.namespace ?? 'default';
    if (seen) {
      const count = seen.count + 1;
      observed.set(key, { ...seen, count });
      try {
        await client.patch(events, seen.namespace, seen.name, 'merge', { count, lastTimestamp: ev.lastTimestamp, message: ev.message });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // the Event expired: start a new one
      }
    }
    const created = await client.create(events, ev, { readOnlyResult: true });
    observed.set(key, { count: created.count ?? 1, firstTimestamp: created.firstTimestamp ?? '', name: created.metadata.name ?? '', namespace: ns });
  }

  return {
    event(res, obj, type, reason, message) {
      const now = clock.now();
      const ts = rfc3339(now);
      const involved: ObjectReference = {
        kind: res.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid,
        apiVersion: apiVersionOfResource(res), resourceVersion: obj.metadata.resourceVersion,
      };
      if (!involved.namespace) delete involved.namespace;
      const parts = [component, host, involved.kind, involved.namespace ?? '', involved.name, involved.uid ?? '', involved.apiVersion];
      if (!allowed(parts.join('\u0000'), now)) {
        log.debug('event dropped by spam filter', { reason, object: involved.name });
        return;
      }
      const aggregateKey = [...parts, type, reason].join('\u0000');
      let agg = aggregates.get(aggregateKey);
      if (!agg || now - agg.last > aggregateIntervalMs) agg = { messages: new Set(), last: now };
      agg.messages.add(message);
      agg.last = now;
      aggregates.set(aggregateKey, agg);
      let key = `${aggregateKey}\u0000${message}`;
      let text = message;
      if (agg.messages.size >= aggregateMaxEvents) {
        key = aggregateKey;
        text = `(combined from similar events): ${message}`;
      }
      const ev: EventObject = {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: uniqueName(obj.metadata.name ?? '', now), namespace: obj.metadata.namespace || 'default' },
        involvedObject: involved, reason, message: text, type,
        source: host ? { component, host } : { component },
        firstTimestamp: ts, lastTimestamp: ts, count: 1,
        reportingComponent: component, reportingInstance: host,
      };
      if (queued >= maxQueued) {
        log.warn('event queue full, dropping event', { reason, object: involved.name });
        return;
      }
      queued++;
      tail = tail.then(() => write(ev, key)).catch((err: unknown) => {
        log.warn('could not write event', { reason, object: `${involved.namespace ?? ''}/${involved.name}`, err });
      }).finally(() => { queued--; });
    },
    flush: () => tail,
  };
}
