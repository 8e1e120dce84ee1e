import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { events } from '../../api/resources/index.js';
import { FakeClient, type FakeAction } from '../../client/testing/fake-client.js';
import { sharedInformerFactory } from '../../client/informer.js';
import { workQueue, type WorkQueue } from '../../client/work-queue.js';
import { eventRecorder, type EventRecorder } from '../../client/event-recorder.js';
import type { Controller } from '../../client/run-controller.js';
import { FakeClock } from '../../base/clock.js';
import { silentLogger } from '../../base/log.js';
import type { ControllerDeps } from '../controller-deps.js';

/**
 * A controller under test, as sample-controller's fixture: objects preloaded into a
 * FakeClient, informers synced from it, `sync(key)` called directly, actions asserted.
 */
export interface Fixture {
  client: FakeClient;
  clock: FakeClock;
  queue: WorkQueue;
  recorder: EventRecorder;
  controller: Controller;
  /** Runs one sync of `key`, then lets the informers catch up. */
  sync(key: string): Promise<void>;
  /** Lets informers and event writes catch up with the client. */
  settle(): Promise<void>;
  /** Write actions on anything but Events, as `verb resource ns/name`. */
  actions(): string[];
  /** Full write actions (excluding Events). */
  writes(): FakeAction[];
  /** Events recorded, as `Type Reason Message`. */
  events(): Promise<string[]>;
  clearActions(): void;
  stop(): Promise<void>;
}

export type Seed = [ResourceDefinition<any>, ...any[]]; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function fixture(make: (deps: ControllerDeps) => Controller, seeds: Seed[] = [], opts: { clock?: FakeClock } = {}): Promise<Fixture> {
  const clock = opts.clock ?? new FakeClock();
  const client = new FakeClient({ clock });
  for (const [res, ...objs] of seeds) client.seed(res, ...objs);
  const informers = sharedInformerFactory({ client, log: silentLogger });
  const queue = workQueue({ clock });
  const recorder = eventRecorder({ client, clock, log: silentLogger, component: 'test-controller' });
  const controller = make({ client, informers, queue, clock, log: silentLogger, recorder });
  const ac = new AbortController();
  const running = informers.run(ac.signal);
  await informers.waitForSync(ac.signal);
  const settle = async () => {
    await recorder.flush();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  };
  await settle();
  client.clearActions();
  const writes = () => client.actions.filter((a) => a.resource !== 'events');
  return {
    client, clock, queue, recorder, controller,
    async sync(key) { await controller.sync(key, ac.signal); await settle(); },
    settle,
    writes,
    actions: () => writes().map((a) => `${a.verb} ${a.resource} ${a.namespace ? `${a.namespace}/` : ''}${a.name ?? (a.object as KubeObject | undefined)?.metadata?.name ?? (a.object as KubeObject | undefined)?.metadata?.generateName ?? ''}`),
    async events() {
      await recorder.flush();
      return client.all(events).map((e) => `${e.type} ${e.reason} ${e.message}`);
    },
    clearActions: () => client.clearActions(),
    async stop() { ac.abort(); await running; await queue.shutDown(); },
  };
}
