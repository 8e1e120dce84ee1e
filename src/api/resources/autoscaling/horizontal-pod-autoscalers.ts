import type { PrinterColumn } from '../../resource.js';
import { defineResource } from '../../resource.js';
import { ageColumn } from '../core/index.js';
import { defaultHPAv2, formatHPAMetrics, validateHPAv2, validateHPAv2Status, type HPAv2Object } from './hpa-v2.js';
import { hpaFromV1, hpaToV1, type HPAv1Object } from './hpa-conversion.js';

const storage = { group: 'autoscaling', resource: 'horizontalpodautoscalers', version: 'v2' };

function columns<T extends HPAv2Object | HPAv1Object>(asV2: (o: T) => HPAv2Object): PrinterColumn<T>[] {
  return [
    { name: 'Reference', type: 'string', description: 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.', cell: (o) => `${o.spec?.scaleTargetRef.kind ?? ''}/${o.spec?.scaleTargetRef.name ?? ''}` },
    { name: 'Targets', type: 'string', description: 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).', cell: (o) => { const v2 = asV2(o); return formatHPAMetrics(v2.spec?.metrics, v2.status?.currentMetrics); } },
    { name: 'MinPods', type: 'string', description: 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.', cell: (o) => (o.spec?.minReplicas == null ? '<unset>' : String(o.spec.minReplicas)) },
    { name: 'MaxPods', type: 'integer', description: 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', cell: (o) => o.spec?.maxReplicas ?? 0 },
    { name: 'Replicas', type: 'integer', description: 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.', cell: (o) => o.status?.currentReplicas ?? 0 },
    ageColumn<T>(),
  ];
}

/** autoscaling/v2 HorizontalPodAutoscaler: the preferred and storage version. */
export const horizontalPodAutoscalers = defineResource<HPAv2Object>({
  group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', scope: 'Namespaced',
  shortNames: ['hpa'], categories: ['all'], schema: 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
  subresources: { status: true },
  storage,
  defaults: defaultHPAv2,
  validate: validateHPAv2,
  validateStatus: validateHPAv2Status,
  prepareForCreate(h) { h.status = { desiredReplicas: 0 }; },
  prepareForUpdate(h, old) { h.status = old.status; },
  printerColumns: columns<HPAv2Object>((o) => o),
});

/** autoscaling/v1 HorizontalPodAutoscaler: targetCPUUtilizationPercentage, stored as v2. */
export const horizontalPodAutoscalersV1 = defineResource<HPAv1Object>({
  group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', scope: 'Namespaced',
  shortNames: ['hpa'], categories: ['all'], schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  subresources: { status: true },
  storage,
  conversion: { toStorage: hpaFromV1, fromStorage: (o) => hpaToV1(o as HPAv2Object) },
  defaults(h) { h.spec ??= { scaleTargetRef: { kind: '', name: '' }, maxReplicas: 0 }; h.spec.minReplicas ??= 1; },
  // Upstream validates the internal (v2-shaped) object, so the paths are v2's.
  validate: (h) => validateHPAv2(hpaFromV1(h)),
  validateStatus: (h) => validateHPAv2Status(hpaFromV1(h)),
  prepareForCreate(h) { h.status = { currentReplicas: 0, desiredReplicas: 0 }; },
  prepareForUpdate(h, old) { h.status = old.status; },
  printerColumns: columns<HPAv1Object>(hpaFromV1),
});
