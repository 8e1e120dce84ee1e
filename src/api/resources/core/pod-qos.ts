import type { Container, PodSpec } from 'kubernetes-types/core/v1.js';
import { addQuantities, compareQuantities, tryParseQuantity, zeroQuantity, type Quantity } from '../../quantity.js';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = ['cpu', 'memory'];

function positive(list: Record<string, unknown> | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, value] of Object.entries(list ?? {})) {
    if (!qosResources.includes(name)) continue;
    const q = tryParseQuantity(value);
    if (typeof q !== 'string' && compareQuantities(q, zeroQuantity) > 0) out.set(name, q);
  }
  return out;
}

/**
 * The pod's quality-of-service class (ComputePodQOS): BestEffort with no cpu/memory requests or
 * limits; Guaranteed when every container limits both cpu and memory and the pod's summed
 * requests equal its summed limits; Burstable otherwise.
 */
export function computePodQOS(spec: PodSpec | undefined): PodQOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const all: Container[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  for (const c of all) {
    for (const [name, q] of positive(c.resources?.requests)) {
      const prev = requests.get(name);
      requests.set(name, prev ? addQuantities(q, prev) : q);
    }
    const found = positive(c.resources?.limits);
    for (const [name, q] of found) {
      const prev = limits.get(name);
      limits.set(name, prev ? addQuantities(q, prev) : q);
    }
    if (!qosResources.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) { guaranteed = false; break; }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
