import type { BindPlugin } from '../framework/types.js';
import { errorStatus, success } from '../framework/types.js';
import type { Client } from '../../client/types.js';
import { pods } from '../../api/resources/core/index.js';

export const defaultBinderName = 'DefaultBinder';

/** Binds through the pods/binding subresource; the API server answers 409 if the pod is already bound. */
export function defaultBinder(client: Client): BindPlugin {
  return {
    name: defaultBinderName,
    async bind(pod, nodeName, signal) {
      const name = pod.metadata?.name ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      try {
        await client.createSubresource(pods, namespace, name, 'binding', {
          apiVersion: 'v1', kind: 'Binding',
          metadata: { name, namespace, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        }, { signal });
        return success;
      } catch (err) {
        return errorStatus(err);
      }
    },
  };
}
