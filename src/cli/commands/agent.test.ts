import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../base/log.js';
import { unauthorized, serviceUnavailable } from '../../api/errors.js';
import { JoinRefused, untilJoined } from './agent.js';

const fast = { firstMs: 1, maxMs: 4 };

test('a join step is retried while the server cannot be reached or is unavailable', async () => {
  let calls = 0;
  const got = await untilJoined('join', async () => {
    calls++;
    if (calls === 1) throw Object.assign(new Error('connect ECONNREFUSED 192.0.2.1:6443'), { code: 'ECONNREFUSED' });
    if (calls === 2) throw serviceUnavailable('starting');
    return 'ok';
  }, silentLogger, new AbortController().signal, fast);
  assert.equal(got, 'ok');
  assert.equal(calls, 3);
});

test('a wrong token fails at once, naming the token', async () => {
  let calls = 0;
  await assert.rejects(untilJoined('fetch the cluster config', async () => { calls++; throw unauthorized(); }, silentLogger, new AbortController().signal, fast),
    /cannot fetch the cluster config: Unauthorized \(wrong token\?\)/);
  assert.equal(calls, 1);
});

test('an answer that is not a k8ts server fails at once', async () => {
  let calls = 0;
  await assert.rejects(untilJoined('fetch the cluster CA', async () => { calls++; throw new JoinRefused('HTTP 404'); }, silentLogger, new AbortController().signal, fast), JoinRefused);
  assert.equal(calls, 1);
});

test('stopping the agent ends the retries', async () => {
  const stop = new AbortController();
  let calls = 0;
  await assert.rejects(untilJoined('join', async () => {
    if (++calls === 3) stop.abort();
    throw new Error('connect ECONNREFUSED');
  }, silentLogger, stop.signal, fast));
  assert.equal(calls, 3);
});
