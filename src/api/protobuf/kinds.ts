/**
 * The kinds whose protobuf request bodies k8ts accepts: what kubectl 1.32+ sends through its generated
 * clientset (create generators, autoscale, auth can-i/whoami/reconcile, create token, certificate
 * approve, debug) plus a few close relatives. Each maps an apiVersion/kind to a message in ./schema.
 */
export interface ProtobufKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** fully qualified message name, e.g. k8s.io.api.apps.v1.Deployment */
  readonly message: string;
}

/** API group → the protobuf package stem upstream uses for it (k8s.io.api.<stem>.<version>). */
const packageOfGroup: Readonly<Record<string, string>> = {
  '': 'core',
  apps: 'apps',
  batch: 'batch',
  'rbac.authorization.k8s.io': 'rbac',
  policy: 'policy',
  'scheduling.k8s.io': 'scheduling',
  'networking.k8s.io': 'networking',
  'authentication.k8s.io': 'authentication',
  'authorization.k8s.io': 'authorization',
  autoscaling: 'autoscaling',
  'certificates.k8s.io': 'certificates',
};

const kindsByGroupVersion: Readonly<Record<string, readonly string[]>> = {
  v1: ['ConfigMap', 'Secret', 'Namespace', 'Service', 'ServiceAccount', 'ResourceQuota', 'Pod', 'Binding'],
  'apps/v1': ['Deployment'],
  'batch/v1': ['Job', 'CronJob'],
  'rbac.authorization.k8s.io/v1': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  'policy/v1': ['PodDisruptionBudget', 'Eviction'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'networking.k8s.io/v1': ['Ingress'],
  'authentication.k8s.io/v1': ['TokenRequest', 'SelfSubjectReview', 'TokenReview'],
  'authorization.k8s.io/v1': ['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview'],
  'autoscaling/v1': ['HorizontalPodAutoscaler', 'Scale'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
};

/** DeleteOptions travels under whichever group version the request is for. */
const deleteOptionsMessage = 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions';

function messagePackage(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const stem = packageOfGroup[group];
  return stem === undefined ? undefined : `k8s.io.api.${stem}.${version}`;
}

export const protobufKinds: readonly ProtobufKind[] = Object.entries(kindsByGroupVersion).flatMap(([apiVersion, kinds]) =>
  kinds.map((kind) => ({ apiVersion, kind, message: `${messagePackage(apiVersion)}.${kind}` })));

/** The message for an envelope's TypeMeta, or undefined when k8ts does not decode that kind. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions' && (apiVersion === 'meta.k8s.io/v1' || kindsByGroupVersion[apiVersion])) return deleteOptionsMessage;
  return protobufKinds.find((k) => k.apiVersion === apiVersion && k.kind === kind)?.message;
}
