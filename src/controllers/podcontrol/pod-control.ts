import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { pods, type PodObject } from '../../api/resources/index.js';
import { isNotFound, isStatusError } from '../../api/errors.js';
import type { Client } from '../../client/types.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { podFromTemplate } from '../podutil/index.js';

type Owner = { res: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>; obj: KubeObject };

/**
 * PodControlInterface: the writes a workload controller makes on pods, with the Events
 * upstream records (SuccessfulCreate/FailedCreate, SuccessfulDelete/FailedDelete).
 */
export interface PodControl {
  /** Creates a pod from the template; answers the created pod, read-only (frozen in-process). */
  createPod(namespace: string, template: PodTemplateSpec | undefined, owner: Owner, ref: OwnerReference, signal: AbortSignal,
    edit?: (pod: PodObject) => void): Promise<PodObject>;
  deletePod(namespace: string, name: string, owner: Owner, signal: AbortSignal): Promise<void>;
}

/** True when a create failed only because the namespace is being deleted (not worth an Event or retry). */
export function isNamespaceTerminating(err: unknown): boolean {
  return isStatusError(err) && err.code === 403 && /because it is being terminated/.test(err.message);
}

export function podControl(client: Client, recorder: EventRecorder): PodControl {
  return {
    async createPod(namespace, template, owner, ref, signal, edit) {
      const pod = podFromTemplate(template, namespace, `${owner.obj.metadata.name}-`, ref) as PodObject;
      edit?.(pod);
      if (!pod.metadata.labels || Object.keys(pod.metadata.labels).length === 0) {
        throw new Error('unable to create pods, no labels');
      }
      try {
        const created = await client.create(pods, pod, { signal, readOnlyResult: true });
        recorder.event(owner.res, owner.obj, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        return created;
      } catch (err) {
        if (!isNamespaceTerminating(err)) recorder.event(owner.res, owner.obj, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    },
    async deletePod(namespace, name, owner, signal) {
      try {
        await client.delete(pods, namespace, name, { signal });
        recorder.event(owner.res, owner.obj, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      } catch (err) {
        if (isNotFound(err)) throw err;
        recorder.event(owner.res, owner.obj, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        throw err;
      }
    },
  };
}
