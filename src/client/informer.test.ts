import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInformer, sharedInformerFactory } from './informer.js';
import { FakeClient } from './testing/fake-client.js';
import { testConfigMaps as configMaps, testPods as pods } from './testing/resources.js';
import { StatusError } from '../api/errors.js';
import type { Client } from './types.js';

const cm = (name: string, ns = 'default', labels?: Record<string, string>) => ({ metadata: { name, namespace: ns, labels } });

/** A Client that forwards to `c` except for the given methods. */
function delegate(c: FakeClient, over: Partial<Client>): Client {
  const base: Client = {
    get: (...a) => c.get(...a), list: (...a) => c.list(...a), create: (...a) => c.create(...a), update: (...a) => c.update(...a),
    updateStatus: (...a) => c.updateStatus(...a), updateSubresource: (...a) => c.updateSubresource(...a), patch: (...a) => c.patch(...a), delete: (...a) => c.delete(...a),
    deleteCollection: (...a) => c.deleteCollection(...a), watch: (...a) => c.watch(...a), createSubresource: (...a) => c.createSubresource(...a),
  };
  return { ...base, ...over };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}

test('lists, then follows the watch; cache, namespaces and index', async () => {
  const c = new FakeClient();
  await c.create(configMaps, cm('a'));
  await c.create(configMaps, cm('b', 'other', { tier: 'x' }));
  const inf = createInformer(configMaps, { client: c });
  inf.addIndex('tier', (o) => (o.metadata.labels?.tier ? [o.metadata.labels.tier] : []));
  const events: string[] = [];
  inf.onAdd((o) => events.push(`add ${o.metadata.name}`));
  inf.onUpdate((_o, n) => events.push(`update ${n.metadata.name}`));
  inf.onDelete((o, i) => events.push(`delete ${o.metadata.name} ${i.finalStateUnknown}`));
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  assert.equal(inf.hasSynced(), true);
  assert.deepEqual(inf.list().map((o) => o.metadata.name).sort(), ['a', 'b']);
  assert.deepEqual(inf.list('other').map((o) => o.metadata.name), ['b']);
  assert.deepEqual(inf.byIndex('tier', 'x').map((o) => o.metadata.name), ['b']);
  const a = inf.get('default/a')!;
  assert.throws(() => { (a.metadata as { name?: string }).name = 'z'; }, TypeError, 'cached objects are frozen');
  await c.update(configMaps, { ...structuredClone(a), data: { k: 'v' } });
  await c.delete(configMaps, 'other', 'b');
  await until(() => events.length === 4);
  assert.deepEqual(events, ['add a', 'add b', 'update a', 'delete b false']);
  assert.deepEqual(inf.byIndex('tier', 'x'), []);
  ac.abort();
  await running;
});

test('relists on 410 Gone and reports objects deleted meanwhile as final-state-unknown', async () => {
  const c = new FakeClient();
  await c.create(configMaps, cm('a'));
  await c.create(configMaps, cm('b'));
  let watches = 0;
  let blockWatch = true;
  // A client whose first watch ends with 410 after the store moved on behind its back.
  const client = delegate(c, {
    watch: async function* (res: typeof configMaps, opts: { resourceVersion?: string }, signal: AbortSignal) {
      watches++;
      if (watches === 1) {
        while (blockWatch) await new Promise((r) => setImmediate(r));
        yield { type: 'ERROR', object: new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 410, reason: 'Expired', message: 'too old' }).status };
        return;
      }
      yield* c.watch(res, opts, signal);
    } as Client['watch'],
  });
  const inf = createInformer(configMaps, { client });
  const deleted: string[] = [];
  inf.onDelete((o, i) => deleted.push(`${o.metadata.name} ${i.finalStateUnknown}`));
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  await c.delete(configMaps, 'default', 'b');
  await c.create(configMaps, cm('c'));
  blockWatch = false;
  await until(() => inf.get('default/c') !== undefined);
  assert.deepEqual(deleted, ['b true']);
  assert.equal(watches, 2);
  ac.abort();
  await running;
});

test('reconnects with backoff after a failed list, 1 s doubling to 30 s', async () => {
  const c = new FakeClient();
  await c.create(configMaps, cm('a'));
  let failures = 4;
  const client = delegate(c, {
    list: (async (...args: Parameters<Client['list']>) => { if (failures-- > 0) throw new Error('connection refused'); return c.list(...args); }) as Client['list'],
  });
  const delays: number[] = [];
  const inf = createInformer(configMaps, { client, sleep: async (ms) => { delays.push(ms); } , backoffMs: { initial: 1000, max: 4000 } });
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  assert.deepEqual(delays, [1000, 2000, 4000, 4000]);
  ac.abort();
  await running;
});

test('resync calls update handlers with the same object', async () => {
  const c = new FakeClient();
  await c.create(configMaps, cm('a'));
  const inf = createInformer(configMaps, { client: c });
  const seen: boolean[] = [];
  inf.onUpdate((o, n) => seen.push(o === n));
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  await inf.waitForSync(ac.signal);
  inf.resync();
  assert.deepEqual(seen, [true]);
  ac.abort();
  await running;
});

test('the factory shares one informer per resource and runs those made later', async () => {
  const c = new FakeClient();
  await c.create(pods, { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } });
  const f = sharedInformerFactory({ client: c });
  const a = f.for(configMaps);
  assert.equal(f.for(configMaps), a);
  const ac = new AbortController();
  const running = f.run(ac.signal);
  const p = f.for(pods);
  await f.waitForSync(ac.signal);
  assert.equal(p.get('default/p')?.metadata.name, 'p');
  ac.abort();
  await running;
});
