import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { sendJsonList } from './respond.js';

/** A response that records what is written and says "full" after every write until drained. */
function fakeResponse(full: boolean) {
  const ee = new EventEmitter();
  let body = '';
  let writes = 0;
  let ended = false;
  const res = Object.assign(ee, {
    destroyed: false,
    writeHead() { return res; },
    write(chunk: string) { body += chunk; writes++; if (full) setImmediate(() => ee.emit('drain')); return !full; },
    end(chunk: string) { body += chunk; ended = true; },
  });
  return { res: res as unknown as ServerResponse, body: () => body, writes: () => writes, ended: () => ended };
}

test('a streamed list is the same JSON as the whole list, in chunks that wait for the socket', async () => {
  const items = Array.from({ length: 3000 }, (_, i) => ({ metadata: { name: `cm-${i}` }, data: { k: 'v'.repeat(40) } }));
  const list = { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '7', continue: 'x' }, items };
  const out = fakeResponse(true);
  await sendJsonList(out.res, list);
  assert.equal(out.body(), JSON.stringify(list));
  assert.ok(out.writes() > 1, 'written in several chunks');
  assert.ok(out.ended());
  const empty = fakeResponse(false);
  const none = { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: [] };
  await sendJsonList(empty.res, none);
  assert.equal(empty.body(), '{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[]}');
});

test('a client that goes away ends the stream', async () => {
  const out = fakeResponse(true);
  (out.res as unknown as { destroyed: boolean }).destroyed = true;
  await sendJsonList(out.res, { items: Array.from({ length: 5000 }, (_, i) => ({ i, pad: 'x'.repeat(50) })) });
  assert.equal(out.writes(), 0);
});
