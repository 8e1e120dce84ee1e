import { hostname } from 'node:os';
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Client } from '../client/types.js';
import { sharedInformerFactory } from '../client/informer.js';
import { workQueue } from '../client/work-queue.js';
import { eventRecorder, type EventRecorder } from '../client/event-recorder.js';
import { runController, type Controller } from '../client/run-controller.js';
import { leaderElector } from '../client/leader-election.js';
import type { Clock } from '../base/clock.js';
import type { Logger } from '../base/log.js';
import type { ControllerDeps } from './controller-deps.js';
import { deploymentController } from './deployment/index.js';
import { replicaSetController } from './replicaset/index.js';
import { replicationControllerController } from './replicationcontroller/index.js';
import { serviceAccountController } from './serviceaccount/index.js';
import { rootCaCertPublisher } from './rootcacertpublisher/index.js';
import { garbageCollector } from './garbagecollector/index.js';
import { namespaceController } from './namespace/index.js';
import { endpointSliceController } from './endpointslice/index.js';
import { jobController, ttlAfterFinishedController } from './job/index.js';
import { cronJobController } from './cronjob/index.js';
import { statefulSetController } from './statefulset/index.js';
import { daemonSetController } from './daemonset/index.js';
import { podGCController } from './podgc/index.js';
import { endpointsController } from './endpoints/index.js';
import { nodeIpamController } from './nodeipam/index.js';
import { nodeLifecycleController } from './nodelifecycle/index.js';
import { clusterRoleAggregationController } from './clusterrole-aggregation/index.js';
import { serviceLbController } from '../proxy/index.js';

/** A controller's factory and the event source it reports as. */
interface Registration {
  component: string;
  make(deps: ControllerDeps, opts: ControllerManagerOptions): Controller;
}

/** name (as kube-controller-manager's --controllers) → factory. */
export const controllerRegistry: Readonly<Record<string, Registration>> = {
  deployment: { component: 'deployment-controller', make: (deps) => deploymentController(deps) },
  replicaset: { component: 'replicaset-controller', make: (deps) => replicaSetController(deps) },
  replicationcontroller: { component: 'replication-controller', make: (deps) => replicationControllerController(deps) },
  serviceaccount: { component: 'service-account-controller', make: (deps) => serviceAccountController(deps) },
  // k3s' ServiceLB: LoadBalancer Services get the nodes' addresses as ingress (once per cluster).
  servicelb: { component: 'service-lb-controller', make: (deps) => serviceLbController(deps) },
  'root-ca-cert-publisher': { component: 'root-ca-cert-publisher', make: (deps, opts) => rootCaCertPublisher(deps, opts.rootCaCert!) },
  garbagecollector: { component: 'garbage-collector-controller', make: (deps) => garbageCollector(deps) },
  namespace: { component: 'namespace-controller', make: (deps) => namespaceController(deps) },
  endpointslice: { component: 'endpoint-slice-controller', make: (deps) => endpointSliceController(deps) },
  job: { component: 'job-controller', make: (deps) => jobController(deps) },
  'ttl-after-finished': { component: 'ttl-after-finished-controller', make: (deps) => ttlAfterFinishedController(deps) },
  cronjob: { component: 'cronjob-controller', make: (deps) => cronJobController(deps) },
  statefulset: { component: 'statefulset-controller', make: (deps) => statefulSetController(deps) },
  daemonset: { component: 'daemonset-controller', make: (deps) => daemonSetController(deps) },
  podgc: { component: 'pod-garbage-collector', make: (deps, opts) => podGCController(deps, { terminatedPodThreshold: opts.terminatedPodGcThreshold }) },
  endpoint: { component: 'endpoint-controller', make: (deps) => endpointsController(deps) },
  nodeipam: { component: 'cidrAllocator', make: (deps, opts) => nodeIpamController(deps, { clusterCidr: opts.clusterCidr ?? '10.42.0.0/16', nodeCidrMaskSize: opts.nodeCidrMaskSize }) },
  nodelifecycle: { component: 'node-controller', make: (deps, opts) => nodeLifecycleController(deps, { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs }) },
  'clusterrole-aggregation': { component: 'clusterrole-aggregation-controller', make: (deps) => clusterRoleAggregationController(deps) },
};

