import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscalerCondition, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { ObjectMeta, Writable } from '../../types.js';
import { defaultHPAv2, type HPAv2Object } from './hpa-v2.js';

/**
 * autoscaling/v1 ⇄ autoscaling/v2 as kubernetes pkg/apis/autoscaling/v1/conversion.go does it:
 * v1 holds only the CPU utilization target; every other metric, the current metrics, the
 * conditions and the behavior ride in `autoscaling.alpha.kubernetes.io/…` annotations.
 */

export type HPAv1Object = Omit<Writable<HPAv1>, 'metadata'> & { metadata: ObjectMeta };

export const metricSpecsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const metricStatusesAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
const roundTripAnnotations = [metricSpecsAnnotation, metricStatusesAnnotation, conditionsAnnotation, behaviorAnnotation];

type Quantity = string;
interface Ref { kind: string; name: string; apiVersion?: string }

/** autoscaling/v1 MetricSpec (the v2beta1 shape), as stored in the metrics annotation. */
interface V1MetricSpec {
  type: string;
  object?: { target: Ref; metricName: string; targetValue: Quantity; selector?: LabelSelector; averageValue?: Quantity };
  pods?: { metricName: string; targetAverageValue: Quantity; selector?: LabelSelector };
  resource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: Quantity };
  containerResource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: Quantity; container: string };
  external?: { metricName: string; metricSelector?: LabelSelector; targetValue?: Quantity; targetAverageValue?: Quantity };
}

interface V1MetricStatus {
  type: string;
  object?: { target: Ref; metricName: string; currentValue: Quantity; selector?: LabelSelector; averageValue?: Quantity };
  pods?: { metricName: string; currentAverageValue: Quantity; selector?: LabelSelector };
  resource?: { name: string; currentAverageUtilization?: number; currentAverageValue: Quantity };
  containerResource?: { name: string; currentAverageUtilization?: number; currentAverageValue: Quantity; container: string };
  external?: { metricName: string; metricSelector?: LabelSelector; currentValue: Quantity; currentAverageValue?: Quantity };
}

const prune = <T extends object>(o: T): T => {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
};

function specToV1(m: MetricSpec): V1MetricSpec {
  const out: V1MetricSpec = { type: m.type };
  if (m.object) {
    out.object = prune({
      target: prune({ kind: m.object.describedObject.kind, name: m.object.describedObject.name, apiVersion: m.object.describedObject.apiVersion }),
      metricName: m.object.metric.name, targetValue: m.object.target.value ?? '0', selector: m.object.metric.selector, averageValue: m.object.target.averageValue,
    });
  }
  if (m.pods) out.pods = prune({ metricName: m.pods.metric.name, targetAverageValue: m.pods.target.averageValue ?? '0', selector: m.pods.metric.selector });
  if (m.resource) out.resource = prune({ name: m.resource.name, targetAverageUtilization: m.resource.target.averageUtilization, targetAverageValue: m.resource.target.averageValue });
  if (m.containerResource) {
    out.containerResource = prune({
      name: m.containerResource.name, container: m.containerResource.container,
      targetAverageUtilization: m.containerResource.target.averageUtilization, targetAverageValue: m.containerResource.target.averageValue,
    });
  }
  if (m.external) {
    out.external = prune({ metricName: m.external.metric.name, metricSelector: m.external.metric.selector, targetValue: m.external.target.value, targetAverageValue: m.external.target.averageValue });
  }
  return out;
}

function specFromV1(m: V1MetricSpec): MetricSpec {
  const out: MetricSpec = { type: m.type };
  if (m.object) {
    out.object = {
      describedObject: prune({ ...m.object.target }), metric: prune({ name: m.object.metricName, selector: m.object.selector }),
      target: prune({ type: m.object.averageValue === undefined ? 'Value' : 'AverageValue', value: m.object.targetValue, averageValue: m.object.averageValue }),
    };
  }
  if (m.pods) out.pods = { metric: prune({ name: m.pods.metricName, selector: m.pods.selector }), target: { type: 'AverageValue', averageValue: m.pods.targetAverageValue } };
  for (const kind of ['resource', 'containerResource'] as const) {
    const r = m[kind];
    if (!r) continue;
    const target = prune({ type: r.targetAverageUtilization == null ? 'AverageValue' : 'Utilization', averageUtilization: r.targetAverageUtilization, averageValue: r.targetAverageValue });
    if (kind === 'resource') out.resource = { name: r.name, target };
    else out.containerResource = { name: r.name, container: m.containerResource!.container, target };
  }
  if (m.external) {
    out.external = {
      metric: prune({ name: m.external.metricName, selector: m.external.metricSelector }),
      target: prune({ type: m.external.targetValue === undefined ? 'AverageValue' : 'Value', value: m.external.targetValue, averageValue: m.external.targetAverageValue }),
    };
  }
  return out;
}

function statusToV1(m: MetricStatus): V1MetricStatus {
  const out: V1MetricStatus = { type: m.type };
  if (m.object) {
    out.object = prune({
      target: prune({ kind: m.object.describedObject.kind, name: m.object.describedObject.name, apiVersion: m.object.describedObject.apiVersion }),
      metricName: m.object.metric.name, currentValue: m.object.current.value ?? '0', selector: m.object.metric.selector, averageValue: m.object.current.averageValue,
    });
  }
  if (m.pods) out.pods = prune({ metricName: m.pods.metric.name, currentAverageValue: m.pods.current.averageValue ?? '0', selector: m.pods.metric.selector });
  if (m.resource) out.resource = prune({ name: m.resource.name, currentAverageUtilization: m.resource.current.averageUtilization, currentAverageValue: m.resource.current.averageValue ?? '0' });
  if (m.containerResource) {
    out.containerResource = prune({
      name: m.containerResource.name, container: m.containerResource.container,
      currentAverageUtilization: m.containerResource.current.averageUtilization, currentAverageValue: m.containerResource.current.averageValue ?? '0',
    });
  }
  if (m.external) {
    out.external = prune({ metricName: m.external.metric.name, metricSelector: m.external.metric.selector, currentValue: m.external.current.value ?? '0', currentAverageValue: m.external.current.averageValue });
  }
  return out;
}

