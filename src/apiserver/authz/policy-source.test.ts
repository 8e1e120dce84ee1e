import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { silentLogger } from '../../base/log.js';
import { CompactedError } from '../../storage/store.js';
import type { CacheEvent, CachePage, ObjectCache } from '../registry/object-cache.js';
import type { UserInfo } from '../context.js';
import { cachedPolicy } from './policy-source.js';

/** An ObjectCache over a map, whose watch replays pushed events (or throws CompactedError once). */
function fakeCache() {
  const objects = new Map<string, KubeObject>();
  let revision = 1;
  const waiting: Array<(e: CacheEvent | undefined) => void> = [];
  const queued: CacheEvent[] = [];
  let compactNext = false;
  const cache: ObjectCache = {
    get: (k) => objects.get(k),
    list(prefix): CachePage {
      return { items: [...objects.keys()].filter((k) => k.startsWith(prefix)).sort().map((k) => objects.get(k)!), revision };
    },
    revision: () => revision,
    waitForRevision: async () => {},
    async *watch(_prefix, _from, signal) {
      if (compactNext) { compactNext = false; throw new CompactedError(0, revision); }
      while (!signal.aborted) {
        const e = queued.shift() ?? await new Promise<CacheEvent | undefined>((r) => { waiting.push(r); signal.addEventListener('abort', () => r(undefined), { once: true }); });
        if (!e) return;
        yield e;
      }
    },
  };
  const emit = (type: 'put' | 'delete', key: string, object: KubeObject) => {
    revision++;
    if (type === 'put') objects.set(key, object); else objects.delete(key);
    const e: CacheEvent = { type, key, revision, object };
    const w = waiting.shift();
    if (w) w(e); else queued.push(e);
  };
  return { cache, objects, emit, compactNext: () => { compactNext = true; } };
}

const user: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const crbKey = (n: string) => `/registry/rbac.authorization.k8s.io/clusterrolebindings/${n}`;
const rbKey = (ns: string, n: string) => `/registry/rbac.authorization.k8s.io/rolebindings/${ns}/${n}`;
const binding = (name: string, subjects: unknown[], namespace?: string) =>
  ({ metadata: { name, ...(namespace ? { namespace } : {}) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects }) as unknown as KubeObject;
const names = (it: Iterable<{ metadata?: { name?: string } }>) => [...it].map((b) => b.metadata?.name).sort();
const tick = () => new Promise((r) => setImmediate(r));

test('cached policy: filled from the cache, kept current by its watch, relisted after compaction', async () => {
  const f = fakeCache();
  f.objects.set(crbKey('devs'), binding('devs', [{ kind: 'Group', name: 'devs' }]));
  f.objects.set(crbKey('bob'), binding('bob', [{ kind: 'User', name: 'bob' }]));
  const policy = cachedPolicy(f.cache, silentLogger);
  assert.deepEqual(names(policy.clusterRoleBindingsFor(user)), ['devs']);

  const stop = new AbortController();
  const running = policy.run(stop.signal);
  f.emit('put', rbKey('team', 'alice'), binding('alice', [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }], 'team'));
  f.emit('put', crbKey('bob'), binding('bob', [{ kind: 'User', name: 'bob' }, { kind: 'User', name: 'alice' }]));
  await tick();
  assert.deepEqual(names(policy.roleBindingsFor(user, 'team')), ['alice'], 'one binding naming the user twice is listed once');
  assert.deepEqual(names(policy.clusterRoleBindingsFor(user)), ['bob', 'devs']);
  f.emit('put', crbKey('bob'), binding('bob', [{ kind: 'User', name: 'bob' }]));
  f.emit('delete', rbKey('team', 'alice'), binding('alice', [], 'team'));
  await tick();
  assert.deepEqual(names(policy.clusterRoleBindingsFor(user)), ['devs'], 'an update re-indexes the subjects');
  assert.deepEqual(names(policy.roleBindingsFor(user, 'team')), []);
  stop.abort();
  await running;

  // A watch that can no longer resume relists from the cache.
  f.objects.set(crbKey('late'), binding('late', [{ kind: 'User', name: 'alice' }]));
  f.compactNext();
  const stop2 = new AbortController();
  const running2 = policy.run(stop2.signal);
  await tick();
  assert.deepEqual(names(policy.clusterRoleBindingsFor(user)), ['devs', 'late']);
  stop2.abort();
  await running2;
});
