import { formatCidr, parseCidr } from './cidr.js';

/** The pod bridge the CNI bridge plugin creates on each node. */
export const podBridge = 'k8ts0';
/** The conflist's file name in containerd's CNI conf dir. */
export const cniConfFileName = '10-k8ts.conflist';

export interface CniConfigOptions {
  /** node.spec.podCIDR */
  podCidr: string;
  /** Network name; default `k8ts`. */
  name?: string;
  /** Bridge name; default `k8ts0`. */
  bridge?: string;
  mtu?: number;
  /** host-local's state directory (default /var/lib/cni/networks); put it under the data dir so cleanup finds it. */
  ipamDataDir?: string;
}

/** A CNI network configuration list (CNI spec 1.0.0). */
export interface CniConfList {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

/**
 * The conflist containerd uses for pods of this node: bridge `k8ts0` as the pods' gateway
 * (hairpin on, so a pod reaches itself through its Service; no ipMasq, the proxy's rules
 * masquerade), host-local addresses from the node's pod CIDR, and portmap for hostPorts.
 * Loopback needs no entry: containerd's CRI plugin brings `lo` up itself with the `loopback`
 * plugin from the same bin dir. Pure.
 */
export function cniConfList(opts: CniConfigOptions): CniConfList {
  const subnet = formatCidr(parseCidr(opts.podCidr));
  const ipam: Record<string, unknown> = {
    type: 'host-local',
    ranges: [[{ subnet }]],
    routes: [{ dst: '0.0.0.0/0' }],
  };
  if (opts.ipamDataDir) ipam.dataDir = opts.ipamDataDir;
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: opts.bridge ?? podBridge,
    isGateway: true,
    ipMasq: false,
    hairpinMode: true,
    ipam,
  };
  if (opts.mtu) bridge.mtu = opts.mtu;
  return {
    cniVersion: '1.0.0',
    name: opts.name ?? 'k8ts',
    plugins: [bridge, { type: 'portmap', snat: true, capabilities: { portMappings: true } }],
  };
}

/** The conflist as the JSON text to write to `<cni conf dir>/10-k8ts.conflist`. */
export function cniConfListJson(opts: CniConfigOptions): string {
  return JSON.stringify(cniConfList(opts), null, 2) + '\n';
}