function statusFromV1(m: V1MetricStatus): MetricStatus {
  const out: MetricStatus = { type: m.type };
  if (m.object) {
    out.object = {
      describedObject: prune({ ...m.object.target }), metric: prune({ name: m.object.metricName, selector: m.object.selector }),
      current: prune({ value: m.object.currentValue, averageValue: m.object.averageValue }),
    };
  }
  if (m.pods) out.pods = { metric: prune({ name: m.pods.metricName, selector: m.pods.selector }), current: { averageValue: m.pods.currentAverageValue } };
  if (m.resource) out.resource = { name: m.resource.name, current: prune({ averageUtilization: m.resource.currentAverageUtilization, averageValue: m.resource.currentAverageValue }) };
  if (m.containerResource) {
    out.containerResource = {
      name: m.containerResource.name, container: m.containerResource.container,
      current: prune({ averageUtilization: m.containerResource.currentAverageUtilization, averageValue: m.containerResource.currentAverageValue }),
    };
  }
  if (m.external) {
    out.external = { metric: prune({ name: m.external.metricName, selector: m.external.metricSelector }), current: prune({ value: m.external.currentValue, averageValue: m.external.currentAverageValue }) };
  }
  return out;
}

const isCPUUtilization = (m: MetricSpec): boolean => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.averageUtilization != null;

function dropRoundTrip(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  const out = { ...annotations };
  for (const k of roundTripAnnotations) delete out[k];
  return out;
}

function parseJSON<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // upstream ignores an undecodable annotation
  }
}

/** v2 (storage) → v1 (served). */
export function hpaToV1(v2: HPAv2Object): HPAv1Object {
  const src = structuredClone(v2);
  const metadata = { ...src.metadata };
  const annotations = dropRoundTrip(metadata.annotations) ?? {};
  const spec = src.spec!;
  const out: HPAv1Object = {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata,
    spec: prune({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas }),
  };
  const cpu = (spec.metrics ?? []).find(isCPUUtilization);
  if (cpu) out.spec!.targetCPUUtilizationPercentage = cpu.resource!.target.averageUtilization!;
  const others = (spec.metrics ?? []).filter((m) => !isCPUUtilization(m)).map(specToV1);
  if (others.length) annotations[metricSpecsAnnotation] = JSON.stringify(others);
  const st = src.status;
  if (st?.currentMetrics?.length) annotations[metricStatusesAnnotation] = JSON.stringify(st.currentMetrics.map(statusToV1));
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  if (st?.conditions?.length) annotations[conditionsAnnotation] = JSON.stringify(st.conditions);
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  if (st) {
    out.status = prune({ observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime, currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 });
    for (const m of st.currentMetrics ?? []) {
      if (m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current.averageUtilization != null) {
        out.status.currentCPUUtilizationPercentage = m.resource.current.averageUtilization;
      }
    }
  }
  return out;
}

/** v1 (served) → v2 (storage), then the v2 defaults a stored object gets on decode. */
export function hpaFromV1(v1: HPAv1Object): HPAv2Object {
  const src = structuredClone(v1);
  const metadata = { ...src.metadata };
  const annotations = src.metadata.annotations ?? {};
  const dropped = dropRoundTrip(metadata.annotations);
  if (dropped && Object.keys(dropped).length) metadata.annotations = dropped;
  else delete metadata.annotations;
  const spec = src.spec ?? { scaleTargetRef: { kind: '', name: '' }, maxReplicas: 0 };
  const metrics: MetricSpec[] = [];
  const others = parseJSON<V1MetricSpec[]>(annotations[metricSpecsAnnotation]);
  if (Array.isArray(others)) metrics.push(...others.map(specFromV1));
  if (spec.targetCPUUtilizationPercentage != null) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  const out: HPAv2Object = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata,
    spec: prune({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics }),
  };
  const behavior = parseJSON<HPAv2Object['spec'] extends infer S ? S extends { behavior?: infer B } ? B : never : never>(annotations[behaviorAnnotation]);
  if (behavior && typeof behavior === 'object') out.spec!.behavior = behavior;
  const st = src.status;
  const current: MetricStatus[] = [];
  const currentFromAnnotation = parseJSON<V1MetricStatus[]>(annotations[metricStatusesAnnotation]);
  if (Array.isArray(currentFromAnnotation)) current.push(...currentFromAnnotation.map(statusFromV1));
  else if (st?.currentCPUUtilizationPercentage != null) current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } });
  const conditions = parseJSON<HorizontalPodAutoscalerCondition[]>(annotations[conditionsAnnotation]);
  if (st || current.length || conditions) {
    out.status = prune({
      observedGeneration: st?.observedGeneration, lastScaleTime: st?.lastScaleTime, currentReplicas: st?.currentReplicas, desiredReplicas: st?.desiredReplicas ?? 0,
      currentMetrics: current.length ? current : undefined, conditions: Array.isArray(conditions) ? conditions : undefined,
    });
  }
  defaultHPAv2(out);
  return out;
}
