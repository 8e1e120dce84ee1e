import { replicationControllers, type ReplicationControllerObject } from '../../api/resources/index.js';
import type { Controller } from '../../client/run-controller.js';
import { selectorFromSet } from '../../client/label-selector.js';
import type { ControllerDeps } from '../controller-deps.js';
import { replicaManager } from '../replicaset/index.js';

/** The ReplicationController controller: the replica manager with a label-map selector. */
export function replicationControllerController(deps: ControllerDeps): Controller {
  return replicaManager<ReplicationControllerObject>({
    name: 'replicationcontroller', res: replicationControllers,
    selector: (rc) => selectorFromSet(rc.spec?.selector ?? rc.spec?.template?.metadata?.labels),
  }, deps);
}
