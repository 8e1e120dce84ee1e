import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../../errors.js';
import { horizontalPodAutoscalers, horizontalPodAutoscalersV1 } from './horizontal-pod-autoscalers.js';
import { hpaFromV1, hpaToV1, metricSpecsAnnotation, behaviorAnnotation, type HPAv1Object } from './hpa-conversion.js';
import { formatHPAMetrics, type HPAv2Object } from './hpa-v2.js';
import { autoscalingResources } from './index.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

test('v2 defaults: minReplicas 1, CPU 80% when no metrics, behavior rules filled', () => {
  const h: HPAv2Object = { metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } };
  horizontalPodAutoscalers.defaults!(h);
  assert.equal(h.spec!.minReplicas, 1);
  assert.deepEqual(h.spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual(h.spec!.behavior!.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
  assert.deepEqual(h.spec!.behavior!.scaleDown, { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  assert.deepEqual(horizontalPodAutoscalers.validate!(h), []);
});

test('v2 validation messages', () => {
  const h: HPAv2Object = { metadata: { name: 'web' }, spec: { scaleTargetRef: { kind: '', name: 'x' }, minReplicas: 3, maxReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] } };
  assert.deepEqual(horizontalPodAutoscalers.validate!(h).map(formatFieldError), [
    'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    'spec.scaleTargetRef.kind: Required value',
    'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
  ]);
});

test('v1 → v2: the CPU target becomes a Resource metric; no target gets the 80% default', () => {
  const v1: HPAv1Object = { metadata: { name: 'web', namespace: 'd' }, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 } };
  const v2 = hpaFromV1(v1);
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.deepEqual(v2.spec!.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
  const none = hpaFromV1({ ...v1, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
  assert.equal(none.spec!.metrics![0]!.resource!.target.averageUtilization, 80);
  assert.equal(hpaToV1(none).spec!.targetCPUUtilizationPercentage, 80);
});

test('v2 → v1 → v2 round-trips other metrics, behavior, current metrics and conditions through annotations', () => {
  const v2: HPAv2Object = {
    metadata: { name: 'web', annotations: { keep: 'me' } },
    spec: {
      scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
      ],
      behavior: { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] } },
    },
    status: {
      currentReplicas: 2, desiredReplicas: 3,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 42, averageValue: '120m' } } }],
      conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }],
    },
  };
  const v1 = hpaToV1(v2);
  assert.equal(v1.spec!.targetCPUUtilizationPercentage, 60);
  assert.equal(v1.status!.currentCPUUtilizationPercentage, 42);
  assert.equal(v1.metadata.annotations!.keep, 'me');
  assert.deepEqual(JSON.parse(v1.metadata.annotations![metricSpecsAnnotation]!), [
    { type: 'Pods', pods: { metricName: 'rps', targetAverageValue: '100' } },
    { type: 'Resource', resource: { name: 'memory', targetAverageValue: '500Mi' } },
  ]);
  assert.ok(v1.metadata.annotations![behaviorAnnotation]);
  const back = hpaFromV1(v1);
  assert.deepEqual(back.metadata.annotations, { keep: 'me' });
  assert.deepEqual(new Set(back.spec!.metrics!.map((m) => JSON.stringify(m))), new Set(v2.spec!.metrics!.map((m) => JSON.stringify(m))));
  assert.deepEqual(back.spec!.behavior!.scaleUp, v2.spec!.behavior!.scaleUp);
  assert.deepEqual(back.status!.currentMetrics, v2.status!.currentMetrics);
  assert.deepEqual(back.status!.conditions, v2.status!.conditions);
});

test('Targets column: cpu: 50%/80%, <unknown>/80%, + N more', () => {
  const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
  assert.equal(formatHPAMetrics([cpu], []), 'cpu: <unknown>/80%');
  assert.equal(formatHPAMetrics([cpu], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50 } } }]), 'cpu: 50%/80%');
  const pods = { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1000m' } } };
  assert.equal(formatHPAMetrics([cpu, pods, pods], []), 'cpu: <unknown>/80%, <unknown>/1 + 1 more...');
  assert.equal(formatHPAMetrics([], []), '<none>');
});

test('v1 printer and ordering: v2 before v1, one storage', () => {
  const v1: HPAv1Object = { metadata: { name: 'web', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { scaleTargetRef: ref, maxReplicas: 4, targetCPUUtilizationPercentage: 80 }, status: { currentReplicas: 1, desiredReplicas: 1, currentCPUUtilizationPercentage: 12 } };
  const cells = horizontalPodAutoscalersV1.printerColumns!.map((c) => c.cell(v1, Date.parse('2025-01-01T00:00:30Z')));
  assert.deepEqual(cells, ['Deployment/web', 'cpu: 12%/80%', '<unset>', 4, 1, '30s']);
  assert.deepEqual(autoscalingResources.map((d) => d.version), ['v2', 'v1']);
  assert.deepEqual(horizontalPodAutoscalersV1.storage, horizontalPodAutoscalers.storage);
  assert.deepEqual(horizontalPodAutoscalersV1.validate!({ metadata: { name: 'x' }, spec: { scaleTargetRef: ref, maxReplicas: 0, minReplicas: 1 } }).map(formatFieldError), [
    'spec.maxReplicas: Invalid value: 0: must be greater than 0', 'spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`',
  ]);
});
