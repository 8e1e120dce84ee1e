import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { writePayload, validatePayloadPath, type Payload } from './atomic-writer.js';
import { configMapPayload, downwardAPIPayload, formatMap, secretPayload, VolumeSetupError } from './payloads.js';
import { checkHostPath } from './volume-manager.js';
import { parseMountPoints } from './mounter.js';

const text = (p: Payload) => Object.fromEntries([...p].map(([k, v]) => [k, [v.content.toString(), v.mode.toString(8)]]));

test('configMap payload: all keys, or items with paths and modes; missing objects and keys as the kubelet reports them', () => {
  const cm = { data: { a: '1', b: '2' }, binaryData: { bin: Buffer.from([1, 2]).toString('base64') } };
  assert.deepEqual(Object.keys(text(configMapPayload('cfg', cm, {}, 0o644))).sort(), ['a', 'b', 'bin']);
  assert.deepEqual(text(configMapPayload('cfg', cm, { items: [{ key: 'a', path: 'dir/x', mode: 0o400 }] }, 0o644)), { 'dir/x': ['1', '400'] });
  assert.throws(() => configMapPayload('cfg', undefined, {}, 0o644), (e) => e instanceof VolumeSetupError && e.message === 'configmap "cfg" not found');
  assert.equal(configMapPayload('cfg', undefined, { optional: true }, 0o644).size, 0);
  assert.throws(() => configMapPayload('cfg', cm, { items: [{ key: 'zz', path: 'z' }] }, 0o644), /configmap references non-existent config key: zz/);
  assert.throws(() => secretPayload('s', undefined, {}, 0o644), /^VolumeSetupError: secret "s" not found$/);
  assert.deepEqual(text(secretPayload('s', { data: { p: Buffer.from('pw').toString('base64') } }, {}, 0o600)), { p: ['pw', '600'] });
});

test('downwardAPI payload: labels/annotations as sorted key="value" lines, fields, resources with divisors', () => {
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: 'x"y' } },
    spec: { containers: [{ name: 'c', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
  };
  assert.equal(formatMap({ b: '2', a: 'x"y' }), 'a="x\\"y"\nb="2"');
  const p = downwardAPIPayload(pod, [
    { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
    { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
    { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
    { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'requests.cpu', divisor: '1m' } },
  ], 0o644);
  assert.deepEqual(text(p), { labels: ['a="x\\"y"\nb="2"', '644'], name: ['p', '644'], mem: ['64', '644'], cpu: ['250', '644'] });
});

test('atomic writer: ..data symlink to a timestamped dir, top-level links through it, swap on change, stale names removed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-aw-'));
  try {
    const first: Payload = new Map([['a', { content: Buffer.from('1'), mode: 0o644 }], ['sub/b', { content: Buffer.from('2'), mode: 0o600 }]]);
    assert.equal(await writePayload(dir, first), true);
    const data1 = await readlink(join(dir, '..data'));
    assert.match(data1, /^\.\.\d{4}_\d\d_\d\d_/);
    assert.equal(await readlink(join(dir, 'a')), '..data/a');
    assert.equal(await readlink(join(dir, 'sub')), '..data/sub');
    assert.equal(await readFile(join(dir, 'sub', 'b'), 'utf8'), '2');
    assert.equal((await stat(join(dir, 'sub', 'b'))).mode & 0o777, 0o600);
    assert.equal(await writePayload(dir, first), false); // unchanged: nothing written

    const second: Payload = new Map([['a', { content: Buffer.from('changed'), mode: 0o644 }], ['c', { content: Buffer.from('3'), mode: 0o644 }]]);
    assert.equal(await writePayload(dir, second), true);
    assert.notEqual(await readlink(join(dir, '..data')), data1);
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), 'changed');
    const names = (await readdir(dir)).sort();
    assert.deepEqual(names.filter((n) => !n.startsWith('..')), ['a', 'c']);
    assert.equal(names.filter((n) => n.startsWith('..') && n !== '..data').length, 1); // the old timestamped dir is gone
    assert.equal((await lstat(join(dir, 'c'))).isSymbolicLink(), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(validatePayloadPath('../x'), "invalid path: must not contain '..': ../x");
  assert.equal(validatePayloadPath('/abs'), 'invalid path: must be relative path: /abs');
});

test('hostPath type checks with the kubelet messages; DirectoryOrCreate creates', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-hp-'));
  try {
    await assert.rejects(checkHostPath(join(dir, 'missing'), 'Directory'), { message: `hostPath type check failed: ${join(dir, 'missing')} is not a directory` });
    await checkHostPath(join(dir, 'made'), 'DirectoryOrCreate');
    assert.equal((await stat(join(dir, 'made'))).isDirectory(), true);
    await checkHostPath(join(dir, 'f'), 'FileOrCreate');
    await assert.rejects(checkHostPath(join(dir, 'f'), 'Directory'), /is not a directory/);
    await assert.rejects(checkHostPath(join(dir, 'made'), 'File'), /is not a file/);
    await checkHostPath(join(dir, 'anything'), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.deepEqual(parseMountPoints('tmpfs /a\\040b tmpfs rw 0 0\n'), ['/a b']);
});
