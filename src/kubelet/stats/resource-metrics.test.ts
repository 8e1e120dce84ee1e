import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoFloat, renderResourceMetrics } from './resource-metrics.js';
import type { Summary } from './types.js';

test('floats as Go strconv g -1 writes them', () => {
  assert.equal(formatGoFloat(0), '0');
  assert.equal(formatGoFloat(1), '1');
  assert.equal(formatGoFloat(0.5), '0.5');
  assert.equal(formatGoFloat(123456), '123456');
  assert.equal(formatGoFloat(1234567), '1.234567e+06');
  assert.equal(formatGoFloat(16797696), '1.6797696e+07');
  assert.equal(formatGoFloat(1e6), '1e+06');
  assert.equal(formatGoFloat(1735689600.5), '1.7356896005e+09');
  assert.equal(formatGoFloat(12.345678912), '12.345678912');
  assert.equal(formatGoFloat(0.0001), '0.0001');
  assert.equal(formatGoFloat(0.00001), '1e-05');
  assert.equal(formatGoFloat(NaN), 'NaN');
  assert.equal(formatGoFloat(Infinity), '+Inf');
});

const summary: Summary = {
  node: {
    nodeName: 'n1', startTime: '2025-01-01T00:00:00Z',
    cpu: { time: '2025-01-01T00:01:00Z', usageNanoCores: 5, usageCoreNanoSeconds: 12_500_000_000 },
    memory: { time: '2025-01-01T00:01:00Z', workingSetBytes: 52428800 },
  },
  pods: [
    {
      podRef: { name: 'web', namespace: 'prod', uid: 'u1' }, startTime: '2025-01-01T00:00:10Z',
      containers: [
        { name: 'b', startTime: '2025-01-01T00:00:11Z', cpu: { time: '2025-01-01T00:01:00Z', usageCoreNanoSeconds: 250_000_000 }, memory: { time: '2025-01-01T00:01:00Z', workingSetBytes: 1024 } },
        { name: 'a"x', startTime: '2025-01-01T00:00:12Z' },
      ],
      cpu: { time: '2025-01-01T00:01:00Z', usageCoreNanoSeconds: 300_000_000 },
      memory: { time: '2025-01-01T00:01:00Z', workingSetBytes: 4096 },
    },
  ],
};

test('the kubelet resource metrics: families by name, series by labels, timestamps in ms, stable HELP texts', () => {
  const text = renderResourceMetrics(summary);
  assert.equal(text, [
    '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
    '# TYPE container_cpu_usage_seconds_total counter',
    'container_cpu_usage_seconds_total{container="b",namespace="prod",pod="web"} 0.25 1735689660000',
    '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
    '# TYPE container_memory_working_set_bytes gauge',
    'container_memory_working_set_bytes{container="b",namespace="prod",pod="web"} 1024 1735689660000',
    '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
    '# TYPE container_start_time_seconds gauge',
    'container_start_time_seconds{container="a\\"x",namespace="prod",pod="web"} 1.735689612e+09',
    'container_start_time_seconds{container="b",namespace="prod",pod="web"} 1.735689611e+09',
    '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
    '# TYPE node_cpu_usage_seconds_total counter',
    'node_cpu_usage_seconds_total 12.5 1735689660000',
    '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
    '# TYPE node_memory_working_set_bytes gauge',
    'node_memory_working_set_bytes 5.24288e+07 1735689660000',
    '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
    '# TYPE pod_cpu_usage_seconds_total counter',
    'pod_cpu_usage_seconds_total{namespace="prod",pod="web"} 0.3 1735689660000',
    '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
    '# TYPE pod_memory_working_set_bytes gauge',
    'pod_memory_working_set_bytes{namespace="prod",pod="web"} 4096 1735689660000',
    '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
    '# TYPE resource_scrape_error gauge',
    'resource_scrape_error 0',
    '',
  ].join('\n'));
});

test('a failed gathering reports only the scrape error, set', () => {
  assert.equal(renderResourceMetrics(undefined), [
    '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
    '# TYPE resource_scrape_error gauge',
    'resource_scrape_error 1',
    '',
  ].join('\n'));
});
