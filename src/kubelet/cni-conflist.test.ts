import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cniConfFileName, cniConfList } from '../network/cni-config.js';
import { readCniBridge, renderCniConflist, writeCniConflist } from './cni-conflist.js';

test('the kubelet writes network/cni-config\'s conflist, with its own default bridge', () => {
  const text = renderCniConflist({ podCIDR: '10.42.3.0/24', ipamDir: '/d/cni-ipam', mtu: 1400 });
  assert.deepEqual(JSON.parse(text), cniConfList({ podCidr: '10.42.3.0/24', bridge: 'cni0', ipamDataDir: '/d/cni-ipam', mtu: 1400 }));
  assert.ok(text.endsWith('}\n'));
  assert.throws(() => renderCniConflist({ podCIDR: 'not-a-cidr', ipamDir: '/d' }), 'a bad podCIDR is refused, as cni-config refuses it');
});

test('writeCniConflist writes once, rewrites only on change; readCniBridge reads the bridge back', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-cni-'));
  try {
    const confDir = join(dir, 'net.d');
    assert.equal(await readCniBridge(confDir), undefined);
    const o = { podCIDR: '10.42.7.0/24', bridge: 'br-test', ipamDir: join(dir, 'ipam') };
    assert.equal(await writeCniConflist(confDir, o), true);
    assert.equal(await writeCniConflist(confDir, o), false);
    assert.equal(await readFile(join(confDir, cniConfFileName), 'utf8'), renderCniConflist(o));
    assert.equal(await readCniBridge(confDir), 'br-test');
    assert.equal(await writeCniConflist(confDir, { ...o, podCIDR: '10.42.8.0/24' }), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
