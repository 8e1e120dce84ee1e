import type { Client } from '../../client/types.js';
import type { NamespaceLabels } from '../framework/affinity-term.js';
import type { Plugin } from '../framework/types.js';
import { defaultBinder, defaultBinderName } from './default-binder.js';
import { defaultPreemption, defaultPreemptionName, type DefaultPreemptionArgs } from './default-preemption.js';
import { interPodAffinity, interPodAffinityName, type InterPodAffinityArgs } from './inter-pod-affinity.js';
import { nodeAffinity, nodeAffinityName } from './node-affinity.js';
import { nodeName, nodeNameName } from './node-name.js';
import { nodePorts, nodePortsName } from './node-ports.js';
import { balancedAllocationName, nodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.js';
import { nodeResourcesFit, nodeResourcesFitName, type FitArgs } from './node-resources-fit.js';
import { nodeUnschedulable, nodeUnschedulableName } from './node-unschedulable.js';
import { podTopologySpread, podTopologySpreadName, type DefaultSelector, type PodTopologySpreadArgs } from './pod-topology-spread.js';
import { taintToleration, taintTolerationName } from './taint-toleration.js';

/** What plugin factories may use: the API for binding, and read-only views of informer caches. */
export interface PluginDeps {
  client: Client;
  namespaceLabels: NamespaceLabels;
  defaultSelector: DefaultSelector;
}

export type PluginFactory = (args: unknown, deps: PluginDeps) => Plugin;

/** name → factory; args are validated by the factory (bad args fail at startup). */
export const registry: Readonly<Record<string, PluginFactory>> = {
  [nodeUnschedulableName]: () => nodeUnschedulable(),
  [nodeNameName]: () => nodeName(),
  [taintTolerationName]: () => taintToleration(),
  [nodeAffinityName]: () => nodeAffinity(),
  [nodePortsName]: () => nodePorts(),
  [nodeResourcesFitName]: (args) => nodeResourcesFit((args ?? {}) as FitArgs),
  [podTopologySpreadName]: (args, deps) => podTopologySpread((args ?? {}) as PodTopologySpreadArgs, deps.defaultSelector),
  [interPodAffinityName]: (args, deps) => interPodAffinity((args ?? {}) as InterPodAffinityArgs, deps.namespaceLabels),
  [defaultPreemptionName]: (args) => defaultPreemption((args ?? {}) as DefaultPreemptionArgs),
  [balancedAllocationName]: () => nodeResourcesBalancedAllocation(),
  [defaultBinderName]: (_args, deps) => defaultBinder(deps.client),
};

export interface ProfileConfig {
  schedulerName: string;
  /** Plugins in run order, with score weights and args. */
  plugins: readonly { name: string; weight?: number; args?: unknown }[];
}

/** kube-scheduler's default profile (v1 config): plugin order and score weights. */
export const defaultProfile: ProfileConfig = {
  schedulerName: 'default-scheduler',
  plugins: [
    { name: nodeUnschedulableName },
    { name: nodeNameName },
    { name: taintTolerationName, weight: 3 },
    { name: nodeAffinityName, weight: 2 },
    { name: nodePortsName },
    { name: nodeResourcesFitName, weight: 1 },
    { name: podTopologySpreadName, weight: 2 },
    { name: interPodAffinityName, weight: 2 },
    { name: defaultPreemptionName },
    { name: balancedAllocationName, weight: 1 },
    { name: defaultBinderName },
  ],
};
