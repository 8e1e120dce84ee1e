import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { formatFieldError } from '../../errors.js';
import { defaultPodSpec } from './pod-defaults.js';
import { validatePodSpec, validatePodSpecUpdate, validatePodTemplateSpec, podUpdateForbiddenMessage } from './pod-validation.js';

function spec(s: Partial<PodSpec> = {}): PodSpec {
  const out: PodSpec = { containers: [{ name: 'web', image: 'nginx' }], ...s };
  defaultPodSpec(out);
  return out;
}

const messages = (s: PodSpec, path = 'spec'): string[] => validatePodSpec(s, path).map(formatFieldError);

test('a defaulted minimal spec is valid', () => {
  assert.deepEqual(messages(spec()), []);
});

test('containers are required; names are DNS labels, unique across containers and initContainers; image required', () => {
  assert.deepEqual(messages(spec({ containers: [] })), ['spec.containers: Required value']);
  const errs = messages(spec({
    containers: [{ name: 'Web', image: 'a' }, { name: 'b', image: '' }, { name: 'b', image: 'x' }],
    initContainers: [{ name: 'b', image: 'x' }],
  }));
  assert.ok(errs.some((e) => e.startsWith('spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label')), errs.join('\n'));
  assert.ok(errs.includes('spec.containers[1].image: Required value'));
  assert.ok(errs.includes('spec.containers[2].name: Duplicate value: "b"'));
  assert.ok(errs.includes('spec.initContainers[0].name: Duplicate value: "b"'));
});

test('ports, env and volume mounts are checked with upstream wording', () => {
  const errs = messages(spec({
    containers: [{
      name: 'web', image: 'nginx',
      ports: [{ containerPort: 0, name: 'http' }, { containerPort: 70000, name: 'http', protocol: 'ICMP' }],
      env: [{ name: '' }, { name: 'A=B' }, { name: 'X', value: 'v', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
      volumeMounts: [{ name: 'missing', mountPath: '/data' }, { name: 'missing', mountPath: '/data' }],
    }],
  }));
  assert.ok(errs.includes('spec.containers[0].ports[0].containerPort: Required value'), errs.join('\n'));
  assert.ok(errs.includes('spec.containers[0].ports[1].name: Duplicate value: "http"'));
  assert.ok(errs.includes('spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'));
  assert.ok(errs.includes('spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'));
  assert.ok(errs.includes('spec.containers[0].env[0].name: Required value'));
  assert.ok(errs.includes(`spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`));
  assert.ok(errs.includes('spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty'));
  assert.ok(errs.includes('spec.containers[0].volumeMounts[0].name: Not found: "missing"'));
  assert.ok(errs.includes('spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique'));
});

test('volumes: unique names and exactly one source', () => {
  const s = spec({ volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {}, configMap: { name: 'c' } }] });
  const errs = messages(s);
  assert.ok(errs.includes('spec.volumes[1].name: Duplicate value: "a"'), errs.join('\n'));
  assert.ok(errs.includes('spec.volumes[2].emptyDir: Forbidden: may not specify more than 1 volume type') || errs.includes('spec.volumes[2].configMap: Forbidden: may not specify more than 1 volume type'));
  const none = validatePodSpec({ ...spec(), volumes: [{ name: 'x' }] }, 'spec').map(formatFieldError);
  assert.ok(none.includes('spec.volumes[0]: Required value: must specify a volume type'));
});

test('restartPolicy, dnsPolicy and resources', () => {
  const errs = messages(spec({
    restartPolicy: 'Sometimes', dnsPolicy: 'Nope',
    containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '2', gpu: '1' }, limits: { cpu: '1' } } }],
  }));
  assert.ok(errs.includes('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'), errs.join('\n'));
  assert.ok(errs.includes('spec.dnsPolicy: Unsupported value: "Nope": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'));
  assert.ok(errs.includes('spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'));
  assert.ok(errs.includes('spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers'));
  const bad = messages(spec({ containers: [{ name: 'web', image: 'nginx', resources: { limits: { memory: 'lots' } } }] }));
  assert.ok(bad.some((e) => e.startsWith('spec.containers[0].resources.limits[memory]: Invalid value: "lots": quantities must match')), bad.join('\n'));
});

test('probes, tolerations and affinity', () => {
  const errs = messages(spec({
    containers: [{ name: 'web', image: 'nginx', livenessProbe: { successThreshold: 2, periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 } }],
    tolerations: [{ operator: 'Equal', value: 'x' }, { key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', tolerationSeconds: 5, effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] } } },
  }));
  assert.ok(errs.includes('spec.containers[0].livenessProbe: Required value: must specify a handler type'), errs.join('\n'));
  assert.ok(errs.includes('spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'));
  assert.ok(errs.includes('spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'));
  assert.ok(errs.some((e) => e.startsWith("spec.tolerations[1].operator: Invalid value: ") && e.endsWith("value must be empty when `operator` is 'Exists'")));
  assert.ok(errs.includes(`spec.tolerations[2].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`));
  assert.ok(errs.includes("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"));
});

test('templates forbid ephemeral containers and check template labels', () => {
  const errs = validatePodTemplateSpec({ metadata: { labels: { 'bad key!': 'v' } }, spec: spec({ ephemeralContainers: [{ name: 'dbg', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }] }) }, 'spec.template').map(formatFieldError);
  assert.ok(errs.some((e) => e.startsWith('spec.template.labels: Invalid value: "bad key!"')), errs.join('\n'));
  assert.ok(errs.includes('spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template'));
});

test('pod updates may change images, add tolerations and shorten activeDeadlineSeconds only', () => {
  const old = { spec: spec({ activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] }) };
  const ok = structuredClone(old);
  ok.spec.containers[0]!.image = 'nginx:2';
  ok.spec.activeDeadlineSeconds = 50;
  ok.spec.tolerations!.push({ key: 'b', operator: 'Exists' });
  assert.deepEqual(validatePodSpecUpdate(ok, old), []);

  const longer = structuredClone(old);
  longer.spec.activeDeadlineSeconds = 200;
  assert.deepEqual(validatePodSpecUpdate(longer, old).map(formatFieldError), ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']);

  const changed = structuredClone(old);
  changed.spec.containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP' }];
  const errs = validatePodSpecUpdate(changed, old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec');
  assert.equal(errs[0]!.type, 'FieldValueForbidden');
  assert.ok(errs[0]!.detail!.startsWith(podUpdateForbiddenMessage));
  assert.ok(errs[0]!.detail!.includes('containers[0].ports'));

  const removed = structuredClone(old);
  removed.spec.tolerations = [];
  assert.deepEqual(validatePodSpecUpdate(removed, old).map(formatFieldError)[0], 'spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds');
});
