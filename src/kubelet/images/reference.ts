/**
 * Docker-style image references, normalised the way containerd and the kubelet do
 * ("nginx" → "docker.io/library/nginx:latest").
 */
export interface ImageReference {
  /** Registry host (with port), e.g. 'docker.io', '127.0.0.1:5000'. */
  domain: string;
  /** Repository path without the domain, e.g. 'library/nginx'. */
  path: string;
  tag?: string;
  digest?: string;
}

const digestRe = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const pathComponentRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export function parseImageReference(ref: string): ImageReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw new Error(`invalid image reference ${JSON.stringify(ref)}: bad digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw new Error(`invalid image reference ${JSON.stringify(ref)}: bad tag`);
  }
  const slash = rest.indexOf('/');
  let domain = 'docker.io';
  let path = rest;
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    path = rest.slice(slash + 1);
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path === '' || !path.split('/').every((c) => pathComponentRe.test(c))) {
    throw new Error(`invalid image reference ${JSON.stringify(ref)}: repository name must be lowercase`);
  }
  return { domain, path, tag, digest };
}

/** The fully qualified name: a tag (":latest" when neither tag nor digest) and/or digest. */
export function normalizeImageReference(ref: string): string {
  const r = parseImageReference(ref);
  const tag = r.tag ?? (r.digest ? undefined : 'latest');
  return `${r.domain}/${r.path}${tag ? `:${tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** Kubernetes' default imagePullPolicy: Always for ":latest" or no tag (and no digest), else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const r = parseImageReference(image);
  return !r.digest && (r.tag === undefined || r.tag === 'latest') ? 'Always' : 'IfNotPresent';
}
