/** One entry of an Accept header: `application/json;as=Table;v=v1;g=meta.k8s.io`. */
export interface MediaType {
  type: string;
  params: Record<string, string>;
  q: number;
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: '*/*', params: {}, q: 1 }];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim();
      const v = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (k === 'q') q = Number(v) || 0; else params[k] = v;
    }
    return { type: (type ?? '').toLowerCase(), params, q };
  }).filter((m) => m.type !== '' && m.q > 0).sort((a, b) => b.q - a.q);
}

const isJsonish = (t: string) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === 'application/yaml' || t === 'application/vnd.kubernetes.protobuf';

export type ObjectView = 'Object' | 'Table' | 'PartialObjectMetadata';

export interface ObjectNegotiation {
  view: ObjectView;
  /** meta.k8s.io version of the Table / PartialObjectMetadata answer. */
  metaVersion: 'v1' | 'v1beta1';
}

/**
 * How to answer an object/list request: the first acceptable entry wins. Plain JSON is always
 * acceptable when any JSON-ish type is listed (kubectl always lists application/json last).
 */
export function negotiateObject(accept: MediaType[]): ObjectNegotiation | undefined {
  for (const m of accept) {
    const as = m.params.as;
    if (as && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      if (as === 'Table') return { view: 'Table', metaVersion: m.params.v };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { view: 'PartialObjectMetadata', metaVersion: m.params.v };
      continue;
    }
    if (as) continue;
    if (isJsonish(m.type)) return { view: 'Object', metaVersion: 'v1' };
  }
  return undefined;
}

export type DiscoveryFormat = { aggregated: false } | { aggregated: true; version: 'v2' | 'v2beta1'; contentType: string };

/** Aggregated discovery when asked for (v2 or v2beta1), else the legacy documents. */
export function negotiateDiscovery(accept: MediaType[]): DiscoveryFormat {
  for (const m of accept) {
    if (m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList' && (m.params.v === 'v2' || m.params.v === 'v2beta1')) {
      return { aggregated: true, version: m.params.v, contentType: `application/json;g=apidiscovery.k8s.io;v=${m.params.v};as=APIGroupDiscoveryList` };
    }
    if (!m.params.as && isJsonish(m.type)) return { aggregated: false };
  }
  return { aggregated: false };
}
