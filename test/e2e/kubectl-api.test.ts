/**
 * Issue 2's acceptance with the real kubectl (1.27 and 1.33) against `k8ts server --disable-agent`
 * as a separate process: apply (create / unchanged / three-way configured), get with kubectl's
 * columns and output formats, selectors, describe, label/annotate/patch/scale/edit/replace, create
 * generators (protobuf bodies on 1.33), explain, discovery, server-side apply, diff, wait, CRDs.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startK8ts, type K8tsProcess } from '../fixtures/k8ts-process.js';
import { kubectlFor, type Kubectl } from '../fixtures/kubectl.js';

let server: K8tsProcess;
let work: string;

before(async () => {
  server = await startK8ts(['--disable-agent']);
  work = await mkdtemp(join(tmpdir(), 'k8ts-e2e-files-'));
});

after(async () => {
  await server?.stop();
  await server?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = join(work, name);
  await writeFile(p, text);
  return p;
}

function ok(r: { code: number; stdout: string; stderr: string }, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Splits `kubectl get` output into rows of whitespace-separated cells. */
function rows(out: string): string[][] {
  return out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));
}

for (const minor of [33, 27]) {
  describe(`kubectl 1.${minor}`, () => {
    let k: Kubectl;
    const ns = `e2e-${minor}`;
    before(() => {
      const found = kubectlFor(minor, server.kubeconfig);
      if (!found) throw new Error(`kubectl 1.${minor} is not installed beside kubectl`);
      k = found;
    });

    test('version, api-resources, api-versions', async () => {
      const v = ok(await k(['version', '-o', 'json']), 'version');
      assert.match(JSON.parse(v).serverVersion.gitVersion, /^v1\.33\.\d+/);
      const res = ok(await k(['api-resources']), 'api-resources');
      assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(res, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      const versions = ok(await k(['api-versions']), 'api-versions');
      for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1']) {
        assert.ok(versions.split('\n').includes(gv), `api-versions lacks ${gv}`);
      }
    });

    test('create namespace, configmap, secret, deployment, job with the create generators', async () => {
      ok(await k(['create', 'namespace', ns]), 'create namespace');
      ok(await k(['-n', ns, 'create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=2']), 'create configmap');
      ok(await k(['-n', ns, 'create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret']), 'create secret');
      ok(await k(['-n', ns, 'create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']), 'create deployment');
      ok(await k(['-n', ns, 'create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']), 'create job');
      const cm = JSON.parse(ok(await k(['-n', ns, 'get', 'configmap', 'cfg', '-o', 'json']), 'get cm'));
      assert.deepEqual(cm.data, { a: '1', b: '2' });
      const secret = JSON.parse(ok(await k(['-n', ns, 'get', 'secret', 'sec', '-o', 'json']), 'get secret'));
      assert.equal(Buffer.from(secret.data.password, 'base64').toString(), 's3cret');
      assert.equal(secret.type, 'Opaque');
      const table = rows(ok(await k(['-n', ns, 'get', 'deploy']), 'get deploy'));
      assert.deepEqual(table[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      assert.equal(table[1]![0], 'web');
      assert.equal(table[1]![1], '0/2');
      const secrets = rows(ok(await k(['-n', ns, 'get', 'secrets']), 'get secrets'));
      assert.deepEqual(secrets[0], ['NAME', 'TYPE', 'DATA', 'AGE']);
      assert.deepEqual(secrets.find((r) => r[0] === 'sec')!.slice(0, 3), ['sec', 'Opaque', '1']);
      const jobs = rows(ok(await k(['-n', ns, 'get', 'jobs']), 'get jobs'));
      assert.deepEqual(jobs[0]!.slice(0, 3), ['NAME', 'STATUS', 'COMPLETIONS']);
    });

    test('apply: created, unchanged, then configured with a three-way merge', async () => {
      const v1 = await file(`app-${minor}-v1.yaml`, `apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: ${ns}
  labels: {tier: web, keep: "yes"}
data:
  one: "1"
  two: "2"
`);
      assert.match(ok(await k(['apply', '-f', v1]), 'apply 1'), /configmap\/applied created/);
      assert.match(ok(await k(['apply', '-f', v1]), 'apply 2'), /configmap\/applied unchanged/);
      // Another writer adds a label; the file drops `two` and the `tier` label.
      ok(await k(['-n', ns, 'label', 'configmap', 'applied', 'other=writer']), 'label');
      const v2 = await file(`app-${minor}-v2.yaml`, `apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
  namespace: ${ns}
  labels: {keep: "yes"}
data:
  one: "1"
  three: "3"
`);
      assert.match(ok(await k(['apply', '-f', v2]), 'apply 3'), /configmap\/applied configured/);
      const live = JSON.parse(ok(await k(['-n', ns, 'get', 'cm', 'applied', '-o', 'json']), 'get'));
      assert.deepEqual(live.data, { one: '1', three: '3' });
      assert.deepEqual(live.metadata.labels, { keep: 'yes', other: 'writer' });
    });

    test('apply a Deployment, then drop a container env var and a label (strategic merge)', async () => {
      const d1 = await file(`d-${minor}-1.yaml`, deploymentYaml(ns, 'api', ['E1', 'E2'], { tier: 'backend' }));
      ok(await k(['apply', '-f', d1]), 'apply deploy 1');
      const d2 = await file(`d-${minor}-2.yaml`, deploymentYaml(ns, 'api', ['E2'], {}));
      assert.match(ok(await k(['apply', '-f', d2]), 'apply deploy 2'), /deployment.apps\/api configured/);
      const live = JSON.parse(ok(await k(['-n', ns, 'get', 'deploy', 'api', '-o', 'json']), 'get'));
      assert.deepEqual(live.spec.template.spec.containers[0].env, [{ name: 'E2', value: 'v' }]);
      assert.equal(live.metadata.labels?.tier, undefined);
      assert.equal(live.metadata.generation, 2);
    });

    test('get: output formats, selectors and field selectors', async () => {
      ok(await k(['-n', ns, 'create', 'configmap', 'sel-a', '--from-literal=x=1']), 'cm a');
      ok(await k(['-n', ns, 'create', 'configmap', 'sel-b', '--from-literal=x=1']), 'cm b');
      ok(await k(['-n', ns, 'label', 'cm', 'sel-a', 'env=prod', 'team=blue']), 'label a');
      ok(await k(['-n', ns, 'label', 'cm', 'sel-b', 'env=dev']), 'label b');
      assert.equal(ok(await k(['-n', ns, 'get', 'cm', '-l', 'env in (prod,staging)', '-o', 'name']), 'set-based').trim(), 'configmap/sel-a');
      assert.equal(ok(await k(['-n', ns, 'get', 'cm', '-l', 'env,!team', '-o', 'name']), 'exists').trim(), 'configmap/sel-b');
      assert.equal(ok(await k(['-n', ns, 'get', 'cm', '--field-selector', 'metadata.name=sel-b', '-o', 'jsonpath={.items[*].metadata.name}']), 'fs'), 'sel-b');
      const bad = await k(['-n', ns, 'get', 'cm', '--field-selector', 'spec.foo=bar']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /field label not supported: spec\.foo/);
      const yaml = ok(await k(['-n', ns, 'get', 'cm', 'sel-a', '-o', 'yaml']), 'yaml');
      assert.match(yaml, /^kind: ConfigMap$/m);
      const labels = rows(ok(await k(['-n', ns, 'get', 'cm', 'sel-a', '--show-labels']), 'show-labels'));
      assert.equal(labels[0]!.at(-1), 'LABELS');
      assert.equal(labels[1]!.at(-1), 'env=prod,team=blue');
      const all = ok(await k(['get', 'all', '-A']), 'get all -A');
      assert.match(all, /service\/kubernetes/);
      assert.match(all, new RegExp(`${ns}\\s+deployment.apps/web`));
    });

    test('label, annotate, patch (strategic, merge, json), scale', async () => {
      ok(await k(['-n', ns, 'annotate', 'deploy', 'web', 'owner=me']), 'annotate');
      ok(await k(['-n', ns, 'patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']), 'smp');
      ok(await k(['-n', ns, 'patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"merge"}}}']), 'merge');
      ok(await k(['-n', ns, 'patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/json","value":"yes"}]']), 'json');
      ok(await k(['-n', ns, 'scale', 'deploy', 'web', '--replicas=4']), 'scale');
      const d = JSON.parse(ok(await k(['-n', ns, 'get', 'deploy', 'web', '-o', 'json']), 'get'));
      assert.equal(d.metadata.annotations.owner, 'me');
      assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
      assert.equal(d.metadata.labels.patched, 'merge');
      assert.equal(d.metadata.labels.json, 'yes');
      assert.equal(d.spec.replicas, 4);
    });

    test('replace with a stale resourceVersion is refused; edit changes the object', async () => {
      const cm = JSON.parse(ok(await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'json']), 'get'));
      ok(await k(['-n', ns, 'label', 'cm', 'cfg', 'bump=1']), 'bump');
      cm.data.a = 'changed';
      const stale = await file(`stale-${minor}.json`, JSON.stringify(cm));
      const r = await k(['replace', '-f', stale]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
      const editor = join(work, `editor-${minor}.sh`);
      await writeFile(editor, `#!/bin/sh\nsed -i 's/^  a: "1"$/  a: "edited"/; s/^  a: .1.$/  a: edited/' "$1"\n`);
      await chmod(editor, 0o755);
      ok(await k(['-n', ns, 'edit', 'cm', 'cfg'], { env: { KUBE_EDITOR: editor, EDITOR: editor } }), 'edit');
      const after = JSON.parse(ok(await k(['-n', ns, 'get', 'cm', 'cfg', '-o', 'json']), 'get'));
      assert.equal(after.data.a, 'edited');
    });

    test('describe, explain', async () => {
      const desc = ok(await k(['-n', ns, 'describe', 'deploy', 'web']), 'describe');
      assert.match(desc, /^Name:\s+web$/m);
      assert.match(desc, /^Replicas:\s+4 desired/m);
      const explain = ok(await k(['explain', 'deployment.spec.strategy']), 'explain');
      assert.match(explain, /KIND:\s+Deployment/);
      assert.match(explain, /rollingUpdate/);
    });

    test('server-side apply and its conflict, diff, dry-run', async () => {
      const f = await file(`ssa-${minor}.yaml`, `apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, namespace: ${ns}}
data: {k: v1}
`);
      assert.match(ok(await k(['apply', '--server-side', '-f', f]), 'ssa'), /configmap\/ssa serverside-applied/);
      const other = await file(`ssa-other-${minor}.yaml`, `apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, namespace: ${ns}}
data: {k: v2}
`);
      const conflict = await k(['apply', '--server-side', '--field-manager=other', '-f', other]);
      assert.notEqual(conflict.code, 0);
      assert.match(conflict.stderr, /conflict with "kubectl"/);
      ok(await k(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', other]), 'force');
      const changed = await file(`diff-${minor}.yaml`, `apiVersion: v1
kind: ConfigMap
metadata: {name: ssa, namespace: ${ns}}
data: {k: v3}
`);
      const diff = await k(['diff', '-f', changed]);
      assert.equal(diff.code, 1, `diff should report a difference: ${diff.stderr}`);
      assert.match(diff.stdout, /\+\s+k: v3/);
      ok(await k(['apply', '--dry-run=server', '-f', changed]), 'dry run');
      const live = JSON.parse(ok(await k(['-n', ns, 'get', 'cm', 'ssa', '-o', 'json']), 'get'));
      assert.equal(live.data.k, 'v2');
    });

    test('a CRD and a custom resource: printer columns and explain', async () => {
      const plural = `widgets${minor}`;
      const crd = await file(`crd-${minor}.yaml`, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ${plural}, singular: widget${minor}, kind: Widget${minor}, shortNames: [wg${minor}]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: The widget's desired shape.
            properties:
              size: {type: integer, minimum: 1, description: How big.}
              color: {type: string, enum: [red, blue]}
`);
      ok(await k(['apply', '-f', crd]), 'apply crd');
      ok(await k(['wait', '--for=condition=Established', `crd/${plural}.example.com`, '--timeout=20s']), 'wait established');
      const cr = await file(`cr-${minor}.yaml`, `apiVersion: example.com/v1
kind: Widget${minor}
metadata: {name: w1, namespace: ${ns}}
spec: {size: 3, color: red}
`);
      ok(await k(['apply', '-f', cr]), 'apply cr');
      const table = rows(ok(await k(['-n', ns, 'get', `wg${minor}`]), 'get cr'));
      assert.deepEqual(table[0], ['NAME', 'SIZE', 'COLOR']);
      assert.deepEqual(table[1], ['w1', '3', 'red']);
      const badCr = await file(`bad-cr-${minor}.yaml`, `apiVersion: example.com/v1
kind: Widget${minor}
metadata: {name: w2, namespace: ${ns}}
spec: {size: 0, color: green}
`);
      const bad = await k(['apply', '-f', badCr]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /spec\.size/);
      assert.match(bad.stderr, /spec\.color/);
      const explain = ok(await k(['explain', `${plural}.spec.size`]), 'explain cr');
      assert.match(explain, /How big\./);
    });

    test('get -w streams changes as table rows', async () => {
      ok(await k(['-n', ns, 'create', 'configmap', 'watched', '--from-literal=a=1']), 'create');
      const watching = k(['-n', ns, 'get', 'cm', 'watched', '-w', '--request-timeout=4s'], { timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 1500));
      ok(await k(['-n', ns, 'label', 'cm', 'watched', 'step=two']), 'label');
      const out = (await watching).stdout;
      const lines = out.trim().split('\n');
      assert.match(lines[0]!, /^NAME\s+DATA\s+AGE$/);
      assert.ok(lines.filter((l) => /^watched\s+1\s+/.test(l)).length >= 2, `expected the initial row and the change:\n${out}`);
    });

    test('delete --cascade: background removes dependents, orphan keeps them, foreground waits for them', async () => {
      const owner = async (name: string) => JSON.parse(ok(await k(['-n', ns, 'create', 'configmap', name, '-o', 'json']), 'owner'));
      const dependent = async (name: string, o: { metadata: { name: string; uid: string } }, block = false) => {
        const f = await file(`dep-${minor}-${name}.json`, JSON.stringify({
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid, ...(block ? { blockOwnerDeletion: true } : {}) }] },
        }));
        ok(await k(['create', '-f', f]), 'dependent');
      };
      const exists = async (name: string) => (await k(['-n', ns, 'get', 'cm', name])).code === 0;
      const until = async (cond: () => Promise<boolean>, what: string) => {
        const end = Date.now() + 20_000;
        while (!(await cond())) {
          if (Date.now() > end) assert.fail(`timed out: ${what}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const bg = await owner('own-bg');
      await dependent('dep-bg', bg);
      ok(await k(['-n', ns, 'delete', 'cm', 'own-bg']), 'delete background');
      await until(async () => !(await exists('dep-bg')), 'background dependent removed');

      const orphan = await owner('own-orphan');
      await dependent('dep-orphan', orphan);
      ok(await k(['-n', ns, 'delete', 'cm', 'own-orphan', '--cascade=orphan']), 'delete orphan');
      await until(async () => !(await exists('own-orphan')), 'orphaning owner gone');
      const kept = JSON.parse(ok(await k(['-n', ns, 'get', 'cm', 'dep-orphan', '-o', 'json']), 'kept'));
      assert.equal(kept.metadata.ownerReferences, undefined);

      const fg = await owner('own-fg');
      await dependent('dep-fg', fg, true);
      ok(await k(['-n', ns, 'delete', 'cm', 'own-fg', '--cascade=foreground']), 'delete foreground');
      await until(async () => !(await exists('own-fg')) && !(await exists('dep-fg')), 'foreground deletion finished');
    });

    test('wait for a condition and delete with --wait', async () => {
      ok(await k(['-n', ns, 'delete', 'cm', 'sel-a', '--wait']), 'delete');
      const gone = await k(['-n', ns, 'get', 'cm', 'sel-a']);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /configmaps "sel-a" not found/);
    });
  });
}

function deploymentYaml(ns: string, name: string, env: string[], labels: Record<string, string>): string {
  const labelLines = Object.entries({ app: name, ...labels }).map(([k, v]) => `    ${k}: ${v}`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
${labelLines}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: main
        image: nginx:1.25
        env:
${env.map((e) => `        - {name: ${e}, value: v}`).join('\n')}
`;
}