/** Flags of kube-controller-manager this one understands, parsed by src/cli. */
export interface ControllerManagerOptions {
  client: Client;
  clock: Clock;
  log: Logger;
  /** --controllers: `*` = all, `name` = on, `-name` = off. Default ['*']. */
  controllers?: readonly string[];
  /** Workers per controller (--concurrent-deployment-syncs etc.). */
  workers?: Readonly<Partial<Record<string, number>>>;
  /** Informer resync period (ms); 0 = never. */
  resyncMs?: number;
  /** --leader-elect and its timings. */
  leaderElect?: boolean;
  leaseNamespace?: string;
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Identity in the Lease; default `<hostname>_<uuid>` as upstream. */
  identity?: string;
  /** --node-monitor-grace-period (ms), for node lifecycle. Default 40 s (50 s since 1.32). */
  nodeMonitorGracePeriodMs?: number;
  /** --cluster-cidr and --node-cidr-mask-size, for nodeipam. */
  clusterCidr?: string;
  nodeCidrMaskSize?: number;
  /** The cluster CA (PEM) published as kube-root-ca.crt; without it that controller stays off. */
  rootCaCert?: string;
  /** --terminated-pod-gc-threshold. */
  terminatedPodGcThreshold?: number;
}

export interface ControllerManager {
  /** Names of the controllers that will run. */
  readonly enabled: readonly string[];
  /** Runs (behind leader election when asked) until `signal` aborts; resolves once drained. */
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
}

/** Which registered controllers `--controllers` selects. */
export function enabledControllers(flags: readonly string[] = ['*'], known: readonly string[] = Object.keys(controllerRegistry)): string[] {
  const all = flags.includes('*');
  return known.filter((name) => !flags.includes(`-${name}`) && (all || flags.includes(name)));
}

/** kube-controller-manager: every enabled controller over one shared informer factory. */
export function controllerManager(opts: ControllerManagerOptions): ControllerManager {
  const log = opts.log.child({ component: 'controller-manager' });
  const enabled = enabledControllers(opts.controllers).filter((n) => n !== 'root-ca-cert-publisher' || opts.rootCaCert);
  for (const flag of opts.controllers ?? []) {
    const name = flag.replace(/^-/, '');
    if (name !== '*' && !controllerRegistry[name]) throw new Error(`"${name}" is not in the list of known controllers`);
  }
  let leading = !opts.leaderElect;

  async function runAll(signal: AbortSignal): Promise<void> {
    // Every controller, informer and worker waits on this one signal: that many listeners are expected.
    setMaxListeners(0, signal);
    const informers = sharedInformerFactory({ client: opts.client, log, resyncMs: opts.resyncMs ?? 0 });
    const recorders: EventRecorder[] = [];
    const controllers = enabled.map((name) => {
      const reg = controllerRegistry[name]!;
      const recorder = eventRecorder({ client: opts.client, clock: opts.clock, log, component: reg.component });
      recorders.push(recorder);
      const deps: ControllerDeps = { client: opts.client, informers, queue: workQueue({ clock: opts.clock }), clock: opts.clock, log, recorder };
      return reg.make(deps, opts);
    });
    log.info('starting controllers', { controllers: enabled });
    const running = informers.run(signal);
    await Promise.all(controllers.map((c) => runController(c, signal, { log, workers: opts.workers?.[c.name] })));
    await running;
    await Promise.all(recorders.map((r) => r.flush()));
  }

  return {
    enabled,
    isLeader: () => leading,
    async run(signal) {
      if (!opts.leaderElect) return runAll(signal);
      const elector = leaderElector({
        client: opts.client, clock: opts.clock, log,
        namespace: opts.leaseNamespace ?? 'kube-system', name: opts.leaseName ?? 'kube-controller-manager',
        identity: opts.identity ?? `${hostname()}_${randomUUID()}`,
        leaseDurationMs: opts.leaseDurationMs, renewDeadlineMs: opts.renewDeadlineMs, retryPeriodMs: opts.retryPeriodMs,
      });
      // Losing the lease stops the controllers; the manager then campaigns again.
      while (!signal.aborted) {
        await elector.run(signal, {
          onStartedLeading: async (s) => { leading = true; try { await runAll(s); } finally { leading = false; } },
          onNewLeader: (id) => log.info('new leader elected', { leader: id }),
        });
      }
    },
  };
}
