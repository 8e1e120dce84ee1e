import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { readinessGatesCell, restartsCell, summarizePod, podIPCell } from './pod-printers.js';

const now = Date.parse('2025-01-01T01:00:00Z');
const pod = (p: Partial<Pod>): Pod => ({ spec: { containers: [{ name: 'a' }] }, ...p });

test('Running pod: ready count and plain restarts', () => {
  const s = summarizePod(pod({ status: { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] } }));
  assert.deepEqual([s.ready, s.status, restartsCell(s, now)], ['1/1', 'Running', '0']);
});

test('CrashLoopBackOff with restarts and the time of the last one', () => {
  const s = summarizePod(pod({
    status: {
      phase: 'Running',
      containerStatuses: [{
        name: 'a', ready: false, restartCount: 2, image: 'x', imageID: '',
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, finishedAt: '2025-01-01T00:55:00Z' } },
      }],
    },
  }));
  assert.deepEqual([s.ready, s.status, restartsCell(s, now)], ['0/1', 'CrashLoopBackOff', '2 (5m ago)']);
});

test('ContainerCreating, Completed, ExitCode and Signal reasons', () => {
  const waiting = summarizePod(pod({ status: { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] } }));
  assert.equal(waiting.status, 'ContainerCreating');
  const done = summarizePod(pod({ status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } }));
  assert.equal(done.status, 'Completed');
  const code = summarizePod(pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 3 } } }] } }));
  assert.equal(code.status, 'ExitCode:3');
  const sig = summarizePod(pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 137, signal: 9 } } }] } }));
  assert.equal(sig.status, 'Signal:9');
  assert.equal(summarizePod(pod({ status: { phase: 'Pending' } })).status, 'Pending');
});

test('init containers: Init:0/1, Init:<reason>, Init:ExitCode and sidecars counted as containers', () => {
  const spec = { initContainers: [{ name: 'init' }], containers: [{ name: 'a' }] };
  const running = summarizePod({ spec, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }] } });
  assert.equal(running.status, 'Init:0/1');
  const crash = summarizePod({ spec, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 3, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
  assert.deepEqual([crash.status, crash.restarts], ['Init:CrashLoopBackOff', 3]);
  const failed = summarizePod({ spec, status: { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 2 } } }] } });
  assert.equal(failed.status, 'Init:ExitCode:2');
  const sidecar = summarizePod({
    spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'a' }] },
    status: {
      phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, image: 'x', imageID: '', state: { running: {} } }],
      containerStatuses: [{ name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } }],
    },
  });
  assert.deepEqual([sidecar.ready, sidecar.status, sidecar.restarts], ['2/2', 'Running', 1]);
});

test('Terminating, Unknown on lost nodes, SchedulingGated', () => {
  const del = { deletionTimestamp: '2025-01-01T00:59:00Z' };
  assert.equal(summarizePod({ ...pod({ status: { phase: 'Running' } }), metadata: del }).status, 'Terminating');
  assert.equal(summarizePod({ ...pod({ status: { phase: 'Succeeded' } }), metadata: del }).status, 'Succeeded');
  assert.equal(summarizePod({ ...pod({ status: { phase: 'Running', reason: 'NodeLost' } }), metadata: del }).status, 'Unknown');
  assert.equal(summarizePod(pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } })).status, 'SchedulingGated');
});

test('wide cells: IP and readiness gates', () => {
  assert.equal(podIPCell(pod({ status: { podIPs: [{ ip: '10.42.0.5' }] } })), '10.42.0.5');
  assert.equal(podIPCell(pod({})), '<none>');
  assert.equal(readinessGatesCell(pod({})), '<none>');
  const gated = pod({ spec: { containers: [], readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] }, status: { conditions: [{ type: 'a', status: 'True' }] } });
  assert.equal(readinessGatesCell(gated), '1/2');
});
