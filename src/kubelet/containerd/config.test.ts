import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderContainerdConfig } from './config.js';
import { containerdPaths } from './paths.js';

test('renderContainerdConfig keeps every path under the data dir and sets the CRI facts we rely on', () => {
  const paths = containerdPaths('/var/lib/k8ts');
  const text = renderContainerdConfig({ paths, sandboxImage: 'k8ts.io/pause:1.0', registryAuth: { 'r.example:5000': { username: 'u', password: 'p"w' } } });
  assert.match(text, /^version = 2$/m);
  assert.match(text, /^root = "\/var\/lib\/k8ts\/agent\/containerd\/root"$/m);
  assert.match(text, /^state = "\/var\/lib\/k8ts\/agent\/containerd\/state"$/m);
  assert.match(text, /^ {2}address = "\/var\/lib\/k8ts\/agent\/containerd\/containerd.sock"$/m);
  assert.match(text, /sandbox_image = "k8ts.io\/pause:1.0"/);
  assert.match(text, /restrict_oom_score_adj = true/);
  assert.match(text, /snapshotter = "overlayfs"/);
  assert.match(text, /runtime_type = "io.containerd.runc.v2"/);
  assert.match(text, /SystemdCgroup = false/);
  assert.match(text, /bin_dir = "\/usr\/lib\/cni"/);
  assert.match(text, /conf_dir = "\/var\/lib\/k8ts\/agent\/etc\/cni\/net.d"/);
  assert.match(text, /config_path = "\/var\/lib\/k8ts\/agent\/etc\/containerd\/certs.d"/);
  assert.match(text, /\[plugins."io.containerd.grpc.v1.cri".registry.configs."r.example:5000".auth\]\n {2}username = "u"\n {2}password = "p\\"w"/);
});
