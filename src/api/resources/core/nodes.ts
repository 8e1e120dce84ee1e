import type { Node } from 'kubernetes-types/core/v1.js';
import type { FieldError, Kube } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { age } from '../../printers.js';
import { child, index, isQualifiedName, isValidLabelValue } from '../../validation/index.js';

export type NodeObject = Kube<Node>;

const taintEffects = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;
export const nodeRolePrefix = 'node-role.kubernetes.io/';
export const nodeRoleLabel = 'kubernetes.io/role';

/** SetDefaults_NodeStatus: allocatable defaults to capacity. */
export function defaultNode(node: NodeObject): void {
  const status = node.status as NonNullable<Node['status']> | undefined;
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}

function isValidCIDR(s: string): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const ip = m[1]!;
  const bits = Number(m[2]);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.split('.').every((p) => Number(p) <= 255) && bits <= 32;
  return ip.includes(':') && bits <= 128;
}

/** ValidateNode / ValidateNodeUpdate: taints, pod CIDRs, immutable providerID and podCIDRs. */
export function validateNode(node: NodeObject, old?: NodeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = node.spec ?? {};
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const path = index('spec.taints', i);
    for (const m of isQualifiedName(t.key ?? '')) errs.push(fieldErr.invalid(child(path, 'key'), t.key ?? '', m));
    if (t.value) for (const m of isValidLabelValue(t.value)) errs.push(fieldErr.invalid(child(path, 'value'), t.value, m));
    if (!t.effect) errs.push(fieldErr.required(child(path, 'effect'), ''));
    else if (!(taintEffects as readonly string[]).includes(t.effect)) errs.push(fieldErr.notSupported(child(path, 'effect'), t.effect, taintEffects));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(fieldErr.duplicate(path, { key: t.key, effect: t.effect }));
    seen.add(k);
  });
  (spec.podCIDRs ?? []).forEach((c, i) => {
    if (!isValidCIDR(c)) errs.push(fieldErr.invalid(index('spec.podCIDRs', i), c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
  });
  if (spec.podCIDR && spec.podCIDRs?.length && spec.podCIDRs[0] !== spec.podCIDR) {
    errs.push(fieldErr.invalid('spec.podCIDRs', spec.podCIDRs, 'must match `podCIDR` when set'));
  }
  if (old) {
    const was = old.spec ?? {};
    if (was.podCIDRs?.length && JSON.stringify(was.podCIDRs) !== JSON.stringify(spec.podCIDRs ?? [])) {
      errs.push(fieldErr.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (was.providerID && was.providerID !== spec.providerID) {
      errs.push(fieldErr.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
  }
  return errs;
}

/** Roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role=<role>` labels, sorted. */
export function nodeRoles(node: NodeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(nodeRolePrefix)) { const r = k.slice(nodeRolePrefix.length); if (r) roles.add(r); }
    else if (k === nodeRoleLabel && v) roles.add(v);
  }
  return [...roles].sort();
}

/** Status cell: `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` when cordoned. */
export function nodeStatusCell(node: NodeObject): string {
  const status: string[] = [];
  const ready = [...(node.status?.conditions ?? [])].reverse().find((c) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: NodeObject, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

const orUnknown = (s: string | undefined): string => s || '<unknown>';

export const nodes = defineResource<NodeObject>({
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', scope: 'Cluster',
  shortNames: ['no'],
  subresources: { status: true, other: ['proxy'] },
  schema: 'io.k8s.api.core.v1.Node',
  defaults: defaultNode,
  validate: validateNode,
  prepareForUpdate(node, old) { Object.assign(node, { status: old.status }); },
  printerColumns: [
    { name: 'Status', type: 'string', description: 'The status of the node', cell: nodeStatusCell },
    { name: 'Roles', type: 'string', description: 'The roles of the node', cell: (n) => nodeRoles(n).join(',') || '<none>' },
    { name: 'Age', type: 'string', cell: (n, now) => age(n.metadata.creationTimestamp, now) },
    { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.', cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
    { name: 'Internal-IP', type: 'string', priority: 1, description: 'List of addresses reachable to the node.', cell: (n) => address(n, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, description: 'List of addresses reachable to the node.', cell: (n) => address(n, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', cell: (n) => orUnknown(n.status?.nodeInfo?.osImage) },
    { name: 'Kernel-Version', type: 'string', priority: 1, description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", cell: (n) => orUnknown(n.status?.nodeInfo?.kernelVersion) },
    { name: 'Container-Runtime', type: 'string', priority: 1, description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', cell: (n) => orUnknown(n.status?.nodeInfo?.containerRuntimeVersion) },
  ],
  fieldSelectors: { 'spec.unschedulable': (n) => String(n.spec?.unschedulable ?? false) },
});
