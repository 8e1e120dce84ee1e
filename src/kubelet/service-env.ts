/**
 * Service environment variables (`<SVC>_SERVICE_HOST`, `_SERVICE_PORT`, and the docker-link
 * style `<SVC>_PORT_<port>_<PROTO>…`) for a pod, as the kubelet derives them (pure).
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

function hasClusterIP(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** The variables of one Service. */
export function serviceEnvVars(s: Service): Record<string, string> {
  const out: Record<string, string> = {};
  const name = envName(s.metadata?.name ?? '');
  const ip = s.spec?.clusterIP ?? '';
  const ports = s.spec?.ports ?? [];
  if (ports.length === 0) return out;
  out[`${name}_SERVICE_HOST`] = ip;
  out[`${name}_SERVICE_PORT`] = String(ports[0]!.port);
  for (const p of ports) if (p.name) out[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  ports.forEach((p, i) => {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${proto}://${ip}:${p.port}`;
    if (i === 0) out[`${name}_PORT`] = url;
    const prefix = `${name}_PORT_${p.port}_${(p.protocol ?? 'TCP').toUpperCase()}`;
    out[prefix] = url;
    out[`${prefix}_PROTO`] = proto;
    out[`${prefix}_PORT`] = String(p.port);
    out[`${prefix}_ADDR`] = ip;
  });
  return out;
}

/**
 * Variables for every Service with a cluster IP in the pod's namespace (when enableServiceLinks,
 * the default), and always for the `kubernetes` Service of the `default` namespace.
 */
export function podServiceEnv(pod: Pod, services: readonly Service[]): Record<string, string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks ?? true;
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (!hasClusterIP(s)) continue;
    const sns = s.metadata?.namespace ?? '';
    if (sns === 'default' && s.metadata?.name === 'kubernetes') chosen.set(s.metadata.name, s);
  }
  if (links) {
    for (const s of services) {
      if (!hasClusterIP(s) || (s.metadata?.namespace ?? '') !== ns) continue;
      // The pod's own namespace wins over the master service of the same name.
      chosen.set(s.metadata?.name ?? '', s);
    }
  }
  const out: Record<string, string> = {};
  for (const s of [...chosen.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
    Object.assign(out, serviceEnvVars(s));
  }
  return out;
}
