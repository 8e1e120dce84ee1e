import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialProbeState, probeTiming, recordProbe, type ProbeState, type ProbeType } from './probe-state.js';
import { decodeHealthResponse, httpCodeResult, resolvePort } from './probe-runner.js';

function feed(type: ProbeType, outcomes: boolean[], t = { successThreshold: 1, failureThreshold: 3 }): { states: (boolean | undefined)[]; last: ProbeState } {
  let s = initialProbeState(type);
  const states: (boolean | undefined)[] = [];
  for (const ok of outcomes) { s = recordProbe(type, s, ok, t).state; states.push(s.result); }
  return { states, last: s };
}

test('defaults: period 10 s, timeout 1 s, success 1, failure 3', () => {
  assert.deepEqual(probeTiming({}), { initialDelayMs: 0, periodMs: 10_000, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.equal(probeTiming({ initialDelaySeconds: 5, periodSeconds: 2 }).initialDelayMs, 5000);
});

test('initial results: liveness passes, readiness fails, startup unknown', () => {
  assert.equal(initialProbeState('liveness').result, true);
  assert.equal(initialProbeState('readiness').result, false);
  assert.equal(initialProbeState('startup').result, undefined);
});

test('liveness fails only after failureThreshold failures in a row, then holds', () => {
  const { states, last } = feed('liveness', [false, false, true, false, false, false]);
  assert.deepEqual(states, [true, true, true, true, true, false]);
  assert.equal(last.onHold, true);
});

test('readiness needs successThreshold successes in a row and flips back after failures', () => {
  const { states, last } = feed('readiness', [true, true, false, false], { successThreshold: 2, failureThreshold: 2 });
  assert.deepEqual(states, [false, true, true, false]);
  assert.equal(last.onHold, false); // readiness keeps probing
});

test('probe outcomes: 2xx/3xx pass, other codes fail with the kubelet message; named ports; grpc status decoding', () => {
  assert.equal(httpCodeResult(302).result, 'success');
  assert.deepEqual(httpCodeResult(500), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.equal(resolvePort('http', { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }), 8080);
  assert.equal(resolvePort('8081', { name: 'c' }), 8081);
  assert.equal(resolvePort('nope', { name: 'c' }), undefined);
  assert.equal(decodeHealthResponse(Buffer.from([0x08, 0x01])), 'SERVING');
  assert.equal(decodeHealthResponse(Buffer.from([0x08, 0x02])), 'NOT_SERVING');
  assert.equal(decodeHealthResponse(Buffer.alloc(0)), 'UNKNOWN');
});
