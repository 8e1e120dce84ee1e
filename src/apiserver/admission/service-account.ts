import type { Container, Pod, ServiceAccount, Volume } from 'kubernetes-types/core/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { storageKey } from '../../api/resource.js';
import { forbidden } from '../../api/errors.js';
import type { AdmissionPlugin } from '../registry/admission.js';
import type { ObjectCache } from '../registry/object-cache.js';

const mountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * ServiceAccount admission: a pod runs as `default` unless it names another account, which must
 * exist; unless automounting is off, it gets the projected `kube-api-access-*` volume (token,
 * cluster CA and namespace) mounted in every container, exactly as upstream builds it.
 */
export function serviceAccountAdmission(cache: ObjectCache, pods: ResourceDefinition, serviceAccounts: ResourceDefinition): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.def !== pods || a.subresource || !a.object) return;
      const pod = a.object as unknown as Pod;
      const spec = pod.spec as NonNullable<Pod['spec']> & { serviceAccountName?: string; serviceAccount?: string; volumes?: Volume[] };
      if (!spec) return;
      // Mirror pods (static pods) are left alone, as upstream does.
      if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return;
      spec.serviceAccountName ||= spec.serviceAccount || 'default';
      spec.serviceAccount = spec.serviceAccountName;
      const sa = cache.get(storageKey(serviceAccounts, a.namespace, spec.serviceAccountName)) as unknown as ServiceAccount | undefined;
      if (!sa) {
        throw forbidden(`pods "${a.name || pod.metadata?.generateName || ''}" is forbidden: error looking up service account ${a.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`,
          { resource: 'pods', name: a.name });
      }
      const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      if (!automount) return;
      const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Container[];
      if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === mountPath))) return;
      const name = `kube-api-access-${randomSuffix()}`;
      spec.volumes = [...(spec.volumes ?? []), tokenVolume(name)];
      for (const c of containers) {
        (c as { volumeMounts?: Container['volumeMounts'] }).volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath }];
      }
    },
  };
}

function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
