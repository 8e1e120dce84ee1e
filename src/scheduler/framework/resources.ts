import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../../api/quantity.js';

/** Requests or allocatable in the units the scheduler compares: milli-CPU, bytes, counts. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources and hugepages, in whole units (Quantity.Value()). */
  scalar: Map<string, number>;
}

/** What kube-scheduler assumes for a container that requests no CPU or memory, when scoring. */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

export function cloneResource(r: Resource): Resource {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: new Map(r.scalar) };
}

type ResourceList = Readonly<Record<string, string | number>> | undefined;

/** Parses a ResourceList (requests, allocatable, overhead) into a Resource. `pods` is left out. */
export function resourceOf(list: ResourceList): Resource {
  const r = emptyResource();
  if (!list) return r;
  for (const [name, q] of Object.entries(list)) {
    const parsed = parseQuantity(q);
    if (name === 'cpu') r.milliCPU = quantityMilliValue(parsed);
    else if (name === 'memory') r.memory = quantityValue(parsed);
    else if (name === 'ephemeral-storage') r.ephemeralStorage = quantityValue(parsed);
    else if (name !== 'pods' && isScalarResourceName(name)) r.scalar.set(name, quantityValue(parsed));
  }
  return r;
}

/** Extended resources (domain-prefixed, outside kubernetes.io/), hugepages-*, attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (!name.includes('/')) return false;
  return !name.startsWith('kubernetes.io/') && !name.includes('.kubernetes.io/') && !name.startsWith('requests.');
}

export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of r.scalar) {
    const next = (into.scalar.get(k) ?? 0) + sign * v;
    if (next === 0 && sign < 0) into.scalar.delete(k); else into.scalar.set(k, next);
  }
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, Math.max(into.scalar.get(k) ?? 0, v));
}

/**
 * The effective requests of a pod, as resourcehelper.PodRequests: the sum of the app containers
 * and restartable (sidecar) init containers, or the largest single init container (plus the
 * sidecars started before it) if that is larger, plus spec.overhead. With `nonZero`, a
 * container requesting no CPU/memory counts as 100m / 200Mi (the scoring view).
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const of = (c: Container) => {
    const r = resourceOf(c.resources?.requests as ResourceList);
    if (nonZero) {
      if (!c.resources?.requests?.cpu) r.milliCPU = defaultMilliCPURequest;
      if (!c.resources?.requests?.memory) r.memory = defaultMemoryRequest;
    }
    return r;
  };
  const reqs = emptyResource();
  for (const c of pod.spec?.containers ?? []) addResource(reqs, of(c));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = of(c);
    let effective: Resource;
    if (c.restartPolicy === 'Always') {
      addResource(reqs, r);
      addResource(sidecars, r);
      effective = sidecars;
    } else {
      effective = cloneResource(r);
      addResource(effective, sidecars);
    }
    maxInto(initMax, effective);
  }
  maxInto(reqs, initMax);
  if (pod.spec?.overhead) addResource(reqs, resourceOf(pod.spec.overhead as ResourceList));
  return reqs;
}

/** A pod's requests and its scoring view (podRequests with and without `nonZero`), from one parse of each container. */
export interface PodResources {
  readonly requests: Resource;
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
}

/** podRequests(pod) and podRequests(pod, true)'s CPU and memory in one pass (each quantity parsed once). */
export function podResources(pod: Pod): PodResources {
  const reqs = emptyResource();
  // The nonZero view differs only in CPU and memory: track those two alongside.
  let cpu = 0;
  let mem = 0;
  const nzCPU = (c: Container, r: Resource) => (c.resources?.requests?.cpu ? r.milliCPU : defaultMilliCPURequest);
  const nzMem = (c: Container, r: Resource) => (c.resources?.requests?.memory ? r.memory : defaultMemoryRequest);
  for (const c of pod.spec?.containers ?? []) {
    const r = resourceOf(c.resources?.requests as ResourceList);
    addResource(reqs, r);
    cpu += nzCPU(c, r);
    mem += nzMem(c, r);
  }
  const init = pod.spec?.initContainers;
  if (init?.length) {
    const sidecars = emptyResource();
    const initMax = emptyResource();
    let sideCPU = 0; let sideMem = 0; let maxCPU = 0; let maxMem = 0;
    for (const c of init) {
      const r = resourceOf(c.resources?.requests as ResourceList);
      const rc = nzCPU(c, r);
      const rm = nzMem(c, r);
      let effective: Resource;
      let effCPU: number; let effMem: number;
      if (c.restartPolicy === 'Always') {
        addResource(reqs, r);
        addResource(sidecars, r);
        effective = sidecars;
        cpu += rc; mem += rm; sideCPU += rc; sideMem += rm;
        effCPU = sideCPU; effMem = sideMem;
      } else {
        effective = cloneResource(r);
        addResource(effective, sidecars);
        effCPU = rc + sideCPU; effMem = rm + sideMem;
      }
      maxInto(initMax, effective);
      maxCPU = Math.max(maxCPU, effCPU); maxMem = Math.max(maxMem, effMem);
    }
    maxInto(reqs, initMax);
    cpu = Math.max(cpu, maxCPU); mem = Math.max(mem, maxMem);
  }
  if (pod.spec?.overhead) {
    const o = resourceOf(pod.spec.overhead as ResourceList);
    addResource(reqs, o);
    cpu += o.milliCPU; mem += o.memory;
  }
  return { requests: reqs, nonZeroMilliCPU: cpu, nonZeroMemory: mem };
}
