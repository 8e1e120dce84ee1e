/** Pod QoS class (Guaranteed / Burstable / BestEffort), as Kubernetes computes it. */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../api/quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const tracked = ['cpu', 'memory'] as const;

function isZero(q: Quantity): boolean {
  return q.nanos === 0n;
}

export function podQOSClass(pod: Pod): QOSClass {
  const containers: Container[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let anySet = false;
  let guaranteed = true;
  const limitsSeen = new Set<string>();
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of tracked) {
      const req = requests[r] !== undefined ? parseQuantity(requests[r]) : undefined;
      const lim = limits[r] !== undefined ? parseQuantity(limits[r]) : undefined;
      if ((req && !isZero(req)) || (lim && !isZero(lim))) anySet = true;
      if (lim && !isZero(lim)) limitsSeen.add(r);
      if (!lim || isZero(lim)) { guaranteed = false; continue; }
      // An unset request defaults to the limit.
      if (req && req.nanos !== lim.nanos) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed && limitsSeen.size === tracked.length ? 'Guaranteed' : 'Burstable';
}
