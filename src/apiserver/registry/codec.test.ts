import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectCodec } from './codec.js';
import { secretsEncryption } from '../encryption.js';
import type { KubeObject } from '../../api/types.js';

const pod = (): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', resourceVersion: '3' }, spec: { nodeName: 'n1' } } as KubeObject);

test('stored JSON leaves resourceVersion out; decoding sets it from the modRevision', () => {
  const codec = new ObjectCodec();
  const bytes = codec.encode('/registry/pods/default/p', pod());
  assert.ok(!Buffer.from(bytes).toString().includes('resourceVersion'));
  const back = codec.decode({ key: '/registry/pods/default/p', value: bytes, createRevision: 7, modRevision: 9 });
  assert.deepEqual(back, { ...pod(), metadata: { ...pod().metadata, resourceVersion: '9' } });
});

test('an object handed over with its bytes is what the first decode of those bytes returns, and only the first', () => {
  for (const codec of [new ObjectCodec(), new ObjectCodec(secretsEncryption('token'))]) {
    const key = '/registry/secrets/default/p';
    const obj = pod();
    const value = codec.encode(key, obj, true);
    const kv = { key, value, createRevision: 9, modRevision: 9 };
    const first = codec.decode(kv);
    assert.equal(first, obj);
    assert.equal(first.metadata.resourceVersion, '9');
    const second = codec.decode(kv);
    assert.notEqual(second, obj, 'a second reader gets its own parse');
    assert.deepEqual(second, first);
    // Equal bytes that are not the handed-over value itself are parsed.
    const other = pod();
    const copy = codec.decode({ ...kv, value: Buffer.from(codec.encode(key, other, true)) });
    assert.notEqual(copy, other);
    assert.deepEqual(copy, { ...other, metadata: { ...other.metadata, resourceVersion: '9' } });
  }
});
