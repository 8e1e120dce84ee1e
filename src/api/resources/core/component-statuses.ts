import type { ComponentStatus } from 'kubernetes-types/core/v1.js';
import type { Kube } from '../../types.js';
import { defineResource } from '../../resource.js';

export type ComponentStatusObject = Kube<ComponentStatus>;

/** printComponentStatus: Healthy / Unhealthy / Unknown from the Healthy condition, with its message and error. */
export function componentStatusCells(cs: ComponentStatusObject): { status: string; message: string; error: string } {
  let status = 'Unknown';
  let message = '';
  let error = '';
  for (const c of cs.conditions ?? []) {
    if (c.type === 'Healthy') {
      status = c.status === 'True' ? 'Healthy' : 'Unhealthy';
      message = c.message ?? '';
      error = c.error ?? '';
      break;
    }
  }
  return { status, message, error };
}

/** Computed by the apiserver from its own health checks; only get and list are served. */
export const componentStatuses = defineResource<ComponentStatusObject>({
  group: '', version: 'v1', kind: 'ComponentStatus', plural: 'componentstatuses', scope: 'Cluster',
  shortNames: ['cs'],
  verbs: ['get', 'list'],
  schema: 'io.k8s.api.core.v1.ComponentStatus',
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Status of the component conditions', cell: (c) => componentStatusCells(c).status },
    { name: 'Message', type: 'string', description: 'Message of the component conditions', cell: (c) => componentStatusCells(c).message },
    { name: 'Error', type: 'string', description: 'Error of the component conditions', cell: (c) => componentStatusCells(c).error },
  ],
});
