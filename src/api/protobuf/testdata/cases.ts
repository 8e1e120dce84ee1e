// The kubectl commands whose protobuf bodies are kept as fixtures (<name>.bin, captured from the real
// kubectl, and <name>.json, the JSON form they must decode to). Shared by kubectl-capture.test.ts, which
// records them, and decode.test.ts, which replays them offline.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CaptureCase {
  readonly name: string;
  readonly kubectl: '1.33' | '1.32';
  readonly args: readonly string[];
  /** the POST's path */
  readonly path: RegExp;
  /** compare with `kubectl <args> --dry-run=client -o json` */
  readonly dryRun?: boolean;
  /** otherwise: the JSON form expected */
  readonly expected?: unknown;
}

export const captureCases: readonly CaptureCase[] = [
  { name: 'create-deployment', kubectl: '1.33', dryRun: true, path: /^\/apis\/apps\/v1\/namespaces\/default\/deployments(\?|$)/,
    args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80'] },
  { name: 'create-deployment-zero', kubectl: '1.33', dryRun: true, path: /^\/apis\/apps\/v1\/namespaces\/default\/deployments(\?|$)/,
    args: ['create', 'deployment', 'idle', '--image=busybox', '--replicas=0', '--', 'sleep', '3600'] },
  { name: 'create-configmap', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/configmaps(\?|$)/,
    args: ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=greeting=hello world'] },
  { name: 'create-secret', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/secrets(\?|$)/,
    args: ['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cr3t', '--from-literal=empty=', '--type=Opaque'] },
  { name: 'create-secret-docker-registry', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/secrets(\?|$)/,
    args: ['create', 'secret', 'docker-registry', 'regcred', '--docker-server=registry.local:5000', '--docker-username=u', '--docker-password=p'] },
  { name: 'create-namespace', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces(\?|$)/,
    args: ['create', 'namespace', 'team-a'] },
  { name: 'create-job', kubectl: '1.33', dryRun: true, path: /^\/apis\/batch\/v1\/namespaces\/default\/jobs(\?|$)/,
    args: ['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'] },
  { name: 'create-cronjob', kubectl: '1.33', dryRun: true, path: /^\/apis\/batch\/v1\/namespaces\/default\/cronjobs(\?|$)/,
    args: ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure', '--', 'date'] },
  { name: 'create-service-clusterip', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/services(\?|$)/,
    args: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '--tcp=443:https'] },
  { name: 'create-service-headless', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/services(\?|$)/,
    args: ['create', 'service', 'clusterip', 'db', '--clusterip=None'] },
  { name: 'create-service-nodeport', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/services(\?|$)/,
    args: ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'] },
  { name: 'create-service-loadbalancer', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/services(\?|$)/,
    args: ['create', 'service', 'loadbalancer', 'lb', '--tcp=5678:8080'] },
  { name: 'create-service-externalname', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/services(\?|$)/,
    args: ['create', 'service', 'externalname', 'ext', '--external-name=example.com'] },
  { name: 'create-serviceaccount', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/serviceaccounts(\?|$)/,
    args: ['create', 'serviceaccount', 'builder'] },
  { name: 'create-role', kubectl: '1.33', dryRun: true, path: /^\/apis\/rbac.authorization.k8s.io\/v1\/namespaces\/default\/roles(\?|$)/,
    args: ['create', 'role', 'reader', '--verb=get,list,watch', '--resource=pods,pods/log', '--resource-name=a'] },
  { name: 'create-clusterrole', kubectl: '1.33', dryRun: true, path: /^\/apis\/rbac.authorization.k8s.io\/v1\/clusterroles(\?|$)/,
    args: ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'] },
  { name: 'create-clusterrole-aggregate', kubectl: '1.33', dryRun: true, path: /^\/apis\/rbac.authorization.k8s.io\/v1\/clusterroles(\?|$)/,
    args: ['create', 'clusterrole', 'monitoring', '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true'] },
  { name: 'create-rolebinding', kubectl: '1.33', dryRun: true, path: /^\/apis\/rbac.authorization.k8s.io\/v1\/namespaces\/default\/rolebindings(\?|$)/,
    args: ['create', 'rolebinding', 'read-pods', '--role=reader', '--user=alice', '--serviceaccount=default:builder'] },
  { name: 'create-clusterrolebinding', kubectl: '1.33', dryRun: true, path: /^\/apis\/rbac.authorization.k8s.io\/v1\/clusterrolebindings(\?|$)/,
    args: ['create', 'clusterrolebinding', 'read-nodes', '--clusterrole=node-reader', '--group=devs'] },
  { name: 'create-quota', kubectl: '1.33', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/resourcequotas(\?|$)/,
    args: ['create', 'quota', 'small', '--hard=cpu=1500m,memory=1Gi,pods=10', '--scopes=NotBestEffort'] },
  { name: 'create-pdb', kubectl: '1.33', dryRun: true, path: /^\/apis\/policy\/v1\/namespaces\/default\/poddisruptionbudgets(\?|$)/,
    args: ['create', 'pdb', 'web', '--selector=app=web', '--min-available=50%'] },
  { name: 'create-pdb-max-unavailable', kubectl: '1.33', dryRun: true, path: /^\/apis\/policy\/v1\/namespaces\/default\/poddisruptionbudgets(\?|$)/,
    args: ['create', 'pdb', 'db', '--selector=app=db', '--max-unavailable=1'] },
  { name: 'create-priorityclass', kubectl: '1.33', dryRun: true, path: /^\/apis\/scheduling.k8s.io\/v1\/priorityclasses(\?|$)/,
    args: ['create', 'priorityclass', 'high', '--value=1000', '--description=important', '--preemption-policy=Never'] },
  { name: 'create-ingress', kubectl: '1.33', dryRun: true, path: /^\/apis\/networking.k8s.io\/v1\/namespaces\/default\/ingresses(\?|$)/,
    args: ['create', 'ingress', 'site', '--class=nginx', '--rule=foo.com/bar*=web:8080,tls=foo-cert', '--rule=/=web:http', '--annotation=a=b'] },
  { name: 'autoscale-v2', kubectl: '1.33', dryRun: true, path: /^\/apis\/autoscaling\/v2\/namespaces\/default\/horizontalpodautoscalers(\?|$)/,
    args: ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'] },
  { name: 'autoscale-v1', kubectl: '1.32', dryRun: true, path: /^\/apis\/autoscaling\/v1\/namespaces\/default\/horizontalpodautoscalers(\?|$)/,
    args: ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'] },
  { name: 'create-deployment-1.32', kubectl: '1.32', dryRun: true, path: /^\/apis\/apps\/v1\/namespaces\/default\/deployments(\?|$)/,
    args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=8080'] },
  { name: 'create-secret-custom-type-1.32', kubectl: '1.32', dryRun: true, path: /^\/api\/v1\/namespaces\/default\/secrets(\?|$)/,
    args: ['create', 'secret', 'generic', 'bin', '--from-literal=k=v', '--type=example.com/custom'] },
  { name: 'create-token', kubectl: '1.33', path: /^\/api\/v1\/namespaces\/default\/serviceaccounts\/builder\/token(\?|$)/,
    args: ['create', 'token', 'builder', '--duration=1h', '--audience=https://kubernetes.default.svc', '--audience=vault'],
    expected: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      metadata: { creationTimestamp: null },
      spec: { audiences: ['https://kubernetes.default.svc', 'vault'], expirationSeconds: 3600, boundObjectRef: null },
      status: { token: '', expirationTimestamp: null },
    } },
  { name: 'auth-can-i', kubectl: '1.33', path: /^\/apis\/authorization.k8s.io\/v1\/selfsubjectaccessreviews(\?|$)/,
    args: ['auth', 'can-i', 'list', 'pods', '--namespace=kube-system', '--subresource=log'],
    expected: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'kube-system', verb: 'list', resource: 'pods', subresource: 'log' } },
      status: { allowed: false },
    } },
  { name: 'auth-can-i-nonresource', kubectl: '1.33', path: /^\/apis\/authorization.k8s.io\/v1\/selfsubjectaccessreviews(\?|$)/,
    args: ['auth', 'can-i', 'get', '/logs/'],
    expected: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: { nonResourceAttributes: { path: '/logs/', verb: 'get' } },
      status: { allowed: false },
    } },
  { name: 'auth-whoami', kubectl: '1.33', path: /^\/apis\/authentication.k8s.io\/v1\/selfsubjectreviews(\?|$)/,
    args: ['auth', 'whoami'],
    expected: {
      apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview',
      metadata: { creationTimestamp: null },
      status: { userInfo: {} },
    } },
];

/** Go prints nil slices and zero times as null; the decoder leaves absent what the wire leaves absent. */
export function normalizeJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, normalizeJson(v)]));
  }
  return value;
}

/** testdata/ in the source tree, also when running from the compiled copy in dist/ (which has no .bin files). */
export function sourceTestdataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = here.replace(/([/\\])dist([/\\])src([/\\])/, '$1src$3');
  return existsSync(join(here, 'create-deployment.bin')) || fromDist === here ? here : fromDist;
}
