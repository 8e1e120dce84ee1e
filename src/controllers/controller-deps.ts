import type { Client } from '../client/types.js';
import type { SharedInformerFactory } from '../client/informer.js';
import type { WorkQueue } from '../client/work-queue.js';
import type { EventRecorder } from '../client/event-recorder.js';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';

/** The one road to I/O, time and logging for a controller (STYLE.md §2e). */
export interface ControllerDeps {
  client: Client;
  informers: SharedInformerFactory;
  /** This controller's own queue. */
  queue: WorkQueue;
  clock: Clock;
  log: Logger;
  /** Events with this controller's source component (`deployment-controller`, …). */
  recorder: EventRecorder;
}
