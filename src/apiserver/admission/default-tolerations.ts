import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { AdmissionPlugin } from '../registry/admission.js';

export interface DefaultTolerationOptions {
  notReadySeconds: number;
  unreachableSeconds: number;
}

/**
 * DefaultTolerationSeconds: every pod tolerates node.kubernetes.io/not-ready and unreachable
 * (NoExecute) for a while, so a brief node hiccup does not evict it.
 */
export function defaultTolerationSeconds(pods: ResourceDefinition, opts: DefaultTolerationOptions): AdmissionPlugin {
  const wanted: [string, number][] = [
    ['node.kubernetes.io/not-ready', opts.notReadySeconds],
    ['node.kubernetes.io/unreachable', opts.unreachableSeconds],
  ];
  return {
    name: 'DefaultTolerationSeconds',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.def !== pods || a.subresource || !a.object) return;
      const pod = a.object as unknown as Pod;
      const spec = pod.spec;
      if (!spec) return;
      const tolerations: Toleration[] = [...(spec.tolerations ?? [])];
      for (const [key, seconds] of wanted) {
        const covered = tolerations.some((t) => (t.operator === 'Exists' && !t.key) || (t.key === key && (!t.effect || t.effect === 'NoExecute')));
        if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      }
      (spec as { tolerations?: Toleration[] }).tolerations = tolerations;
    },
  };
}
